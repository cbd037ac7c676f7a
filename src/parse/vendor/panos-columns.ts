/**
 * PAN-OS syslog CSV column names, per log type, in column order (issue 14 §3). Sources: Palo Alto
 * Networks, PAN-OS 10.2 / 11.1 Administrator's Guide, "Syslog Field Descriptions" (Traffic, Threat,
 * System and Config Log Fields): each column is named by the variable name the docs give in
 * parentheses (`Source Address (src)` → `src`), which are already snake_case; the two with a `/`
 * (`tunnelid/imsi`, `monitortag/imei`) get `_` instead. `null` marks a FUTURE_USE column: it is
 * not stored. syslog-ng's panos-parser() (scl/paloalto/panos.conf) uses the same names except
 * where its table differs from the docs (`sec` for `elapsed`, `tunnel_id/imsi`, numbered
 * `future_useN` columns kept).
 *
 * Newer PAN-OS releases append columns at the end; lines from older releases simply stop earlier.
 * A column past the end of its table is not stored (it stays in `message`).
 */

/** Column names of one log type; `null` = FUTURE_USE (not stored). */
export type PanosColumns = readonly (string | null)[];

/** The columns every PAN-OS log starts with: FUTURE_USE, receive time, serial, type, subtype, FUTURE_USE, generated time. */
export const PANOS_HEADER: PanosColumns = [null, 'receive_time', 'serial', 'type', 'subtype', null, 'time_generated'];

/** Device group hierarchy, vsys name and device name: the block every type repeats. */
const DG_DEVICE = ['dg_hier_level_1', 'dg_hier_level_2', 'dg_hier_level_3', 'dg_hier_level_4', 'vsys_name', 'device_name'];

/** Session columns TRAFFIC and THREAT share after the header, up to Action. */
const SESSION = [
  'src', 'dst', 'natsrc', 'natdst', 'rule', 'srcuser', 'dstuser', 'app', 'vsys', 'from', 'to', 'inbound_if', 'outbound_if',
  'logset', null, 'sessionid', 'repeatcnt', 'sport', 'dport', 'natsport', 'natdport', 'flags', 'proto', 'action',
];

/** IoT device-identification columns (PAN-OS 10.0+), source then destination. */
const DEVICE_ID = [
  'src_category', 'src_profile', 'src_model', 'src_vendor', 'src_osfamily', 'src_osversion', 'src_host', 'src_mac',
  'dst_category', 'dst_profile', 'dst_model', 'dst_vendor', 'dst_osfamily', 'dst_osversion', 'dst_host', 'dst_mac',
];

/** Application attributes (PAN-OS 10.1+). */
const APP_ATTRS = [
  'subcategory_of_app', 'category_of_app', 'technology_of_app', 'risk_of_app', 'characteristic_of_app', 'container_of_app',
  'tunneled_app', 'is_saas_of_app', 'sanctioned_state_of_app',
];

/** TRAFFIC log columns (Traffic Log Fields, PAN-OS 10.2 / 11.1). */
export const PANOS_TRAFFIC: PanosColumns = [
  ...PANOS_HEADER,
  ...SESSION,
  'bytes', 'bytes_sent', 'bytes_received', 'packets', 'start', 'elapsed', 'category', null, 'seqno', 'actionflags',
  'srcloc', 'dstloc', null, 'pkts_sent', 'pkts_received', 'session_end_reason',
  ...DG_DEVICE,
  'action_source', 'src_uuid', 'dst_uuid', 'tunnelid_imsi', 'monitortag_imei', 'parent_session_id', 'parent_start_time',
  'tunnel', 'assoc_id', 'chunks', 'chunks_sent', 'chunks_received', 'rule_uuid', 'http2_connection', 'link_change_count',
  'policy_id', 'link_switches', 'sdwan_cluster', 'sdwan_device_type', 'sdwan_cluster_type', 'sdwan_site', 'dynusergroup_name',
  'xff_ip',
  ...DEVICE_ID,
  'container_id', 'pod_namespace', 'pod_name', 'src_edl', 'dst_edl', 'hostid', 'serialnumber', 'src_dag', 'dst_dag',
  'session_owner', 'high_res_timestamp', 'nssai_sst', 'nssai_sd',
  ...APP_ATTRS,
  'offloaded', 'flow_type', 'cluster_name',
];

/** THREAT log columns (Threat Log Fields, PAN-OS 10.2 / 11.1; URL, data, file, virus, spyware, … subtypes). */
export const PANOS_THREAT: PanosColumns = [
  ...PANOS_HEADER,
  ...SESSION,
  'misc', 'threatid', 'category', 'severity', 'direction', 'seqno', 'actionflags', 'srcloc', 'dstloc', null,
  'contenttype', 'pcap_id', 'filedigest', 'cloud', 'url_idx', 'user_agent', 'filetype', 'xff', 'referer', 'sender',
  'subject', 'recipient', 'reportid',
  ...DG_DEVICE,
  null, 'src_uuid', 'dst_uuid', 'http_method', 'tunnelid_imsi', 'monitortag_imei', 'parent_session_id', 'parent_start_time',
  'tunnel', 'thr_category', 'contentver', null, 'assoc_id', 'ppid', 'http_headers', 'url_category_list', 'rule_uuid',
  'http2_connection', 'dynusergroup_name', 'xff_ip',
  ...DEVICE_ID,
  'container_id', 'pod_namespace', 'pod_name', 'src_edl', 'dst_edl', 'hostid', 'serialnumber', 'domain_edl', 'src_dag',
  'dst_dag', 'partial_hash', 'high_res_timestamp', 'reason', 'justification', 'nssai_sst',
  ...APP_ATTRS,
  'cloud_reportid', 'cluster_name', 'flow_type',
];

/** SYSTEM log columns (System Log Fields, PAN-OS 10.2 / 11.1); `opaque` is the Description. */
export const PANOS_SYSTEM: PanosColumns = [
  ...PANOS_HEADER,
  'vsys', 'eventid', 'object', null, null, 'module', 'severity', 'opaque', 'seqno', 'actionflags',
  ...DG_DEVICE,
  null, null, 'high_res_timestamp',
];

/** What CONFIG columns follow Device Name (PAN-OS 10.1+). */
const CONFIG_TAIL = [...DG_DEVICE, 'dg_id', 'comment', null, 'high_res_timestamp'];

/** CONFIG log columns as the docs list them (Config Log Fields, PAN-OS 10.2 / 11.1): with the before/after change details. */
export const PANOS_CONFIG: PanosColumns = [
  ...PANOS_HEADER,
  'host', 'vsys', 'cmd', 'admin', 'client', 'result', 'path', 'before_change_detail', 'after_change_detail', 'seqno', 'actionflags',
  ...CONFIG_TAIL,
];

/**
 * CONFIG log columns without Before/After Change Detail: what the firewall sends with the default
 * syslog format (the two detail columns appear only in a custom format; syslog-ng's panos-parser
 * tries both shapes too).
 */
export const PANOS_CONFIG_NO_DETAIL: PanosColumns = [
  ...PANOS_HEADER,
  'host', 'vsys', 'cmd', 'admin', 'client', 'result', 'path', 'seqno', 'actionflags',
  ...CONFIG_TAIL,
];

/** Index of Action Flags in {@link PANOS_CONFIG_NO_DETAIL} (it starts with `0x`; it tells the two CONFIG shapes apart). */
export const CONFIG_NO_DETAIL_ACTIONFLAGS = PANOS_CONFIG_NO_DETAIL.indexOf('actionflags');

/**
 * PAN-OS CSV after an RFC 3164 header (issue 14 §3): src/parse/vendor/panos.ts and
 * panos-columns.ts through parseMessage and writeRecord. Lines are in the PAN-OS 10.2 / 11.1
 * default syslog format (column order from Palo Alto's "Syslog Field Descriptions").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PANOS_CONFIG, PANOS_CONFIG_NO_DETAIL, PANOS_SYSTEM, PANOS_THREAT, PANOS_TRAFFIC } from '../../src/parse/vendor/panos-columns.js';
import { looksLikePanos, panosHighResMs } from '../../src/parse/vendor/panos.js';
import { parse, stored } from './helpers.js';


function fieldsOf(line: string): Record<string, string> {
  const pm = parse(line);
  assert.equal(pm.vendor?.key, 'panos', `no panos for ${line}`);
  return { ...(pm.vendor?.fields as Record<string, string>) };
}

/** CSV of the values (already quoted where needed). */
const csv = (...v: string[]): string => v.join(',');
const empties = (n: number): string[] => new Array<string>(n).fill('');

/** PAN-OS 11.1 TRAFFIC end log, every column of the docs' list. */
const TRAFFIC_CSV = csv(
  '1', '2024/03/10 12:00:05', '012345678901', 'TRAFFIC', 'end', '2561', '2024/03/10 12:00:04',
  '10.1.1.20', '93.184.216.34', '203.0.113.10', '93.184.216.34', 'allow-web', 'corp\\alice', '', 'ssl', 'vsys1', 'trust', 'untrust',
  'ethernet1/2', 'ethernet1/1', 'fwd-to-siem', '2024/03/10 12:00:04', '331245', '1', '52144', '443', '40211', '443', '0x400053', 'tcp', 'allow',
  '7312', '2228', '5084', '22', '2024/03/10 11:59:32', '30', 'computer-and-internet-info', '0', '7253419119627122716', '0x8000000000000000',
  '10.0.0.0-10.255.255.255', 'United States', '0', '12', '10', 'tcp-fin',
  '12', '0', '0', '0', '', 'PA-VM',
  'from-policy', '', '', '0', '', '0', '', 'N/A', '0', '0', '0', '0', '9a1e3c44-7d2b-4f1a-9c55-0d6e2b7a1f00', '0', '0',
  '', '', '', '', '', '', '', // policy_id .. dynusergroup_name
  '', // xff_ip
  ...empties(16), // device-id columns
  '', '', '', '', '', '', '', '', '', // container_id .. dst_dag
  '', '2024-03-10T12:00:04.512+01:00', '', '', // session_owner, high_res_timestamp, nssai_sst, nssai_sd
  'encrypted-tunnel', 'networking', 'browser-based', '4', '"used-by-malware,able-to-transfer-file"', '', 'ssl', 'no', 'no',
  '0', 'NonProxyTraffic', '',
);
const TRAFFIC = '<14>Mar 10 12:00:05 PA-VM ' + TRAFFIC_CSV;

/** PAN-OS 10.2 THREAT url log: the URL (misc) quoted, with commas and an escaped quote. */
const THREAT_URL = '<14>Mar 10 12:01:00 PA-3220 ' + csv(
  '1', '2024/03/10 12:01:00', '013201001234', 'THREAT', 'url', '2562', '2024/03/10 12:00:59',
  '10.1.1.21', '198.51.100.80', '203.0.113.10', '198.51.100.80', 'allow-web', 'corp\\bob', '', 'web-browsing', 'vsys1', 'trust', 'untrust',
  'ethernet1/2', 'ethernet1/1', 'fwd-to-siem', '2024/03/10 12:00:59', '441122', '1', '51000', '80', '33000', '80', '0x40b000', 'tcp', 'block-url',
  '"shop.example.com/search?q=a,b&t=""x"""', '(9999)', 'shopping', 'informational', 'client-to-server', '7253419119627200001', '0x8000000000000000',
  '10.0.0.0-10.255.255.255', 'United States', '0', 'text/html', '0', '', '', '1', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', '', '', '', '', '', '', '0',
  '12', '0', '0', '0', '', 'PA-3220', '', '', '', 'get', '0', '', '0', '', 'N/A', 'unknown', 'AppThreat-8800-8500', '0x0', '0', '4294967295',
  '', '"shopping,low-risk"', '9a1e3c44-7d2b-4f1a-9c55-0d6e2b7a1f00', '0',
);

/** THREAT virus log (10.2): threat name with id, file name, direction. */
const THREAT_VIRUS = '<12>Mar 10 12:02:00 PA-3220 ' + csv(
  '1', '2024/03/10 12:02:00', '013201001234', 'THREAT', 'virus', '2562', '2024/03/10 12:01:58',
  '198.51.100.7', '10.1.1.22', '198.51.100.7', '203.0.113.10', 'inbound-web', '', 'corp\\carol', 'web-browsing', 'vsys1', 'untrust', 'trust',
  'ethernet1/1', 'ethernet1/2', 'fwd-to-siem', '2024/03/10 12:01:58', '441190', '1', '80', '51010', '0', '51010', '0x402000', 'tcp', 'reset-both',
  'eicar.com', 'Eicar Test File(39040)', 'any', 'medium', 'server-to-client', '7253419119627200077', '0x2000000000000000',
  'United States', '10.0.0.0-10.255.255.255', '0', '', '1200716345521127424', '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
  '', '0', '', '', '', '', '', '', '', '0',
  '12', '0', '0', '0', '', 'PA-3220',
);

/** SYSTEM general log (11.1): description quoted with commas. */
const SYSTEM = '<13>Mar 10 12:03:00 PA-VM ' + csv(
  '1', '2024/03/10 12:03:00', '012345678901', 'SYSTEM', 'general', '0', '2024/03/10 12:03:00',
  '', 'general', '', '0', '0', 'general', 'informational',
  '"User admin logged in via Web from 10.1.1.5 using https, client: Firefox"', '1718', '0x0', '0', '0', '0', '0', '', 'PA-VM',
  '0', '0', '2024-03-10T12:03:00.120+00:00',
);

/** SYSTEM auth failure (PAN-OS 10, no trailing columns). */
const SYSTEM_AUTH = '<12>Mar 10 12:04:00 fw01.example.net ' + csv(
  '1', '2024/03/10 12:04:00', '012345678901', 'SYSTEM', 'auth', '0', '2024/03/10 12:04:00',
  '', 'auth-fail', '', '0', '0', 'general', 'medium', "failed authentication for user 'admin'. Reason: Invalid username/password. From: 10.1.1.66.",
  '1719', '0x0', '0', '0', '0', '0', '', 'fw01',
);

/** CONFIG in the default format (no before/after change detail). */
const CONFIG_DEFAULT = '<14>Mar 10 12:05:00 PA-VM ' + csv(
  '1', '2024/03/10 12:05:00', '012345678901', 'CONFIG', '0', '0', '2024/03/10 12:05:00',
  '10.1.1.5', '', 'set', 'admin', 'Web', 'Succeeded', ' deviceconfig system', '127', '0x0', '0', '0', '0', '0', '', 'PA-VM',
  '', '', '0', '2024-03-10T12:05:00.300+00:00',
);

/** CONFIG in a custom format with the change details (quoted, holding commas). */
const CONFIG_DETAIL = '<14>Mar 10 12:06:00 PA-VM ' + csv(
  '1', '2024/03/10 12:06:00', '012345678901', 'CONFIG', '0', '0', '2024/03/10 12:06:00',
  '10.1.1.5', 'vsys1', 'edit', 'admin', 'Web', 'Succeeded', ' vsys vsys1 rulebase security rules allow-web',
  '"rule allow-web { from trust; to untrust; action allow; }"', '"rule allow-web { from trust, dmz; to untrust; action allow; }"',
  '128', '0x0', '0', '0', '0', '0', '', 'PA-VM', 'dg-branch', '"ticket CHG-1, approved"',
);

test('TRAFFIC (PAN-OS 11.1): every documented column lands under its name', () => {
  const pm = parse(TRAFFIC);
  assert.equal(pm.format, 'rfc3164');
  assert.equal(pm.hostname, 'PA-VM');
  assert.equal(pm.message, TRAFFIC_CSV); // the CSV text, unchanged
  assert.equal(pm.appName, null);
  assert.equal(pm.timestampMs, Date.UTC(2024, 2, 10, 11, 0, 4, 512)); // high_res_timestamp with its offset
  const f = fieldsOf(TRAFFIC);
  assert.deepEqual(
    [f.receive_time, f.serial, f.type, f.subtype, f.time_generated, f.src, f.dst, f.natsrc, f.rule, f.srcuser, f.app, f.from, f.to],
    ['2024/03/10 12:00:05', '012345678901', 'TRAFFIC', 'end', '2024/03/10 12:00:04', '10.1.1.20', '93.184.216.34', '203.0.113.10', 'allow-web', 'corp\\alice', 'ssl', 'trust', 'untrust'],
  );
  assert.deepEqual(
    [f.inbound_if, f.outbound_if, f.logset, f.sessionid, f.sport, f.dport, f.natsport, f.flags, f.proto, f.action, f.bytes, f.bytes_sent, f.bytes_received],
    ['ethernet1/2', 'ethernet1/1', 'fwd-to-siem', '331245', '52144', '443', '40211', '0x400053', 'tcp', 'allow', '7312', '2228', '5084'],
  );
  assert.deepEqual(
    [f.packets, f.start, f.elapsed, f.category, f.seqno, f.actionflags, f.srcloc, f.dstloc, f.pkts_sent, f.pkts_received, f.session_end_reason],
    ['22', '2024/03/10 11:59:32', '30', 'computer-and-internet-info', '7253419119627122716', '0x8000000000000000', '10.0.0.0-10.255.255.255', 'United States', '12', '10', 'tcp-fin'],
  );
  assert.deepEqual([f.dg_hier_level_1, f.device_name, f.action_source, f.tunnel, f.rule_uuid, f.high_res_timestamp], ['12', 'PA-VM', 'from-policy', 'N/A', '9a1e3c44-7d2b-4f1a-9c55-0d6e2b7a1f00', '2024-03-10T12:00:04.512+01:00']);
  assert.deepEqual(
    [f.subcategory_of_app, f.category_of_app, f.technology_of_app, f.risk_of_app, f.characteristic_of_app, f.tunneled_app, f.is_saas_of_app, f.sanctioned_state_of_app, f.offloaded, f.flow_type],
    ['encrypted-tunnel', 'networking', 'browser-based', '4', 'used-by-malware,able-to-transfer-file', 'ssl', 'no', 'no', '0', 'NonProxyTraffic'],
  );
  // FUTURE_USE and empty columns are not stored
  assert.equal('future_use' in f, false);
  assert.equal(f.dstuser, undefined);
  assert.equal(Object.values(f).includes('2561'), false);
  assert.equal(Object.values(f).includes(''), false);
  // the table has exactly as many columns as the line
  assert.equal(TRAFFIC_CSV.split(',').length - 1, PANOS_TRAFFIC.length); // one quoted value holds a comma
});

test('THREAT url and virus logs: quoted URL with commas and "" escapes, threat id, file digest', () => {
  const u = fieldsOf(THREAT_URL);
  assert.equal(u.misc, 'shop.example.com/search?q=a,b&t="x"');
  assert.deepEqual([u.subtype, u.threatid, u.category, u.severity, u.direction, u.action], ['url', '(9999)', 'shopping', 'informational', 'client-to-server', 'block-url']);
  assert.deepEqual([u.contenttype, u.url_idx, u.user_agent, u.device_name, u.http_method, u.tunnel, u.thr_category, u.contentver], [
    'text/html', '1', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'PA-3220', 'get', 'N/A', 'unknown', 'AppThreat-8800-8500',
  ]);
  assert.deepEqual([u.assoc_id, u.ppid, u.url_category_list, u.rule_uuid, u.http2_connection], ['0', '4294967295', 'shopping,low-risk', '9a1e3c44-7d2b-4f1a-9c55-0d6e2b7a1f00', '0']);
  const pm = parse(THREAT_URL);
  assert.equal(pm.timestampMs, Date.UTC(2024, 2, 10, 12, 0, 59)); // time_generated, read as UTC
  assert.equal(pm.hostname, 'PA-3220');

  const v = fieldsOf(THREAT_VIRUS);
  assert.deepEqual([v.subtype, v.misc, v.threatid, v.severity, v.direction, v.dstuser, v.natdst, v.pcap_id], [
    'virus', 'eicar.com', 'Eicar Test File(39040)', 'medium', 'server-to-client', 'corp\\carol', '203.0.113.10', '1200716345521127424',
  ]);
  assert.equal(v.filedigest, '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f');
  assert.equal(v.reportid, '0');
  assert.equal(v.device_name, 'PA-3220');
  assert.equal(parse(THREAT_VIRUS).severity, 4); // the PRI's, untouched
});

test('SYSTEM logs: event id, module, severity, description (opaque)', () => {
  const s = fieldsOf(SYSTEM);
  assert.deepEqual([s.type, s.subtype, s.eventid, s.module, s.severity, s.seqno, s.actionflags, s.device_name], ['SYSTEM', 'general', 'general', 'general', 'informational', '1718', '0x0', 'PA-VM']);
  assert.equal(s.opaque, 'User admin logged in via Web from 10.1.1.5 using https, client: Firefox');
  assert.equal(parse(SYSTEM).timestampMs, Date.UTC(2024, 2, 10, 12, 3, 0, 120));
  const a = fieldsOf(SYSTEM_AUTH);
  assert.deepEqual([a.subtype, a.eventid, a.severity, a.device_name], ['auth', 'auth-fail', 'medium', 'fw01']);
  assert.equal(a.opaque, "failed authentication for user 'admin'. Reason: Invalid username/password. From: 10.1.1.66.");
  const pm = parse(SYSTEM_AUTH);
  assert.equal(pm.hostname, 'fw01.example.net'); // the header's host stays
  assert.equal(pm.timestampMs, Date.UTC(2024, 2, 10, 12, 4, 0));
});

test('CONFIG logs: default format and custom format with change details', () => {
  const d = fieldsOf(CONFIG_DEFAULT);
  assert.deepEqual([d.host, d.cmd, d.admin, d.client, d.result, d.path, d.seqno, d.actionflags, d.device_name, d.high_res_timestamp], [
    '10.1.1.5', 'set', 'admin', 'Web', 'Succeeded', ' deviceconfig system', '127', '0x0', 'PA-VM', '2024-03-10T12:05:00.300+00:00',
  ]);
  assert.equal(d.before_change_detail, undefined);
  const c = fieldsOf(CONFIG_DETAIL);
  assert.deepEqual([c.vsys, c.cmd, c.seqno, c.actionflags, c.device_name, c.dg_id, c.comment], ['vsys1', 'edit', '128', '0x0', 'PA-VM', 'dg-branch', 'ticket CHG-1, approved']);
  assert.equal(c.before_change_detail, 'rule allow-web { from trust; to untrust; action allow; }');
  assert.equal(c.after_change_detail, 'rule allow-web { from trust, dmz; to untrust; action allow; }');
  assert.equal(PANOS_CONFIG.length, PANOS_CONFIG_NO_DETAIL.length + 2);
});

test('other types get only the header columns; truncated lines keep what they have', () => {
  const gp = fieldsOf('<14>Mar 10 12:07:00 PA-VM 1,2024/03/10 12:07:00,012345678901,GLOBALPROTECT,0,2818,2024/03/10 12:06:59,vsys1,gateway-auth,login,,,alice');
  assert.deepEqual(gp, { receive_time: '2024/03/10 12:07:00', serial: '012345678901', type: 'GLOBALPROTECT', subtype: '0', time_generated: '2024/03/10 12:06:59' });
  const hip = fieldsOf('<14>Mar 10 12:07:00 PA-VM 1,2024/03/10 12:07:00,012345678901,HIP-MATCH,0,2049,2024/03/10 12:07:00,corp\\alice,vsys1');
  assert.equal(hip.type, 'HIP-MATCH');
  const short = fieldsOf('<14>Mar 10 12:07:00 PA-VM 1,2024/03/10 12:07:00,012345678901,TRAFFIC,drop,2561,2024/03/10 12:07:00,10.0.0.1,10.0.0.2');
  assert.deepEqual([short.src, short.dst, short.rule], ['10.0.0.1', '10.0.0.2', undefined]);
  // unparseable time_generated: receive_time gives the time
  assert.equal(parse('<14>Mar 10 12:07:00 PA-VM 1,2024/03/10 12:07:00,0,TRAFFIC,end,0,bad,10.0.0.1').timestampMs, Date.UTC(2024, 2, 10, 12, 7, 0));
  // no header host: device_name
  const nohost = parse('<14>Mar 10 12:07:00 ' + SYSTEM_AUTH.slice(SYSTEM_AUTH.indexOf('1,2024')));
  assert.equal(nohost.hostname, 'fw01');
  assert.equal(nohost.vendor?.key, 'panos');
  // FUTURE_USE columns in every table
  for (const t of [PANOS_TRAFFIC, PANOS_THREAT, PANOS_SYSTEM, PANOS_CONFIG]) assert.deepEqual([t[0], t[5], t[3]], [null, null, 'type']);
});

test('not PAN-OS: digits, commas and dates that are not the PAN-OS header', () => {
  for (const msg of [
    '12 packets dropped',
    '1,2,3',
    '1,2024-03-10 12:00:00,x,TRAFFIC,end,0,2024/03/10 12:00:00',
    '1,2024/03/10 12:00:00,x,traffic,end,0,2024/03/10 12:00:00', // type not upper case
    '1,2024/03/10 12:00:00,x,TRAFFIC,end', // fewer than 7 columns
    '1234,2024/03/10 12:00:00,x,TRAFFIC,end,0,2024/03/10 12:00:00',
    '1,2024/13/10 12:00:00,x,TRAFFIC,end,0,2024/03/10 12:00:00',
  ]) {
    const pm = parse('<14>Mar 10 12:00:00 host ' + msg);
    assert.equal(pm.vendor, null, msg);
    assert.equal(pm.message, msg, msg);
  }
  assert.equal(looksLikePanos('1,2024/03/10 12:00:00,'), true);
  assert.equal(looksLikePanos('1,2024/03/10 12:00:00'), false);
  assert.deepEqual(['2024-03-10T12:00:00Z', '2024-03-10T12:00:00.5-02:30', '2024-03-10T12:00:00', '2024-03-10 12:00:00', '2024-03-10T12:00:00+0100'].map(panosHighResMs), [
    Date.UTC(2024, 2, 10, 12), Date.UTC(2024, 2, 10, 14, 30, 0, 500), Date.UTC(2024, 2, 10, 12), -1, -1,
  ]);
});

test('end to end: the stored record has the panos member and the CSV as message', () => {
  const rec = stored(THREAT_URL);
  assert.equal(rec['@timestamp'], '2024-03-10T12:00:59.000Z');
  assert.equal(rec.hostname, 'PA-3220');
  assert.equal(typeof rec.message, 'string');
  assert.ok((rec.message as string).startsWith('1,2024/03/10 12:01:00,013201001234,THREAT,url,'));
  const p = rec.panos as Record<string, unknown>;
  assert.equal(p.type, 'THREAT');
  assert.equal(p.misc, 'shop.example.com/search?q=a,b&t="x"');
  const keys = Object.keys(rec);
  assert.ok(keys.indexOf('panos') === keys.indexOf('syslog') + 1, keys.join(','));
  const t = stored(TRAFFIC).panos as Record<string, unknown>;
  assert.equal(t.session_end_reason, 'tcp-fin');
});

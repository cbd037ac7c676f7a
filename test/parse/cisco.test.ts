/**
 * Cisco IOS / IOS-XE / IOS-XR / NX-OS / ASA / FTD lines (src/parse/vendor/cisco.ts, issue 14 §1):
 * a table of real shapes with every ParsedMessage field asserted, the peers' vectors
 * (syslog-ng cisco-parser() functional tests, go-syslog, rsyslog) mapped to our names, lines
 * that must NOT be read as Cisco, and the timestamp readers the Cisco header added
 * (timestamp.ts: year-first NX-OS stamps, unknown zone names).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCisco } from '../../src/parse/vendor/cisco.js';
import { createParsedMessage } from '../../src/parse/types.js';
import { createTimestampResult, parseBsdTimestamp, parseYearFirstTimestamp } from '../../src/parse/timestamp.js';
import { parse, NOW } from './helpers.js';

interface Want {
  facility: number;
  severity: number;
  /** ISO instant, or null. */
  ts: string | null;
  hostname: string | null;
  appName: string;
  procId?: string | null;
  message: string | null;
  cisco: Record<string, unknown>;
}

/** Every field of the result compared (structuredData/cee as for a plain line). */
function check(line: string, w: Want, nowMs = NOW): void {
  const pm = parse(line, nowMs);
  const got = {
    format: pm.format, facility: pm.facility, severity: pm.severity,
    ts: pm.timestampMs === null ? null : new Date(pm.timestampMs).toISOString(),
    hostname: pm.hostname, appName: pm.appName, procId: pm.procId, msgId: pm.msgId, message: pm.message,
    structuredData: pm.structuredData, cee: pm.cee, vendor: pm.vendor,
  };
  const want = {
    format: 'rfc3164', facility: w.facility, severity: w.severity, ts: w.ts,
    hostname: w.hostname, appName: w.appName, procId: w.procId ?? null, msgId: null, message: w.message,
    structuredData: null, cee: null, vendor: { key: 'cisco', fields: w.cisco },
  };
  assert.deepEqual(got, want, line);
}

test('IOS / IOS-XE: counter, sequence, origin id, * and . clocks, msec, zones, uptime', () => {
  check('<189>29: foo: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)', {
    facility: 23, severity: 5, ts: '2026-04-29T13:58:40.411Z', hostname: 'foo', appName: '%SYS-5-CONFIG_I',
    message: 'Configured from console by vty2 (10.34.195.36)',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I', counter: 29, clock: 'unset' },
  });
  check('<190>643: 000104: *Mar  1 00:05:43.887: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to up', {
    facility: 23, severity: 6, ts: '2026-03-01T00:05:43.887Z', hostname: null, appName: '%LINK-3-UPDOWN',
    message: 'Interface GigabitEthernet0/1, changed state to up',
    cisco: { facility: 'LINK', severity: 3, mnemonic: 'UPDOWN', counter: 643, sequence: 104, clock: 'unset' },
  });
  check('<189>: 000105: Mar  1 00:05:44: %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to up', {
    facility: 23, severity: 5, ts: '2026-03-01T00:05:44.000Z', hostname: null, appName: '%LINEPROTO-5-UPDOWN',
    message: 'Line protocol on Interface Gi0/1, changed state to up',
    cisco: { facility: 'LINEPROTO', severity: 5, mnemonic: 'UPDOWN', sequence: 105 },
  });
  check('<180>782431: machine1: .Nov 18 21:03:22.631 GMT: %CDP-4-NATIVE_VLAN_MISMATCH: Native VLAN mismatch discovered', {
    facility: 22, severity: 4, ts: '2026-11-18T21:03:22.631Z', hostname: 'machine1', appName: '%CDP-4-NATIVE_VLAN_MISMATCH',
    message: 'Native VLAN mismatch discovered',
    cisco: { facility: 'CDP', severity: 4, mnemonic: 'NATIVE_VLAN_MISMATCH', counter: 782431, clock: 'unsynced' },
  });
  // unknown zone name: read as UTC
  check('<189>15: Nov 23 22:23:27.833 NewYork: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 10.1.1.1]', {
    facility: 23, severity: 5, ts: '2026-11-23T22:23:27.833Z', hostname: null, appName: '%SEC_LOGIN-5-LOGIN_SUCCESS',
    message: 'Login Success [user: admin] [Source: 10.1.1.1]',
    cisco: { facility: 'SEC_LOGIN', severity: 5, mnemonic: 'LOGIN_SUCCESS', counter: 15 },
  });
  // known zone: its offset applies (EST = UTC-5)
  check('<189>16: Feb 28 2010 00:20:10.663 EST: %SYS-5-CONFIG_I: x', {
    facility: 23, severity: 5, ts: '2010-02-28T05:20:10.663Z', hostname: null, appName: '%SYS-5-CONFIG_I', message: 'x',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I', counter: 16 },
  });
  check('<189>16: Feb 28 2010 00:20:10.663 UTC: %DUAL-5-NBRCHANGE: EIGRP-IPv4 100: Neighbor 10.0.0.2 (Gi0/0) is up: new adjacency', {
    facility: 23, severity: 5, ts: '2010-02-28T00:20:10.663Z', hostname: null, appName: '%DUAL-5-NBRCHANGE',
    message: 'EIGRP-IPv4 100: Neighbor 10.0.0.2 (Gi0/0) is up: new adjacency',
    cisco: { facility: 'DUAL', severity: 5, mnemonic: 'NBRCHANGE', counter: 16 },
  });
  // uptime stamps: no event time
  check('<189>12: 2w3d: %SYS-5-CONFIG_I: Configured from console by console', {
    facility: 23, severity: 5, ts: null, hostname: null, appName: '%SYS-5-CONFIG_I', message: 'Configured from console by console',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I', counter: 12 },
  });
  check('<187>13: 1d02h: %LINK-3-UPDOWN: Interface Serial0/0, changed state to down', {
    facility: 23, severity: 3, ts: null, hostname: null, appName: '%LINK-3-UPDOWN', message: 'Interface Serial0/0, changed state to down',
    cisco: { facility: 'LINK', severity: 3, mnemonic: 'UPDOWN', counter: 13 },
  });
  check('<189>00:20:10: %SYS-5-RESTART: System restarted --', {
    facility: 23, severity: 5, ts: null, hostname: null, appName: '%SYS-5-RESTART', message: 'System restarted --',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'RESTART' },
  });
  check('<189>14: *00:00:41.335: %LINEPROTO-5-UPDOWN: Line protocol on Interface Vlan1, changed state to down', {
    facility: 23, severity: 5, ts: null, hostname: null, appName: '%LINEPROTO-5-UPDOWN', message: 'Line protocol on Interface Vlan1, changed state to down',
    cisco: { facility: 'LINEPROTO', severity: 5, mnemonic: 'UPDOWN', counter: 14, clock: 'unset' },
  });
  // origin id without timestamp (`no service timestamps`): mnemonic severity differs from PRI severity
  check('<190>123030: some-remote-host: %SYS-5-LOGGINGHOST_STARTSTOP: Logging to host 192.168.1.239 stopped - CLI initiated', {
    facility: 23, severity: 6, ts: null, hostname: 'some-remote-host', appName: '%SYS-5-LOGGINGHOST_STARTSTOP',
    message: 'Logging to host 192.168.1.239 stopped - CLI initiated',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'LOGGINGHOST_STARTSTOP', counter: 123030 },
  });
  // origin id ip; IPv6 origin
  check('<189>32: 10.1.2.3: *Apr 29 13:59:12.491: %SYS-5-CONFIG_I: Configured from console by console', {
    facility: 23, severity: 5, ts: '2026-04-29T13:59:12.491Z', hostname: '10.1.2.3', appName: '%SYS-5-CONFIG_I', message: 'Configured from console by console',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I', counter: 32, clock: 'unset' },
  });
  check('<189>33: 2001:db8::1: Apr 29 13:59:12: %SYS-5-CONFIG_I: x', {
    facility: 23, severity: 5, ts: '2026-04-29T13:59:12.000Z', hostname: '2001:db8::1', appName: '%SYS-5-CONFIG_I', message: 'x',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I', counter: 33 },
  });
  // facility with "-" (syslog-ng cisco-triplet-parser): SYSMGR-STANDBY
  check('<190>32: foo: *Apr 29 13:58:46.411: %SYSMGR-STANDBY-3-SHUTDOWN_START: The System Manager has started the shutdown procedure.', {
    facility: 23, severity: 6, ts: '2026-04-29T13:58:46.411Z', hostname: 'foo', appName: '%SYSMGR-STANDBY-3-SHUTDOWN_START',
    message: 'The System Manager has started the shutdown procedure.',
    cisco: { facility: 'SYSMGR-STANDBY', severity: 3, mnemonic: 'SHUTDOWN_START', counter: 32, clock: 'unset' },
  });
  // host word after the timestamp (syslog-ng msg_format_parse vector)
  check("<0>91: *Oct 07 03:10:04: mydevice.com %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi", {
    facility: 0, severity: 0, ts: '2026-10-07T03:10:04.000Z', hostname: 'mydevice.com', appName: '%CRYPTO-4-RECVD_PKT_INV_SPI',
    message: "decaps: rec'd IPSEC packet has invalid spi",
    cisco: { facility: 'CRYPTO', severity: 4, mnemonic: 'RECVD_PKT_INV_SPI', counter: 91, clock: 'unset' },
  });
  // mnemonic with nothing after it
  check('<189>1: Jun 12 09:15:02: %SYS-5-CONFIG_I:', {
    facility: 23, severity: 5, ts: '2026-06-12T09:15:02.000Z', hostname: null, appName: '%SYS-5-CONFIG_I', message: null,
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I', counter: 1 },
  });
});

test('NX-OS year-first stamps', () => {
  check('<189>: 2023 Jun 12 09:15:02 UTC: %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up in mode access', {
    facility: 23, severity: 5, ts: '2023-06-12T09:15:02.000Z', hostname: null, appName: '%ETHPORT-5-IF_UP', message: 'Interface Ethernet1/1 is up in mode access',
    cisco: { facility: 'ETHPORT', severity: 5, mnemonic: 'IF_UP' },
  });
  check('<187>2023 Jun 12 09:15:02.250 CEST: %ETH_PORT_CHANNEL-5-PORT_DOWN: port-channel10: Ethernet1/2 is down', {
    facility: 23, severity: 3, ts: '2023-06-12T07:15:02.250Z', hostname: null, appName: '%ETH_PORT_CHANNEL-5-PORT_DOWN',
    message: 'port-channel10: Ethernet1/2 is down',
    cisco: { facility: 'ETH_PORT_CHANNEL', severity: 5, mnemonic: 'PORT_DOWN' },
  });
  check('<190>nx01: 2023 Jun 12 09:15:02 UTC: %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 10.0.0.5@pts/0', {
    facility: 23, severity: 6, ts: '2023-06-12T09:15:02.000Z', hostname: 'nx01', appName: '%VSHD-5-VSHD_SYSLOG_CONFIG_I',
    message: 'Configured from vty by admin on 10.0.0.5@pts/0',
    cisco: { facility: 'VSHD', severity: 5, mnemonic: 'VSHD_SYSLOG_CONFIG_I' },
  });
});

test('ASA / PIX / FTD: year in the BSD stamp, device id " : ", no header at all, RFC 3339', () => {
  check('<166>Jul 14 2023 08:22:31 asa-fw01 : %ASA-6-302013: Built inbound TCP connection 1234 for outside:198.51.100.7/51234 (198.51.100.7/51234) to inside:10.0.0.5/443 (203.0.113.5/443)', {
    facility: 20, severity: 6, ts: '2023-07-14T08:22:31.000Z', hostname: 'asa-fw01', appName: '%ASA-6-302013',
    message: 'Built inbound TCP connection 1234 for outside:198.51.100.7/51234 (198.51.100.7/51234) to inside:10.0.0.5/443 (203.0.113.5/443)',
    cisco: { facility: 'ASA', severity: 6, mnemonic: '302013' },
  });
  check('<166>%ASA-6-302013: Built inbound TCP connection 1234', {
    facility: 20, severity: 6, ts: null, hostname: null, appName: '%ASA-6-302013', message: 'Built inbound TCP connection 1234',
    cisco: { facility: 'ASA', severity: 6, mnemonic: '302013' },
  });
  check('<164>asa-fw02 : %ASA-4-106023: Deny tcp src outside:192.0.2.1/4444 dst inside:10.0.0.1/22 by access-group "OUT" [0x0, 0x0]', {
    facility: 20, severity: 4, ts: null, hostname: 'asa-fw02', appName: '%ASA-4-106023',
    message: 'Deny tcp src outside:192.0.2.1/4444 dst inside:10.0.0.1/22 by access-group "OUT" [0x0, 0x0]',
    cisco: { facility: 'ASA', severity: 4, mnemonic: '106023' },
  });
  check('<32>Mar 05 2011 22:21:02: %ASA-6-302013: Built inbound TCP connection 401', {
    facility: 4, severity: 0, ts: '2011-03-05T22:21:02.000Z', hostname: null, appName: '%ASA-6-302013', message: 'Built inbound TCP connection 401',
    cisco: { facility: 'ASA', severity: 6, mnemonic: '302013' },
  });
  check('<190>.Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection 1688438', {
    facility: 23, severity: 6, ts: '2007-04-15T21:28:13.000Z', hostname: null, appName: '%PIX-6-302014', message: 'Teardown TCP connection 1688438',
    cisco: { facility: 'PIX', severity: 6, mnemonic: '302014', clock: 'unsynced' },
  });
  check('<167>Mar  6 16:57:54 172.20.245.8 %PIX-7-710005: UDP request discarded from SERVER1/2741 to test_app:255.255.255.255/61601', {
    facility: 20, severity: 7, ts: '2026-03-06T16:57:54.000Z', hostname: '172.20.245.8', appName: '%PIX-7-710005',
    message: 'UDP request discarded from SERVER1/2741 to test_app:255.255.255.255/61601',
    cisco: { facility: 'PIX', severity: 7, mnemonic: '710005' },
  });
  check('<166>2023-07-14T08:22:31Z firepower : %FTD-6-430003: EventPriority: Low, DeviceUUID: 1a2b, InstanceID: 1', {
    facility: 20, severity: 6, ts: '2023-07-14T08:22:31.000Z', hostname: 'firepower', appName: '%FTD-6-430003',
    message: 'EventPriority: Low, DeviceUUID: 1a2b, InstanceID: 1',
    cisco: { facility: 'FTD', severity: 6, mnemonic: '430003' },
  });
  check('<166>2022-02-16T15:31:53+01:00 na-zy-int-fp1140-p02 : %FTD-6-305012: Teardown dynamic TCP translation duration 0:01:01', {
    facility: 20, severity: 6, ts: '2022-02-16T14:31:53.000Z', hostname: 'na-zy-int-fp1140-p02', appName: '%FTD-6-305012',
    message: 'Teardown dynamic TCP translation duration 0:01:01',
    cisco: { facility: 'FTD', severity: 6, mnemonic: '305012' },
  });
});

test('IOS-XR: node id → cisco.cpuModule, process[pid] → cisco.process + procId, " : " after the mnemonic', () => {
  check('<189>1234: RP/0/RSP0/CPU0:Jun 12 09:15:02.123 UTC: sshd[1234]: %SECURITY-SSHD-6-INFO_SUCCESS : Successfully authenticated user \'admin\' from \'10.0.0.9\'', {
    facility: 23, severity: 5, ts: '2026-06-12T09:15:02.123Z', hostname: null, appName: '%SECURITY-SSHD-6-INFO_SUCCESS', procId: '1234',
    message: 'Successfully authenticated user \'admin\' from \'10.0.0.9\'',
    cisco: { facility: 'SECURITY-SSHD', severity: 6, mnemonic: 'INFO_SUCCESS', counter: 1234, cpuModule: 'RP/0/RSP0/CPU0', process: 'sshd' },
  });
  check('<187>138076: RP/0/RP0/CPU0:Dec 11 12:43:29.227 EST: snmpd[1002]: %SNMP-SNMP-3-AUTH_FAIL : Received snmp request on unknown community from 0.0.0.0', {
    facility: 23, severity: 3, ts: '2026-12-11T17:43:29.227Z', hostname: null, appName: '%SNMP-SNMP-3-AUTH_FAIL', procId: '1002',
    message: 'Received snmp request on unknown community from 0.0.0.0',
    cisco: { facility: 'SNMP-SNMP', severity: 3, mnemonic: 'AUTH_FAIL', counter: 138076, cpuModule: 'RP/0/RP0/CPU0', process: 'snmpd' },
  });
  check('<187>77: LC/0/0/CPU0:Jun 12 09:15:02.123 : ifmgr[201]: %PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/0, changed state to Down', {
    facility: 23, severity: 3, ts: '2026-06-12T09:15:02.123Z', hostname: null, appName: '%PKT_INFRA-LINK-3-UPDOWN', procId: '201',
    message: 'Interface GigabitEthernet0/0/0/0, changed state to Down',
    cisco: { facility: 'PKT_INFRA-LINK', severity: 3, mnemonic: 'UPDOWN', counter: 77, cpuModule: 'LC/0/0/CPU0', process: 'ifmgr' },
  });
});

test('cBR-8 line card prefix with a SP → cisco.cpuModule', () => {
  check('<187>3408: CLC 6/0: Dec 11 13:31:14.214 EST: %PKI-3-CERTIFICATE_INVALID_EXPIRED: Certificate chain validation has failed.', {
    facility: 23, severity: 3, ts: '2026-12-11T18:31:14.214Z', hostname: null, appName: '%PKI-3-CERTIFICATE_INVALID_EXPIRED',
    message: 'Certificate chain validation has failed.',
    cisco: { facility: 'PKI', severity: 3, mnemonic: 'CERTIFICATE_INVALID_EXPIRED', counter: 3408, cpuModule: 'CLC 6/0' },
  });
});

test('lines without PRI: facility 1 (user), severity from the mnemonic', () => {
  check('*Apr 29 13:58:40.411: %SYS-5-CONFIG_I: Configured from console by console', {
    facility: 1, severity: 5, ts: '2026-04-29T13:58:40.411Z', hostname: null, appName: '%SYS-5-CONFIG_I', message: 'Configured from console by console',
    cisco: { facility: 'SYS', severity: 5, mnemonic: 'CONFIG_I', clock: 'unset' },
  });
  check('643: 000104: Mar  1 00:05:43.887: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up', {
    facility: 1, severity: 3, ts: '2026-03-01T00:05:43.887Z', hostname: null, appName: '%LINK-3-UPDOWN', message: 'Interface Gi0/1, changed state to up',
    cisco: { facility: 'LINK', severity: 3, mnemonic: 'UPDOWN', counter: 643, sequence: 104 },
  });
  check('%ASA-2-106001: Inbound TCP connection denied', {
    facility: 1, severity: 2, ts: null, hostname: null, appName: '%ASA-2-106001', message: 'Inbound TCP connection denied',
    cisco: { facility: 'ASA', severity: 2, mnemonic: '106001' },
  });
});

/**
 * Peer vectors (/work/shared/conformance, ids as there): syslog-ng cisco-parser() keeps
 * `%FAC-SEV-MNEMONIC: ` in MESSAGE and has severity as a string; we compare its facility,
 * mnemonic, cpuModule and severity (as a number), and our message = theirs without the prefix.
 */
test('peer vectors: syslog-ng cisco-parser() fields', () => {
  const vectors: Array<[string, string, Record<string, string>, string | null]> = [
    ['syslogng-114', '<189>29: foo: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I: Configured from console by console', { facility: 'SYS', severity: '5', mnemonic: 'CONFIG_I' }, 'foo'],
    ['syslogng-117', '<189>35: *Apr 29 14:00:16.059: %SYS-5-CONFIG_I: Configured from console by console', { facility: 'SYS', severity: '5', mnemonic: 'CONFIG_I' }, null],
    ['syslogng-118', '<190>32: foo: *Apr 29 13:58:46.411: %SYSMGR-STANDBY-3-SHUTDOWN_START: The System Manager has started the shutdown procedure.', { facility: 'SYSMGR-STANDBY', severity: '3', mnemonic: 'SHUTDOWN_START' }, 'foo'],
    ['syslogng-119', '<180>782431: machine1: .Nov 18 21:03:22.631 GMT: %CDP-4-NATIVE_VLAN_MISMATCH: Native VLAN mismatch discovered on TenGigabitEthernet.', { facility: 'CDP', severity: '4', mnemonic: 'NATIVE_VLAN_MISMATCH' }, 'machine1'],
    ['syslogng-120', '<166>2022-02-16T15:31:53Z na-zy-int-fp1140-p02 : %FTD-6-305012: Teardown dynamic TCP translation from FOO-WAN_IN:10.44.60.80/59877 to FOO-OUTSIDE:6.7.8.9/59877 duration 0:01:01', { facility: 'FTD', severity: '6', mnemonic: '305012' }, 'na-zy-int-fp1140-p02'],
    ['syslogng-121', '<190>123030: some-remote-host: %SYS-5-LOGGINGHOST_STARTSTOP: Logging to host 192.168.1.239 stopped - CLI initiated', { facility: 'SYS', severity: '5', mnemonic: 'LOGGINGHOST_STARTSTOP' }, 'some-remote-host'],
    ['syslogng-123', '<187>3408: CLC 6/0: Dec 11 13:31:14.214 EST: %PKI-3-CERTIFICATE_INVALID_EXPIRED: Certificate chain validation has failed.', { facility: 'PKI', severity: '3', mnemonic: 'CERTIFICATE_INVALID_EXPIRED', cpuModule: 'CLC 6/0' }, null],
    ['syslogng-122', '<187>138076: RP/0/RP0/CPU0:Dec 11 12:43:29.227 EST: snmpd[1002]: %SNMP-SNMP-3-AUTH_FAIL : Received snmp request on unknown community from 0.0.0.0', { facility: 'SNMP-SNMP', severity: '3', mnemonic: 'AUTH_FAIL', cpuModule: 'RP/0/RP0/CPU0' }, null],
  ];
  for (const [id, line, ng, host] of vectors) {
    const pm = parse(line);
    const f = pm.vendor?.fields ?? {};
    const ours: Record<string, string> = { facility: String(f.facility), severity: String(f.severity), mnemonic: String(f.mnemonic) };
    if ('cpuModule' in ng) ours.cpuModule = String(f.cpuModule);
    assert.deepEqual(ours, ng, id);
    if (id !== 'syslogng-117') assert.equal(pm.hostname, host, `${id} hostname`); // 117: syslog-ng falls back to the receiving host
    const ngMessage = line.slice(line.indexOf('%'));
    assert.equal(pm.message, ngMessage.slice(ngMessage.indexOf(': ') + 2), `${id} message`);
    assert.equal(pm.appName, ngMessage.slice(0, ngMessage.search(/ ?: /)), `${id} appName`);
  }
});

test('not Cisco: pm untouched, the RFC 3164 reader decides', () => {
  const notCisco = [
    "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
    '<13>Oct 11 22:14:15 host app: %SYS-5-CONFIG_I: relayed text after a TAG', // a TAG before the %: not a Cisco header
    '<13>Oct 11 22:14:15 host app 100% done %SYS-5-X: y', // words that are no header part
    '<189>29: foo: *Apr 29 13:58:40.411: %SYS-8-CONFIG_I: severity 8', // severity > 7
    '<189>29: *Apr 29 13:58:40.411: %SYS-5-: empty mnemonic',
    '<189>29: *Apr 29 13:58:40.411: %-5-X: empty facility',
    '<189>29: *Apr 29 13:58:40.411: %SYS--5-X: empty part',
    '<189>29: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I:no space',
    '<189>29: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I text', // no ":"
    '<189>29: *Apr 29 13:58:40.411:%SYS-5-CONFIG_I: glued to the stamp',
    '<189>29: "quoted": %SYS-5-CONFIG_I: x',
    '<191>94103: 51w2d: DHCPD: assigned IP address 10.10.1.94',
    '<14>1: ',
    '<14>2: .',
    '<189>65536: ',
    '%',
    '%A-1-B',
    `<13>${'a '.repeat(20)}%SYS-5-CONFIG_I: too many words before the %`,
    `<13>${'x'.repeat(300)} %SYS-5-CONFIG_I: too far`,
    '<13>Oct 11 22:14:15 höst %SYS-5-CONFIG_I: non-ASCII header',
  ];
  for (const line of notCisco) {
    const b = Buffer.from(line);
    const pri = line.startsWith('<') ? line.indexOf('>') + 1 : 0;
    const pm = createParsedMessage();
    assert.equal(parseCisco(b, pri, b.length, NOW, pm, pri > 0), false, line);
    assert.deepEqual(pm, createParsedMessage(), `pm touched: ${line}`);
    assert.equal(parse(line).vendor, null, line);
  }
  // what the RFC 3164 reader makes of two of them
  const relayed = parse('<13>Oct 11 22:14:15 host app: %SYS-5-CONFIG_I: relayed text after a TAG');
  assert.deepEqual([relayed.hostname, relayed.appName, relayed.message], ['host', 'app', '%SYS-5-CONFIG_I: relayed text after a TAG']);
  const glossy = parse('<191>94103: 51w2d: DHCPD: assigned IP address 10.10.1.94');
  assert.equal(glossy.message, '51w2d: DHCPD: assigned IP address 10.10.1.94');
});

test('hostname is never a number, a clock time, an uptime or a mnemonic', () => {
  // each of these words sits where a host could be; none becomes the hostname
  for (const line of [
    '<189>29: 12345: Apr 29 13:58:40: %SYS-5-CONFIG_I: x', // second number = sequence
    '<189>29: 1d02h: %SYS-5-CONFIG_I: x', // uptime
    '<189>Apr 29 13:58:40 12345 %SYS-5-CONFIG_I: x', // a number after the stamp: not a Cisco header
    '<189>Apr 29 13:58:40 22:21:02 %SYS-5-CONFIG_I: x',
    '<189>Apr 29 13:58:40 2w3d %SYS-5-CONFIG_I: x',
  ]) {
    const pm = parse(line);
    if (pm.vendor !== null) assert.equal(pm.hostname, null, line);
  }
});

test('the PRI severity wins over the mnemonic severity; a BOM and CEE after the mnemonic are handled by setMessage', () => {
  const pm = parse('<184>%ASA-6-302013: \ufeff@cee: {"a":1}');
  assert.equal(pm.severity, 0);
  assert.equal(pm.vendor?.fields.severity, 6);
  assert.deepEqual(pm.cee, { a: 1 });
});

test('a line in a larger buffer reads the same as alone (offsets respected)', () => {
  const line = '<189>29: foo: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I: x';
  const big = Buffer.from(`junk %SYS-5-A: ${line}%LINK-3-UPDOWN: more`);
  const at = big.indexOf('<189>');
  const pm = createParsedMessage();
  assert.ok(parseCisco(big, at + 5, at + line.length, NOW, pm, true));
  assert.equal(pm.message, 'x');
  assert.equal(pm.hostname, 'foo');
});

test('timestamp.ts: NX-OS year-first stamps and unknown zone names (anyZone)', () => {
  const out = createTimestampResult();
  const yf = (s: string, anyZone = false): [number | null, number] | null => {
    const b = Buffer.from(s);
    return parseYearFirstTimestamp(b, 0, b.length, out, anyZone) ? [out.ms, out.end] : null;
  };
  assert.deepEqual(yf('2023 Jun 12 09:15:02 UTC: x'), [Date.parse('2023-06-12T09:15:02Z'), 25]);
  assert.deepEqual(yf('2023 Jun  2 09:15:02.5: x'), [Date.parse('2023-06-02T09:15:02.500Z'), 23]);
  assert.deepEqual(yf('2023 Feb 30 09:15:02'), [null, 20]);
  assert.deepEqual(yf('2023 Jun 12 09:15:02 Local: x', true), [Date.parse('2023-06-12T09:15:02Z'), 27]);
  assert.deepEqual(yf('2023 Jun 12 09:15:02 Somewhere: x', true), [Date.parse('2023-06-12T09:15:02Z'), 20]); // 9 characters: no IOS zone name
  assert.deepEqual(yf('2023 Jun 12 09:15:02 Somewhere: x'), [Date.parse('2023-06-12T09:15:02Z'), 20]); // without anyZone the word is left
  assert.equal(yf('2023 Jux 12 09:15:02'), null);
  assert.equal(yf('2023-06-12T09:15:02Z'), null);
  const bsd = (s: string, anyZone: boolean): [number | null, number] | null => {
    const b = Buffer.from(s);
    return parseBsdTimestamp(b, 0, b.length, NOW, out, anyZone) ? [out.ms, out.end] : null;
  };
  assert.deepEqual(bsd('Nov 23 22:23:27.833 NewYork: %X', true), [Date.parse('2026-11-23T22:23:27.833Z'), 28]);
  assert.deepEqual(bsd('Nov 23 22:23:27 CET: x', true), [Date.parse('2026-11-23T21:23:27Z'), 20]);
  // a word followed by SP is a host, not a zone, even with anyZone
  assert.deepEqual(bsd('Jul 14 2023 08:22:31 asa-fw01 : x', true), [Date.parse('2023-07-14T08:22:31Z'), 20]);
  // without anyZone the RFC 3164 behaviour is unchanged: `NewYork:` is left for the TAG
  assert.equal(bsd('Nov 23 22:23:27 NewYork: x', false)?.[1], 15);
});

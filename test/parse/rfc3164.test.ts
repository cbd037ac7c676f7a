import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, pick, NOW, type ParsedView } from './helpers.js';

function check(line: string, want: Partial<ParsedView>, nowMs = NOW): void {
  assert.deepEqual(pick(parse(line, nowMs), want), want, line);
}

test('RFC 3164 §5.4 examples', () => {
  check("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", {
    format: 'rfc3164', facility: 4, severity: 2, timestampMs: Date.parse('2026-10-11T22:14:15Z'),
    hostname: 'mymachine', appName: 'su', procId: null, msgId: null, message: "'su root' failed for lonvick on /dev/pts/8",
  });
  check('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!', { hostname: '10.0.0.99', appName: null, message: 'Use the BFG!' });
  check("<0>Oct 22 10:52:01 10.1.2.3 sched[0]: That's All Folks!", { hostname: '10.1.2.3', appName: 'sched', procId: '0', message: "That's All Folks!" });
});

test('TAG forms: name[pid]:, name:, pid with ":", exotic names; exactly one SP removed', () => {
  check('<0>Sep 17 04:05:37 host.domain.tld monit[2340:0]: subsvc[12345]: x', { appName: 'monit', procId: '2340:0', message: 'subsvc[12345]: x' });
  check('<38>Feb 07 01:02:03 abc1 docker.2/6e6ea36be53a[253]: Listening', { appName: 'docker.2/6e6ea36be53a', procId: '253' });
  check('<167>Mar 27 19:06:53 source_server sshd(pam_unix)[12750]: session', { appName: 'sshd(pam_unix)', procId: '12750' });
  check('<129>Mar 10 01:00:00 Hostname3 tag:msgnum:3', { appName: 'tag', message: 'msgnum:3' });
  check('<129>Mar 10 01:00:00 h tag:  two spaces', { appName: 'tag', message: ' two spaces' });
  check('<129>Mar 10 01:00:00 h tag4:', { appName: 'tag4', message: null });
  check('<175>Oct 16 2009 23:47:31 hostname tag[1234] This is a message', { appName: 'tag', procId: '1234', message: 'This is a message' });
});

test('a word without ":" is not a TAG; runs of SPs after the HOSTNAME stay in MSG', () => {
  check('<166>Jul  6 20:33:28 ABC-1-234567 Some message here', { hostname: 'ABC-1-234567', appName: null, message: 'Some message here' });
  check('<129>Mar 10 01:00:00 Hostname1  msgnum:1', { hostname: 'Hostname1', appName: null, message: ' msgnum:1' });
  check('<132> Apr  4 19:32:33 ix2105  IP6[015]: Beyond scope', { hostname: 'ix2105', appName: 'IP6', procId: '015', message: 'Beyond scope' });
});

test('missing HOSTNAME: a "word:" or "name[pid]" right after the timestamp is the TAG', () => {
  check('<46>Apr 27 23:06:01 syslogd[68529]: start', { hostname: null, appName: 'syslogd', procId: '68529', message: 'start' });
  check('<13>Apr 27 23:06:09 catap: some test from cli', { hostname: null, appName: 'catap', message: 'some test from cli' });
  check('<34>Oct 11 22:14:15 : a message', { hostname: null, appName: null, message: 'a message' });
  check('<54> 1970-01-01T00:01:31+00:00 host :', { hostname: 'host', appName: null, message: null });
});

test('missing timestamp', () => {
  check('<27>xapi: [error|xen3] Connection to master died.', { timestampMs: null, hostname: null, appName: 'xapi', message: '[error|xen3] Connection to master died.' });
  check('<30>s2413.example.es Instancia3[22469]: INFO x', { hostname: 's2413.example.es', appName: 'Instancia3', procId: '22469', message: 'INFO x' });
  check('<0>x', { format: 'rfc3164', hostname: null, appName: null, message: 'x' });
  // a "counter" not followed by a timestamp is not skipped: it reads as a TAG word, nothing is lost
  check('<191>94103: 51w2d: DHCPD: assigned', { hostname: null, appName: '94103', message: '51w2d: DHCPD: assigned' });
  // FortiGate: hostname = devname (issue 14)
  check('<189>date=2018-09-13 time=10:12:19 devname=FW', { hostname: 'FW', appName: null, message: 'date=2018-09-13 time=10:12:19 devname=FW' });
  check('<13>', { format: 'rfc3164', message: null });
  check('<13>   ', { format: 'rfc3164', message: null });
});

test('ISO / RFC 3339 timestamps in RFC 3164 lines (RSYSLOG_ForwardFormat, ESXi); zone-less = UTC', () => {
  check('<13>2026-11-21T18:57:27.931013+00:00 host tag: msg', { timestampMs: Date.parse('2026-11-21T18:57:27.931Z'), hostname: 'host', appName: 'tag', message: 'msg' });
  check('<182>2024-07-25T18:54:02.123456+02:30 esxi-a vmkernel: message', { timestampMs: Date.parse('2024-07-25T16:24:02.123Z'), appName: 'vmkernel' });
  check('<13>2026-11-21T18:57:27 host tag: msg', { timestampMs: Date.parse('2026-11-21T18:57:27Z') });
});

test('Cisco IOS/ASA: counters, sequence numbers, * and . markers, fractions, zones, origin-id hostname', () => {
  const jan8 = Date.parse('2026-01-08T19:46:03.295Z');
  check('<189>643: *Jan  8 19:46:03.295: %LINEPROTO-5-UPDOWN: Line protocol up', { timestampMs: jan8, hostname: null, appName: '%LINEPROTO-5-UPDOWN', message: 'Line protocol up' });
  check('<189>643: .Jan  8 19:46:03.295: %LINEPROTO-5-UPDOWN: x', { timestampMs: jan8, appName: '%LINEPROTO-5-UPDOWN' });
  check('<189>105: 000104: Mar 12 07:12:10: %SYS-5-CONFIG_I: Configured', { timestampMs: Date.parse('2026-03-12T07:12:10Z'), appName: '%SYS-5-CONFIG_I', message: 'Configured' });
  check('<189>: Mar 12 07:10:10: %SYS-5-CONFIG_I: x', { timestampMs: Date.parse('2026-03-12T07:10:10Z'), appName: '%SYS-5-CONFIG_I' });
  check('<189>269614: myhostname: Apr 11 10:02:08: %LINEPROTO-5-UPDOWN: x', { hostname: 'myhostname', timestampMs: Date.parse('2026-04-11T10:02:08Z'), appName: '%LINEPROTO-5-UPDOWN', message: 'x' });
  check('<187>12: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: x', { timestampMs: Date.parse('2026-03-01T18:48:50.483Z'), appName: '%SYS-5-CONFIG_I' });
  check('<187>12: Mar  1 18:48:50.483 CET: %SYS-5-CONFIG_I: x', { timestampMs: Date.parse('2026-03-01T17:48:50.483Z') });
  // Cisco ASA "Mmm dd yyyy hh:mm:ss:" (glossy reads "22:21:02:" as a hostname; we read the stamp)
  check('<32>Mar 05 2011 22:21:02: %ASA-6-302013: Built inbound TCP connection 401', {
    facility: 4, severity: 0, timestampMs: Date.parse('2011-03-05T22:21:02Z'), hostname: null, appName: '%ASA-6-302013', message: 'Built inbound TCP connection 401',
  });
});

test('year inference: nearest to now across the new year', () => {
  check('<13>Dec 31 23:59:58 h a: x', { timestampMs: Date.parse('2025-12-31T23:59:58Z') }, Date.parse('2026-01-01T00:00:05Z'));
  check('<13>Jan  1 00:00:02 h a: x', { timestampMs: Date.parse('2027-01-01T00:00:02Z') }, Date.parse('2026-12-31T23:59:59Z'));
});

test('RFC 5424-style SD after the TAG (rsyslog startup message) becomes structuredData', () => {
  check('<46>Jan  5 15:33:03 host rsyslogd:  [origin software="rsyslogd" swVersion="8.32.0"] start', {
    appName: 'rsyslogd', structuredData: { origin: { software: 'rsyslogd', swVersion: '8.32.0' } }, message: 'start',
  });
  // bracketed text that is not SD, or SD without params, stays in the message
  check('<13>Jan  5 15:33:03 host app: [INFO] started', { structuredData: null, message: '[INFO] started' });
  check('<13>Jan  5 15:33:03 host app: [software="x"] y', { structuredData: null, message: '[software="x"] y' });
  // every element that counts must have a parameter; a later duplicate SD-ID is ignored
  check('<13>Jan  5 15:33:03 host app: [a x="1"][a] m', { structuredData: { a: { x: '1' } }, message: 'm' });
  check('<13>Jan  5 15:33:03 host app: [a x="1"][b] m', { structuredData: null, message: '[a x="1"][b] m' });
  check('<13>Jan  5 15:33:03 host app: [a][a x="1"] m', { structuredData: null, message: '[a][a x="1"] m' });
});

test('non-ASCII and invalid UTF-8 are decoded, never thrown', () => {
  const b = Buffer.concat([Buffer.from('<13>Jan  5 15:33:03 h\xff app: '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(' ok')]);
  const pm = parse(b);
  assert.equal(pm.format, 'rfc3164');
  assert.equal(typeof pm.message, 'string');
  assert.ok((pm.message ?? '').includes('\uFFFD'));
});

test('headerless: HOST TAG:msg shape (Sematext nc example) and its limits', () => {
  check('my-host 2bfbea1e-10c3-4419-bdad-7e6435882e1f:hello world!', {
    format: 'rfc3164', facility: 1, severity: 5, hostname: 'my-host', appName: '2bfbea1e-10c3-4419-bdad-7e6435882e1f', procId: null, message: 'hello world!',
  });
  check('my-host app[42]: hi', { format: 'rfc3164', hostname: 'my-host', appName: 'app', procId: '42', message: 'hi' });
  check('::1 app: hi', { format: 'rfc3164', hostname: '::1', appName: 'app' });
  check('Oct 11 22:14:15 mymachine su: failed', { format: 'rfc3164', timestampMs: Date.parse('2025-10-11T22:14:15Z'), hostname: 'mymachine', appName: 'su', message: 'failed' }, Date.parse('2026-01-15T00:00:00Z'));
  check('Feb 07 01:02:03 system[253]: Listening', { format: 'rfc3164', hostname: null, appName: 'system', procId: '253', message: 'Listening' });
  for (const line of [
    '2bfbea1e-10c3-4419-bdad-7e6435882e1f My first log entry',
    'My second 2bfbea1e-10c3-4419-bdad-7e6435882e1f log entry with token inside',
    'host app[42] no colon',
    'host  app: two spaces',
    `host ${'t'.repeat(49)}: tag too long`,
    'ho$t app: bad host char',
    'Feb 07 01:02:03 just some text',
    '[2018-10-16 09:59:13] ping pong',
  ]) {
    check(line, { format: 'raw', facility: 1, severity: 5, timestampMs: null, hostname: null, appName: null, procId: null, message: line });
  }
});

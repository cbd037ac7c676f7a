/**
 * FortiGate (FortiOS) key=value lines (issue 14 §2): src/parse/vendor/fortigate.ts and kv.ts,
 * through parseMessage (headerless `<PRI>date=…` and after an RFC 3164 header) and writeRecord.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParsedMessage } from '../../src/parse/types.js';
import { epochMsOf, fortigateTimeMs, parseFortigate, tzOffsetMinutes } from '../../src/parse/vendor/fortigate.js';
import { createKvObject, readKv } from '../../src/parse/vendor/kv.js';
import { parse, stored } from './helpers.js';


/** A plain-object copy of the vendor fields (they have no prototype). */
function fieldsOf(line: string): Record<string, unknown> {
  const pm = parse(line);
  assert.notEqual(pm.vendor, null, `no vendor for ${line}`);
  assert.equal(pm.vendor?.key, 'fortigate');
  return { ...pm.vendor?.fields };
}

const TRAFFIC =
  '<189>date=2024-06-12 time=09:15:02 devname="FGT60F-branch" devid="FGT60FTK2109ABCD" eventtime=1718183702123456789 tz="+0200" ' +
  'logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=192.168.1.20 srcport=51544 srcintf="internal" ' +
  'srcintfrole="lan" dstip=142.250.74.46 dstport=443 dstintf="wan1" dstintfrole="wan" srccountry="Reserved" dstcountry="United States" ' +
  'sessionid=8812731 proto=6 action="close" policyid=3 policytype="policy" poluuid="7b3c5a42-1f0e-51ef-8f0c-2d0a1b4c5e6f" ' +
  'policyname="LAN-to-WAN" service="HTTPS" trandisp="snat" transip=203.0.113.7 transport=51544 appcat="unscanned" duration=62 ' +
  'sentbyte=4312 rcvdbyte=18235 sentpkt=22 rcvdpkt=25 srchwvendor="Dell" devtype="Computer" mastersrcmac="a4:bb:6d:11:22:33" ' +
  'srcmac="a4:bb:6d:11:22:33" srcserver=0';

const EVENT =
  '<185>date=2024-06-12 time=10:01:44 devname="fw-hq" devid="FG200FT922900001" eventtime=1718179304 tz="-0500" logid="0100032001" ' +
  'type="event" subtype="system" level="information" vd="root" logdesc="Admin login successful" sn="1718179304" user="admin" ' +
  'ui="https(10.10.0.5)" method="https" srcip=10.10.0.5 dstip=10.10.0.1 action="login" status="success" reason="none" profile="super_admin" ' +
  'msg="Administrator admin logged in successfully from https(10.10.0.5)"';

const UTM =
  '<188>date=2024-06-12 time=11:20:00 devname="fw-hq" devid="FG200FT922900001" eventtime=1718191200000 tz="+0000" logid="0316013056" ' +
  'type="utm" subtype="webfilter" eventtype="ftgd_blk" level="warning" vd="root" policyid=7 sessionid=99122 srcip=10.10.3.44 srcport=50122 ' +
  'srcintf="port2" dstip=198.51.100.9 dstport=80 dstintf="port1" proto=6 service="HTTP" hostname="bad.example" profile="default" ' +
  'action="blocked" reqtype="direct" url="http://bad.example/a b?x=1&y=\\"q\\"" sentbyte=512 rcvdbyte=0 direction="outgoing" ' +
  'msg="URL belongs to a denied category in policy" method="domain" cat=26 catdesc="Malicious Websites"';

test('FortiGate traffic line without header: every pair, hostname = devname, eventtime (ns) wins', () => {
  const pm = parse(TRAFFIC);
  assert.equal(pm.format, 'rfc3164');
  assert.equal(pm.facility, 23);
  assert.equal(pm.severity, 5);
  assert.equal(pm.hostname, 'FGT60F-branch');
  assert.equal(pm.appName, null);
  assert.equal(pm.timestampMs, 1718183702123); // ns truncated to ms
  assert.equal(pm.message, TRAFFIC.slice(5)); // no msg=: the kv text
  const f = fieldsOf(TRAFFIC);
  assert.equal(Object.keys(f).length, (TRAFFIC.match(/ [a-z]+=/g) ?? []).length + 1); // every pair (none has `=` in its value)
  assert.deepEqual(
    [f.date, f.time, f.devid, f.tz, f.logid, f.type, f.srcip, f.srcport, f.dstcountry, f.proto, f.policyname, f.sentbyte, f.srcmac, f.srcserver],
    ['2024-06-12', '09:15:02', 'FGT60FTK2109ABCD', '+0200', '0000000013', 'traffic', '192.168.1.20', '51544', 'United States', '6', 'LAN-to-WAN', '4312', 'a4:bb:6d:11:22:33', '0'],
  );
  for (const v of Object.values(f)) assert.equal(typeof v, 'string');
});

test('FortiGate event and UTM lines: message = msg, quoted values with SP, = and \\" escapes', () => {
  const e = parse(EVENT);
  assert.equal(e.hostname, 'fw-hq');
  assert.equal(e.timestampMs, 1718179304000); // eventtime in seconds
  assert.equal(e.message, 'Administrator admin logged in successfully from https(10.10.0.5)');
  const ef = fieldsOf(EVENT);
  assert.deepEqual([ef.logdesc, ef.ui, ef.user, ef.status], ['Admin login successful', 'https(10.10.0.5)', 'admin', 'success']);

  const u = parse(UTM);
  assert.equal(u.timestampMs, 1718191200000); // eventtime in ms
  assert.equal(u.message, 'URL belongs to a denied category in policy');
  const uf = fieldsOf(UTM);
  assert.equal(uf.url, 'http://bad.example/a b?x=1&y="q"');
  assert.equal(uf.hostname, 'bad.example'); // a FortiGate key named hostname stays in the fields
  assert.deepEqual([uf.eventtype, uf.cat, uf.catdesc], ['ftgd_blk', '26', 'Malicious Websites']);
});

test('event time: date + time + tz when there is no eventtime; zone-less is UTC; FortiOS 7 timestamp=', () => {
  const base = '<189>devname="f" logid="1" date=2024-03-10 time=12:00:00';
  assert.equal(parse(base + ' tz="+0200"').timestampMs, Date.UTC(2024, 2, 10, 10, 0, 0));
  assert.equal(parse(base + ' tz="-0500"').timestampMs, Date.UTC(2024, 2, 10, 17, 0, 0));
  assert.equal(parse(base + ' tz="+05:30"').timestampMs, Date.UTC(2024, 2, 10, 6, 30, 0));
  assert.equal(parse(base + ' tz=UTC').timestampMs, Date.UTC(2024, 2, 10, 12, 0, 0));
  assert.equal(parse(base).timestampMs, Date.UTC(2024, 2, 10, 12, 0, 0));
  assert.equal(parse(base + ' tz="bogus"').timestampMs, Date.UTC(2024, 2, 10, 12, 0, 0));
  // the absolute epoch stamp beats a zone-less wall clock, a zoned wall clock beats it
  assert.equal(parse(base + ' timestamp=1710072000').timestampMs, 1710072000000);
  assert.equal(parse(base + ' tz="+0100" timestamp=1').timestampMs, Date.UTC(2024, 2, 10, 11, 0, 0));
  // FortiOS 7 logver/timestamp header, no date
  const v7 = parse('<189>logver=704062630 timestamp=1718183702 devname="fgt7" devid="FG1" vd="root" logid="0100000000" type="event"');
  assert.equal(v7.timestampMs, 1718183702000);
  assert.equal(v7.hostname, 'fgt7');
  // invalid date/time: no timestamp
  assert.equal(parse('<189>date=2024-02-30 time=12:00:00 devname="f" logid=1').timestampMs, null);
  assert.equal(parse('<189>date=2024-02-01 time=24:00:00 devname="f" logid=1').timestampMs, null);
  assert.equal(parse('<189>date=2024-02-01 time=24:00:00 devname="f" logid=1 eventtime=abc').timestampMs, null);
});

test('eventtime units by digit count; tz forms', () => {
  assert.equal(epochMsOf('1718183702'), 1718183702000);
  assert.equal(epochMsOf('1718183702123'), 1718183702123);
  assert.equal(epochMsOf('1718183702123456'), 1718183702123);
  assert.equal(epochMsOf('1718183702123456789'), 1718183702123);
  assert.equal(epochMsOf('0'), null);
  assert.equal(epochMsOf(''), null);
  assert.equal(epochMsOf('-1'), null);
  assert.equal(epochMsOf('17181837021234567890'), null);
  assert.equal(epochMsOf('1.5'), null);
  assert.deepEqual(['+0200', '-0500', '+02:00', '+02', 'Z', 'GMT', '+2400', '0200', '+02:0', ''].map(tzOffsetMinutes), [120, -300, 120, 120, 0, 0, NaN, NaN, NaN, NaN]);
  const f = createKvObject();
  f.date = '2024-01-01';
  f.time = '00:00:00';
  f.eventtime = '1704067200500';
  assert.equal(fortigateTimeMs(f), 1704067200500);
});

test('kv grammar: first duplicate wins, empty values, unterminated quote, garbage words, odd keys', () => {
  const o = createKvObject();
  const s = 'a=1 a=2 b= c="" d="x y=z" junk e=unq"uoted f="glued"tail {"g"=1 __proto__=polluted constructor=c h="\\\\ \\x" i="open end';
  readKv(s, 0, s.length, o);
  assert.equal(Object.getPrototypeOf(o), null);
  assert.deepEqual({ ...o }, { a: '1', b: '', c: '', d: 'x y=z', e: 'unq"uoted', f: 'glued', constructor: 'c', h: '\\ \\x', i: 'open end' });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // through parseMessage: __proto__ never reaches the record
  const pm = parse('<189>devname="f" __proto__=x logid=1 date=2024-01-01 time=00:00:00');
  assert.equal(pm.vendor?.key, 'fortigate');
  assert.equal(Object.prototype.hasOwnProperty.call(pm.vendor?.fields, '__proto__'), false);
});

test('not FortiGate: plain RFC 3164 and other kv senders are left to the RFC 3164 reader', () => {
  for (const line of [
    '<13>Mar 10 12:00:00 host app: key=value',
    '<13>key=value other=1', // no devname
    '<13>devname="x" other=1', // devname but no date/eventtime/logid
    '<13>devname="" logid=1 date=2024-01-01',
    '<13>Date=2024-01-01 devname=x logid=1', // first key not lower case
    '<13>date 2024-01-01 devname=x logid=1',
  ]) {
    const pm = parse(line);
    assert.equal(pm.vendor, null, line);
    assert.equal(pm.format, 'rfc3164', line);
  }
  // parseFortigate returning false leaves pm untouched
  for (const line of ['<13>Mar 10 12:00:00 host app: x', '<13>a=1 b=2', '<13>devname=x']) {
    const b = Buffer.from(line);
    const pm = createParsedMessage();
    assert.equal(parseFortigate(b, 4, b.length, pm), false);
    assert.deepEqual(pm, createParsedMessage());
  }
});

test('a devname that is no host name stays in the fields only', () => {
  const pm = parse('<189>date=2024-01-01 time=00:00:00 devname="FW 1 é" logid=1');
  assert.equal(pm.hostname, null);
  assert.equal(pm.vendor?.fields.devname, 'FW 1 é');
});

test('FortiGate pairs after an RFC 3164 header (FortiAnalyzer / relay)', () => {
  const hdr = parse('<189>Jun 12 09:15:02 faz01 ' + EVENT.slice(5));
  assert.equal(hdr.format, 'rfc3164');
  assert.equal(hdr.hostname, 'fw-hq'); // devname, not the relay
  assert.equal(hdr.timestampMs, 1718179304000);
  assert.equal(hdr.message, 'Administrator admin logged in successfully from https(10.10.0.5)');
  assert.equal(hdr.vendor?.fields.logdesc, 'Admin login successful');
  // no usable time in the pairs: the header's stays; no msg: the kv text
  const t = parse('<189>Jun 12 09:15:02 relay devname="fgt" logid="0100000001" type="event"');
  assert.equal(t.timestampMs, Date.UTC(2026, 5, 12, 9, 15, 2));
  assert.equal(t.hostname, 'fgt');
  assert.equal(t.message, 'devname="fgt" logid="0100000001" type="event"');
  // a first pair with `:` taken as a TAG by the RFC 3164 reader is put back
  const tag = parse('<189>Jun 12 09:15:02 relay time=09:15:02 devname="fgt" logid=1 date=2024-06-12 tz="+0000"');
  assert.equal(tag.appName, null);
  assert.equal(tag.vendor?.fields.time, '09:15:02');
  assert.equal(tag.timestampMs, Date.UTC(2024, 5, 12, 9, 15, 2));
  assert.equal(tag.message, 'time=09:15:02 devname="fgt" logid=1 date=2024-06-12 tz="+0000"');
  // ordinary tagged lines are not touched
  const plain = parse('<13>Jun 12 09:15:02 host sshd[12]: Accepted key for a=b');
  assert.deepEqual([plain.appName, plain.procId, plain.message, plain.vendor], ['sshd', '12', 'Accepted key for a=b', null]);
});

test('end to end: the stored record has the fortigate member', () => {
  const rec = stored(EVENT);
  assert.equal(rec.hostname, 'fw-hq');
  assert.equal(rec['@timestamp'], '2024-06-12T08:01:44.000Z');
  assert.equal(rec.message, 'Administrator admin logged in successfully from https(10.10.0.5)');
  const fg = rec.fortigate as Record<string, unknown>;
  assert.equal(fg.devname, 'fw-hq');
  assert.equal(fg.tz, '-0500');
  assert.equal(fg.msg, 'Administrator admin logged in successfully from https(10.10.0.5)');
  const keys = Object.keys(rec);
  assert.ok(keys.indexOf('fortigate') === keys.indexOf('syslog') + 1, `fortigate right after syslog: ${keys.join(',')}`);
  const u = stored(UTM).fortigate as Record<string, unknown>;
  assert.equal(u.url, 'http://bad.example/a b?x=1&y="q"');
});

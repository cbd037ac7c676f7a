/**
 * Fuzz: the FortiGate key=value and PAN-OS CSV readers (src/parse/vendor/fortigate.ts, kv.ts,
 * panos.ts) through parseMessage and writeRecord. Mutated vendor lines never throw, vendor fields
 * are prototype-less objects of strings, the stored record is one valid JSON text whose vendor
 * member round-trips; generated FortiGate lines (any values, quoted or not, `=` and SP inside
 * quotes, duplicates, odd keys) and generated PAN-OS lines (any columns, quoted or not) parse to
 * exactly the pairs / columns that were written — in particular no value's text ever becomes a key.
 * Deterministic: seed and run count from common.ts (FUZZ_SEED, FUZZ_RUNS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage, type ParsedMessage } from '../../src/parse/index.js';
import { PANOS_CONFIG, PANOS_CONFIG_NO_DETAIL, PANOS_HEADER, PANOS_SYSTEM, PANOS_THREAT, PANOS_TRAFFIC, type PanosColumns } from '../../src/parse/vendor/panos-columns.js';
import type { FrameSource } from '../../src/record.js';
import { recordSizeHint, writeRecord } from '../../src/record-json.js';
import { check, mutatedArb, show } from './common.js';

const NOW = Date.UTC(2026, 5, 15, 12);
const SOURCE: FrameSource = { record: { address: '10.0.0.1', port: 514, transport: 'udp' }, certFingerprint: null };
const MAX_MS = 253402300799999;

const POOL = [
  '<189>date=2024-06-12 time=09:15:02 devname="FGT60F" devid="FGT60FTK2109ABCD" eventtime=1718183702123456789 tz="+0200" logid="0000000013" type="traffic" subtype="forward" srcip=192.168.1.20 srcintf="9 VLAN" action="close" msg="a \\"b\\" = c"',
  '<185>date=2024-06-12 time=10:01:44 devname="fw-hq" logid="0100032001" type="event" tz="-0500" logdesc="Admin login successful" msg="Administrator admin logged in"',
  '<189>logver=704062630 timestamp=1718183702 devname="fgt7" devid="FG1" vd="root" logid="0100000000" type="event"',
  '<189>Jun 12 09:15:02 faz01 date=2024-06-12 time=09:15:02 devname="fgt" logid=1 url="http://x/a b?c=d" msg="m"',
  '<189>Jun 12 09:15:02 relay time=09:15:02 devname="fgt" logid=1 date=2024-06-12 tz="+0000"',
  '<14>Mar 10 12:00:05 PA-VM 1,2024/03/10 12:00:05,012345678901,TRAFFIC,end,2561,2024/03/10 12:00:04,10.1.1.20,93.184.216.34,,,allow-web,corp\\alice,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd,2024/03/10 12:00:04,331245,1,52144,443,0,0,0x400053,tcp,allow,7312,2228,5084,22,2024/03/10 11:59:32,30,any,0,72534191,0x8000000000000000,US,US,0,12,10,tcp-fin,0,0,0,0,,PA-VM,from-policy',
  '<14>Mar 10 12:01:00 PA-3220 1,2024/03/10 12:01:00,013201001234,THREAT,url,2562,2024/03/10 12:00:59,10.1.1.21,198.51.100.80,,,r,,,web-browsing,vsys1,trust,untrust,e1/2,e1/1,fwd,2024/03/10 12:00:59,441122,1,51000,80,0,0,0x40b000,tcp,block-url,"shop.example.com/q=a,b&t=""x""",(9999),shopping,informational,client-to-server',
  '<13>Mar 10 12:03:00 PA-VM 1,2024/03/10 12:03:00,012345678901,SYSTEM,general,0,2024/03/10 12:03:00,,general,,0,0,general,informational,"User admin logged in, via Web",1718,0x0,0,0,0,0,,PA-VM,0,0,2024-03-10T12:03:00.120+00:00',
  '<14>Mar 10 12:05:00 PA-VM 1,2024/03/10 12:05:00,012345678901,CONFIG,0,0,2024/03/10 12:05:00,10.1.1.5,,set,admin,Web,Succeeded, deviceconfig system,127,0x0,0,0,0,0,,PA-VM',
].map((s) => Buffer.from(s));

function parseBuf(b: Buffer): ParsedMessage {
  return parseMessage(b, 0, b.length, NOW);
}

/** The stored record of `pm` (parsed JSON), written by writeRecord; asserts it is one JSON text. */
function storedOf(pm: ParsedMessage, inputBytes: number, ctx: string): Record<string, unknown> {
  const out = Buffer.alloc(recordSizeHint(inputBytes));
  const end = writeRecord(out, 0, pm, 'fw', 'ip', SOURCE, NOW, false, { ceeKeysDropped: 0 });
  assert.ok(end > 0, `writeRecord failed; ${ctx}`);
  assert.equal(out[end - 1], 0x0a, ctx);
  return JSON.parse(out.subarray(0, end - 1).toString('utf8')) as Record<string, unknown>;
}

/** Checks on any parse result that has (or not) a vendor member. */
function assertVendorSane(pm: ParsedMessage, b: Buffer): void {
  const ctx = `input ${show(b)}`;
  if (pm.hostname !== null) assert.match(pm.hostname, /^[\x21-\x7e]{1,255}$/, ctx);
  assert.ok(pm.timestampMs === null || (Number.isFinite(pm.timestampMs) && pm.timestampMs >= -62167219200000 && pm.timestampMs <= MAX_MS), `timestampMs ${pm.timestampMs}; ${ctx}`);
  assert.ok(pm.message === null || (pm.message.length > 0 && pm.message.length <= b.length), `message; ${ctx}`);
  const rec = storedOf(pm, b.length, ctx);
  if (pm.vendor === null) {
    assert.equal(rec.fortigate, undefined, ctx);
    assert.equal(rec.panos, undefined, ctx);
    return;
  }
  assert.ok(pm.vendor.key === 'fortigate' || pm.vendor.key === 'panos', ctx);
  const f = pm.vendor.fields;
  assert.equal(Object.getPrototypeOf(f), null, `fields have a prototype; ${ctx}`);
  let total = 0;
  for (const k of Object.keys(f)) {
    assert.notEqual(k, '__proto__', ctx);
    assert.equal(typeof f[k], 'string', `${k}; ${ctx}`);
    total += k.length + (f[k] as string).length;
  }
  assert.ok(total <= b.length + Object.keys(f).length * 32, `fields larger than the input; ${ctx}`); // PAN-OS names may be longer than empty columns
  assert.deepEqual(rec[pm.vendor.key], { ...f }, `vendor member round-trip; ${ctx}`);
}

test('mutated FortiGate / PAN-OS lines: no throw, sane fields, stored JSON round-trips', () => {
  check('vendor/mutated', fc.property(mutatedArb(POOL), (b) => assertVendorSane(parseBuf(b), b)), 3);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(Object.prototype), []);
});

// ---------------------------------------------------------------------------------------------
// generated FortiGate lines

const CHARS = [...'abcXYZ019 .:-_/=,"\\\'{}[]<>', 'é', '日', '🙂', '\t'];
const valueArb: fc.Arbitrary<string> = fc.array(fc.constantFrom(...CHARS), { maxLength: 24 }).map((a) => a.join(''));
const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('date', 'time', 'devname', 'devid', 'logid', 'type', 'msg', 'srcip', 'tz', 'eventtime', '__proto__', 'constructor', 'toString', 'a-b', 'x.y', 'Upper') },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/) },
);

/** `value` as FortiGate writes it: bare when it can be, else quoted with `\"` / `\\`. */
function encodeValue(v: string, quote: boolean): string {
  const bareOk = v.length > 0 && !/[ \t"\\]/.test(v) && v[0] !== '"';
  return quote || !bareOk ? '"' + v.replace(/[\\"]/g, (c) => '\\' + c) + '"' : v;
}

const fortigateArb = fc.record({
  devname: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), valueArb.filter((v) => v.length > 0)),
  pairs: fc.array(fc.tuple(keyArb, valueArb, fc.boolean()), { maxLength: 20 }),
  quoteDev: fc.boolean(),
  header: fc.boolean(),
});

test('generated FortiGate lines parse to exactly the pairs written (first wins)', () => {
  check('vendor/fortigate-generated', fc.property(fortigateArb, ({ devname, pairs, quoteDev, header }) => {
    const all: [string, string, boolean][] = [['devname', devname, quoteDev], ['logid', '0100032001', false], ...pairs];
    // after a header, bare values with `:` / `[` / `]` are quoted (as FortiOS quotes every string): the
    // RFC 3164 reader would take a first pair `k=a:b` as a TAG (put back, see fortigate.ts)
    const kv = all.map(([k, v, q]) => `${k}=${encodeValue(v, q || (header && /[:[\]]/.test(v)))}`).join(' ');
    const line = (header ? '<189>Jun 12 09:15:02 relay ' : '<189>') + kv;
    const b = Buffer.from(line);
    const pm = parseBuf(b);
    const want: Record<string, string> = {};
    for (const [k, v] of all) if (k !== '__proto__' && !Object.prototype.hasOwnProperty.call(want, k)) want[k] = v;
    const ctx = show(line);
    assert.equal(pm.vendor?.key, 'fortigate', ctx);
    assert.deepEqual({ ...pm.vendor?.fields }, want, ctx);
    const msg = want.msg;
    assert.equal(pm.message, msg !== undefined && msg.length > 0 ? msg : kv, ctx);
    assert.equal(pm.hostname, /^[\x21-\x7e]{1,255}$/.test(devname) ? devname : header ? 'relay' : null, ctx);
    assert.equal(pm.appName, null, ctx);
    assertVendorSane(pm, b);
  }), 1);
});

// ---------------------------------------------------------------------------------------------
// generated PAN-OS lines

const TABLES: Record<string, PanosColumns> = { TRAFFIC: PANOS_TRAFFIC, THREAT: PANOS_THREAT, SYSTEM: PANOS_SYSTEM, CONFIG: PANOS_CONFIG, HIP_MATCH: PANOS_HEADER };

const CSV_CHARS = [...'abcXYZ019 .:-_/=,"\\\'', 'é', '🙂'];
const csvValueArb: fc.Arbitrary<string> = fc.array(fc.constantFrom(...CSV_CHARS), { maxLength: 16 }).map((a) => a.join(''));

function encodeCsv(v: string, quote: boolean): string {
  return quote || /[,"]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

const panosArb = fc.record({
  type: fc.constantFrom('TRAFFIC', 'THREAT', 'SYSTEM', 'CONFIG', 'CONFIG_DEFAULT', 'HIP_MATCH'),
  values: fc.array(fc.tuple(csvValueArb, fc.boolean()), { minLength: 0, maxLength: 130 }),
  host: fc.boolean(),
});

test('generated PAN-OS lines parse to exactly the columns written', () => {
  check('vendor/panos-generated', fc.property(panosArb, ({ type, values, host }) => {
    const typeName = type === 'CONFIG_DEFAULT' ? 'CONFIG' : type.replace('_', '-');
    const v = values.map(([s]) => s);
    const q = values.map(([, b]) => b);
    const head = ['1', '2024/03/10 12:00:05', '012345678901', typeName, 'end', '2561', '2024/03/10 12:00:04'];
    const row = [...head, ...v];
    const quoted = [...head.map(() => false), ...q];
    // the CONFIG shape is told apart by Action Flags (`0x…`) at index 15 of the default format
    if (type === 'CONFIG_DEFAULT' && row.length > 15) row[15] = '0x0';
    if (type === 'CONFIG' && row.length > 15 && row[15].startsWith('0x')) row[15] = 'z' + row[15];
    // a line too short to hold Action Flags is read with the documented (full) CONFIG table
    const cols = type !== 'CONFIG_DEFAULT' ? TABLES[type] : row.length > 15 ? PANOS_CONFIG_NO_DETAIL : PANOS_CONFIG;
    const text = row.map((s, i) => encodeCsv(s, quoted[i])).join(',');
    const line = host ? '<14>Mar 10 12:00:05 PA-VM ' + text : '<14>Mar 10 12:00:05 ' + text;
    const b = Buffer.from(line);
    const pm = parseBuf(b);
    const ctx = show(line);
    const want: Record<string, string> = {};
    for (let i = 0; i < Math.min(cols.length, row.length); i++) {
      const name = cols[i];
      if (name !== null && row[i] !== '') want[name] = row[i];
    }
    assert.equal(pm.vendor?.key, 'panos', ctx);
    assert.deepEqual({ ...pm.vendor?.fields }, want, ctx);
    assert.equal(pm.message, text, ctx);
    if (host) assert.equal(pm.hostname, 'PA-VM', ctx);
    assertVendorSane(pm, b);
  }), 1);
});

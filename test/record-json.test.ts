/**
 * writeRecord (src/record-json.ts) against the reference model (test/helpers/record-model.ts:
 * the record object the receiver used to build, and its JSON line): the same bytes for any parse
 * result — arbitrary strings (lone surrogates, controls), nulls, STRUCTURED-DATA bytes with odd
 * names and escapes, CEE objects with any JSON values and keys — and for parsed frames; -1 (and
 * counters untouched) whenever the buffer is one byte too short; recordSizeHint is enough.
 * Deterministic: seed and run count from test/fuzz/common.ts (FUZZ_SEED, FUZZ_RUNS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage } from '../src/parse/index.js';
import { createSdScan, scanStructuredData, StructuredDataSpan } from '../src/parse/structured-data.js';
import type { FrameSource, RecordFields, SyslogFormat, TokenSource } from '../src/record.js';
import { recordSizeHint, writeRecord } from '../src/record-json.js';
import { modelWrite } from './helpers/record-model.js';
import { bytesArb, check, corpus, mutatedArb, show } from './fuzz/common.js';

const SOURCES: FrameSource[] = [
  { record: { address: '127.0.0.1', port: 5514, transport: 'tcp' }, certFingerprint: null },
  { record: { address: '::1', port: 1, transport: 'tls', tlsPeer: 'CN=a "b"\\,O=\u00e9\u{1F642}\u0001' }, certFingerprint: 'AB' },
  { record: { address: '10.0.0.7', port: 514, transport: 'udp' }, certFingerprint: null },
];
const FORMATS: SyslogFormat[] = ['rfc5424', 'rfc3164', 'raw'];
const TOKEN_SOURCES: TokenSource[] = ['cee', 'app-name', 'tag', 'inline', 'tls-cert', 'ip'];
const PROTECTED = ['receivedAt', 'app', 'facility', 'severity', 'hostname', 'appName', 'procId', 'msgId', 'structuredData', 'source', 'syslog', '__proto__'];
const INDEX_KEYS = ['0', '1', '7', '10', '42', '4294967294', '4294967295', '01', '-1', '1.5'];

/** Strings of every kind: binary (lone surrogates, controls), graphemes, and long mostly-ASCII ones (the native write path). */
const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.array(fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...'abcXYZ019 .:-_/=[]{}') },
      { weight: 1, arbitrary: fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u00e9', '\u2028', '\ud800', '\udc00', '\u{1F642}', '\ufeff') },
    ), { minLength: 50, maxLength: 300 }).map((a) => a.join('')),
  },
);
const nullable = fc.option(anyString, { nil: null });

/** SD-NAME: PRINTUSASCII except `=`, SP, `]`, `"`; 1..32 bytes; often from a small pool (duplicates, odd names). */
const sdNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'x@1', '__proto__', 'constructor', 'toString', '0', '1', '17', '4294967294', '4294967295', '01', 'a\\b', '\\', 'hasOwnProperty') },
  { weight: 2, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,32}$/).filter((s) => !/[= \]"]/.test(s)) },
);

/** PARAM-VALUE wire bytes: escapes, lone backslashes, controls, UTF-8 (valid and not). */
const sdValueArb: fc.Arbitrary<Buffer> = fc.array(fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-zA-Z0-9 .:=\-[{}]{1,8}$/).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.constantFrom('\\"', '\\\\', '\\]', '\\n', '\\x', '\\[').map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.constantFrom('\u00e9', '\u65e5', '\u{1F642}', '\u2028').map((s) => Buffer.from(s)) },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => Buffer.from(a.filter((c) => c !== 0x22 && c !== 0x5d && c !== 0x5c))),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom([0xc3], [0xe6, 0x97], [0xf0, 0x9f, 0x99], [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0xa0, 0x80],
      [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80], [0xff], [0x80]).map((a) => Buffer.from(a)),
  },
), { maxLength: 6 }).map((bs) => Buffer.concat(bs));

/** STRUCTURED-DATA wire bytes (valid grammar). */
const sdWireArb: fc.Arbitrary<Buffer> = fc.array(
  fc.tuple(sdNameArb, fc.array(fc.tuple(sdNameArb, sdValueArb), { maxLength: 4 })),
  { minLength: 1, maxLength: 4 },
).map((els) => Buffer.concat(els.flatMap(([id, params]) => [
  Buffer.from('[' + id),
  ...params.flatMap(([name, value]) => [Buffer.from(` ${name}="`), value, Buffer.from('"')]),
  Buffer.from(']'),
])));

/** CEE `@timestamp` values: valid and not. */
const stampArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('2026-01-02T03:04:05Z', '2026-01-02T03:04:05.678+01:00', '2026-01-02', 'Jan 2 2026', 'yesterday', '', 0, -1, 1.5, 8.64e15, 8.64e15 + 1, -8.64e15, 1e300, null, true, [1], { a: 1 }),
  fc.integer({ min: -8.7e15, max: 8.7e15 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

const ceeKeyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 2, arbitrary: fc.constantFrom('message', '@timestamp', ...PROTECTED, ...INDEX_KEYS, 'level', 'toJSON') },
);

/** A CEE object as JSON.parse makes it (own `__proto__` keys included), from key/value entries. */
const ceeArb: fc.Arbitrary<Record<string, unknown>> = fc.array(fc.oneof(
  { weight: 5, arbitrary: fc.tuple(ceeKeyArb, fc.jsonValue({ maxDepth: 3 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('@timestamp'), stampArb) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('message'), fc.oneof(anyString, fc.constant(null), fc.jsonValue({ maxDepth: 2 }))) },
  { weight: 1, arbitrary: fc.tuple(ceeKeyArb, anyString) },
), { maxLength: 8 }).map((entries) => JSON.parse('{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + (JSON.stringify(v) ?? 'null')).join(',') + '}') as Record<string, unknown>);

const msArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 4.2e12 }) },
  { weight: 2, arbitrary: fc.integer({ min: -8.7e15, max: 8.7e15 }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, -0.5, 1e3 + 0.999, 8.64e15, -8.64e15, 8.64e15 + 0.5, -62167219200001, 253402300800000) },
);
const smallInt = (max: number): fc.Arbitrary<number> => fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, max + 1, 1.5, NaN, 1e21, -0) },
);

interface Case {
  pm: RecordFields;
  app: string;
  tokenSource: TokenSource;
  source: FrameSource;
  receivedAtMs: number;
  truncated: boolean;
}

/** An arbitrary parse result (SD bytes placed inside a larger buffer) and the rest of writeRecord's arguments. */
const caseArb: fc.Arbitrary<Case> = fc.record({
  format: fc.constantFrom(...FORMATS),
  facility: smallInt(23),
  severity: smallInt(7),
  timestampMs: fc.option(msArb, { nil: null }),
  hostname: nullable, appName: nullable, procId: nullable, msgId: nullable, message: nullable,
  sd: fc.option(fc.tuple(sdWireArb, fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 })), { nil: null }),
  cee: fc.option(ceeArb, { nil: null, freq: 3 }),
  app: fc.oneof(fc.constantFrom('billing', 'app-001'), anyString),
  tokenSource: fc.constantFrom(...TOKEN_SOURCES),
  source: fc.constantFrom(...SOURCES),
  receivedAtMs: msArb,
  truncated: fc.boolean(),
}).map((x): Case => {
  let structuredData: StructuredDataSpan | null = null;
  if (x.sd !== null) {
    const [wire, pre, post] = x.sd;
    const buf = Buffer.concat([pre, wire, post]);
    const scan = createSdScan();
    assert.ok(scanStructuredData(buf, pre.length, pre.length + wire.length, scan) && scan.end === pre.length + wire.length, `generated SD is invalid: ${show(wire)}`);
    structuredData = new StructuredDataSpan(buf, pre.length, pre.length + wire.length);
  }
  const { sd: _sd, app, tokenSource, source, receivedAtMs, truncated, ...f } = x;
  return { pm: { ...f, structuredData, vendor: null }, app, tokenSource, source, receivedAtMs, truncated };
});

/** True when the record has integer-like CEE keys at top level (JSON.stringify would hoist them). */
const hasIndexKeys = (rec: Record<string, unknown>): boolean => Object.keys(rec).some((k) => /^(0|[1-9][0-9]*)$/.test(k) && Number(k) < 4294967295);

/** writeRecord at `pos` of a buffer of `size` bytes filled with 0xAA; checks it wrote only its range. */
function write(c: Case, size: number, pos = 0): { end: number; out: Buffer; dropped: number } {
  const out = Buffer.alloc(size, 0xaa);
  const counters = { ceeKeysDropped: 5 };
  const end = writeRecord(out, pos, c.pm, c.app, c.tokenSource, c.source, c.receivedAtMs, c.truncated, counters);
  for (let i = 0; i < pos; i++) assert.equal(out[i], 0xaa, 'wrote before pos');
  if (end >= 0) for (let i = end; i < size; i++) assert.equal(out[i], 0xaa, 'wrote after the end');
  return { end, out, dropped: counters.ceeKeysDropped - 5 };
}

function assertSameAsModel(c: Case, pos: number, slack: number): void {
  const m = modelWrite(c.pm, c.app, c.tokenSource, c.source, c.receivedAtMs, c.truncated);
  const want = Buffer.from(m.line);
  const { end, out, dropped } = write(c, pos + want.length + slack, pos);
  assert.notEqual(end, -1, 'no room?');
  const got = out.subarray(pos, end);
  if (!got.equals(want)) assert.fail(`bytes differ\n got: ${got.toString()}\nwant: ${m.line}`);
  assert.equal(dropped, m.dropped, 'ceeKeysDropped');
  if (!hasIndexKeys(m.rec)) assert.equal(m.line, JSON.stringify(m.rec) + '\n', 'model line is JSON.stringify(record) + LF');
  JSON.parse(got.toString('utf8')); // one valid JSON text
}

test('writeRecord writes exactly the model record line, for any parse result', () => {
  check('record/model', fc.property(caseArb, fc.nat(40), fc.nat(3000), (c, pos, slack) => assertSameAsModel(c, pos, slack)), 1);
});

test('writeRecord of parsed frames (fixtures, mutations, random bytes) is the model record line', () => {
  const frames = fc.oneof(mutatedArb(corpus('rfc5424', 'rfc3164', 'cee')), bytesArb(300));
  check('record/parsed', fc.property(frames, fc.constantFrom(...TOKEN_SOURCES), fc.constantFrom(...SOURCES), msArb, fc.boolean(), (b, tokenSource, source, now, truncated) => {
    const pm = parseMessage(b, 0, b.length, now);
    assertSameAsModel({ pm, app: 'app-001', tokenSource, source, receivedAtMs: now, truncated }, 0, 0);
  }), 1);
});

test('-1 for every buffer size below the line, the exact bytes at its size; counters untouched on -1', () => {
  const parsedCase = fc.tuple(mutatedArb(corpus('rfc5424', 'rfc3164', 'cee')), msArb).map(([b, now]): Case => ({
    pm: parseMessage(b, 0, b.length, now), app: 'app-001', tokenSource: 'cee', source: SOURCES[1], receivedAtMs: now, truncated: false,
  }));
  check('record/room', fc.property(fc.oneof(caseArb, parsedCase), fc.nat(20), (c, pos) => {
    const want = Buffer.from(modelWrite(c.pm, c.app, c.tokenSource, c.source, c.receivedAtMs, c.truncated).line);
    for (let n = 0; n < want.length; n++) {
      const r = write(c, pos + n, pos);
      assert.equal(r.end, -1, `room ${n} of ${want.length}: got ${r.end}`);
      assert.equal(r.dropped, 0, 'counters changed on -1');
    }
    const r = write(c, pos + want.length, pos);
    assert.equal(r.end, pos + want.length);
    assert.ok(r.out.subarray(pos).equals(want));
  }), 0.15);
});

test('recordSizeHint(frame bytes) is enough for any frame', () => {
  const worst = [
    Buffer.alloc(2000, 0x01), // every byte a control: \u0001
    Buffer.alloc(2000, 0xff), // every byte invalid UTF-8: U+FFFD
    Buffer.from('<13>1 - h a - - [x a="' + '\u0001'.repeat(500) + '"] ' + '\u0001'.repeat(500)),
    Buffer.from('<13>h a: @cee: {"message":[' + Array(200).fill('2e20').join(',') + '],"x":[' + Array(200).fill('2e20').join(',') + ']}'),
    Buffer.from('<13>h a: @cee: {"' + '\\u0001'.repeat(100) + '":"' + '\\u0001'.repeat(100) + '","message":{"a":"\\"\\\\"}}'),
  ];
  const frames = fc.oneof(bytesArb(3000), mutatedArb(corpus('rfc5424', 'rfc3164', 'cee')), fc.constantFrom(...worst));
  check('record/size-hint', fc.property(frames, fc.constantFrom(...SOURCES), (b, source) => {
    const pm = parseMessage(b, 0, b.length, 0);
    const out = Buffer.alloc(recordSizeHint(b.length));
    const end = writeRecord(out, 0, pm, 'app-001', 'cee', source, Date.UTC(2026, 0, 1), true, { ceeKeysDropped: 0 });
    assert.notEqual(end, -1, `hint ${out.length} too small for ${show(b)}`);
  }), 1);
});

const pm0 = (o: Partial<RecordFields>): RecordFields => ({
  format: 'rfc3164', facility: 1, severity: 5, timestampMs: null, hostname: null, appName: null, procId: null, msgId: null,
  structuredData: null, message: null, cee: null, vendor: null, ...o,
});

function line(pm: RecordFields, receivedAtMs = Date.UTC(2026, 10, 21, 18, 0, 0, 5)): { text: string; dropped: number } {
  const out = Buffer.alloc(4096);
  const counters = { ceeKeysDropped: 0 };
  const end = writeRecord(out, 0, pm, 'billing', 'tag', SOURCES[0], receivedAtMs, false, counters);
  return { text: out.toString('utf8', 0, end), dropped: counters.ceeKeysDropped };
}

test('a plain record: fixed field order, ISO times, source and syslog members', () => {
  const { text } = line(pm0({ facility: 4, severity: 6, timestampMs: Date.UTC(2026, 10, 21, 17, 59, 59, 123), hostname: 'web1', appName: 'sshd', procId: '42', message: 'a "b"\n\u0001\ud800' }));
  assert.equal(text, '{"@timestamp":"2026-11-21T17:59:59.123Z","receivedAt":"2026-11-21T18:00:00.005Z","app":"billing","facility":4,"severity":6,'
    + '"hostname":"web1","appName":"sshd","procId":"42","msgId":null,"structuredData":null,"message":"a \\"b\\"\\n\\u0001\\ud800",'
    + '"source":{"address":"127.0.0.1","port":5514,"transport":"tcp"},"syslog":{"format":"rfc3164","tokenSource":"tag"}}\n');
});

test('structured data from the frame bytes: unescaped, first SD-ID and PARAM-NAME win, __proto__ kept, integer-like names first', () => {
  const sd = (wire: string): string => {
    const buf = Buffer.from('xx' + wire + 'yy', 'latin1');
    const t = line(pm0({ structuredData: new StructuredDataSpan(buf, 2, buf.length - 2) })).text;
    return t.slice(t.indexOf('"structuredData":') + '"structuredData":'.length, t.indexOf(',"message":'));
  };
  assert.equal(sd('[a x="1\\"\\\\\\]\\n" x="2"][b][a y="3"]'), '{"a":{"x":"1\\"\\\\]\\\\n"},"b":{}}');
  assert.equal(sd('[__proto__ __proto__="v"]'), '{"__proto__":{"__proto__":"v"}}');
  assert.equal(sd('[z 9="a" 1="b" k="c"][5]'), '{"5":{},"z":{"1":"b","9":"a","k":"c"}}');
  assert.equal(sd('[m v="\xc3\xa9\xff\xe6\x97"]'), '{"m":{"v":"\u00e9\ufffd\ufffd"}}');
});

test('SD with many elements and names (duplicate checks past their linear range) is the model', () => {
  const wire = (n: number, dup: number): string => {
    let w = '';
    for (let e = 0; e < n; e++) {
      w += `[e${e % dup}`;
      for (let k = 0; k < n; k++) w += ` p${k % dup}="${e}.${k}"`;
      w += ']';
    }
    return w;
  };
  for (const [n, dup] of [[20, 20], [40, 17], [40, 40], [60, 3], [17, 16]]) {
    const buf = Buffer.from(wire(n, dup));
    const c: Case = { pm: pm0({ structuredData: new StructuredDataSpan(buf, 0, buf.length) }), app: 'a', tokenSource: 'ip', source: SOURCES[0], receivedAtMs: 0, truncated: false };
    assertSameAsModel(c, 0, 0);
  }
  // thousands of names in one frame: linear, not quadratic
  const big = Buffer.from('[a' + Array.from({ length: 8000 }, (_, k) => ` p${k}=""`).join('') + ']');
  const t0 = process.hrtime.bigint();
  const out = Buffer.alloc(recordSizeHint(big.length));
  assert.notEqual(writeRecord(out, 0, pm0({ structuredData: new StructuredDataSpan(big, 0, big.length) }), 'a', 'ip', SOURCES[0], 0, false, { ceeKeysDropped: 0 }), -1);
  assert.ok(Number(process.hrtime.bigint() - t0) < 2e9, 'SD with 8000 names took more than 2 s');
});

test('SD values: UTF-8 decoded as Buffer#toString does, for every 1- and 2-byte sequence and the 3-/4-byte edges', () => {
  // sequences separated by `x` (an ASCII byte ends any sequence, so each is decoded on its own)
  const parts: number[] = [];
  const skip = (b: number): boolean => b === 0x22 || b === 0x5c || b === 0x5d;
  const edges = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xff];
  for (let a = 0x80; a <= 0xff; a++) {
    parts.push(a, 0x78);
    for (let b = 0; b <= 0xff; b++) {
      if (skip(b)) continue;
      parts.push(a, b, 0x78);
      if (a >= 0xe0) for (const c of edges) for (const d of edges) parts.push(a, b, c, d, 0x78);
    }
  }
  const buf = Buffer.concat([Buffer.from('[m v="'), Buffer.from(parts), Buffer.from('"]')]);
  const span = new StructuredDataSpan(buf, 0, buf.length);
  const out = Buffer.alloc(10 * buf.length);
  const end = writeRecord(out, 0, pm0({ structuredData: span }), 'a', 'ip', SOURCES[0], 0, false, { ceeKeysDropped: 0 });
  const got = JSON.parse(out.toString('utf8', 0, end)).structuredData.m.v as string;
  const want = buf.toString('utf8', 6, buf.length - 2);
  assert.equal(got.length, want.length);
  assert.ok(got === want, 'decoded value differs from Buffer#toString');
});

test('CEE: keys merged after syslog in object order, message and @timestamp taken, protected and bad keys dropped and counted', () => {
  const cee = JSON.parse('{"b":1,"7":true,"message":{"x":[1,"\\u0001"]},"@timestamp":"2026-01-02T03:04:05Z","app":"spoof","__proto__":{"p":1},"a":{"2":null,"k":-0.5}}') as Record<string, unknown>;
  const { text, dropped } = line(pm0({ message: '@cee: …', cee }));
  assert.equal(dropped, 2);
  assert.match(text, /^\{"@timestamp":"2026-01-02T03:04:05\.000Z",/);
  assert.match(text, /,"message":"\{\\"x\\":\[1,\\"\\\\u0001\\"\]\}",/);
  assert.ok(text.endsWith('"syslog":{"format":"rfc3164","tokenSource":"tag"},"7":true,"b":1,"a":{"2":null,"k":-0.5}}\n'), text);
  const bad = line(pm0({ timestampMs: 0, cee: { '@timestamp': 'nope', message: null } }));
  assert.equal(bad.dropped, 1);
  assert.match(bad.text, /^\{"@timestamp":"1970-01-01T00:00:00\.000Z",.*"message":null,/);
});

test('times outside Date range: event time ignored, receive time stored as the epoch', () => {
  assert.match(line(pm0({ timestampMs: 8.64e15 + 1 }), 5).text, /^\{"@timestamp":"1970-01-01T00:00:00\.005Z","receivedAt":"1970-01-01T00:00:00\.005Z"/);
  assert.match(line(pm0({ timestampMs: null }), NaN).text, /^\{"@timestamp":"1970-01-01T00:00:00\.000Z","receivedAt":"1970-01-01T00:00:00\.000Z"/);
  assert.match(line(pm0({ timestampMs: -62198755200000 })).text, /^\{"@timestamp":"-000001-01-01T00:00:00\.000Z"/);
});

test('a CEE value nested beyond what JSON.stringify can recurse (100,000 levels): its too-deep part is stored as null, no throw; the rest of the record stays', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const line = Buffer.from(`<13>h a: @cee: {"message":"deep","x":${deep},"y":[[[1]]]}`);
  const pm = parseMessage(line, 0, line.length, 0);
  assert.ok(pm.cee !== null, 'JSON.parse takes it');
  const out = Buffer.alloc(recordSizeHint(line.length));
  const end = writeRecord(out, 0, pm, 'app', 'tag', SOURCES[0], Date.UTC(2026, 0, 1), false, { ceeKeysDropped: 0 });
  const rec = JSON.parse(out.toString('utf8', 0, end)) as Record<string, unknown>;
  assert.deepEqual([rec.message, rec.y], ['deep', [[[1]]]]);
  // walked here for 64 levels (the CEE object is the first), then the part JSON.stringify cannot take is null
  let v: unknown = rec.x;
  let depth = 0;
  while (Array.isArray(v)) { assert.equal(v.length, 1); v = v[0]; depth++; }
  assert.deepEqual([depth, v], [63, null]);
});

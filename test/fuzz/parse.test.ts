/**
 * Fuzz: parseMessage (src/parse/index.ts) and through it every parser (RFC 5424, RFC 3164 /
 * headerless, STRUCTURED-DATA, timestamps, CEE). It never throws; every field stays in range and
 * bounded by the input; the result does not depend on where the bytes sit in a larger buffer;
 * generated valid RFC 5424 lines parse to exactly what was generated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage, type ParsedMessage } from '../../src/parse/index.js';
import type { StructuredData } from '../../src/record.js';
import { bytesArb, check, corpus, mutate, mutatedArb, mutationsArb, show } from './common.js';

const FORMATS = new Set(['rfc5424', 'rfc3164', 'raw']);
const STRING_FIELDS = ['hostname', 'appName', 'procId', 'msgId', 'message'] as const;

const nowArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 4_102_444_800_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -1e15, 8.64e15, 0, -1) },
);

function isValidUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Range and size checks on one result for input `b` (the frame's bytes). */
function assertSane(pm: ParsedMessage, b: Buffer): void {
  const n = b.length;
  const ctx = `input ${show(b)}`;
  assert.ok(FORMATS.has(pm.format), `format ${pm.format}; ${ctx}`);
  assert.ok(Number.isInteger(pm.facility) && pm.facility >= 0 && pm.facility <= 23, `facility ${pm.facility}; ${ctx}`);
  assert.ok(Number.isInteger(pm.severity) && pm.severity >= 0 && pm.severity <= 7, `severity ${pm.severity}; ${ctx}`);
  assert.ok(pm.timestampMs === null || (typeof pm.timestampMs === 'number' && Number.isFinite(pm.timestampMs)), `timestampMs ${pm.timestampMs}; ${ctx}`);
  const utf8 = isValidUtf8(b);
  for (const k of STRING_FIELDS) {
    const v = pm[k];
    if (v === null) continue;
    assert.equal(typeof v, 'string', `${k} type; ${ctx}`);
    assert.ok(v.length > 0 || k !== 'message', `empty message must be null; ${ctx}`);
    // decoding never yields more UTF-16 units than bytes; each invalid byte may become U+FFFD (3 bytes)
    assert.ok(v.length <= n, `${k} has ${v.length} chars > ${n} input bytes; ${ctx}`);
    const bl = Buffer.byteLength(v, 'utf8');
    assert.ok(bl <= (utf8 ? n : 3 * n), `${k} is ${bl} UTF-8 bytes for ${n} input bytes (valid UTF-8: ${utf8}); ${ctx}`);
  }
  for (const k of ['hostname', 'msgId'] as const) {
    const v = pm[k];
    if (v !== null) assert.match(v, /^[\x21-\x7e]+$/, `${k} must be printable ASCII; ${ctx}`);
  }
  if (pm.structuredData !== null) {
    assert.equal(pm.format === 'raw', false, `raw with structuredData; ${ctx}`);
    let total = 0;
    const sdo = pm.structuredData.toObject();
    for (const id of Object.keys(sdo)) {
      const params: Record<string, string> = sdo[id];
      assert.ok(params !== null && typeof params === 'object', `sd ${id}; ${ctx}`);
      total += id.length;
      for (const name of Object.keys(params)) {
        assert.equal(typeof params[name], 'string', `sd ${id}.${name}; ${ctx}`);
        total += name.length + params[name].length;
      }
    }
    assert.ok(total <= n, `structuredData has ${total} chars > ${n}; ${ctx}`);
  }
  if (pm.cee !== null) {
    assert.ok(typeof pm.cee === 'object' && !Array.isArray(pm.cee), `cee not an object; ${ctx}`);
    assert.equal(pm.ceeInvalid, false, `cee and ceeInvalid; ${ctx}`);
    assert.notEqual(pm.message, null, `cee without message; ${ctx}`);
    // numbers may grow when re-serialized (1e20 → 100000000000000000000), never unboundedly
    const sl = JSON.stringify(pm.cee).length;
    assert.ok(sl <= 6 * n + 2, `cee serializes to ${sl} chars for ${n} bytes; ${ctx}`);
  }
  if (pm.format === 'raw') {
    for (const k of ['timestampMs', 'hostname', 'appName', 'procId', 'msgId', 'structuredData'] as const) {
      assert.equal(pm[k], null, `raw format with ${k}; ${ctx}`);
    }
  }
  if (pm.format !== 'rfc5424') assert.equal(pm.msgId, null, `msgId outside RFC 5424; ${ctx}`);
  JSON.stringify(pm); // must not throw
}

/** `pm` comparable across buffers: structured data as its bytes and its object form (not the span's buffer and offsets). */
function comparable(pm: ParsedMessage): unknown {
  const sd = pm.structuredData;
  return { ...pm, structuredData: sd === null ? null : { bytes: sd.buf.toString('latin1', sd.start, sd.end), object: sd.toObject() } };
}

/** Parses `b` standalone, embedded in a larger buffer, and with out-of-range offsets: same result. */
function parseEverywhere(b: Buffer, prefix: Buffer, suffix: Buffer, nowMs: number): ParsedMessage {
  const alone = parseMessage(Buffer.from(b), 0, b.length, nowMs);
  assertSane(alone, b);
  const big = Buffer.concat([prefix, b, suffix]);
  const inside = parseMessage(big, prefix.length, prefix.length + b.length, nowMs);
  assert.deepStrictEqual(comparable(inside), comparable(alone), `input ${show(b)} at offset ${prefix.length} of ${show(big)}`);
  const clamped = parseMessage(b, -3, b.length + 5, nowMs);
  assert.deepStrictEqual(comparable(clamped), comparable(alone), `input ${show(b)} with offsets (-3, len+5)`);
  const again = parseMessage(b, 0, b.length, nowMs);
  assert.deepStrictEqual(comparable(again), comparable(alone), `input ${show(b)} parsed twice`);
  return alone;
}

/** Surroundings: random bytes, or bytes that would continue a field/terminate a stamp if read. */
const padArb = fc.oneof(
  bytesArb(12),
  fc.constantFrom(' ', ']', '"', 'Z', '0', ':', '.123', ' host tag: x', '\n', '}').map((s) => Buffer.from(s)),
);

function everywhereProperty(inputArb: fc.Arbitrary<Buffer>): fc.IPropertyWithHooks<[Buffer, Buffer, Buffer, number]> {
  return fc.property(inputArb, padArb, padArb, nowArb, (b, pre, post, now) => {
    parseEverywhere(b, pre, post, now);
  });
}

// ---------------------------------------------------------------------------------------------
// token soup: grammar pieces of every format glued in random order

const PIECES = [
  '<13>', '<191>', '<0>', '<01>', '<192>', '<34>', '1 ', '2 ', '999 ', ' ', '  ', 'Oct', 'oct', 'Feb', ' 11', '  1', ' 29', ' 31',
  '22:14:15', '24:00:00', '.123', '.1234567890', '.', ' 2026', '2026', ' UTC', ' CEST', ' XYZ', ':', ': ', '*', '643: ', '000104: ',
  'host', 'my-host.example.com', '::1', '10.0.0.1', 'tag', 'sshd[123]:', '[', ']', '[pid]', 'app:', '-', '- ',
  '[id p="v"]', '[x@1 a="b\\"c\\]d\\\\"][y@2 q=""]', '[origin software="rsyslogd"]', '[a]', '@cee:', '@cee: ', '{"a":1}',
  '{"message":"m","@timestamp":1e20,"__proto__":{"x":1}}', '{', '}', '"', '\\', '=', 'T', 'Z', '+01:00', '-0530', '+05',
  '2026-11-21T19:03:09.309870+00:00', '2026-11-21T19:03:09Z', '1970-01-01T00:00:00', '0000-02-29T00:00:00Z', '9999-12-31T23:59:60z',
  '2026-02-30T00:00:00Z', '\uFEFF', '\u00fc', '\u65e5\u672c', '\u{1F642}', '\x00', '\r', '\n', '\t',
];

const soupArb: fc.Arbitrary<Buffer> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...PIECES).map((s) => Buffer.from(s, 'utf8')) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9.-]{1,12}$/).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => Buffer.from(a)) },
  ),
  { maxLength: 24 },
).map((bs) => Buffer.concat(bs));

// ---------------------------------------------------------------------------------------------
// valid RFC 5424 generator with its expected parse

const printus = (max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`));
const sdName = fc.stringMatching(/^[\x21-\x7e]{1,32}$/).filter((s) => !/[= \]"]/.test(s));

/** PARAM-VALUE text → its escaped wire form (`"`, `\`, `]` escaped). */
const escapeSd = (v: string): string => v.replace(/[\\"\]]/g, (c) => '\\' + c);

/** Instants whose wall clock stays within years 0001..9998 under any offset. */
const instantArb = fc.integer({ min: -62_100_000_000_000, max: 253_370_000_000_000 });

interface Gen5424 {
  wire: Buffer;
  want: Omit<ParsedMessage, 'cee' | 'ceeInvalid' | 'structuredData'> & { structuredData: StructuredData | null };
  cee: Record<string, unknown> | null;
}

const gen5424Arb: fc.Arbitrary<Gen5424> = fc.record({
  pri: fc.integer({ min: 0, max: 191 }),
  version: fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 999 }) }),
  ts: fc.option(fc.record({ ms: instantArb, off: fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })), frac: fc.nat(6), extra: fc.stringMatching(/^[0-9]{3}$/) })),
  host: fc.option(printus(255)),
  app: fc.option(printus(48)),
  procId: fc.option(printus(128)),
  msgId: fc.option(printus(32)),
  sd: fc.option(fc.uniqueArray(fc.tuple(sdName, fc.uniqueArray(fc.tuple(sdName, fc.string({ unit: 'grapheme', maxLength: 12 })), { selector: (p) => p[0], maxLength: 3 })), { selector: (e) => e[0], minLength: 1, maxLength: 3 })),
  msg: fc.option(fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((o) => ({ cee: o })),
  )),
  bom: fc.boolean(),
}).map((g): Gen5424 => {
  let ts = '-';
  let timestampMs: number | null = null;
  if (g.ts !== null) {
    const off = g.ts.off ?? 0;
    const iso = new Date(g.ts.ms + off * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
    const mmm = iso.slice(20, 23);
    const frac = g.ts.frac === 0 ? '' : '.' + (mmm + g.ts.extra).slice(0, g.ts.frac);
    const zone = g.ts.off === null ? 'Z' : `${off < 0 ? '-' : '+'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
    ts = iso.slice(0, 19) + frac + zone;
    const kept = g.ts.frac >= 3 ? Number(mmm) : g.ts.frac === 0 ? 0 : Number(mmm.slice(0, g.ts.frac).padEnd(3, '0'));
    timestampMs = g.ts.ms - (((g.ts.ms % 1000) + 1000) % 1000) + kept;
  }
  const field = (v: string | null): [string, string | null] => (v === null ? ['-', null] : [v, v === '-' ? null : v]);
  const [hw, hv] = field(g.host);
  const [aw, av] = field(g.app);
  const [pw, pv] = field(g.procId);
  const [mw, mv] = field(g.msgId);
  let sdWire = '-';
  let sd: Record<string, Record<string, string>> | null = null;
  if (g.sd !== null) {
    sd = {};
    sdWire = '';
    for (const [id, params] of g.sd) {
      const o: Record<string, string> = {};
      sdWire += `[${id}`;
      for (const [name, value] of params) {
        sdWire += ` ${name}="${escapeSd(value)}"`;
        Object.defineProperty(o, name, { value, enumerable: true, writable: true, configurable: true });
      }
      sdWire += ']';
      Object.defineProperty(sd, id, { value: o, enumerable: true, writable: true, configurable: true });
    }
  }
  const head = Buffer.from(`<${g.pri}>${g.version} ${ts} ${hw} ${aw} ${pw} ${mw} ${sdWire}`, 'utf8');
  let wire = head;
  let message: string | null = null;
  let cee: Record<string, unknown> | null = null;
  if (g.msg !== null) {
    let text: string;
    if (typeof g.msg === 'string') text = g.msg;
    else {
      text = '@cee: ' + JSON.stringify(g.msg.cee);
      cee = JSON.parse(JSON.stringify(g.msg.cee)) as Record<string, unknown>;
    }
    const body = Buffer.from(text, 'utf8');
    wire = Buffer.concat([head, Buffer.from(' '), g.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), body]);
    message = body.length === 0 ? null : body.toString('utf8');
  }
  return {
    wire,
    cee,
    want: {
      format: 'rfc5424', facility: g.pri >> 3, severity: g.pri & 7, timestampMs,
      hostname: hv, appName: av, procId: pv, msgId: mv, structuredData: sd, message, vendor: null,
    },
  };
});

// ---------------------------------------------------------------------------------------------

const parseCorpus = corpus('rfc5424', 'rfc3164', 'cee', 'framing');

test('fuzz parse: random bytes', () => {
  check('parse/random-bytes', everywhereProperty(bytesArb(300)), 4);
});

test('fuzz parse: mutated fixtures', () => {
  check('parse/mutated-fixtures', everywhereProperty(mutatedArb(parseCorpus)), 6);
});

test('fuzz parse: token soup of grammar pieces (and mutations of it)', () => {
  const arb = fc.tuple(soupArb, fc.option(mutationsArb, { freq: 3 })).map(([b, m]) => (m === null ? b : mutate(b, m)));
  check('parse/token-soup', everywhereProperty(arb), 6);
});

test('fuzz parse: generated valid RFC 5424 lines parse to what was generated', () => {
  check('parse/valid-rfc5424', fc.property(gen5424Arb, padArb, padArb, nowArb, (g, pre, post, now) => {
    const pm = parseEverywhere(g.wire, pre, post, now);
    const { cee, ceeInvalid, ...fields } = pm;
    const rest = { ...fields, structuredData: fields.structuredData?.toObject() ?? null };
    assert.deepStrictEqual(rest, g.want, `input ${show(g.wire)}`);
    if (g.cee !== null) {
      assert.equal(ceeInvalid, false, `input ${show(g.wire)}`);
      assert.deepStrictEqual(cee, g.cee, `input ${show(g.wire)}`);
    }
  }), 4);
});

test('fuzz parse: mutated valid RFC 5424 lines', () => {
  check('parse/mutated-rfc5424', everywhereProperty(fc.tuple(gen5424Arb, mutationsArb).map(([g, m]) => mutate(g.wire, m))), 4);
});

/**
 * Fuzz of the web search query language (src/web/query):
 * - prefilter soundness: random records written by the real writer (record-json.ts writeRecord,
 *   with structured data and CEE keys) and random queries from a small vocabulary (non-ASCII,
 *   look-alike letters, quotes, backslashes, controls, lone surrogates, U+FFFD): whenever a query
 *   matches the record, its prefilter matches the raw stored line (as a byte string), and the
 *   scanner's view over the raw line (search/line-view.ts) gives the same answer as recordView;
 * - single terms against a naive oracle (bare words, host:, CEE keys);
 * - arbitrary query strings: compileQuery returns or throws QuerySyntaxError with a position in
 *   0..length, nothing else; match() on random views never throws.
 * Deterministic: seed and run count from test/fuzz/common.ts (FUZZ_SEED, FUZZ_RUNS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FrameSource, RecordFields, Transport } from '../../src/record.js';
import { writeRecord } from '../../src/record-json.js';
import { StructuredDataSpan } from '../../src/parse/structured-data.js';
import { compileQuery, QuerySyntaxError, recordView, toByteString, type CompiledQuery, type LineView } from '../../src/web/query/index.js';
import { RawLineView } from '../../src/web/search/line-view.js';
import { check } from './common.js';

/** Pieces of text both records and queries are made of, so that queries often match. */
const PIECES = [
  'web', 'Web', 'WEB-01', 'db', 'time', 'TimeOut', 'out', 'a', 'B', 'x', 'ann', 'Ann', '1', '42', '10.0.0.1', 'true',
  'é', 'É', 'ß', 'SS', '日本', '🙂', '☕', '\u212a', 'k', 'K', 'ſ', 's', 'İ', 'i',
  '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', '\ud800', '\udc00', '\ufffd', '\u2028', '\u00a0',
  ' ', ':', '*', '-', '.', '(', ')', 'OR', 'or', '[', ']', '=',
];
const pieceArb = fc.constantFrom(...PIECES);
const textArb = (min = 0, max = 4): fc.Arbitrary<string> => fc.array(pieceArb, { minLength: min, maxLength: max }).map((a) => a.join(''));
const nullableText = fc.option(textArb(), { nil: null, freq: 4 });

// ---------------------------------------------------------------------------------------------
// records

/** RFC 5424 PARAM-VALUE escaping. */
const sdEscape = (v: string): string => v.replace(/["\\\]]/g, '\\$&');

const sdArb: fc.Arbitrary<string | null> = fc.option(
  fc.tuple(fc.option(textArb(), { nil: null }), fc.option(textArb(), { nil: null }), fc.option(textArb(), { nil: null })).map(([ip, a, b]) => {
    let s = '';
    if (ip !== null) s += `[origin@32473 ip="${sdEscape(ip)}"]`;
    if (a !== null || b !== null) s += `[x${a === null ? '' : ` a="${sdEscape(a)}"`}${b === null ? '' : ` b="${sdEscape(b)}"`}]`;
    return s === '' ? '[x@1 a="1"]' : s;
  }),
  { nil: null },
);

const ceeValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: textArb() },
  { weight: 2, arbitrary: fc.constantFrom(1, 42, 420, -1, 0.5, 1e21, 0) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, [], ['a'], {}) },
);

const ceeArb: fc.Arbitrary<Record<string, unknown> | null> = fc.option(
  fc.record({
    user: fc.oneof(fc.record({ name: ceeValueArb, id: ceeValueArb }, { requiredKeys: [] }), ceeValueArb),
    'user.name': ceeValueArb,
    count: ceeValueArb,
    ok: ceeValueArb,
    message: ceeValueArb,
    Host: ceeValueArb,
  }, { requiredKeys: [] }),
  { nil: null, freq: 2 },
);

const TRANSPORTS: Transport[] = ['udp', 'tcp', 'tls'];

interface Written {
  /** The stored line without its LF, as UTF-8 text and as a byte string. */
  text: string;
  bytes: string;
  buf: Buffer;
  rec: Record<string, unknown>;
}

const out = Buffer.alloc(1 << 16);

const writtenArb: fc.Arbitrary<Written> = fc.record({
  facility: fc.integer({ min: 0, max: 23 }),
  severity: fc.integer({ min: 0, max: 7 }),
  hostname: nullableText,
  appName: nullableText,
  procId: nullableText,
  msgId: nullableText,
  message: nullableText,
  sd: sdArb,
  cee: ceeArb,
  address: fc.oneof(fc.constant('10.0.0.1'), textArb(1, 3)),
  transport: fc.constantFrom(...TRANSPORTS),
}).map((g) => {
  const sdBuf = g.sd === null ? null : Buffer.from(g.sd, 'utf8');
  const pm: RecordFields = {
    format: 'rfc5424', facility: g.facility, severity: g.severity, timestampMs: Date.UTC(2026, 11, 1, 10), hostname: g.hostname, appName: g.appName,
    procId: g.procId, msgId: g.msgId, structuredData: sdBuf === null ? null : new StructuredDataSpan(sdBuf, 0, sdBuf.length), message: g.message, cee: g.cee, vendor: null,
  };
  const source: FrameSource = { record: { address: g.address, port: 514, transport: g.transport }, certFingerprint: null };
  const end = writeRecord(out, 0, pm, 'default', 'ip', source, Date.UTC(2026, 11, 1, 10, 0, 1), false, { ceeKeysDropped: 0 });
  assert.ok(end > 0, 'writeRecord: buffer too small');
  const buf = Buffer.from(out.subarray(0, end - 1));
  const text = buf.toString('utf8');
  return { text, bytes: buf.toString('latin1'), buf, rec: JSON.parse(text) as Record<string, unknown> };
});

// ---------------------------------------------------------------------------------------------
// queries

/** An unquoted word: pieces without whitespace, parentheses or quotes. */
const wordArb = textArb(1, 3).map((s) => s.replace(/[\s()"]/g, '')).map((s) => (s === '' ? 'x' : s));
/** A phrase with its quotes and backslashes escaped. */
const phraseArb = textArb(1, 3).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`);
const FIELDS = ['host', 'program', 'msgid', 'procid', 'sd.origin@32473.ip', 'sd.x.a', 'sd.x.b', 'user.name', 'user', 'user.id', 'count', 'ok', 'message', 'Host', 'app', 'source.address'];
const fieldArb = fc.tuple(fc.constantFrom(...FIELDS), fc.oneof(wordArb, wordArb.map((w) => w + '*'), phraseArb, fc.constantFrom('*', '42', '4*', 'true', 'ann', 'web*', '10.0.0.1'))).map(([f, v]) => `${f}:${v}`);
const levelArb = fc.tuple(
  fc.constantFrom('severity', 'facility'),
  fc.constantFrom('', '<', '<=', '>', '>=', '='),
  fc.oneof(fc.integer({ min: 0, max: 7 }).map(String), fc.constantFrom('err', 'warning', 'debug', 'local0', 'kern', 'user')),
).map(([f, op, v]) => `${f}:${op}${v}`);
const termArb = fc.oneof({ weight: 4, arbitrary: wordArb }, { weight: 3, arbitrary: phraseArb }, { weight: 4, arbitrary: fieldArb }, { weight: 1, arbitrary: levelArb }, { weight: 1, arbitrary: fc.constant('*') });

const { query: queryArb } = fc.letrec<{ query: string }>((tie) => ({
  query: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: termArb },
    { weight: 1, arbitrary: termArb.map((t) => '-' + t) },
    { weight: 1, arbitrary: tie('query').map((q) => `-(${q})`) },
    { weight: 1, arbitrary: tie('query').map((q) => `NOT ${q}`) },
    { weight: 1, arbitrary: tie('query').map((q) => `(${q})`) },
    { weight: 3, arbitrary: fc.tuple(tie('query'), tie('query')).map(([a, b]) => `${a} ${b}`) },
    { weight: 2, arbitrary: fc.tuple(tie('query'), tie('query')).map(([a, b]) => `${a} OR ${b}`) },
    { weight: 1, arbitrary: fc.tuple(tie('query'), tie('query')).map(([a, b]) => `${a} AND ${b}`) },
  ),
}));

/** The compiled query, or null when it is not valid (a word that came out as `OR`, `x:` …). */
function tryCompile(q: string): CompiledQuery | null {
  try {
    return compileQuery(q);
  } catch (err) {
    if (err instanceof QuerySyntaxError) return null;
    throw err;
  }
}

function prefilterHits(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

const raw = new RawLineView();

test('prefilter is sound for records written by writeRecord; the raw-line view agrees with recordView', () => {
  let valid = 0, matched = 0, filtered = 0;
  check('web-query/prefilter', fc.property(writtenArb, fc.array(queryArb, { minLength: 1, maxLength: 6 }), (w, qs) => {
    const rv = recordView(w.rec);
    raw.reset(w.buf, w.bytes, 0, 0, w.bytes.length);
    for (const q of qs) {
      const c = tryCompile(q);
      if (c === null) continue;
      valid++;
      const m = c.match(rv);
      assert.equal(c.match(raw), m, `raw-line view disagrees on ${JSON.stringify(q)} for ${w.text}`);
      if (!m) continue;
      matched++;
      if (c.prefilter === null) continue;
      filtered++;
      assert.ok(prefilterHits(c.prefilter, w.bytes), `query ${JSON.stringify(q)} matches but its prefilter ${String(c.prefilter)} misses ${w.text}`);
    }
  }), 0.5);
  // the vocabulary is small enough that the property is not vacuous
  assert.ok(valid > 0 && matched > valid / 20 && filtered > 0, `valid ${valid}, matched ${matched}, with a prefilter ${filtered}`);
});

/** Swaps the case of the ASCII letters whose bit in `mask` (by index mod 30) is set. */
function flipCase(s: string, mask: number): string {
  let o = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    o += /[A-Za-z]/.test(c) && ((mask >> (i % 30)) & 1) === 1 ? (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) : c;
  }
  return o;
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
/** Whether `s` can be written as an unquoted field value (before a `*`). */
const plainValue = (s: string): boolean => /^[^\s()"]*$/.test(s) && !s.startsWith('//');

/** Terms built from a record's own fields, so they match it: [query, the field it came from]. */
function derivedTerms(w: Written, pick: number, a: number, b: number, mask: number): string[] {
  const r = w.rec;
  const own = (o: unknown, k: string): unknown => (typeof o === 'object' && o !== null && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined);
  const text = (x: unknown): string | null => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : null);
  const out: string[] = [];
  // a substring (by code points) of message / hostname / appName as a phrase
  for (const k of ['message', 'hostname', 'appName']) {
    const v = text(own(r, k));
    if (v === null || typeof own(r, k) !== 'string') continue;
    const cps = Array.from(v);
    if (cps.length === 0) continue;
    const i = a % cps.length;
    const j = i + 1 + (b % (cps.length - i));
    out.push(quote(flipCase(cps.slice(i, j).join(''), mask)));
  }
  const host = typeof r.hostname === 'string' ? r.hostname : own(r.source, 'address');
  const fields: Array<[string, unknown]> = [
    ['host', host], ['program', r.appName], ['msgid', r.msgId], ['procid', r.procId],
    ['sd.origin@32473.ip', own(own(r.structuredData, 'origin@32473'), 'ip')], ['sd.x.a', own(own(r.structuredData, 'x'), 'a')],
    ['user.name', own(own(r, 'user'), 'name')], ['user.name', own(r, 'user.name')], ['count', own(r, 'count')], ['ok', own(r, 'ok')], ['Host', own(r, 'Host')],
  ];
  for (const [name, x] of fields) {
    const v = text(x);
    if (v === null || (name === 'host' || name.startsWith('sd.') || name === 'program' || name === 'msgid' || name === 'procid' ? typeof x !== 'string' : false)) continue;
    const f = flipCase(v, mask);
    out.push(`${name}:${quote(f)}`);
    const cps = Array.from(f);
    const pre = cps.slice(0, cps.length === 0 ? 0 : a % (cps.length + 1)).join('');
    if (plainValue(pre)) out.push(`${name}:${pre}*`);
  }
  return out.length === 0 ? [] : [out[pick % out.length]];
}

test('terms taken from the record match it, and its raw line passes their prefilter', () => {
  let withPrefilter = 0, total = 0;
  check('web-query/derived', fc.property(writtenArb, fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.option(queryArb), fc.boolean(),
    (w, pick, a, b, mask, other, or) => {
      const rv = recordView(w.rec);
      raw.reset(w.buf, w.bytes, 0, 0, w.bytes.length);
      for (const term of derivedTerms(w, pick, a, b, mask)) {
        const c = compileQuery(term);
        assert.ok(c.match(rv), `${JSON.stringify(term)} does not match ${w.text}`);
        assert.ok(c.match(raw), `${JSON.stringify(term)} does not match the raw view of ${w.text}`);
        total++;
        if (c.prefilter !== null) {
          withPrefilter++;
          assert.ok(prefilterHits(c.prefilter, w.bytes), `${JSON.stringify(term)}: prefilter ${String(c.prefilter)} misses ${w.text}`);
        }
        if (other === null) continue;
        const q = or ? `(${term}) OR (${other})` : `(${term}) (${other})`;
        const cq = tryCompile(q);
        if (cq === null) continue;
        const m = cq.match(rv);
        assert.equal(cq.match(raw), m, `raw-line view disagrees on ${JSON.stringify(q)} for ${w.text}`);
        if (or) assert.ok(m, `${JSON.stringify(q)} does not match ${w.text}`);
        if (m && cq.prefilter !== null) assert.ok(prefilterHits(cq.prefilter, w.bytes), `${JSON.stringify(q)}: prefilter ${String(cq.prefilter)} misses ${w.text}`);
      }
    }), 0.5);
  assert.ok(total > 0 && withPrefilter > total / 4, `${total} derived terms, ${withPrefilter} with a prefilter`);
});

// ---------------------------------------------------------------------------------------------
// single terms against a naive oracle

const lower = (b: string): string => b.replace(/[A-Z]/g, (c) => c.toLowerCase());
const bytesOf = (x: unknown): string | null => (typeof x === 'string' ? toByteString(x) : null);

test('single terms agree with a naive oracle', () => {
  check('web-query/oracle', fc.property(writtenArb, textArb(1, 3), fc.boolean(), (w, t, prefix) => {
    const r = w.rec;
    const tb = lower(toByteString(t));
    const phrase = `"${t.replace(/["\\]/g, '\\$&')}"`;
    // a phrase: a substring of hostname, appName or message
    const fields = [r.hostname, r.appName, r.message].map(bytesOf);
    const want = fields.some((f) => f !== null && lower(f).includes(tb));
    assert.equal(compileQuery(phrase).match(recordView(r)), want, `${phrase} on ${w.text}`);
    // host: equality or prefix of hostname ?? source.address
    const h = bytesOf(r.hostname) ?? bytesOf((r.source as Record<string, unknown>).address);
    const hostQ = `host:${phrase}`;
    assert.equal(compileQuery(hostQ).match(recordView(r)), h !== null && lower(h) === tb, `${hostQ} on ${w.text}`);
    // a CEE key: an unquoted value is a prefix when it ends in *
    if (/^[^\s()"]+$/.test(t) && !t.startsWith('//')) {
      const value = t + (prefix ? '*' : '');
      const isPrefix = value.endsWith('*');
      const lit = lower(toByteString(isPrefix ? value.slice(0, -1) : value));
      const q = `count:${value}`;
      const v = r.count;
      const s = typeof v === 'string' ? toByteString(v) : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
      const eq = s !== null && (isPrefix ? lower(s).startsWith(lit) : lower(s) === lit);
      const c = tryCompile(q);
      if (c !== null) assert.equal(c.match(recordView(r)), eq, `${q} on ${w.text}`);
    }
  }), 0.5);
});

// ---------------------------------------------------------------------------------------------
// arbitrary input

const SOUP = ['(', ')', '"', '\\', ':', '-', '*', ' ', '\t', 'OR', 'AND', 'NOT', 'or', 'host:', 'program:', 'severity:', 'facility:', '<=', '>', '=', 'sd.', 'sd.a.b:',
  'user.name:', 'a', 'B', '1', '99', 'err', 'local0', 'é', '🙂', '\ud800', '\u0000', '\ufffd', '//', 'http://x', '.', '@'];
const anyQueryArb = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...SOUP), { maxLength: 30 }).map((a) => a.join('')),
  fc.array(fc.constantFrom(...SOUP), { maxLength: 12 }).map((a) => a.join(' ')),
  queryArb,
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 10 }), fc.double());

/** Views that return anything a view may return (byte strings or not, odd numbers, odd records). */
const viewArb: fc.Arbitrary<LineView> = fc.oneof(
  fc.constant(recordView(null)),
  fc.dictionary(fc.constantFrom('message', 'hostname', 'appName', 'msgId', 'procId', 'severity', 'facility', 'source', 'structuredData', 'user', 'count', 'a', 'sd'), jsonish)
    .map((d) => recordView(d)),
  fc.record({
    s: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: null }),
    n: fc.option(fc.oneof(fc.integer({ min: -5, max: 30 }), fc.double()), { nil: null }),
    r: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), jsonish), { nil: null }),
  }).map(({ s, n, r }): LineView => ({ str: () => s, host: () => s, severity: () => n, facility: () => n, record: () => r })),
);

test('arbitrary queries: a CompiledQuery or a QuerySyntaxError with a position in range; match never throws', () => {
  check('web-query/arbitrary', fc.property(anyQueryArb, fc.array(viewArb, { maxLength: 4 }), (q, views) => {
    let c: CompiledQuery;
    try {
      c = compileQuery(q);
    } catch (err) {
      assert.ok(err instanceof QuerySyntaxError, `${JSON.stringify(q)} threw ${String(err)}`);
      assert.ok(Number.isInteger(err.position) && err.position >= 0 && err.position <= q.length, `${JSON.stringify(q)}: position ${err.position}`);
      return;
    }
    assert.equal(c.source, q);
    assert.equal(typeof c.matchAll, 'boolean');
    if (c.prefilter !== null) {
      assert.equal(c.prefilter.flags, 'g');
      prefilterHits(c.prefilter, toByteString(q));
    }
    for (const v of views) assert.equal(typeof c.match(v), 'boolean');
  }), 1);
});

test('long and deep queries stay within the limits', () => {
  check('web-query/limits', fc.property(fc.integer({ min: 0, max: 80 }), fc.constantFrom('(', '-(', 'NOT (', '(a OR '), fc.integer({ min: 0, max: 5000 }), (depth, open, pad) => {
    const q = open.repeat(depth) + 'x' + ')'.repeat(depth) + ' '.repeat(pad);
    try {
      compileQuery(q);
      assert.ok(depth <= 64 && q.length <= 4096, `accepted depth ${depth}, length ${q.length}`);
    } catch (err) {
      assert.ok(err instanceof QuerySyntaxError);
      assert.ok(depth > 64 || q.length > 4096, `rejected depth ${depth}, length ${q.length}: ${err.message}`);
      assert.ok(err.position <= q.length);
    }
  }), 0.1);
});

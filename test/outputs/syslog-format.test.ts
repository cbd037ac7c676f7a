/**
 * `formatRfc5424` (src/outputs/syslog.ts): one stored record as the RFC 5424 SYSLOG-MSG the
 * `syslog` output sends. Examples: PRI, NILVALUE, STRUCTURED-DATA escaping, field lengths,
 * non-printable characters, CEE records as `@cee: {…}`, lines that are not records. Then
 * fast-check properties (FUZZ_RUNS / FUZZ_SEED, see test/fuzz/common.ts):
 * - for any bytes and any JSON object (fixed keys of any type, extra keys, odd SD shapes; but
 *   no message / SD value String() cannot convert, see `stringable`), it never throws; it returns null exactly when the line is not a JSON object; otherwise the
 *   output is `<PRI>1 ` + five PRINTUSASCII header fields (each within its RFC 5424 length, `-`
 *   for a missing one) + well-formed STRUCTURED-DATA + optional ` MSG`, where an LF before MSG
 *   can only be inside an SD PARAM-VALUE (which RFC 5424 §6.3.3 allows: any UTF-8 but `"`, `\`
 *   and `]` escaped), and MSG is the record's message (or the CEE JSON);
 * - a well-formed record survives formatRfc5424 → the receiver's own parser (src/parse) with
 *   every field equal: what a receiver-to-receiver hop relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatRfc5424 } from '../../src/outputs/syslog.js';
import { parseMessage } from '../../src/parse/index.js';
import { RECORD_KEYS } from '../../src/record.js';
import { bytesArb, check, mutate, mutationsArb, show } from '../fuzz/common.js';

/** A stored record (every fixed key, in storage order) with `over` applied. */
function rec(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': '2026-12-02T10:11:12.345Z',
    receivedAt: '2026-12-02T10:11:12.400Z',
    app: 'web',
    facility: 20,
    severity: 5,
    hostname: 'mymachine.example.com',
    appName: 'evntslog',
    procId: '1234',
    msgId: 'ID47',
    structuredData: null,
    message: 'An application event log entry',
    source: { address: '127.0.0.1', port: 51234, transport: 'tcp' },
    syslog: { format: 'rfc5424', tokenSource: 'cee' },
    ...over,
  };
}
const line = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
const fmt = (o: unknown, appName: string | null = null): string | null => formatRfc5424(line(o), appName);
/** The formatted record, asserted to be a string. */
function fmtOk(o: unknown, appName: string | null = null): string {
  const s = fmt(o, appName);
  assert.ok(s !== null, 'a record formats');
  return s;
}
/** The 7 space-separated header tokens `<PRI>1 TS HOST APP PROCID MSGID` and the rest (SD [SP MSG]). */
function header(s: string): { pri: string; ts: string; host: string; app: string; procId: string; msgId: string; rest: string } {
  const parts = s.split(' ');
  const [priVersion, ts, host, app, procId, msgId] = parts;
  const m = /^<(\d+)>1$/.exec(priVersion);
  assert.ok(m !== null, `PRI VERSION in ${JSON.stringify(s)}`);
  return { pri: m[1], ts, host, app, procId, msgId, rest: parts.slice(6).join(' ') };
}

// ---------------------------------------------------------------------------------------------
// examples

test('formatRfc5424: a full record (RFC 5424 §6.5 example 1 shape)', () => {
  assert.equal(fmt(rec()), '<165>1 2026-12-02T10:11:12.345Z mymachine.example.com evntslog 1234 ID47 - An application event log entry');
  assert.equal(fmt(rec(), 'TOKEN-1'), '<165>1 2026-12-02T10:11:12.345Z mymachine.example.com TOKEN-1 1234 ID47 - An application event log entry', 'the given APP-NAME (a token) replaces the record\'s');
  assert.equal(fmt(rec({ appName: null }), 'tok'), '<165>1 2026-12-02T10:11:12.345Z mymachine.example.com tok 1234 ID47 - An application event log entry');
});

test('formatRfc5424: PRI = facility × 8 + severity; out-of-range or non-integer values fall back to user.notice parts', () => {
  const pri = (facility: unknown, severity: unknown): string => header(fmtOk(rec({ facility, severity }))).pri;
  assert.equal(pri(0, 0), '0');
  assert.equal(pri(1, 5), '13');
  assert.equal(pri(4, 2), '34');
  assert.equal(pri(23, 7), '191');
  // facility → 1 (user), severity → 5 (notice), each on its own
  for (const bad of [24, -1, 1.5, '3', null, true, [], {}]) assert.equal(pri(bad, 3), String(1 * 8 + 3), `facility ${JSON.stringify(bad)}`);
  for (const bad of [8, -1, 2.5, '3', null, false, [], {}]) assert.equal(pri(3, bad), String(3 * 8 + 5), `severity ${JSON.stringify(bad)}`);
  const missing = rec();
  delete missing.facility;
  delete missing.severity;
  assert.equal(header(fmtOk(missing)).pri, '13');
});

test('formatRfc5424: NILVALUE "-" for null, empty or non-string header fields; no MSG part without a message', () => {
  const nil = rec({ '@timestamp': null, hostname: null, appName: null, procId: null, msgId: null, structuredData: null, message: null });
  assert.equal(fmt(nil), '<165>1 - - - - - -', 'no trailing SP when there is no MSG');
  assert.equal(fmt(rec({ hostname: '', appName: '', procId: '', msgId: '', message: '' })), '<165>1 2026-12-02T10:11:12.345Z - - - - -');
  assert.equal(fmt(rec({ '@timestamp': 12345, hostname: 7, appName: ['a'], procId: { p: 1 }, msgId: false })), '<165>1 - - - - - - An application event log entry');
  assert.equal(fmt(rec({ structuredData: {} })), '<165>1 2026-12-02T10:11:12.345Z mymachine.example.com evntslog 1234 ID47 - An application event log entry', 'an empty SD object is "-"');
  assert.equal(fmt(rec({ structuredData: 'not an object' })), '<165>1 2026-12-02T10:11:12.345Z mymachine.example.com evntslog 1234 ID47 - An application event log entry');
  assert.equal(fmt({ message: 'bare' }), '<13>1 - - - - - - bare', 'a minimal object: every default');
  assert.equal(fmt({}), '<13>1 - - - - - -');
});

test('formatRfc5424: STRUCTURED-DATA in stored order; PARAM-VALUE escapes ", \\ and ]; SD-NAMEs lose =, SP, ] and "', () => {
  const sd = {
    'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
    'examplePriority@32473': { class: 'high' },
  };
  assert.equal(header(fmtOk(rec({ structuredData: sd }))).rest,
    '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] An application event log entry');
  assert.equal(header(fmtOk(rec({ structuredData: { 'x@1': { q: 'say "hi"', b: 'C:\\dir\\', r: 'a]b', all: '"\\]' } } }))).rest,
    '[x@1 q="say \\"hi\\"" b="C:\\\\dir\\\\" r="a\\]b" all="\\"\\\\\\]"] An application event log entry');
  // other characters are not escaped (PARAM-VALUE is UTF-8): `[`, `=`, SP, UTF-8, LF
  assert.equal(header(fmtOk(rec({ structuredData: { 'x@1': { v: '[a=b c] grüße 🙂\nnext' } }, message: null }))).rest,
    '[x@1 v="[a=b c\\] grüße 🙂\nnext"]');
  // SD-ID / PARAM-NAME: PRINTUSASCII except = SP ] " — dropped; empty → "_"; at most 32
  assert.equal(header(fmtOk(rec({ structuredData: { 'a b=c]d"e': { 'k=1 "x"]': 'v' }, '': { '': '' }, 'é\u0000': {} }, message: null }))).rest,
    '[abcde k1x="v"][_ _=""][_]');
  const long = 'n'.repeat(40);
  assert.equal(header(fmtOk(rec({ structuredData: { [long]: { [long]: 'v' } }, message: null }))).rest, `[${'n'.repeat(32)} ${'n'.repeat(32)}="v"]`);
  // an element without parameters, and odd shapes of a stored SD
  assert.equal(header(fmtOk(rec({ structuredData: { 'meta@1': {}, 'odd@1': null, 'num@1': { n: 5, b: true, o: null } }, message: null }))).rest,
    '[meta@1][odd@1][num@1 n="5" b="true" o="null"]');
});

test('formatRfc5424: header fields are cut to their RFC 5424 lengths (APP-NAME 48, HOSTNAME 255, PROCID 128, MSGID 32)', () => {
  const h = header(fmtOk(rec({ hostname: 'h'.repeat(300), appName: 'a'.repeat(60), procId: 'p'.repeat(200), msgId: 'm'.repeat(40) })));
  assert.equal(h.host, 'h'.repeat(255));
  assert.equal(h.app, 'a'.repeat(48));
  assert.equal(h.procId, 'p'.repeat(128));
  assert.equal(h.msgId, 'm'.repeat(32));
  assert.equal(header(fmtOk(rec(), `${'T'.repeat(48)}-tail`)).app, 'T'.repeat(48), 'a long token too');
  assert.equal(header(fmtOk(rec({ appName: 'b'.repeat(48) }))).app, 'b'.repeat(48), 'exactly 48 is kept');
});

test('formatRfc5424: non-printable and non-ASCII characters in header fields become "_"', () => {
  const h = header(fmtOk(rec({ hostname: 'my host\tname\u0000', appName: 'app\u007f\u0080é', procId: '12 34', msgId: 'ID\n47' }), null));
  assert.equal(h.host, 'my_host_name_');
  assert.equal(h.app, 'app___');
  assert.equal(h.procId, '12_34');
  assert.equal(h.msgId, 'ID_47');
  assert.equal(header(fmtOk(rec({ appName: '🙂x' }))).app, '__x', 'a surrogate pair is two UTF-16 units, two "_"');
  assert.equal(header(fmtOk(rec(), 'tok en\r\n')).app, 'tok_en__', 'the given APP-NAME too');
  assert.equal(header(fmtOk(rec({ '@timestamp': '2026-12-02 10:11:12' }))).ts, '2026-12-02_10:11:12');
  // MSG is sent as is (it is the last part of an octet-counted frame): LF, controls, UTF-8 stay
  assert.equal(header(fmtOk(rec({ message: 'line 1\nline 2\t\u0001 grüße' }))).rest, '- line 1\nline 2\t\u0001 grüße');
});

test('formatRfc5424: a CEE record (extra top-level keys) is sent as "@cee: {…}" with those keys and message', () => {
  const out = fmtOk(rec({ user: 'alice', status: 200, tags: ['a', 'b'], nested: { deep: { x: null } } }));
  const { rest } = header(out);
  assert.ok(rest.startsWith('- @cee: '), rest);
  assert.equal(rest, '- @cee: {"user":"alice","status":200,"tags":["a","b"],"nested":{"deep":{"x":null}},"message":"An application event log entry"}');
  // receiver-owned and fixed keys are not repeated in the JSON; a null message is kept as null
  const cee = JSON.parse(header(fmtOk(rec({ message: null, level: 'warn' }))).rest.slice('- @cee: '.length)) as Record<string, unknown>;
  assert.deepEqual(cee, { level: 'warn', message: null });
  // a message with LF and quotes is escaped inside the JSON: the CEE MSG is one line
  const { rest: r2 } = header(fmtOk(rec({ message: 'a\n"b"', k: 'v' })));
  assert.equal(r2, '- @cee: {"k":"v","message":"a\\n\\"b\\""}');
  // the header is the record's, as for any record
  assert.equal(header(out).app, 'evntslog');
  assert.equal(header(fmtOk(rec({ k: 1 }), 'TOK')).app, 'TOK');
});

test('formatRfc5424: a line that is not a JSON object gives null', () => {
  for (const l of ['', 'not json', '{"message":"torn', '[1,2]', '"text"', '42', 'null', 'true', '{"a":1} trailing', '\u00ff\u00fe']) {
    assert.equal(formatRfc5424(Buffer.from(l), null), null, JSON.stringify(l));
  }
  assert.equal(formatRfc5424(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), 'tok'), null, 'invalid UTF-8 before the object');
  assert.notEqual(formatRfc5424(Buffer.from('  {"message":"padded"}  '), null), null, 'JSON.parse accepts surrounding whitespace');
});

test('formatRfc5424: a CEE value nested deeper than JSON.stringify can recurse does not throw (null: the record is dead-lettered)', () => {
  const depth = 20_000;
  const deep = Buffer.from(`{"message":"m","x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
  let out: string | null = null;
  assert.doesNotThrow(() => { out = formatRfc5424(deep, null); });
  assert.ok(out === null || (out as string).startsWith('<13>1 '));
});

test('formatRfc5424: a "__proto__" CEE key is sent like any other key', () => {
  const out = formatRfc5424(Buffer.from('{"message":"m","__proto__":{"a":1}}'), null);
  assert.equal(out, '<13>1 - - - - - - @cee: {"__proto__":{"a":1},"message":"m"}');
});

// ---------------------------------------------------------------------------------------------
// properties

const PRINTUSASCII = /^[\x21-\x7e]+$/;
const FIXED = new Set<string>(RECORD_KEYS);
const MAX = { ts: 64, host: 255, app: 48, procId: 128, msgId: 32 } as const;

/**
 * Reads STRUCTURED-DATA (RFC 5424 §6.3) at the start of `s`: `-`, or SD-ELEMENTs of SD-NAMEs
 * (1–32 PRINTUSASCII but `=`, SP, `]`, `"`) and PARAM-VALUEs in which `"`, `\` and `]` only
 * appear escaped. Returns where it ends; throws when it is not well-formed. (Outside the
 * PARAM-VALUEs only PRINTUSASCII is accepted, so an LF there fails the scan.)
 */
function scanSd(s: string): number {
  if (s.startsWith('-')) return 1;
  const name = (i: number): number => {
    let j = i;
    while (j < s.length && /[\x21-\x7e]/.test(s[j]) && !'= ]"'.includes(s[j])) j++;
    if (j === i || j - i > 32) throw new Error(`bad SD-NAME at ${i}: ${JSON.stringify(s.slice(i, i + 40))}`);
    return j;
  };
  let i = 0;
  if (s[0] !== '[') throw new Error(`SD is neither "-" nor "[": ${JSON.stringify(s.slice(0, 40))}`);
  while (s[i] === '[') {
    i = name(i + 1);
    while (s[i] === ' ') {
      i = name(i + 1);
      if (s.slice(i, i + 2) !== '="') throw new Error(`no ="value" at ${i}`);
      i += 2;
      for (;;) {
        if (i >= s.length) throw new Error('unterminated PARAM-VALUE');
        const c = s[i];
        if (c === '\\') {
          if (!'"\\]'.includes(s[i + 1] ?? '')) throw new Error(`lone backslash at ${i}`);
          i += 2;
        } else if (c === ']') {
          throw new Error(`unescaped ] in PARAM-VALUE at ${i}`);
        } else if (c === '"') {
          i++;
          break;
        } else i++;
      }
    }
    if (s[i] !== ']') throw new Error(`SD-ELEMENT not closed at ${i}: ${JSON.stringify(s.slice(i, i + 20))}`);
    i++;
  }
  return i;
}

/** Checks one output against the record it came from (`parsed`, the line's JSON) and the given APP-NAME. */
function checkFormatted(out: string, parsed: Record<string, unknown>, appName: string | null): void {
  assert.ok(out.startsWith('<'), 'starts with <');
  const m = /^<(\d{1,3})>1 ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) /.exec(out);
  assert.ok(m !== null, 'PRI, VERSION and five header fields, SP-separated');
  const [, pri, ts, host, app, procId, msgId] = m;
  const fac = Number.isInteger(parsed.facility) && (parsed.facility as number) >= 0 && (parsed.facility as number) <= 23 ? parsed.facility as number : 1;
  const sev = Number.isInteger(parsed.severity) && (parsed.severity as number) >= 0 && (parsed.severity as number) <= 7 ? parsed.severity as number : 5;
  assert.equal(Number(pri), fac * 8 + sev, 'PRI');
  assert.ok(Number(pri) <= 191);
  const fieldOk = (got: string, v: unknown, max: number, what: string): void => {
    assert.match(got, PRINTUSASCII, `${what}: PRINTUSASCII only`);
    if (typeof v !== 'string' || v.length === 0) { assert.equal(got, '-', `${what}: NILVALUE`); return; }
    assert.equal(got.length, Math.min(v.length, max), `${what}: cut to ${max} characters at most`);
    for (let i = 0; i < got.length; i++) assert.ok(got[i] === v[i] || got[i] === '_', `${what}: character ${i} kept or "_"`);
    if (PRINTUSASCII.test(v) && v.length <= max) assert.equal(got, v, `${what}: a valid value is sent as is`);
  };
  fieldOk(ts, parsed['@timestamp'], MAX.ts, 'TIMESTAMP');
  fieldOk(host, parsed.hostname, MAX.host, 'HOSTNAME');
  fieldOk(app, appName ?? parsed.appName, MAX.app, 'APP-NAME');
  fieldOk(procId, parsed.procId, MAX.procId, 'PROCID');
  fieldOk(msgId, parsed.msgId, MAX.msgId, 'MSGID');
  const rest = out.slice(m[0].length);
  let sdEnd = 0;
  assert.doesNotThrow(() => { sdEnd = scanSd(rest); }, 'well-formed STRUCTURED-DATA');
  // no LF before MSG but inside a PARAM-VALUE: the header cannot have one (PRINTUSASCII), nor
  // can the SD outside its values (scanSd), and without one in the values there is none at all
  const before = m[0] + rest.slice(0, sdEnd);
  const sdValues = parsed.structuredData !== null && typeof parsed.structuredData === 'object'
    ? Object.values(parsed.structuredData).flatMap((p) => (p !== null && typeof p === 'object' ? Object.values(p as object).map(String) : []))
    : [];
  if (!sdValues.some((v) => v.includes('\n'))) assert.ok(!before.includes('\n'), 'no LF before MSG');
  if (parsed.structuredData === null || typeof parsed.structuredData !== 'object' || Object.keys(parsed.structuredData).length === 0) assert.equal(rest.slice(0, sdEnd), '-');
  const after = rest.slice(sdEnd);
  const extra = Object.keys(parsed).filter((k) => !FIXED.has(k));
  if (extra.length > 0) {
    assert.ok(after.startsWith(' @cee: '), 'a CEE record is sent as @cee:');
    const want: Record<string, unknown> = {};
    for (const k of extra) want[k] = parsed[k];
    want.message = parsed.message;
    assert.deepStrictEqual(JSON.parse(after.slice(' @cee: '.length)), JSON.parse(JSON.stringify(want)), 'the CEE JSON: extra keys and message');
  } else if (parsed.message === null || parsed.message === undefined || parsed.message === '') {
    assert.equal(after, '', 'no MSG part');
  } else {
    assert.equal(after, ` ${String(parsed.message)}`, 'MSG is the message as is');
  }
}

/** Strings of every kind: ASCII, any Unicode, lone surrogates, and the characters that matter here. */
const anyString = (maxLength = 40): fc.Arbitrary<string> => fc.oneof(
  fc.string({ maxLength }),
  fc.string({ unit: 'binary', maxLength }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength }),
  fc.string({ unit: fc.constantFrom('"', '\\', ']', '[', '=', ' ', '\n', '\r', '\t', '\u0000', '-', '@', 'a', 'é', '🙂', '\ufeff'), maxLength }),
  fc.constantFrom('', '-', '@cee: {"a":1}', '{"b":2}', 'x'.repeat(300)),
);
/** A key that is not "__proto__" (the example above covers that one). */
const keyArb = anyString(12).filter((k) => k !== '__proto__');
/** Any value of any JSON type, strings of every kind included. */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(anyString(), fc.jsonValue({ maxDepth: 3 }), fc.integer({ min: -5, max: 30 }));
const sdArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.dictionary(keyArb, fc.oneof({ weight: 4, arbitrary: fc.dictionary(keyArb, valueArb, { maxKeys: 4 }) }, { weight: 1, arbitrary: valueArb }), { maxKeys: 4 }),
  valueArb,
);
/** An object shaped like a stored record, each fixed key possibly missing or of any type, plus maybe extra (CEE) keys. */
const recordishArb: fc.Arbitrary<Record<string, unknown>> = fc.record({
  fixed: fc.record({
    '@timestamp': fc.oneof(fc.constant('2026-12-02T10:11:12.345Z'), valueArb),
    receivedAt: fc.constant('2026-12-02T10:11:12.400Z'),
    app: fc.constant('web'),
    facility: fc.oneof(fc.integer({ min: 0, max: 23 }), valueArb),
    severity: fc.oneof(fc.integer({ min: 0, max: 7 }), valueArb),
    hostname: fc.oneof(fc.constant(null), valueArb),
    appName: fc.oneof(fc.constant(null), valueArb),
    procId: fc.oneof(fc.constant(null), valueArb),
    msgId: fc.oneof(fc.constant(null), valueArb),
    structuredData: sdArb,
    message: fc.oneof(fc.constant(null), anyString(200), valueArb),
  }, { requiredKeys: [] }),
  extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(keyArb.filter((k) => !FIXED.has(k)), valueArb, { minKeys: 1, maxKeys: 4 }) }),
}).map(({ fixed, extra }) => ({ ...fixed, ...extra }));
const appNameArb = fc.option(anyString(60), { freq: 3 });

/**
 * Whether the values formatRfc5424 turns into text with String() / a template literal (the
 * message, SD PARAM-VALUEs) can be: an object with an own non-function `toString` (e.g.
 * `{"toString":0}`) cannot (TypeError). The receiver never stores such a record (its message is a
 * string or null, its SD values strings), so the properties leave those objects out.
 */
function stringable(o: Record<string, unknown>): boolean {
  const ok = (v: unknown): boolean => { try { String(v); return true; } catch { return false; } };
  const sd = o.structuredData;
  const sdValues = sd !== null && typeof sd === 'object' ? Object.values(sd).flatMap((p) => (p !== null && typeof p === 'object' ? Object.values(p as object) : [])) : [];
  return ok(o.message) && sdValues.every(ok);
}

test('fuzz formatRfc5424: any JSON object formats to a well-formed SYSLOG-MSG (never throws)', () => {
  check('syslog-format/objects', fc.property(recordishArb, appNameArb, (o, appName) => {
    const buf = line(o);
    const parsed = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    fc.pre(stringable(parsed));
    let out: string | null = null;
    assert.doesNotThrow(() => { out = formatRfc5424(buf, appName); }, `input ${show(buf)}`);
    assert.ok(out !== null, `a JSON object formats: ${show(buf)}`);
    checkFormatted(out, parsed, appName);
  }), 2);
});

test('fuzz formatRfc5424: any bytes (random, and mutated record lines): never throws; null exactly when not a JSON object', () => {
  const mutatedRecord = fc.tuple(recordishArb, mutationsArb).map(([o, muts]) => mutate(line(o), muts));
  check('syslog-format/bytes', fc.property(fc.oneof(bytesArb(300), mutatedRecord), appNameArb, (buf, appName) => {
    let out: string | null = null;
    assert.doesNotThrow(() => { out = formatRfc5424(buf, appName); }, `input ${show(buf)}`);
    let parsed: unknown;
    try { parsed = JSON.parse(buf.toString('utf8')); } catch { parsed = undefined; }
    const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
    if (isObject) fc.pre(stringable(parsed as Record<string, unknown>));
    assert.equal(out !== null, isObject, `null exactly for a non-object: ${show(buf)}`);
    if (out !== null) checkFormatted(out, parsed as Record<string, unknown>, appName);
  }), 2);
});

// ---- round trip through the receiver's parser ----------------------------------------------

const printable = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength, maxLength });
const sdNameArb = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)).filter((c) => !'=]"'.includes(c)), minLength: 1, maxLength: 32 });
/** A message the parser gives back as is: not CEE-looking (`@cee:` or `{…}`), no leading BOM. */
const plainMessageArb = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('multi\nline', ' lead', 'tail ', 'a]b"c\\d'))
  .filter((s) => !/^[ \t]*(@cee:|\{)/.test(s) && !s.startsWith('\ufeff'));
const wellFormedArb = fc.record({
  facility: fc.integer({ min: 0, max: 23 }),
  severity: fc.integer({ min: 0, max: 7 }),
  ts: fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  hostname: fc.option(printable(1, 255)),
  appName: fc.option(printable(1, 48)),
  procId: fc.option(printable(1, 128)),
  msgId: fc.option(printable(1, 32)),
  token: fc.option(printable(1, 48)),
  sd: fc.option(fc.dictionary(sdNameArb, fc.dictionary(sdNameArb, fc.string({ unit: 'binary', maxLength: 30 }), { maxKeys: 3 }), { minKeys: 1, maxKeys: 3 })),
  message: fc.option(plainMessageArb),
  extra: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !FIXED.has(k) && k !== '__proto__' && k !== 'logsene-app-token'), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 3 }), { freq: 3 }),
});

test('fuzz formatRfc5424: a well-formed record survives the receiver\'s own RFC 5424 parser', () => {
  check('syslog-format/round-trip', fc.property(wellFormedArb, (g) => {
    const o = rec({
      facility: g.facility, severity: g.severity, '@timestamp': g.ts, hostname: g.hostname, appName: g.appName,
      procId: g.procId, msgId: g.msgId, structuredData: g.sd, message: g.message, ...(g.extra ?? {}),
    });
    const out = fmtOk(o, g.token);
    const wire = Buffer.from(out, 'utf8');
    const pm = parseMessage(wire, 0, wire.length, Date.now());
    const nil = (v: string | null): string | null => (v === '-' ? null : v); // "-" is NILVALUE on the wire
    const why = `wire ${show(out)}`;
    assert.equal(pm.format, 'rfc5424', why);
    assert.deepStrictEqual(
      { facility: pm.facility, severity: pm.severity, timestampMs: pm.timestampMs, hostname: pm.hostname, appName: pm.appName, procId: pm.procId, msgId: pm.msgId },
      { facility: g.facility, severity: g.severity, timestampMs: Date.parse(g.ts), hostname: nil(g.hostname), appName: nil(g.token ?? g.appName), procId: nil(g.procId), msgId: nil(g.msgId) },
      why,
    );
    assert.deepStrictEqual(pm.structuredData?.toObject() ?? null, g.sd === null ? null : JSON.parse(JSON.stringify(g.sd)), why);
    if (g.extra !== null) {
      assert.deepStrictEqual(pm.cee, JSON.parse(JSON.stringify({ ...g.extra, message: g.message })), why);
    } else {
      assert.equal(pm.cee, null, why);
      assert.equal(pm.message, g.message === '' ? null : g.message, why);
    }
  }), 2);
});

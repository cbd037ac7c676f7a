/**
 * The web search query language (src/web/query): the parser's trees (precedence, negation,
 * phrases and escapes, fields, operators, prefixes) and its error positions; the semantics on
 * hand-written records through recordView (case folding of ASCII only, every field kind, CEE
 * paths and types, negation of absent fields); the shape and soundness of the prefilter; and
 * toByteString. The randomized checks are in test/fuzz/web-query.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, QuerySyntaxError, recordView, toByteString, type LineView } from '../../src/web/query/index.js';
import { describeQuery, parseQuery } from '../../src/web/query/parse.js';

const tree = (q: string): string => describeQuery(parseQuery(q));

/** The QuerySyntaxError `q` throws (fails when it compiles). */
function syntaxError(q: string): QuerySyntaxError {
  try {
    compileQuery(q);
  } catch (err) {
    assert.ok(err instanceof QuerySyntaxError, `${JSON.stringify(q)} threw ${String(err)}`);
    assert.equal(err.name, 'QuerySyntaxError');
    return err;
  }
  assert.fail(`${JSON.stringify(q)} compiled`);
}

/** A stored-looking record: the fixed fields (nulls by default) plus `extra`. */
function rec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': '2026-12-01T10:00:00.000Z', receivedAt: '2026-12-01T10:00:00.000Z', app: 'default', facility: 1, severity: 5,
    hostname: null, appName: null, procId: null, msgId: null, structuredData: null, message: null,
    source: { address: '10.0.0.7', port: 514, transport: 'udp' }, syslog: { format: 'rfc5424', tokenSource: 'ip' }, ...extra,
  };
}

function matches(q: string, r: Record<string, unknown> | null): boolean {
  return compileQuery(q).match(recordView(r));
}

/** Asserts which of `records` match `q` (by index). */
function assertMatches(q: string, records: Array<Record<string, unknown> | null>, want: number[]): void {
  const got = records.flatMap((r, i) => (matches(q, r) ? [i] : []));
  assert.deepEqual(got, want, `query ${JSON.stringify(q)}`);
}

// ---------------------------------------------------------------------------------------------
// parser

test('parser: AND binds tighter than OR; explicit AND; parentheses', () => {
  assert.equal(tree('a b OR c'), '(or (and "a" "b") "c")');
  assert.equal(tree('a AND b OR c'), '(or (and "a" "b") "c")');
  assert.equal(tree('a OR b c'), '(or "a" (and "b" "c"))');
  assert.equal(tree('a OR b OR c'), '(or "a" "b" "c")');
  assert.equal(tree('a (b OR c)'), '(and "a" (or "b" "c"))');
  assert.equal(tree('((a))'), '"a"');
  assert.equal(tree('(a OR b)(c)'), '(and (or "a" "b") "c")');
  assert.equal(tree('a(b)'), '(and "a" "b")');
  assert.equal(tree('  a\tb\n'), '(and "a" "b")');
});

test('parser: keywords are uppercase only', () => {
  assert.equal(tree('a or b'), '(and "a" "or" "b")');
  assert.equal(tree('a and not b'), '(and "a" "and" "not" "b")');
  assert.equal(tree('"OR" Or'), '(and "OR" "Or")');
  assert.equal(tree('ORACLE ANDROID NOTICE'), '(and "ORACLE" "ANDROID" "NOTICE")');
});

test('parser: negation with - and NOT, of terms and groups', () => {
  assert.equal(tree('-a'), '(not "a")');
  assert.equal(tree('NOT a'), '(not "a")');
  assert.equal(tree('a -b'), '(and "a" (not "b"))');
  assert.equal(tree('-(a OR b)'), '(not (or "a" "b"))');
  assert.equal(tree('NOT (a b)'), '(not (and "a" "b"))');
  assert.equal(tree('--a'), '"a"');
  assert.equal(tree('NOT -a'), '"a"');
  assert.equal(tree('-NOT -a'), '(not "a")');
  assert.equal(tree('-a OR b'), '(or (not "a") "b")');
  assert.equal(tree('-"a b"'), '(not "a b")');
  assert.equal(tree('-host:x'), '(not host="x")');
  assert.equal(tree('a-b c-'), '(and "a-b" "c-")');
  assert.equal(tree('x -5'), '(and "x" (not "5"))');
  // a long run of negations does not recurse
  assert.equal(tree('-'.repeat(4001) + 'a'), '(not "a")');
});

test('parser: phrases and their escapes', () => {
  assert.equal(tree('"a phrase"'), '"a phrase"');
  assert.equal(tree(String.raw`"say \"hi\""`), JSON.stringify('say "hi"'));
  assert.equal(tree(String.raw`"a\\b"`), JSON.stringify('a\\b'));
  assert.equal(tree(String.raw`"C:\temp\n"`), JSON.stringify('C:\\temp\\n'));
  assert.equal(tree(String.raw`"\\"`), JSON.stringify('\\'));
  assert.equal(tree('"OR" "(a)" "-x" "k:v"'), '(and "OR" "(a)" "-x" "k:v")');
  assert.equal(tree('a"b"c'), '(and "a" "b" "c")');
  assert.equal(tree('"é 🙂"'), JSON.stringify('é 🙂'));
});

test('parser: * in bare words', () => {
  assert.equal(tree('time*'), '"time"');
  assert.equal(tree('*out'), '"out"');
  assert.equal(tree('a*b'), '"a*b"');
  assert.equal(tree('*'), '*');
  assert.equal(tree('***'), '*');
  assert.equal(tree('"time*"'), '"time*"');
});

test('parser: fields, names, prefixes and URL-ish words', () => {
  assert.equal(tree('host:web-01'), 'host="web-01"');
  assert.equal(tree('host:web-*'), 'host^="web-"');
  assert.equal(tree('host:"web-*"'), 'host="web-*"');
  assert.equal(tree('host:"web 01"'), 'host="web 01"');
  assert.equal(tree('host:fe80::1'), 'host="fe80::1"');
  assert.equal(tree('host:*'), 'host^=""');
  assert.equal(tree('host:a*b'), 'host="a*b"');
  assert.equal(tree('host:**'), 'host^="*"');
  assert.equal(tree('program:nginx msgid:ID47 procid:123'), '(and appName="nginx" msgId="ID47" procId="123")');
  assert.equal(tree('sd.origin@32473.ip:10.0.0.1'), 'sd[origin@32473][ip]="10.0.0.1"');
  assert.equal(tree('sd.a.b.c:x'), 'sd[a.b][c]="x"');
  assert.equal(tree('user.name:ann'), 'cee[user.name]="ann"');
  assert.equal(tree('@timestamp:2026-12-01*'), 'cee[@timestamp]^="2026-12-01"');
  assert.equal(tree('url:http://x/y'), 'cee[url]="http://x/y"');
  assert.equal(tree('x:OR'), 'cee[x]="OR"');
  assert.equal(tree('x:""'), 'cee[x]=""');
  assert.equal(tree(String.raw`x:"a\"b"`), `cee[x]=${JSON.stringify('a"b')}`);
  // reserved names are lowercase only
  assert.equal(tree('Host:a'), 'cee[Host]="a"');
  assert.equal(tree('SEVERITY:loud'), 'cee[SEVERITY]="loud"');
  assert.equal(tree('sd:x'), 'cee[sd]="x"');
  // not a field: the name is not an identifier, or the value starts with //
  assert.equal(tree('http://x/y'), '"http://x/y"');
  assert.equal(tree('12:30:05'), '"12:30:05"');
  assert.equal(tree(':foo'), '":foo"');
  assert.equal(tree('::1'), '"::1"');
  assert.equal(tree('a=b:c'), '"a=b:c"');
  assert.equal(tree('é:x'), '"é:x"');
});

test('parser: severity and facility operators, numbers and names', () => {
  assert.equal(tree('severity:3'), 'severity=3');
  assert.equal(tree('severity:err'), 'severity=3');
  assert.equal(tree('severity:=ERROR'), 'severity=3');
  assert.equal(tree('severity:<=warning'), 'severity<=4');
  assert.equal(tree('severity:<warn'), 'severity<4');
  assert.equal(tree('severity:>info'), 'severity>6');
  assert.equal(tree('severity:>=7'), 'severity>=7');
  assert.equal(tree('severity:"<=crit"'), 'severity<=2');
  assert.equal(tree('facility:local0'), 'facility=16');
  assert.equal(tree('facility:>=16'), 'facility>=16');
  assert.equal(tree('facility:LOCAL7'), 'facility=23');
  assert.equal(tree('facility:authpriv facility:solaris-cron facility:audit'), '(and facility=10 facility=15 facility=13)');
  assert.equal(tree('facility:0 facility:23 facility:security facility:console facility:clock'), '(and facility=0 facility=23 facility=13 facility=14 facility=15)');
});

test('parser: error positions', () => {
  const cases: Array<[string, number]> = [
    ['a OR', 2], ['OR a', 0], ['a OR OR b', 5], ['(OR a)', 1], ['(a OR)', 3],
    ['a AND', 2], ['AND a', 0], ['a AND OR b', 2], ['a AND)', 2],
    ['()', 1], ['a ()', 3], ['(a', 0], ['a (b (c)', 2], ['a)', 1], [')', 0],
    ['-', 0], ['a -', 2], ['a - b', 2], ['-)', 0], ['(-)', 1], ['NOT', 0], ['a NOT', 2], ['NOT )', 0], ['-OR', 1],
    ['"abc', 0], ['a "b\\"', 2], ['host:"x', 5], ['""', 0], ['a ""', 2],
    ['host:', 5], ['a host: b', 7], ['user.name:(x)', 10],
    ['severity:bogus', 9], ['severity:<=bogus', 11], ['severity:<', 10], ['severity:8', 9], ['severity:"loud"', 10],
    ['facility:24', 9], ['facility:>=99', 11], ['facility:local8', 9], ['facility:-1', 9],
    ['sd.x:1', 0], ['a sd.x.:1', 2], ['sd..x:1', 0],
  ];
  for (const [q, pos] of cases) {
    const e = syntaxError(q);
    assert.equal(e.position, pos, `${JSON.stringify(q)}: ${e.message} at ${e.position}`);
    assert.ok(e.message.length > 0);
  }
});

test('parser: length and nesting limits', () => {
  assert.doesNotThrow(() => compileQuery('a'.repeat(4096)));
  assert.equal(syntaxError('a'.repeat(4097)).position, 4096);
  assert.equal(syntaxError(' '.repeat(5000)).position, 4096);
  const nest = (d: number): string => '('.repeat(d) + 'a' + ')'.repeat(d);
  assert.equal(tree(nest(64)), '"a"');
  assert.equal(syntaxError(nest(65)).position, 64);
  assert.equal(syntaxError('-('.repeat(65) + 'a' + ')'.repeat(65)).position, 129);
});

test('QuerySyntaxError: name, message, position', () => {
  const e = new QuerySyntaxError('bad', 3);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'QuerySyntaxError');
  assert.equal(e.message, 'bad');
  assert.equal(e.position, 3);
});

// ---------------------------------------------------------------------------------------------
// semantics

test('blank queries and * match every line', () => {
  for (const q of ['', '   ', '\t\n', '*', 'a OR *', '* *']) {
    const c = compileQuery(q);
    assert.equal(c.matchAll, true, q);
    assert.equal(c.prefilter, null, q);
    assert.equal(c.source, q);
    assert.equal(c.match(recordView(null)), true);
    assert.equal(c.match(recordView(rec())), true);
  }
  assert.equal(compileQuery('a').matchAll, false);
  assert.equal(compileQuery('-*').matchAll, false);
  assert.equal(matches('-*', rec()), false);
  assert.equal(matches('a -*', rec({ message: 'a' })), false);
  assert.equal(matches('(a -*) OR b', rec({ message: 'b' })), true);
});

test('words and phrases: a substring of message, hostname or appName', () => {
  const rs = [
    rec({ message: 'connection timeout after 30s' }),
    rec({ hostname: 'web-timeout-1' }),
    rec({ appName: 'timeoutd' }),
    rec({ msgId: 'timeout', procId: 'timeout', app: 'timeout', source: { address: 'timeout' } }),
    rec({ extra: 'timeout' }),
    null,
  ];
  assertMatches('timeout', rs, [0, 1, 2]);
  assertMatches('TimeOut', rs, [0, 1, 2]);
  assertMatches('"timeout after"', rs, [0]);
  assertMatches('"timeout  after"', rs, []);
  assertMatches('-timeout', rs, [3, 4, 5]);
  assertMatches('timeout 30s', rs, [0]);
  assertMatches('timeout -30s', rs, [1, 2]);
  assertMatches('web OR timeoutd', rs, [1, 2]);
  assertMatches('time*', rs, [0, 1, 2]);
  assertMatches('"time*"', rs, []);
});

test('case: ASCII letters fold, every other character is exact', () => {
  const rs = [
    rec({ message: 'Café ÉTÉ' }),
    rec({ message: 'straße' }),
    rec({ message: 'Kelvin \u212a' }),
    rec({ message: 'ſ long s' }),
    rec({ message: 'İstanbul' }),
  ];
  assertMatches('café', rs, [0]);
  assertMatches('CAFÉ', rs, []); // É ≠ é
  assertMatches('cafÉ', rs, []);
  assertMatches('été', rs, []);
  assertMatches('ÉtÉ', rs, [0]);
  assertMatches('STRASSE', rs, []);
  assertMatches('STRAßE', rs, [1]);
  assertMatches('kelvin', rs, [2]);
  assertMatches('"kelvin k"', rs, []); // U+212A KELVIN SIGN is not k
  assertMatches('\u212a', rs, [2]);
  assertMatches('"s long"', rs, []); // U+017F is not s
  assertMatches('istanbul', rs, []);
  assertMatches('stanbul', rs, [4]);
});

test('phrases with quotes, backslashes, controls and non-BMP characters', () => {
  const rs = [
    rec({ message: 'say "hi" to C:\\temp\\new' }),
    rec({ message: 'tab\there\nnewline 🙂' }),
    rec({ message: 'lone \ud800 surrogate' }),
  ];
  assertMatches(String.raw`"say \"hi\""`, rs, [0]);
  assertMatches(String.raw`"C:\\temp\\new"`, rs, [0]);
  assertMatches(String.raw`"C:\temp\new"`, rs, [0]); // \t, \n kept as backslash + letter
  assertMatches('"tab\there"', rs, [1]);
  assertMatches('🙂', rs, [1]);
  assertMatches('"lone \ud800"', rs, [2]);
  assertMatches('"lone \ufffd"', rs, [2]); // a lone surrogate reads as U+FFFD in byte strings
});

test('host: hostname, else source.address; equality, prefix, quoted literal', () => {
  const rs = [
    rec({ hostname: 'Web-01' }),
    rec({ hostname: 'web-01.example.com' }),
    rec({ hostname: null, source: { address: 'web-02' } }),
    rec({ hostname: 'db', source: { address: 'web-03' } }),
    rec({ hostname: 'web-*' }),
    rec({ hostname: null, source: null }),
    null,
  ];
  assertMatches('host:web-01', rs, [0]);
  assertMatches('host:WEB-01', rs, [0]);
  assertMatches('host:web-0', rs, []);
  assertMatches('host:web-*', rs, [0, 1, 2, 4]);
  assertMatches('host:"web-*"', rs, [4]);
  assertMatches('host:*', rs, [0, 1, 2, 3, 4]);
  assertMatches('host:web-03', rs, []);
  assertMatches('-host:web-*', rs, [3, 5, 6]);
  assertMatches('host:db OR host:web-02', rs, [2, 3]);
  assertMatches('web-01', rs, [0, 1]); // a bare word is a substring
});

test('program:, msgid:, procid:', () => {
  const rs = [
    rec({ appName: 'nginx', msgId: 'ID47', procId: '123' }),
    rec({ appName: 'Nginx-Worker', msgId: 'id4', procId: '1234' }),
    rec({ appName: null, msgId: null, procId: null, message: 'nginx ID47 123' }),
  ];
  assertMatches('program:nginx', rs, [0]);
  assertMatches('program:NGINX*', rs, [0, 1]);
  assertMatches('msgid:id47', rs, [0]);
  assertMatches('msgid:ID4*', rs, [0, 1]);
  assertMatches('procid:123', rs, [0]);
  assertMatches('procid:123*', rs, [0, 1]);
  assertMatches('procid:12', rs, []);
  assertMatches('-program:nginx', rs, [1, 2]);
});

test('severity: and facility: compare numbers', () => {
  const rs: Array<Record<string, unknown> | null> = [0, 3, 4, 6, 7].map((s, i) => rec({ severity: s, facility: [0, 4, 16, 23, 10][i] }));
  rs.push(rec({ severity: null, facility: 'x' }), null);
  assertMatches('severity:err', rs, [1]);
  assertMatches('severity:3', rs, [1]);
  assertMatches('severity:=3', rs, [1]);
  assertMatches('severity:<=warning', rs, [0, 1, 2]);
  assertMatches('severity:<warning', rs, [0, 1]);
  assertMatches('severity:>warning', rs, [3, 4]);
  assertMatches('severity:>=debug', rs, [4]);
  assertMatches('severity:emerg', rs, [0]);
  assertMatches('-severity:<=warning', rs, [3, 4, 5, 6]);
  assertMatches('facility:kern', rs, [0]);
  assertMatches('facility:auth', rs, [1]);
  assertMatches('facility:>=local0', rs, [2, 3]);
  assertMatches('facility:local7', rs, [3]);
  assertMatches('facility:<16', rs, [0, 1, 4]);
  assertMatches('facility:authpriv', rs, [4]);
  assertMatches('severity:<=warning facility:>=local0', rs, [2]);
});

test('sd.<id>.<param>: structuredData[id][param]', () => {
  const rs = [
    rec({ structuredData: { 'origin@32473': { ip: '10.0.0.1', software: 'rsyslogd' }, 'a.b': { c: 'x' } } }),
    rec({ structuredData: { 'origin@32473': { ip: '10.0.0.2' } } }),
    rec({ structuredData: { origin: { ip: '10.0.0.1' } } }),
    rec({ structuredData: { 'origin@32473': { ip: 5 } } }),
    rec({ structuredData: null, message: '10.0.0.1' }),
    rec({ structuredData: { 'origin@32473': null } }),
  ];
  assertMatches('sd.origin@32473.ip:10.0.0.1', rs, [0]);
  assertMatches('sd.origin@32473.ip:10.0.0.*', rs, [0, 1]);
  assertMatches('sd.origin.ip:10.0.0.1', rs, [2]);
  assertMatches('sd.origin@32473.software:RSYSLOGD', rs, [0]);
  assertMatches('sd.a.b.c:x', rs, [0]);
  assertMatches('sd.origin@32473.ip:5', rs, []); // SD values are strings
  assertMatches('-sd.origin@32473.ip:*', rs, [2, 3, 4, 5]);
  assertMatches('sd.constructor.name:Object', [rec({ structuredData: {} })], []);
});

test('CEE keys: paths, types, own properties only', () => {
  const rs = [
    rec({ user: { name: 'Ann', id: 7 }, count: 42, ok: true, ratio: 0.5, tags: ['a'], nothing: null }),
    rec({ user: { name: 'annabel' }, count: '42', ok: 'TRUE' }),
    rec({ 'user.name': 'ann', count: 420 }),
    rec({ user: 'ann', count: { n: 42 } }),
    rec({ User: { name: 'ann' } }),
  ];
  assertMatches('user.name:ann', rs, [0, 2]);
  assertMatches('user.name:ann*', rs, [0, 1, 2]);
  assertMatches('user.id:7', rs, [0]);
  assertMatches('user:ann', rs, [3]);
  assertMatches('User.name:ann', rs, [4]);
  assertMatches('count:42', rs, [0, 1]);
  assertMatches('count:42*', rs, [0, 1, 2]);
  assertMatches('ok:true', rs, [0, 1]);
  assertMatches('ok:"TRUE"', rs, [0, 1]);
  assertMatches('ratio:0.5', rs, [0]);
  assertMatches('tags:a', rs, []); // arrays never match
  assertMatches('tags:*', rs, []);
  assertMatches('tags.0:a', rs, [0]); // but a path may go through one
  assertMatches('nothing:null', rs, []);
  assertMatches('nothing:*', rs, []);
  assertMatches('count:*', rs, [0, 1, 2]);
  assertMatches('-count:*', rs, [3, 4]);
  assertMatches('constructor:*', rs, []);
  assertMatches('toString:*', rs, []);
  assertMatches('user.constructor:*', rs, []);
  assertMatches('__proto__:*', [JSON.parse('{"__proto__":"x"}') as Record<string, unknown>], [0]);
  // fixed record fields by their own names
  assertMatches('app:default', rs, [0, 1, 2, 3, 4]);
  assertMatches('source.address:10.0.0.7', rs, [0, 1, 2, 3, 4]);
  assertMatches('source.port:514', rs, [0, 1, 2, 3, 4]);
  assertMatches('syslog.format:RFC5424', rs, [0, 1, 2, 3, 4]);
  assertMatches('@timestamp:2026-12-01T*', rs, [0, 1, 2, 3, 4]);
  assertMatches('message:"exact text"', [rec({ message: 'exact text' }), rec({ message: 'exact text!' })], [0]);
  assertMatches('hostname:h', [rec({ hostname: 'H' }), rec({ hostname: null, source: { address: 'h' } })], [0]);
  assertMatches('x:1', [null], []);
  assertMatches('-x:1', [null], [0]);
});

test('boolean structure on records', () => {
  const rs = [
    rec({ message: 'a b' }),
    rec({ message: 'a' }),
    rec({ message: 'b c' }),
    rec({ message: 'c' }),
    rec({ message: 'd' }),
  ];
  assertMatches('a b OR c', rs, [0, 2, 3]);
  assertMatches('a (b OR c)', rs, [0]);
  assertMatches('a -(b OR c)', rs, [1]);
  assertMatches('NOT (a OR b OR c)', rs, [4]);
  assertMatches('(a OR c) -b', rs, [1, 3]);
  assertMatches('a AND NOT b', rs, [1]);
  assertMatches('a OR b OR c OR d', rs, [0, 1, 2, 3, 4]);
  assertMatches('a b c', rs, []);
});

test('match reads the view only through its methods and never throws on odd views', () => {
  const odd: LineView = {
    str: () => null, host: () => null, severity: () => NaN, facility: () => -1,
    record: () => ({ structuredData: [1], user: 'x', count: NaN }),
  };
  for (const q of ['a', 'host:x', 'severity:<3', 'facility:>=0', 'sd.a.b:c', 'user.name:x', 'count:NaN', 'count:*', '-a']) {
    assert.equal(typeof compileQuery(q).match(odd), 'boolean', q);
  }
  assert.equal(compileQuery('count:*').match(odd), false);
});

// ---------------------------------------------------------------------------------------------
// prefilter

/** The prefilter's alternatives, back as literal text (from `[Aa]` and `\xHH`). */
function alternatives(q: string): string[] | null {
  const p = compileQuery(q).prefilter;
  if (p === null) return null;
  assert.equal(p.flags, 'g', q);
  return p.source.split('|').map((alt) => alt.replace(/\[([A-Z])[a-z]\]/g, '$1').replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
}

test('prefilter: required literals of AND, OR, NOT and fields', () => {
  assert.deepEqual(alternatives('timeout'), ['TIMEOUT']);
  assert.deepEqual(alternatives('"a phrase"'), ['A PHRASE']);
  assert.deepEqual(alternatives('ab abcd abc'), ['ABCD']); // the longest child of an AND
  assert.deepEqual(alternatives('ab OR cd'), ['AB', 'CD']);
  assert.deepEqual(alternatives('ab OR abc OR AB'), ['AB']); // abc and the 2nd AB are implied by ab
  assert.deepEqual(alternatives('(ab OR cd) efg'), ['EFG']);
  assert.deepEqual(alternatives('(abc OR def) gh'), ['ABC', 'DEF']);
  assert.deepEqual(alternatives('x -yyyyy'), ['X']);
  assert.deepEqual(alternatives('host:web-* program:nginx'), ['NGINX']);
  assert.deepEqual(alternatives('host:web-01'), ['WEB-01']);
  assert.deepEqual(alternatives('msgid:ID47 OR procid:123'), ['ID47', '123']);
  assert.deepEqual(alternatives('sd.origin.ip:10.0.0.*'), ['10.0.0.']);
  assert.deepEqual(alternatives('user.name:ann'), ['ANN']);
  assert.deepEqual(alternatives('count:42 severity:3'), ['42']);
  assert.deepEqual(alternatives('é'), ['\xc3\xa9']);
  assert.deepEqual(alternatives('--abc'), ['ABC']);
  for (const q of ['-a', 'NOT a', 'a OR -b', 'severity:3', 'facility:local0', 'host:*', 'x:""', 'a OR severity:3',
    String.raw`"a\"b"`, String.raw`"a\\b"`, '"tab\there"', '\ufffd', '"\ud800"', 'a\\b', '-(a b)', '*']) {
    assert.equal(compileQuery(q).prefilter, null, q);
  }
  // but an AND child without a literal does not hide another's
  assert.deepEqual(alternatives(String.raw`"a\"b" cd`), ['CD']);
  // at most 16 alternatives
  const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}x`).join(' OR ');
  assert.equal(alternatives(words(16))?.length, 16);
  assert.equal(compileQuery(words(17)).prefilter, null);
  assert.deepEqual(alternatives(`(${words(17)}) zz`), ['ZZ']);
});

test('prefilter: case-folds ASCII only, escapes metacharacters, no i flag', () => {
  const q = compileQuery('"a.b*c+[x]|^$"').prefilter!;
  assert.equal(q.flags, 'g');
  const hit = (re: RegExp, s: string): boolean => {
    re.lastIndex = 0;
    return re.test(s);
  };
  assert.ok(hit(q, 'xx A.B*C+[X]|^$ yy'));
  assert.ok(!hit(q, 'aXb*c+[x]|^$'));
  const e = compileQuery('café').prefilter!;
  assert.ok(hit(e, toByteString('{"message":"CAFé"}')));
  assert.ok(!hit(e, toByteString('{"message":"CAFÉ"}')));
  const k = compileQuery('k').prefilter!;
  assert.ok(!hit(k, toByteString('\u212a')));
  assert.ok(hit(k, 'K'));
});

test('prefilter: every record a query matches contains it (hand-picked cases)', () => {
  const rs = [
    rec({ message: 'Connection TIMEOUT', hostname: 'Web-01', appName: 'nginx', msgId: 'ID47', procId: '123' }),
    rec({ hostname: null, source: { address: 'web-02', port: 1, transport: 'tcp' }, structuredData: { 'origin@1': { ip: '10.0.0.1' } } }),
    rec({ message: 'café ☕ 🙂', user: { name: 'Ann' }, count: 42, ok: false }),
    rec({ message: 'tab\tand "quotes" and \\ and \ud800' }),
  ];
  const qs = ['timeout', 'connection timeout', 'host:web-*', 'host:web-02', 'sd.origin@1.ip:10.0.0.1', 'user.name:ann', 'count:42', 'count:4*',
    'ok:false', 'café', '☕ OR nope', '🙂', 'program:NGINX msgid:id47', 'procid:123 OR x', '"and \\"quotes\\""', 'tab', '"and \\\\ and"'];
  for (const q of qs) {
    const c = compileQuery(q);
    let hits = 0;
    for (const r of rs) {
      if (!c.match(recordView(r))) continue;
      hits++;
      if (c.prefilter === null) continue;
      c.prefilter.lastIndex = 0;
      assert.ok(c.prefilter.test(toByteString(JSON.stringify(r))), `${q} on ${JSON.stringify(r)}`);
    }
    assert.ok(hits > 0, `${q} matches something`);
  }
});

// ---------------------------------------------------------------------------------------------
// byte strings and the reference view

test('toByteString: UTF-8 bytes, one char per byte; lone surrogates as U+FFFD', () => {
  assert.equal(toByteString('abc'), 'abc');
  assert.equal(toByteString(''), '');
  assert.equal(toByteString('é'), '\xc3\xa9');
  assert.equal(toByteString('🙂'), '\xf0\x9f\x99\x82');
  assert.equal(toByteString('a\ud800b'), 'a\xef\xbf\xbdb');
  assert.equal(toByteString('\u0000\u007f\u0080'), '\u0000\u007f\xc2\x80');
  const s = 'x é 日本 🙂 \udc00';
  assert.equal(toByteString(s), Buffer.from(s, 'utf8').toString('latin1'));
});

test('recordView: byte strings of the fixed fields, host fallback, numbers, null record', () => {
  const v = recordView(rec({ message: 'é', hostname: null, appName: 5, procId: 'p', msgId: 'm', severity: 3, facility: '4' }));
  assert.equal(v.str('message'), '\xc3\xa9');
  assert.equal(v.str('hostname'), null);
  assert.equal(v.str('appName'), null);
  assert.equal(v.str('procId'), 'p');
  assert.equal(v.str('msgId'), 'm');
  assert.equal(v.host(), '10.0.0.7');
  assert.equal(v.severity(), 3);
  assert.equal(v.facility(), null);
  assert.equal(recordView(rec({ hostname: 'h' })).host(), 'h');
  const n = recordView(null);
  assert.equal(n.str('message'), null);
  assert.equal(n.host(), null);
  assert.equal(n.severity(), null);
  assert.equal(n.facility(), null);
  assert.equal(n.record(), null);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appForToken, findInlineToken, isWhitespace, removeToken, scrubTokens } from '../../src/auth/token.js';
import { SourceAllowlist } from '../../src/auth/ip-allowlist.js';

const T1 = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const T2 = 'c0ffee00-1111-4222-8333-444455556666';
const UNKNOWN = '9a9a9a9a-1111-4222-8333-444455556666';
const tokens = new Map([[T1, 'billing'], [T2, 'web']]);

test('appForToken: known tokens in any case, nothing else', () => {
  assert.equal(appForToken(tokens, T1), 'billing');
  assert.equal(appForToken(tokens, T1.toUpperCase()), 'billing');
  assert.equal(appForToken(tokens, UNKNOWN), null);
  assert.equal(appForToken(tokens, null), null);
  assert.equal(appForToken(tokens, 'billing'), null);
});

test('isWhitespace: Unicode White_Space, not U+FEFF, U+200B or controls', () => {
  const ws = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, ...Array.from({ length: 11 }, (_, i) => 0x2000 + i), 0x2028, 0x2029, 0x202f, 0x205f, 0x3000];
  for (let c = 0; c < 0x10000; c++) assert.equal(isWhitespace(c), ws.includes(c), `U+${c.toString(16)}`);
  // the same set as the regex \s, which lacks U+0085 (NEL) and has U+FEFF
  for (let c = 0; c < 0x10000; c++) if (c !== 0xfeff && c !== 0x85 && (c < 0xd800 || c > 0xdfff)) assert.equal(isWhitespace(c), /\s/.test(String.fromCharCode(c)), `U+${c.toString(16)}`);
});

test('inline tokens: first known token delimited by any whitespace or the ends, removed with one adjacent ASCII space', () => {
  const cases: Array<[string, string | null, string | null]> = [
    [`${T1} My first log entry`, 'billing', 'My first log entry'],
    [`My second ${T1} log entry with token inside`, 'billing', 'My second log entry with token inside'],
    [`ends with ${T1}`, 'billing', 'ends with'],
    [T1, 'billing', null],
    [`${UNKNOWN} then ${T2} x`, 'web', `${UNKNOWN} then x`],
    [`glued${T1} no`, null, null],
    [`${T1}glued no`, null, null],
    [`tab\t${T2}\tx`, 'web', 'tab\t\tx'],
    [`nbsp\u00a0${T1}\u00a0x`, 'billing', 'nbsp\u00a0\u00a0x'],
    [`ideographic\u3000${T1} x`, 'billing', 'ideographic\u3000x'],
    [`em\u2003${T1}`, 'billing', 'em\u2003'],
    [`${T1}\u2028next`, 'billing', '\u2028next'],
    [`crlf\r\n${T1}\r\n`, 'billing', 'crlf\r\n\r\n'],
    [`bom\ufeff${T1} x`, null, null],
    [`zwsp\u200b${T1} x`, null, null],
    [`two  ${T1}  spaces`, 'billing', 'two   spaces'],
    ['no token here - at all - really', null, null],
  ];
  for (const [msg, app, rest] of cases) {
    const hit = findInlineToken(tokens, msg);
    assert.equal(hit?.app ?? null, app, msg);
    if (hit) assert.equal(removeToken(msg, hit.start, hit.end), rest, msg);
  }
});

test('source allowlist: IPv4, IPv6 and IPv4-mapped addresses', () => {
  const al = new SourceAllowlist([
    { name: 'v4', allowedSources: ['203.0.113.0/24', '198.51.100.7'] },
    { name: 'v6', allowedSources: ['2001:db8::/32'] },
    { name: 'none', allowedSources: [] },
  ]);
  assert.equal(al.lookup('203.0.113.77'), 'v4');
  assert.equal(al.lookup('203.0.113.77'), 'v4'); // cached
  assert.equal(al.lookup('198.51.100.7'), 'v4');
  assert.equal(al.lookup('198.51.100.8'), null);
  assert.equal(al.lookup('::ffff:203.0.113.1'), 'v4');
  assert.equal(al.lookup('2001:db8:1::5'), 'v6');
  assert.equal(al.lookup('2001:db9::5'), null);
  assert.equal(new SourceAllowlist([]).lookup('127.0.0.1'), null);
});

test('scrubTokens removes every known token of any app, in any case, even inside a word, and counts them', () => {
  const n = { n: 0 };
  assert.equal(scrubTokens(`a ${T1} b ${T1.toUpperCase()} c ${T2}`, tokens, n), 'a b c');
  assert.equal(n.n, 3);
  assert.equal(scrubTokens(`${T1}`, tokens, n), null);
  assert.equal(scrubTokens('no token', tokens, n), 'no token');
  assert.equal(scrubTokens(`glued${T1}glued`, tokens, n), 'gluedglued');
  assert.equal(scrubTokens(`keep ${UNKNOWN} as is`, tokens, n), `keep ${UNKNOWN} as is`);
  assert.equal(n.n, 5);
  // a removal that joins two halves into a token removes that one too
  const nested = T1.slice(0, 20) + T2 + T1.slice(20);
  assert.equal(scrubTokens(`x ${nested} y`, tokens, n), 'x y');
  assert.equal(n.n, 7);
  assert.equal(scrubTokens(`token=${T2};`, tokens, n), 'token=;');
});

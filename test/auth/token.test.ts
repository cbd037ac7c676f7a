import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appForToken, findInlineToken, removeToken, scrubToken } from '../../src/auth/token.js';
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

test('inline tokens: first known token word, removed with one adjacent space (Logentries)', () => {
  const cases: Array<[string, string | null, string | null]> = [
    [`${T1} My first log entry`, 'billing', 'My first log entry'],
    [`My second ${T1} log entry with token inside`, 'billing', 'My second log entry with token inside'],
    [`ends with ${T1}`, 'billing', 'ends with'],
    [T1, 'billing', null],
    [`${UNKNOWN} then ${T2} x`, 'web', `${UNKNOWN} then x`],
    [`glued${T1} no`, null, null],
    [`${T1}glued no`, null, null],
    [`tab\t${T2}\tx`, 'web', 'tab\tx'],
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

test('scrubToken removes every further copy of the token, in either case', () => {
  assert.equal(scrubToken(`a ${T1} b ${T1.toUpperCase()} c`, T1.toUpperCase()), 'a b c');
  assert.equal(scrubToken(`${T1}`, T1), null);
  assert.equal(scrubToken('no token', T1), 'no token');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePri, priLength, priValue } from '../../src/parse/pri.js';

function pri(s: string): [number, number] | null {
  const b = Buffer.from(s, 'latin1');
  const r = parsePri(b, 0, b.length);
  return r < 0 ? null : [priValue(r), priLength(r)];
}

test('valid PRI values and lengths (RFC 5424 §6.2.1)', () => {
  assert.deepEqual(pri('<0>x'), [0, 3]);
  assert.deepEqual(pri('<13>'), [13, 4]);
  assert.deepEqual(pri('<191>1 '), [191, 5]);
  assert.deepEqual(pri('<7>'), [7, 3]);
});

test('invalid PRI: leading zeros, > 191, too many digits, not closed, not digits', () => {
  for (const s of ['<01>', '<00>', '<013>', '<192>', '<999>', '<1000>', '<13', '<>', '<a>', '13>', '', '<', '< 1>', '<-1>']) {
    assert.equal(pri(s), null, s);
  }
});

test('respects start/end bounds', () => {
  const b = Buffer.from('xx<34>yy');
  const r = parsePri(b, 2, 6);
  assert.equal(priValue(r), 34);
  assert.equal(priLength(r), 4);
  assert.equal(parsePri(b, 2, 5), -1); // '>' outside the range
});

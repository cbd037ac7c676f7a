/** FieldText: the last header string is reused only for the very same bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldText } from '../../src/parse/field-text.js';

test('FieldText: same bytes → the same text; other bytes, lengths, positions → their own', () => {
  const f = new FieldText(true);
  const buf = Buffer.from('web-01 web-02 web-01 wéb-1 web-0 ' + 'h'.repeat(100) + ' ' + 'h'.repeat(99) + 'i');
  const words: Array<[number, number]> = [];
  for (let a = 0, i = 0; i <= buf.length; i++) if (i === buf.length || buf[i] === 0x20) { words.push([a, i]); a = i + 1; }
  const seen = words.map(([a, b]) => f.of(buf, a, b));
  assert.deepEqual(seen, ['web-01', 'web-02', 'web-01', 'wéb-1', 'web-0', 'h'.repeat(100), 'h'.repeat(99) + 'i']);
  assert.equal(f.of(buf, 0, 6), 'web-01');
  assert.equal(f.of(buf, 0, 6), 'web-01', 'repeated');
  assert.equal(f.of(Buffer.from('web-07'), 0, 6), 'web-07', 'same length, other bytes');
  const latin1 = new FieldText(false);
  assert.equal(latin1.of(Buffer.from([0x68, 0xe9]), 0, 2), 'hé');
});

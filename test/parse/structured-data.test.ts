import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSdScan, scanStructuredData } from '../../src/parse/structured-data.js';
import { structuredDataObject } from '../../src/record-sd.js';

/** Checks the grammar (scan) and gives the object form of what was checked (record-sd.ts). */
function sd(s: string): { sd: unknown; end: number } | null {
  const b = Buffer.from(s, 'utf8');
  const out = createSdScan();
  return scanStructuredData(b, 0, b.length, out) ? { sd: structuredDataObject(b, 0, out.end), end: out.end } : null;
}

test('elements, params, empty elements, end offset (RFC 5424 §6.3)', () => {
  const text = '[exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] msg';
  assert.deepEqual(sd(text), {
    sd: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application' }, 'examplePriority@32473': { class: 'high' } },
    end: text.indexOf(' msg'),
  });
  assert.deepEqual(sd('[empty]')?.sd, { empty: {} });
  assert.deepEqual(sd('[id pk=""]')?.sd, { id: { pk: '' } });
  assert.deepEqual(sd('[meta gr="κόσμε" es="ñ"]')?.sd, { meta: { gr: 'κόσμε', es: 'ñ' } });
});

test('escapes: \\" \\\\ \\] unescaped, other backslashes kept (§6.3.3)', () => {
  assert.deepEqual(sd('[m a="\\"" b="\\\\" c="\\]" d="x\\ny" e="\\\\\\]\\""]')?.sd, { m: { a: '"', b: '\\', c: ']', d: 'x\\ny', e: '\\]"' } });
  assert.deepEqual(sd('[m a="end\\\\"]')?.sd, { m: { a: 'end\\' } });
});

test('duplicates: first SD-ID and first PARAM-NAME win', () => {
  assert.deepEqual(sd('[a x="1" x="2"][b y="1"][a x="3" z="4"]')?.sd, { a: { x: '1' }, b: { y: '1' } });
});

test('syntax errors are rejected', () => {
  for (const s of [
    '[]', '[ x="1"]', '[a x="1"', '[a x=1]', '[a x= "1"]', '[a x="1"x="2"]', '[a x="unterminated]', '[a x="un]escaped"]',
    '[a=b]', 'x', '', '[a x]', '[a x=]', `[${'a'.repeat(33)}]`, `[a ${'p'.repeat(33)}="v"]`, '[a\u00e9 x="1"]',
  ]) assert.equal(sd(s), null, s);
  assert.deepEqual(sd(`[${'a'.repeat(32)}]`)?.sd, { ['a'.repeat(32)]: {} });
});

test('__proto__ as SD-ID or PARAM-NAME is an own property and never a prototype', () => {
  const r = sd('[__proto__ polluted="yes"][x __proto__="v"]');
  assert.ok(r);
  const o = r.sd as Record<string, Record<string, string>>;
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.ok(Object.prototype.hasOwnProperty.call(o, '__proto__'));
  assert.deepEqual(Object.getOwnPropertyDescriptor(o, '__proto__')?.value, { polluted: 'yes' });
  assert.equal(Object.getPrototypeOf(o.x), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(o.x, '__proto__')?.value, 'v');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

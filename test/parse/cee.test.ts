import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from './helpers.js';

test('@cee: cookie with optional spaces; message keeps the raw MSG text', () => {
  const pm = parse('my-host my-process:@cee: {"logsene-app-token": "T", "message": "hello world!"}');
  assert.equal(pm.hostname, 'my-host');
  assert.equal(pm.appName, 'my-process');
  assert.deepEqual(pm.cee, { 'logsene-app-token': 'T', message: 'hello world!' });
  assert.equal(pm.ceeInvalid, false);
  assert.equal(pm.message, '@cee: {"logsene-app-token": "T", "message": "hello world!"}');
  assert.deepEqual(parse('<13>1 - - - - - -   @cee:{"a":1}  ').cee, { a: 1 });
  assert.deepEqual(parse('<13>1 - - - - - - \uFEFF@cee: {"a":1}').cee, { a: 1 });
});

test('@cee: with anything but one JSON object is ceeInvalid, text kept', () => {
  for (const payload of ['@cee:', '@cee: ', '@cee: [1,2]', '@cee: null', '@cee: "s"', '@cee: 12', '@cee: {"a":1', '@cee: {"a":1} {"b":2}', '@cee: {\'a\':1}']) {
    const pm = parse(`<13>Jan  1 00:00:00 h app: ${payload}`);
    assert.equal(pm.ceeInvalid, true, payload);
    assert.equal(pm.cee, null, payload);
    assert.equal(pm.message, payload, payload);
  }
});

test('bare JSON MSG (Sematext syslog-ng template), with a BOM, and in a raw line', () => {
  assert.deepEqual(parse('<13>Jan  1 00:00:00 h app: {"a":{"b":[1,null]}}').cee, { a: { b: [1, null] } });
  assert.deepEqual(parse('<13>1 - - - - - - \uFEFF {"a":1} ').cee, { a: 1 });
  const raw = parse('{"message":"x"}');
  assert.equal(raw.format, 'raw');
  assert.deepEqual(raw.cee, { message: 'x' });
  const bad = parse('<13>Jan  1 00:00:00 h app: {not json}');
  assert.equal(bad.ceeInvalid, true);
  assert.equal(bad.message, '{not json}');
  // not JSON-shaped: untouched
  for (const m of ['{"a":1} trailing', 'plain text', '[1,2]', 'x {"a":1}']) {
    const pm = parse(`<13>Jan  1 00:00:00 h app: ${m}`);
    assert.equal(pm.cee, null, m);
    assert.equal(pm.ceeInvalid, false, m);
  }
});

test('"__proto__" in CEE JSON is an own property and does not change any prototype', () => {
  const pm = parse('<13>Jan  1 00:00:00 h app: @cee: {"__proto__": {"polluted": true}, "a": {"__proto__": {"x": 1}}}');
  const cee = pm.cee as Record<string, unknown>;
  assert.ok(cee);
  assert.equal(Object.getPrototypeOf(cee), Object.prototype);
  assert.ok(Object.prototype.hasOwnProperty.call(cee, '__proto__'));
  assert.deepEqual(Object.getOwnPropertyDescriptor(cee, '__proto__')?.value, { polluted: true });
  assert.equal((cee as { polluted?: unknown }).polluted, undefined);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  const a = cee.a as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(a), Object.prototype);
  assert.equal((a as { x?: unknown }).x, undefined);
  // same for the bare-JSON form
  const bare = parse('{"__proto__": {"polluted": true}}').cee as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(bare), Object.prototype);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined);
});

test('deeply nested JSON does not throw (fast-json-parse catches RangeError)', () => {
  const deep = '@cee: ' + '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000);
  const pm = parse(`<13>1 - - - - - - ${deep}`);
  assert.equal(pm.format, 'rfc5424');
  assert.equal(typeof pm.ceeInvalid, 'boolean');
});

/**
 * Fuzz of what the outputs read from outside: an Elasticsearch bulk answer (any body, any JSON
 * shape), a `Retry-After` header, and their own state files after arbitrary damage. None may
 * throw; each must give an answer the runner can act on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bulkItemResults } from '../../src/outputs/elasticsearch.js';
import { parseRetryAfter } from '../../src/outputs/backoff.js';
import { readCursorLog } from '../../src/outputs/state.js';
import { ItemStatus } from '../../src/outputs/types.js';
import { tmpDir } from '../helpers/tmp.js';
import { check, checkAsync } from './common.js';

const STATUSES = new Set<number>(Object.values(ItemStatus));

/** A bulk answer for n items with arbitrary statuses and errors, or any JSON at all. */
const answerArb = fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.oneof(
  fc.record({
    errors: fc.oneof(fc.boolean(), fc.anything()),
    items: fc.array(fc.oneof(
      fc.record({ create: fc.record({ status: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.anything()), error: fc.anything() }, { requiredKeys: [] }) }),
      fc.anything(),
    ), { minLength: n, maxLength: n }),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.json(),
  fc.string(),
)));

test('fuzz: bulkItemResults never throws and answers one known status per record', () => {
  check('bulk answer', fc.property(answerArb, ([n, body]) => {
    const r = bulkItemResults(n, { status: 200, body, retryAfterMs: null });
    assert.equal(r.status.length, n);
    assert.equal(r.detail.length, n);
    for (let i = 0; i < n; i++) {
      assert.ok(STATUSES.has(r.status[i]));
      assert.equal(r.status[i] === ItemStatus.Rejected, r.detail[i] !== null, 'a rejected record says why');
    }
  }));
});

test('bulkItemResults: 201 and 409 deliver, 429/503 retry, 400 rejects, a short or non-bulk answer retries all', () => {
  const body = JSON.stringify({ errors: true, items: [201, 409, 429, 503, 400, 404].map((status) => ({ create: { status, ...(status >= 400 ? { error: { type: `t${status}` } } : {}) } })) });
  const r = bulkItemResults(6, { status: 200, body, retryAfterMs: null });
  assert.deepEqual([...r.status], [0, 0, 1, 1, 2, 2]);
  assert.match(r.detail[4] ?? '', /item status 400: \{"type":"t400"\}/);
  assert.deepEqual([...bulkItemResults(7, { status: 200, body, retryAfterMs: null }).status], [1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...bulkItemResults(2, { status: 200, body: '<html>proxy</html>', retryAfterMs: null }).status], [1, 1]);
  const deep = `{"errors":true,"items":[{"create":{"status":400,"error":${'['.repeat(20000)}${']'.repeat(20000)}}}]}`;
  assert.doesNotThrow(() => bulkItemResults(1, { status: 200, body: deep, retryAfterMs: null }));
});

test('fuzz: parseRetryAfter never throws; gives null or a delay ≥ 0', () => {
  check('retry-after', fc.property(fc.oneof(fc.string(), fc.nat().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), (v) => {
    const ms = parseRetryAfter(v, 1_800_000_000_000);
    assert.ok(ms === null || (Number.isFinite(ms) && ms >= 0), String(ms));
  }));
  assert.equal(parseRetryAfter('7'), 7000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
  assert.equal(parseRetryAfter(undefined), null);
});

test('fuzz: a damaged cursor log reads as the state of its last good line, never throws', async () => {
  const tmp = tmpDir('srx-fuzz-cursor-');
  const good = `${JSON.stringify({ file: 'web/2026-12-01', offset: 10, dl: 0, totals: { shipped: 1, retried: 0, deadLettered: 0, lost: 0 } })}\n`;
  try {
    await checkAsync('cursor log', fc.asyncProperty(fc.string(), async (tail) => {
      const path = join(tmp.path, 'cursor.log');
      writeFileSync(path, good + tail);
      const s = await readCursorLog(path);
      assert.ok(s.validBytes >= Buffer.byteLength(good) && s.validBytes <= Buffer.byteLength(good + tail));
      assert.ok(s.files.size <= 1 + tail.length);
      for (const v of s.files.values()) assert.equal(typeof v, 'number');
    }), 0.25);
  } finally {
    tmp.cleanup();
  }
});

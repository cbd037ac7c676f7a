/**
 * Per-app quotas with an injected clock (`take(app, bytes, nowMs)`): token bucket refill and
 * burst, retryAtMs, the daily volume cap per UTC day, reconfiguration keeping counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AppConfig } from '../../src/config/schema.js';
import { QuotaResult, Quotas } from '../../src/pipeline/quota.js';

const { Ok, RateLimited, OverDailyVolume } = QuotaResult;
/** Noon UTC of some day; the clock the tests inject. */
const T0 = Date.UTC(2026, 10, 21, 12);
const DAY_MS = 86_400_000;
const DAY0 = Math.floor(T0 / DAY_MS) * DAY_MS;

function app(name: string, q: { rate?: number; burst?: number; perDay?: number } = {}): AppConfig {
  return {
    name,
    token: null,
    allowedSources: ['10.0.0.1'],
    certFingerprints: [],
    readKeys: [],
    certSubjects: [],
    maxEventsPerSecond: q.rate ?? null,
    burstEvents: q.burst ?? null,
    maxBytesPerDay: q.perDay ?? null,
  };
}

/** `n` takes of one event each at `at`; their results. */
const takes = (qs: Quotas, name: string, n: number, at: number, bytes = 1): QuotaResult[] => Array.from({ length: n }, () => qs.take(name, bytes, at));
const count = (rs: QuotaResult[], r: QuotaResult): number => rs.filter((x) => x === r).length;

test('token bucket: burst at once, then refill at the rate, never above the burst', () => {
  const qs = new Quotas([app('a', { rate: 10, burst: 5 })]);
  assert.deepEqual(takes(qs, 'a', 6, T0), [Ok, Ok, Ok, Ok, Ok, RateLimited], 'a full bucket holds the burst');
  assert.equal(qs.take('a', 1, T0 + 99), RateLimited, '0.99 tokens is not enough');
  assert.equal(qs.take('a', 1, T0 + 100), Ok, 'one token per 100 ms at 10/s');
  assert.equal(qs.take('a', 1, T0 + 100), RateLimited);
  // a long idle period refills to the burst, not beyond
  assert.equal(count(takes(qs, 'a', 20, T0 + 60_000), Ok), 5);
  // fractional refill adds up: 5 × 20 ms = one token
  const r: QuotaResult[] = [];
  for (let k = 1; k <= 5; k++) r.push(qs.take('a', 1, T0 + 60_000 + 20 * k));
  assert.deepEqual(r, [RateLimited, RateLimited, RateLimited, RateLimited, Ok]);
});

test('burstEvents defaults to maxEventsPerSecond; apps without quotas and unknown apps are never limited', () => {
  const qs = new Quotas([app('a', { rate: 3 }), app('free'), app('cap', { perDay: 1000 })]);
  assert.deepEqual(takes(qs, 'a', 4, T0), [Ok, Ok, Ok, RateLimited]);
  assert.equal(count(takes(qs, 'free', 10_000, T0), Ok), 10_000);
  assert.equal(count(takes(qs, 'nobody', 10_000, T0), Ok), 10_000);
  assert.equal(count(takes(qs, 'cap', 1000, T0), Ok), 1000, 'a daily cap alone does not rate-limit');
});

test('retryAtMs: when the next token arrives; a take then succeeds', () => {
  const qs = new Quotas([app('a', { rate: 10, burst: 1 })]);
  assert.equal(qs.take('a', 1, T0), Ok);
  assert.equal(qs.take('a', 1, T0), RateLimited);
  assert.equal(qs.retryAtMs, T0 + 100);
  assert.equal(qs.take('a', 1, T0 + 50), RateLimited, 'half a token');
  assert.equal(qs.retryAtMs, T0 + 100, 'the refused take did not push the retry time back');
  assert.equal(qs.take('a', 1, qs.retryAtMs), Ok);
  // a slow rate: 1 event / s
  const slow = new Quotas([app('s', { rate: 1, burst: 2 })]);
  takes(slow, 's', 2, T0);
  assert.equal(slow.take('s', 1, T0 + 250), RateLimited);
  assert.equal(slow.retryAtMs, T0 + 1000);
});

test('property: a take at retryAtMs after a refusal succeeds (for any rate and refusal time)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 5000 }), (rate, burst, wait) => {
    const qs = new Quotas([app('a', { rate, burst })]);
    let t = T0;
    while (qs.take('a', 1, t) === Ok) { /* drain the bucket */ }
    t += wait % Math.max(1, Math.floor(1000 / rate)); // somewhere before the next token
    if (qs.take('a', 1, t) === Ok) return true;
    const retry = qs.retryAtMs;
    assert.ok(retry > t, `retryAtMs ${retry} is after the refusal at ${t}`);
    assert.equal(qs.take('a', 1, retry), Ok, `rate ${rate}/s, burst ${burst}: the take at retryAtMs (${retry - T0} ms) succeeds`);
    return true;
  }), { numRuns: 500, seed: 42 });
});

test('daily volume cap: bytes per UTC day, exactly the cap allowed, reset at the UTC day boundary', () => {
  const qs = new Quotas([app('a', { perDay: 100 })]);
  assert.equal(qs.take('a', 60, T0), Ok);
  assert.equal(qs.take('a', 41, T0), OverDailyVolume, '101 > 100');
  assert.equal(qs.retryAtMs, DAY0 + DAY_MS, 'retry at the next UTC midnight');
  assert.equal(qs.take('a', 40, T0), Ok, 'exactly the cap is allowed (the refused 41 were not charged)');
  assert.equal(qs.take('a', 1, DAY0 + DAY_MS - 1), OverDailyVolume, 'the last ms of the UTC day is still that day');
  assert.equal(qs.take('a', 100, DAY0 + DAY_MS), Ok, 'a new UTC day, a new allowance');
  assert.equal(qs.take('a', 1, DAY0 + DAY_MS + 1), OverDailyVolume);
  assert.equal(qs.retryAtMs, DAY0 + 2 * DAY_MS);
  assert.equal(qs.take('a', 101, DAY0 + 2 * DAY_MS), OverDailyVolume, 'one frame over the cap never fits');
});

test('a refusal charges nothing: a rate-limited event does not use volume, an over-volume one does not use a token', () => {
  const qs = new Quotas([app('a', { rate: 1, burst: 1, perDay: 100 })]);
  assert.equal(qs.take('a', 60, T0), Ok);
  assert.equal(qs.take('a', 30, T0), RateLimited);
  assert.equal(qs.take('a', 41, T0 + 1000), OverDailyVolume, '60 + 41 > 100');
  assert.equal(qs.take('a', 40, T0 + 1000), Ok, 'the token and the 40 bytes were both still there');
});

test('configure() keeps tokens and daily counts, changes the limits', () => {
  const qs = new Quotas([app('a', { rate: 10, burst: 5, perDay: 100 })]);
  assert.equal(count(takes(qs, 'a', 5, T0, 16), Ok), 5); // 80 bytes, the bucket empty
  qs.configure([app('a', { rate: 10, burst: 50, perDay: 200 })]);
  assert.equal(qs.take('a', 1, T0), RateLimited, 'a larger burst does not refill the bucket');
  assert.equal(qs.take('a', 120, T0 + 100), Ok, 'the new daily cap applies to the bytes counted so far: 80 + 120 = 200');
  assert.equal(qs.take('a', 1, T0 + 200), OverDailyVolume);
  // a smaller burst clips the tokens
  const b = new Quotas([app('b', { rate: 10, burst: 100 })]);
  b.configure([app('b', { rate: 10, burst: 3 })]);
  assert.deepEqual(takes(b, 'b', 4, T0), [Ok, Ok, Ok, RateLimited]);
  // a new rate applies to the refill
  b.configure([app('b', { rate: 1000, burst: 3 })]);
  assert.equal(b.take('b', 1, T0 + 1), Ok, 'refilled at the new rate (1 token per ms)');
  // a new app gets its own full bucket
  b.configure([app('b', { rate: 1000, burst: 3 }), app('c', { rate: 1, burst: 2 })]);
  assert.deepEqual(takes(b, 'c', 3, T0 + 1), [Ok, Ok, RateLimited]);
});

test("removing an app's quotas (or the app) lifts them; adding them back starts from zero", () => {
  const qs = new Quotas([app('a', { rate: 1, burst: 1, perDay: 10 })]);
  assert.equal(qs.take('a', 10, T0), Ok);
  assert.equal(qs.take('a', 1, T0), OverDailyVolume);
  qs.configure([app('a')]);
  assert.equal(count(takes(qs, 'a', 100, T0, 10), Ok), 100, 'no quotas: nothing limited');
  qs.configure([app('a', { rate: 1, burst: 1, perDay: 10 })]);
  assert.equal(qs.take('a', 10, T0), Ok, 'a fresh bucket and a fresh daily count');
  assert.equal(qs.take('a', 1, T0 + 1000), OverDailyVolume);
  qs.configure([]);
  assert.equal(qs.take('a', 1_000_000, T0), Ok, 'an app removed from the config is not tracked');
});

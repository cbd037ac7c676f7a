/**
 * Per-app quotas (issue 5): `maxEventsPerSecond` — a token bucket refilled at that rate holding
 * at most `burstEvents` tokens — and `maxBytesPerDay` — Sematext's daily volume cap, counted in
 * received frame bytes per UTC day of receipt. O(1) per message, no timers, no allocation.
 * State survives a config reload (limits change, counts stay); the daily counts are in memory
 * and start from 0 when the receiver starts.
 */
import type { AppConfig } from '../config/schema.js';

/** Outcome of {@link Quotas.take}. */
export const QuotaResult = { Ok: 0, RateLimited: 1, OverDailyVolume: 2 } as const;
export type QuotaResult = (typeof QuotaResult)[keyof typeof QuotaResult];

interface AppQuota {
  rate: number;
  burst: number;
  tokens: number;
  lastMs: number;
  maxBytesPerDay: number;
  day: number;
  bytesToday: number;
}

const DAY_MS = 86_400_000;

export class Quotas {
  private readonly apps = new Map<string, AppQuota>();
  /** When the last refused `take` may succeed, epoch ms (for RELP to retry then). */
  retryAtMs = 0;

  constructor(apps: readonly AppConfig[]) {
    this.configure(apps);
  }

  /** Applies the quotas of `apps` (reload); an app without quotas is not tracked. */
  configure(apps: readonly AppConfig[]): void {
    const seen = new Set<string>();
    for (const a of apps) {
      if (a.maxEventsPerSecond === null && a.maxBytesPerDay === null) continue;
      seen.add(a.name);
      const rate = a.maxEventsPerSecond ?? Infinity;
      const burst = a.burstEvents ?? (a.maxEventsPerSecond ?? Infinity);
      const q = this.apps.get(a.name);
      if (q) {
        q.rate = rate;
        q.burst = burst;
        q.tokens = Math.min(q.tokens, burst);
        q.maxBytesPerDay = a.maxBytesPerDay ?? Infinity;
      } else {
        this.apps.set(a.name, { rate, burst, tokens: burst, lastMs: Date.now(), maxBytesPerDay: a.maxBytesPerDay ?? Infinity, day: 0, bytesToday: 0 });
      }
    }
    for (const name of this.apps.keys()) if (!seen.has(name)) this.apps.delete(name);
  }

  /**
   * Charges one event of `bytes` (received size) to `app` at `nowMs`.
   * @returns Ok, or why not (nothing is charged then; {@link retryAtMs} says when to retry)
   */
  take(app: string, bytes: number, nowMs: number): QuotaResult {
    return this.takeMany(app, 1, bytes, nowMs);
  }

  /**
   * Charges `events` events of `bytes` in total to `app` at `nowMs`, all or nothing (an HTTP
   * request). A charge larger than the bucket passes when the bucket is full and leaves it in
   * debt (negative), so the average rate still holds.
   * @returns Ok, or why not (nothing is charged then; {@link retryAtMs} says when to retry)
   */
  takeMany(app: string, events: number, bytes: number, nowMs: number): QuotaResult {
    const q = this.apps.get(app);
    if (q === undefined) return QuotaResult.Ok;
    const day = Math.floor(nowMs / DAY_MS);
    if (day !== q.day) { q.day = day; q.bytesToday = 0; }
    if (q.bytesToday + bytes > q.maxBytesPerDay) {
      this.retryAtMs = (day + 1) * DAY_MS;
      return QuotaResult.OverDailyVolume;
    }
    if (q.rate !== Infinity) {
      const elapsed = nowMs - q.lastMs;
      q.lastMs = nowMs;
      if (elapsed > 0) q.tokens = Math.min(q.burst, q.tokens + (elapsed * q.rate) / 1000);
      const need = Math.min(events, q.burst);
      if (q.tokens < need) {
        this.retryAtMs = nowMs + Math.ceil(((need - q.tokens) * 1000) / q.rate);
        return QuotaResult.RateLimited;
      }
      q.tokens -= events;
    }
    q.bytesToday += bytes;
    return QuotaResult.Ok;
  }
}

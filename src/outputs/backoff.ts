/**
 * Retry timing of an output: exponential backoff with jitter, and the destination's
 * `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date).
 */

/** `Retry-After` is honoured up to this, ms (a misconfigured API asking for days is not obeyed). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Delay before retry number `attempt` (1 = the first retry), ms: "equal jitter" — half of
 * `min(maxMs, minMs · 2^(attempt−1))` plus a random part up to the other half, so retries of
 * many receivers spread out but never come sooner than half the exponential step. A
 * `Retry-After` from the destination wins when it is longer (capped at {@link MAX_RETRY_AFTER_MS}).
 */
export function backoffMs(attempt: number, minMs: number, maxMs: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  const step = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  const delay = step / 2 + random() * (step / 2);
  return retryAfterMs === null ? delay : Math.max(delay, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/**
 * A `Retry-After` header value, ms from `nowMs`; null when absent or unreadable.
 * @param value delay-seconds (`120`) or an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`)
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return null;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * The web API's query parameters: time (`from`, `to`), `limit`, `interval`, cursors and counts,
 * each checked with a clear 400 for a bad value.
 */
import { parseSince } from '../store/filter.js';
import { parseEventId } from './search/ids.js';

/** A bad parameter; the message names it and says what is accepted. Answered 400 `bad_request`. */
export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^now(?:\s*-\s*(\d{1,9})\s*([smhdw]))?$/i;

/**
 * A `from`/`to` value: `now`, `now-15m` (units s, m, h, d, w), a duration like `15m` (that long
 * ago, as the CLI's `--since`), or ISO 8601 (`2026-12-01`, `2026-12-01T10:00:00Z`, UTC without
 * an offset).
 * @returns epoch ms
 * @throws BadRequest naming `name`
 */
export function parseTime(name: string, value: string, nowMs: number): number {
  const v = value.trim();
  const rel = RELATIVE.exec(v);
  if (rel) return rel[1] === undefined ? nowMs : nowMs - Number(rel[1]) * UNIT_MS[rel[2].toLowerCase()];
  try {
    return parseSince(v, new Date(nowMs)).getTime();
  } catch {
    throw new BadRequest(`${name}=${JSON.stringify(value)} is not a time: use now, now-15m, now-24h, now-7d, or ISO 8601 like 2026-12-01T10:00:00Z`);
  }
}

/**
 * An integer parameter in [min, max]; `fallback` when absent or empty.
 * @throws BadRequest naming `name` and the range
 */
export function intParam(name: string, value: string | null, fallback: number, min: number, max: number): number {
  if (value === null || value === '') return fallback;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new BadRequest(`${name}=${JSON.stringify(value)}: must be an integer from ${min} to ${max}`);
  return n;
}

/** Histogram intervals: each divides a UTC day, so buckets align to UTC midnight. */
export const INTERVALS: ReadonlyArray<[string, number]> = [
  ['1m', 60_000], ['5m', 300_000], ['10m', 600_000], ['30m', 1_800_000], ['1h', 3_600_000],
  ['3h', 10_800_000], ['6h', 21_600_000], ['12h', 43_200_000], ['1d', 86_400_000],
];
/** `interval=auto` picks the smallest interval giving at most this many buckets. */
export const AUTO_BUCKETS = 200;
/** An explicit interval may give at most this many buckets. */
export const MAX_BUCKETS = 10_000;

/**
 * The histogram interval for [fromMs, toMs).
 * @returns its name (`5m`) and length, ms
 * @throws BadRequest for an unknown name or too many buckets
 */
export function intervalParam(value: string | null, fromMs: number, toMs: number): { name: string; ms: number } {
  const span = Math.max(0, toMs - fromMs);
  if (value === null || value === '' || value === 'auto') {
    const hit = INTERVALS.find(([, ms]) => Math.ceil(span / ms) + 1 <= AUTO_BUCKETS) ?? INTERVALS[INTERVALS.length - 1];
    return { name: hit[0], ms: hit[1] };
  }
  const hit = INTERVALS.find(([n]) => n === value);
  if (hit === undefined) throw new BadRequest(`interval=${JSON.stringify(value)}: use auto or one of ${INTERVALS.map(([n]) => n).join(', ')}`);
  if (span / hit[1] > MAX_BUCKETS) throw new BadRequest(`interval=${value} gives more than ${MAX_BUCKETS} buckets for this range: use a longer interval or auto`);
  return { name: hit[0], ms: hit[1] };
}

/**
 * A cursor or event id.
 * @throws BadRequest when it is not one this API gave out
 */
export function idParam(name: string, value: string): string {
  if (parseEventId(value) === null) throw new BadRequest(`${name}=${JSON.stringify(value)} is not an event id or cursor of this API (like 20261202-1234)`);
  return value;
}

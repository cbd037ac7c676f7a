/**
 * Option parsing and record filters for `search` (and `tail`): time expressions, severities,
 * and the host/grep/severity predicate.
 */
import { ErrorCodes } from '../errors.js';
import type { SyslogRecord } from '../record.js';

/** A bad option value (`--since 5x`, `--severity loud`); the message names the value and the accepted forms. */
export class StoreOptionError extends Error {
  override readonly name = 'StoreOptionError';
  readonly code = ErrorCodes.STORE_OPTION;
}

/** Severity names by number (RFC 5424 §6.2.1), as `format` prints them. */
export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** Extra spellings accepted by {@link parseSeverity} (syslog.conf / rsyslog aliases). */
const SEVERITY_ALIASES: Record<string, number> = { panic: 0, emergency: 0, critical: 2, error: 3, warn: 4, informational: 6 };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+)\s*([smhdw])$/i;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses a `--since` / `--until` value.
 *
 * - Relative: `<integer><unit>` with unit `s`, `m`, `h`, `d` or `w` (`90s`, `30m`, `1h`, `2d`):
 *   that long before `now`.
 * - Absolute: an ISO 8601 date or date-time: `2026-11-19` (00:00 UTC), `2026-11-19T10:30`,
 *   `2026-11-19T10:30:00.5Z`, `2026-11-19 10:30:00+01:00`. Without an offset it is **UTC**, like
 *   everything in the store.
 *
 * @param now reference instant for relative values (default: the current time)
 * @throws StoreOptionError for anything else, including impossible dates such as `2026-02-30`
 */
export function parseSince(value: string, now: Date = new Date()): Date {
  const s = value.trim();
  const rel = RELATIVE.exec(s);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2].toLowerCase()]);
  const m = ISO.exec(s);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', sec = '00', zone] = m;
    let iso = `${y}-${mo}-${d}T${h}:${mi}:${sec}${s.match(/\.\d+/)?.[0] ?? ''}`;
    iso += zone === undefined ? 'Z' : zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    const t = Date.parse(iso);
    // Date.parse rolls 2026-02-30 over to March; reject it instead
    const valid = !Number.isNaN(t) && new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDate() === +d && +mo >= 1 && +mo <= 12 && +h < 24 && +mi < 60 && +sec < 60;
    if (valid) return new Date(t);
  }
  throw new StoreOptionError(
    `invalid time "${value}": use a duration like 90s, 30m, 1h, 2d, 1w, or an ISO date/time like 2026-11-19 or 2026-11-19T10:30:00Z (UTC unless an offset is given)`,
  );
}

/**
 * Parses a `--severity` value: a number 0–7 or a name (`emerg`, `alert`, `crit`, `err`, `warning`,
 * `notice`, `info`, `debug`, and the aliases `panic`, `error`, `warn`, `critical`, …), any case.
 * @returns the severity number, 0 (emerg) … 7 (debug)
 * @throws StoreOptionError for anything else
 */
export function parseSeverity(value: string): number {
  const s = value.trim().toLowerCase();
  if (/^[0-7]$/.test(s)) return Number(s);
  const i = (SEVERITY_NAMES as readonly string[]).indexOf(s);
  if (i !== -1) return i;
  if (Object.hasOwn(SEVERITY_ALIASES, s)) return SEVERITY_ALIASES[s];
  throw new StoreOptionError(`invalid severity "${value}": use 0-7 or one of ${SEVERITY_NAMES.join(', ')}`);
}

/** What {@link matches} tests; every field given must match. */
export interface RecordFilter {
  /** Keep records with `severity` ≤ this (0 emerg … 7 debug): 4 keeps warning and worse. */
  severityMax?: number;
  /** Exact, case-insensitive match on `hostname` (on `source.address` when `hostname` is null). */
  host?: string;
  /** Case-sensitive substring of `message`; of the raw stored line when `message` is null. */
  grep?: string;
}

/**
 * Whether one stored line passes `filter`.
 *
 * A line that is not a JSON record (`record` null) has no severity or host: it fails a severity
 * or host filter and is matched by `grep` against `raw`.
 *
 * @param record the parsed record, or null for a non-JSON line
 * @param raw the stored line (used by `grep` when there is no message)
 */
export function matches(record: SyslogRecord | null, filter: RecordFilter, raw = ''): boolean {
  if (filter.severityMax !== undefined) {
    if (record === null || typeof record.severity !== 'number' || record.severity > filter.severityMax) return false;
  }
  if (filter.host !== undefined) {
    if (record === null) return false;
    const h = typeof record.hostname === 'string' ? record.hostname : record.source?.address;
    if (typeof h !== 'string' || h.toLowerCase() !== filter.host.toLowerCase()) return false;
  }
  if (filter.grep !== undefined) {
    const text = record !== null && typeof record.message === 'string' ? record.message : raw;
    if (!text.includes(filter.grep)) return false;
  }
  return true;
}

/**
 * A pre-filter for `readRecords`'s `rawFilter`, or undefined when none is safe: a grep text with
 * no character that JSON escapes (`"`, `\`, control characters) appears in the stored line
 * whenever it appears in `message`, so lines without it can be dropped before parsing.
 */
export function rawPrefilter(filter: RecordFilter): ((raw: string) => boolean) | undefined {
  const g = filter.grep;
  // eslint-disable-next-line no-control-regex
  if (g === undefined || g === '' || /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/.test(g)) return undefined;
  return (raw) => raw.includes(g);
}

/**
 * How a record's fields read on the page: severity names (RFC 5424 §6.2.1 table 2), times, and
 * the flattened field list of an expanded row.
 */
import type { EventRecord } from './api.js';

/** RFC 5424 severity 0..7 → the keyword syslog tools use. */
export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** The severity (0..7) of a record, or null when it has none. */
export function severityOf(r: EventRecord): number | null {
  const s = r.severity;
  return typeof s === 'number' && s >= 0 && s <= 7 ? s : null;
}

/** `2026-12-03 10:15:02.123` in the browser's time zone; the raw value when it is not a time. */
export function formatTime(v: unknown): string {
  if (typeof v !== 'string') return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A field value as one line of text (objects as JSON, null as `null`). */
export function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * Every leaf field of `r` as `[dotted.path, value]` in record order (`source.address`,
 * `structuredData.origin.ip`, CEE keys at any depth); arrays stay whole.
 */
export function flatten(r: Record<string, unknown>, prefix = '', out: [string, string][] = []): [string, string][] {
  for (const [k, v] of Object.entries(r)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) flatten(v as Record<string, unknown>, path, out);
    else out.push([path, v === null ? 'null' : text(v)]);
  }
  return out;
}

/**
 * The page's query in its URL (`?app=&q=&from=&to=`), so a link is a permalink: presets are
 * relative (`from=now-15m`, no `to`), a custom range or a zoom is absolute (ISO 8601).
 */
import type { Query } from './api.js';

/** The time presets of the range picker: label → `from`. */
export const PRESETS: readonly (readonly [string, string])[] = [
  ['15m', 'now-15m'],
  ['1h', 'now-1h'],
  ['24h', 'now-24h'],
  ['7d', 'now-7d'],
];

/** The query in `location` (defaults: the last hour, no words, the first app). */
export function readUrl(apps: readonly string[]): Query {
  const p = new URLSearchParams(location.search);
  const app = p.get('app');
  return {
    app: app !== null && apps.includes(app) ? app : apps[0] ?? '',
    q: p.get('q') ?? '',
    from: p.get('from') ?? 'now-1h',
    to: p.get('to') ?? '',
  };
}

/** Puts `query` in the URL (a new history entry unless `replace`). */
export function writeUrl(query: Query, replace = false): void {
  const p = new URLSearchParams();
  p.set('app', query.app);
  if (query.q !== '') p.set('q', query.q);
  p.set('from', query.from);
  if (query.to !== '') p.set('to', query.to);
  const url = `${location.pathname}?${p.toString()}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
}

/** `2026-12-03T10:15` (a datetime-local input's value, local time) → ISO 8601 in UTC; '' stays ''. */
export function localToIso(v: string): string {
  if (v === '') return '';
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}

/** ISO 8601 → a datetime-local value (local time, minutes); a relative time or '' → ''. */
export function isoToLocal(v: string): string {
  if (v === '' || v.startsWith('now')) return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

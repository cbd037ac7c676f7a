/**
 * The page's client of the receiver's read API (README "Web page and API"). Requests are
 * same-origin and carry the session cookie the login set (`sr_session`, HttpOnly: the page never
 * sees the key after logging in).
 */

/** A stored record as the API returns it: the receiver's fields plus `_id` (`YYYYMMDD-offset`). */
export type EventRecord = Record<string, unknown> & { _id: string };

/** `GET /api/v1/apps` item. */
export interface AppSummary {
  name: string;
  eventsToday: number;
  bytesToday: number;
  dailyCap: { bytes: number | null };
  lastEventAt: string | null;
}

/** `GET /api/v1/apps/:app/histogram`. */
export interface Histogram {
  interval: string;
  from: string;
  to: string;
  buckets: [string, number][];
  total: number;
}

/** An API error answer (`{"error": {status, code, message, position?}}`), thrown by {@link get}. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly position?: number) {
    super(message);
  }
}

/** What the API wants for a query: `q`, `from`, `to` (ISO 8601 or `now-15m`). */
export interface Query {
  app: string;
  q: string;
  from: string;
  to: string;
}

/** The query string of `query` plus `extra` (empty values are left out). */
export function params(query: Query, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ q: query.q, from: query.from, to: query.to, ...extra })) if (v !== '') p.set(k, v);
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

/** `/api/v1/apps/<app>/<path>` */
export function appUrl(app: string, path: string): string {
  return `/api/v1/apps/${encodeURIComponent(app)}/${path}`;
}

/**
 * GET `url` as JSON. @throws ApiError on a non-2xx answer (401 when the session ended); an
 * aborted request rejects with the AbortError of fetch.
 */
export async function get<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', signal });
  const text = await res.text();
  let body: unknown;
  try { body = text === '' ? null : JSON.parse(text); } catch { body = null; }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; position?: number } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'http', e?.message ?? `HTTP ${res.status}`, e?.position);
  }
  return body as T;
}

/** Logs in with a read or admin key: the answer sets the session cookie. @throws ApiError (401: unknown key) */
export async function login(key: string): Promise<void> {
  const res = await fetch('/api/v1/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? 'http', body?.error?.message ?? `HTTP ${res.status}`);
  }
}

/** Ends the session (the cookie is cleared). */
export async function logout(): Promise<void> {
  await fetch('/api/v1/session', { method: 'DELETE', credentials: 'same-origin' });
}

/**
 * JSON answers of the web API: the shape every handler returns and the one place that writes it.
 */
import type { ServerResponse } from 'node:http';

/** One JSON answer; a string body is sent as it is (already JSON). */
export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string | string[]>;
}

/** `{"error": {status, code, message, …extra}}` (`extra`: a query error's `position`). */
export function apiError(status: number, code: string, message: string, extra: Record<string, unknown> = {}): ApiReply {
  return { status, body: { error: { status, code, message, ...extra } } };
}

/** Writes a JSON reply. */
export function send(res: ServerResponse, r: ApiReply): void {
  const body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...r.headers });
  res.end(body);
}

/**
 * Test helpers for the web API (listen.web): JSON GETs with a Bearer key, and a Server-Sent
 * Events reader over a real HTTP connection.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { waitFor } from './wait.js';

export interface WebResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  /** The parsed JSON body (undefined when it is not JSON). */
  json: any;  
}

/**
 * One request to the web listener; `key` goes in `Authorization: Bearer`. An event stream
 * (`text/event-stream`) resolves at its headers with an empty body and is closed (use {@link sse}).
 */
export function web(port: number, path: string, opts: { key?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<WebResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
    const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers }, (res) => {
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', json: undefined });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${path}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One SSE event as received. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** An open `text/event-stream` response. */
export interface SseStream {
  status: number;
  events: SseEvent[];
  /** True once the server ended the stream. */
  ended: () => boolean;
  /** Waits until `pred` holds for the events so far (default 10 s), then returns them. */
  until(pred: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

/** Opens an SSE stream (the WHATWG event-stream format: `id:`, `event:`, `data:` lines, blank line ends an event). */
export function sse(port: number, path: string, opts: { key?: string; lastEventId?: string; headers?: Record<string, string> } = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...opts.headers };
    if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
    if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const events: SseEvent[] = [];
      let ended = false;
      let buf = '';
      let cur: SseEvent = { id: null, event: 'message', data: '' };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) !== -1) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line === '') {
            if (cur.data !== '' || cur.event !== 'message') events.push({ ...cur, data: cur.data.replace(/\n$/, '') });
            cur = { id: null, event: 'message', data: '' };
          } else if (line.startsWith('id:')) cur.id = line.slice(3).trim();
          else if (line.startsWith('event:')) cur.event = line.slice(6).trim();
          else if (line.startsWith('data:')) cur.data += line.slice(5).replace(/^ /, '') + '\n';
        }
      });
      const end = (): void => { ended = true; };
      res.on('end', end);
      res.on('close', end);
      resolve({
        status: res.statusCode ?? 0,
        events,
        ended: () => ended,
        async until(pred, timeoutMs = 10_000) {
          await waitFor(() => pred(events), { timeoutMs, intervalMs: 20, onTimeout: 'return' });
          return events;
        },
        close: () => { req.destroy(); },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

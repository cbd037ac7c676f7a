/**
 * Small HTTP clients for tests of the HTTP(S) intake (bounded: every call has a timeout):
 * - {@link request}: one request through `node:http` (or `node:https` with `tls`), the whole
 *   answer read back (status, headers, text, JSON when the content type says JSON);
 * - {@link RawHttpClient}: a plain TCP (or TLS) socket for what `node:http` will not send —
 *   pipelined requests in one write, headers one byte at a time, malformed request lines — with
 *   {@link parseResponses} to read the answers off the wire.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { sleep } from './wait.js';

export interface RequestOptions {
  headers?: OutgoingHttpHeaders;
  /** Sent as is (with its Content-Length, unless `chunked`). */
  body?: string | Buffer;
  /** Send the body with `Transfer-Encoding: chunked` in pieces of this many bytes. */
  chunked?: number;
  /** Keep-alive agent; default none (`Connection: close`). */
  agent?: Agent | false;
  host?: string;
  /** HTTPS with these TLS options (e.g. `{ ca }`). */
  tls?: ConnectionOptions;
  /** Give up (reject) after this long, ms (default 10 000). */
  timeoutMs?: number;
  /**
   * Called synchronously when the status line and headers have arrived, before the body is read
   * (e.g. to look at the store at the moment of the answer).
   */
  onResponse?: (res: IncomingMessage) => void;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The parsed body when the content type is JSON and the body is not empty, else undefined. */
  json: any;
  /** When the request was started / the headers arrived, epoch ms. */
  sentAtMs: number;
  atMs: number;
}

/** Sends one request to `host:port` and reads the whole response. Rejects on a socket error or a timeout. */
export function request(port: number, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const { headers = {}, body, agent = false, host = '127.0.0.1', timeoutMs = 10_000, tls } = opts;
  const h: OutgoingHttpHeaders = { ...headers };
  if (body !== undefined && opts.chunked === undefined && h['content-length'] === undefined && h['Content-Length'] === undefined) h['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const sentAtMs = Date.now();
    let atMs = 0;
    const mk = tls === undefined ? httpRequest : httpsRequest;
    const req = mk({ host, port, method, path, headers: h, agent, ...(tls ?? {}) }, (res) => {
      atMs = Date.now();
      opts.onResponse?.(res);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const b = Buffer.concat(chunks);
        const text = b.toString('utf8');
        let json: unknown;
        if (/json/i.test(String(res.headers['content-type'] ?? '')) && b.length > 0) {
          try { json = JSON.parse(text); } catch (e) { reject(new Error(`${method} ${path}: ${res.statusCode} with a JSON content type but a body that is not JSON (${(e as Error).message}): ${text.slice(0, 300)}`)); return; }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text, json, sentAtMs, atMs });
      });
    });
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`${method} ${path}: no complete answer within ${timeoutMs} ms`)); }, timeoutMs);
    function fail(e: Error): void { clearTimeout(timer); reject(e); }
    req.on('error', fail);
    if (body !== undefined && opts.chunked !== undefined) {
      const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
      for (let i = 0; i < b.length; i += opts.chunked) req.write(b.subarray(i, i + opts.chunked));
      req.end();
    } else req.end(body);
  });
}

/** One response as it came off the wire. */
export interface RawResponse {
  status: number;
  statusLine: string;
  /** Header names lower-cased; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Reads the complete responses at the start of `buf` (RFC 9112 message framing:
 * Content-Length, chunked, or until close when `closed`). `methods[i]` is the method of the
 * i-th request (a HEAD answer has no body); interim 1xx responses are returned too and do not
 * use a method. `error` is set when the bytes are not HTTP; `rest` is what is left unparsed.
 */
export function parseResponses(buf: Buffer, closed: boolean, methods: readonly string[] = []): { responses: RawResponse[]; rest: Buffer; error?: string } {
  const responses: RawResponse[] = [];
  let pos = 0;
  let req = 0;
  for (;;) {
    if (pos >= buf.length) return { responses, rest: buf.subarray(pos) };
    const headEnd = buf.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) {
      const partial = buf.toString('latin1', pos, Math.min(buf.length, pos + 7));
      if (!'HTTP/1.'.startsWith(partial)) return { responses, rest: buf.subarray(pos), error: `not an HTTP response: ${JSON.stringify(buf.toString('latin1', pos, pos + 40))}` };
      return { responses, rest: buf.subarray(pos) };
    }
    const lines = buf.toString('latin1', pos, headEnd).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]);
    if (m === null) return { responses, rest: buf.subarray(pos), error: `bad status line ${JSON.stringify(lines[0])}` };
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      if (c <= 0) return { responses, rest: buf.subarray(pos), error: `bad header line ${JSON.stringify(l)}` };
      const k = l.slice(0, c).trim().toLowerCase();
      const v = l.slice(c + 1).trim();
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
    const status = Number(m[1]);
    let at = headEnd + 4;
    let body: Buffer;
    const interim = status >= 100 && status < 200;
    if (interim || status === 204 || status === 304 || methods[req] === 'HEAD') body = Buffer.alloc(0);
    else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const lf = buf.indexOf('\r\n', at);
        if (lf < 0) return { responses, rest: buf.subarray(pos) };
        const size = parseInt(buf.toString('latin1', at, lf), 16);
        if (!Number.isFinite(size)) return { responses, rest: buf.subarray(pos), error: 'bad chunk size' };
        if (size === 0) {
          // the last chunk, then trailer lines up to an empty line
          const end = buf.indexOf('\r\n\r\n', lf);
          if (end < 0) return { responses, rest: buf.subarray(pos) };
          at = end + 4;
          break;
        }
        if (lf + 2 + size + 2 > buf.length) return { responses, rest: buf.subarray(pos) };
        parts.push(buf.subarray(lf + 2, lf + 2 + size));
        at = lf + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (!Number.isInteger(n) || n < 0) return { responses, rest: buf.subarray(pos), error: `bad Content-Length ${headers['content-length']}` };
      if (at + n > buf.length) return { responses, rest: buf.subarray(pos) };
      body = buf.subarray(at, at + n);
      at += n;
    } else {
      // no framing: the body runs until the connection closes
      if (!closed) return { responses, rest: buf.subarray(pos) };
      body = buf.subarray(at);
      at = buf.length;
    }
    responses.push({ status, statusLine: lines[0], headers, body: Buffer.from(body) });
    if (!interim) req++;
    pos = at;
  }
}

/** A raw TCP/TLS connection to an HTTP server: write any bytes, collect what comes back, see when it closes. */
export class RawHttpClient {
  /** Everything received so far. */
  data: Buffer = Buffer.alloc(0);
  closed = false;
  /** Epoch ms of the connect / of the close. */
  readonly connectedAtMs = Date.now();
  closedAtMs = 0;
  /** A socket error (ECONNRESET, EPIPE), if any. */
  error: Error | null = null;
  /** Epoch ms of each received chunk. */
  readonly dataAtMs: number[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => { this.data = Buffer.concat([this.data, d]); this.dataAtMs.push(Date.now()); });
    socket.on('error', (e) => { this.error = e; });
    socket.on('close', () => { this.closed = true; this.closedAtMs = Date.now(); });
  }

  /** Connects to `host:port` (TLS with `tls`). */
  static connect(port: number, opts: { host?: string; tls?: ConnectionOptions; timeoutMs?: number } = {}): Promise<RawHttpClient> {
    const { host = '127.0.0.1', tls, timeoutMs = 5000 } = opts;
    return new Promise((resolve, reject) => {
      const s = tls === undefined ? netConnect({ port, host }) : tlsConnect({ port, host, ...tls });
      const t = setTimeout(() => { s.destroy(); reject(new Error(`connect ${host}:${port}: timeout`)); }, timeoutMs);
      s.once(tls === undefined ? 'connect' : 'secureConnect', () => { clearTimeout(t); s.removeListener('error', onErr); resolve(new RawHttpClient(s)); });
      const onErr = (e: Error): void => { clearTimeout(t); reject(e); };
      s.once('error', onErr);
    });
  }

  /** Writes `b` (false when the socket is gone). */
  write(b: string | Buffer): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(b);
    return true;
  }

  /**
   * Writes `bytes` one byte every `intervalMs` until all are written, the socket closes, or
   * `stop()`. `done` resolves with how many bytes were written.
   */
  trickle(bytes: string | Buffer, intervalMs: number): { done: Promise<number>; stop(): void } {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1');
    const state = { stopped: false };
    const done = (async () => {
      let i = 0;
      for (; i < b.length && !state.stopped && !this.closed; i++) {
        if (!this.write(b.subarray(i, i + 1))) break;
        if (i < b.length - 1) await sleep(intervalMs);
      }
      return i;
    })();
    return { done, stop: () => { state.stopped = true; } };
  }

  /** The complete responses received so far (see {@link parseResponses}). */
  responses(methods: readonly string[] = []): ReturnType<typeof parseResponses> {
    return parseResponses(this.data, this.closed, methods);
  }

  /** Waits until `cond()` holds; false on timeout (no throw: the caller's assertions say what went wrong). */
  async until(cond: () => boolean, timeoutMs = 5000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) return false;
      await sleep(10);
    }
    return true;
  }

  /** Waits for the server to close the connection; false on timeout. */
  waitClosed(timeoutMs = 5000): Promise<boolean> { return this.until(() => this.closed, timeoutMs); }

  destroy(): void { this.socket.destroy(); }
}

/** `METHOD path HTTP/1.1` with `Host`, the given headers and `Content-Length` for `body`, as bytes. */
export function rawRequest(method: string, path: string, body: string | Buffer = '', headers: Record<string, string> = {}): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const h: Record<string, string> = { host: '127.0.0.1', ...headers };
  if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding') && (b.length > 0 || method === 'POST' || method === 'PUT')) h['content-length'] = String(b.length);
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

/** NDJSON of `lines` (objects are JSON-encoded, strings sent as they are), LF-terminated. */
export function ndjson(...lines: unknown[]): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
}

/** Value of the Prometheus sample `name{labels}` in `text` (0 when absent), e.g. `sample(t, 'x_total', 'status="200"')`. */
export function sample(text: string, name: string, labels = ''): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const key = line.slice(0, sp);
    if (key === (labels === '' ? name : `${name}{${labels}}`)) return Number(line.slice(sp + 1));
  }
  return 0;
}

/**
 * The HTTP(S) client of the `elasticsearch` and `http` outputs, on undici (Node's own HTTP
 * client, as a package so that a CA, a client certificate and timeouts can be set per output):
 * one keep-alive connection pool per output, gzip bodies, the output's credentials and headers,
 * and the retry classification every HTTP output shares.
 */
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Agent, request } from 'undici';
import type { OutputConfig } from '../config/schema.js';
import { parseRetryAfter } from './backoff.js';

/** A response as the outputs read it. */
export interface HttpAnswer {
  status: number;
  /** The body as text (bodies of the APIs we talk to are JSON or short text). */
  body: string;
  /** `Retry-After`, ms; null when absent. */
  retryAfterMs: number | null;
}

/**
 * Whether an HTTP status is worth retrying: 5xx, 429 (too many requests), 408 (request
 * timeout), and 401/403/407 — a credentials problem is the operator's to fix (and a reload or
 * restart with the fixed key ships everything), so those records are kept rather than
 * dead-lettered. Every other 4xx is permanent.
 */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401 || status === 403 || status === 407;
}

/** The answer of a failed request, for logs and dead letters: `HTTP 400: <first 1000 characters of the body>`. */
export function describeAnswer(a: HttpAnswer): string {
  const body = a.body.length > 1000 ? `${a.body.slice(0, 1000)}…` : a.body;
  return `HTTP ${a.status}${body ? `: ${body.trim()}` : ''}`;
}

/** One output's connection pool, credentials and headers. */
export class HttpClient {
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;
  private readonly inFlight = new Set<AbortController>();

  /**
   * @throws Error when a TLS file of `cfg.tls` cannot be read (at start, with its path)
   */
  constructor(private readonly cfg: OutputConfig, userAgent: string) {
    const t = cfg.tls;
    const read = (p: string | null): Buffer | undefined => (p === null ? undefined : readFileSync(p));
    this.agent = new Agent({
      connections: 4,
      headersTimeout: cfg.timeoutMs,
      bodyTimeout: cfg.timeoutMs,
      connect: { timeout: cfg.timeoutMs, ...(t === null ? {} : { ca: read(t.ca), cert: read(t.cert), key: read(t.key), rejectUnauthorized: t.rejectUnauthorized }) },
    });
    const auth = cfg.username !== null ? `Basic ${Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64')}`
      : cfg.apiKey !== null ? `ApiKey ${cfg.apiKey}`
      : cfg.bearerToken !== null ? `Bearer ${cfg.bearerToken}` : null;
    this.headers = { 'user-agent': userAgent, ...(auth === null ? {} : { authorization: auth }), ...lowerKeys(cfg.headers) };
  }

  /**
   * POSTs `body` (gzip'd when the output says so) to `url` and reads the whole answer.
   * Never rejects on HTTP errors; a network failure or the timeout (`timeoutMs` for the whole
   * exchange) rejects with an Error whose message says which.
   */
  async post(url: string, body: Buffer, contentType: string): Promise<HttpAnswer> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error(`no answer within timeoutMs (${this.cfg.timeoutMs} ms)`)), this.cfg.timeoutMs);
    this.inFlight.add(ac);
    try {
      const payload = this.cfg.gzip ? await gzipAsync(body) : body; // on the thread pool: a 5 MiB body must not stall intake
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        signal: ac.signal,
        headers: { ...this.headers, 'content-type': contentType, ...(this.cfg.gzip ? { 'content-encoding': 'gzip' } : {}) },
        body: payload,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text, retryAfterMs: parseRetryAfter(res.headers['retry-after']) };
    } catch (err) {
      const reason = ac.signal.aborted ? (ac.signal.reason as Error) : (err as Error);
      throw new Error(`${url.replace(/\/\/[^@/]*@/, '//')}: ${reason.message}${(err as { code?: string }).code ? ` (${(err as { code?: string }).code})` : ''}`, { cause: err });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(ac);
    }
  }

  /** Aborts requests in flight and closes the pool. */
  async close(): Promise<void> {
    for (const ac of this.inFlight) ac.abort(new Error('output stopped'));
    await this.agent.destroy().catch(() => undefined);
  }
}

const gzipAsync = promisify(gzip);

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

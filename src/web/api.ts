/**
 * The JSON API of the web page (README "Web page and API"): sessions, `/api/v1/apps`, and per
 * app `events`, `histogram`, `tail`, `export` and `events/:id/context`. Paths are fixed (tests
 * outside the project use them). Answers: 401 without a valid key, 403 for an app the key may
 * not read (whether or not it exists), 404 for an unknown app (admin keys) or path, 400 for a bad
 * parameter or query (with the query error's `position`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { AppendFeed } from '../store/append-feed.js';
import { dayFileStartMs } from '../store/layout.js';
import { listDays } from '../store/reader.js';
import { compileQuery, QuerySyntaxError, type CompiledQuery } from './query/index.js';
import { KeyRing, mayRead, type Access } from './keys.js';
import { BadRequest, idParam, intervalParam, intParam, parseTime } from './params.js';
import { parseEventId } from './search/ids.js';
import { SearchPool } from './search/pool.js';
import { SearchCancelled, type EventsResult } from './search/searcher.js';
import { apiError as error, send, type ApiReply } from './reply.js';
import { TailStream } from './tail.js';

/** What the web front-end reads: the store, the config in force, the store's append feed. */
export interface WebDeps {
  storeDir: string;
  /** The config in force (changes with each reload). */
  config: () => Config;
  appends: AppendFeed;
  metrics: Metrics;
  log: Logger;
}


const COOKIE = 'sr_session';
const APP_PATH = /^\/api\/v1\/apps\/([^/]+)\/(events|histogram|tail|export)$/;
const CONTEXT_PATH = /^\/api\/v1\/apps\/([^/]+)\/events\/([^/]+)\/context$/;
/** Most bytes a login body may have. */
const MAX_BODY_BYTES = 4096;
const POLL_MS = 500;
const EXPORT_PAGE = 1000;

const UNAUTHORIZED = error(401, 'unauthorized', 'a read key is needed: Authorization: Bearer <key>, or log in on the page');

export class WebApi {
  readonly log: WebDeps['log'];
  private readonly keys: KeyRing;
  private readonly pool: SearchPool;
  private readonly tails = new Set<TailStream>();
  private readonly poll: NodeJS.Timeout;
  private readonly offAppend: () => void;

  /** @param secure the listener speaks HTTPS (the session cookie gets `Secure`) */
  constructor(private readonly deps: WebDeps, private readonly secure: boolean) {
    this.log = deps.log;
    this.keys = new KeyRing(deps.config());
    this.pool = new SearchPool(deps.storeDir);
    this.offAppend = deps.appends.on((app) => { for (const t of this.tails) if (t.app === app) t.wake(); });
    this.poll = setInterval(() => { for (const t of this.tails) t.wake(); }, POLL_MS);
    this.poll.unref();
  }

  /**
   * Builds every day file's index in the search thread, newest day first, one file per job (a
   * request waits for one file at most), so that the first query after a start does not pay a
   * read of the whole store; logs `web: search indexes built` (info, with `files` and `ms`) when done.
   * Errors are logged at debug: the indexes are then built on first use.
   */
  warmIndexes(): void {
    const t0 = Date.now();
    void (async () => {
      let n = 0;
      for (const { name } of this.deps.config().apps) {
        let files: string[];
        try { files = listDays(this.deps.storeDir, name); } catch { continue; }
        for (let i = files.length - 1; i >= 0; i--) if (await this.pool.run('warm', { app: name, day: files[i].slice(-17, -7) })) n++;
      }
      this.log.info({ files: n, ms: Date.now() - t0 }, 'web: search indexes built');
    })().catch((err: unknown) => this.log.debug({ err }, 'web: the search indexes were not built ahead (built on first use)'));
  }

  /** Takes the reloaded config's keys and apps: tails whose key or app went away are closed (`event: revoked`). */
  reload(): void {
    const config = this.deps.config();
    this.keys.configure(config);
    const apps = new Set(config.apps.map((a) => a.name));
    for (const t of [...this.tails]) {
      const access = this.keys.byHash(t.keyHash);
      if (access === null || !mayRead(access, t.app) || !apps.has(t.app)) t.close(true);
    }
  }

  /** Ends every tail and the search thread (receiver stop). */
  close(): void {
    clearInterval(this.poll);
    this.offAppend();
    for (const t of [...this.tails]) t.close();
    void this.pool.stop();
  }

  /** Answers one `/api/…` request. @throws only on a bug (the server answers 500 and logs it) */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://web');
    const path = url.pathname;
    if (path === '/api/v1/session') return send(res, await this.session(req));
    const access = this.authenticate(req);
    if (access === null) return send(res, UNAUTHORIZED);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, { ...error(405, 'method_not_allowed', 'only GET here'), headers: { allow: 'GET, HEAD' } });
    if (path === '/api/v1/apps') return send(res, await this.apps(access));
    const m = APP_PATH.exec(path) ?? CONTEXT_PATH.exec(path);
    if (m === null) return send(res, error(404, 'not_found', `no such API path: ${path}`));
    let app: string;
    try { app = decodeURIComponent(m[1]); } catch { return send(res, error(400, 'bad_request', 'the app name in the path is not valid percent-encoding')); }
    if (!mayRead(access, app)) return send(res, error(403, 'forbidden', `this key may not read app "${app}"`));
    if (!this.deps.config().apps.some((a) => a.name === app)) return send(res, error(404, 'not_found', `no app "${app}"`));
    const p = url.searchParams;
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      if (CONTEXT_PATH.test(path)) return send(res, await this.context(app, m[2], p, abort.signal));
      switch (m[2]) {
        case 'events': return send(res, await this.events(app, p, abort.signal));
        case 'histogram': return send(res, await this.histogram(app, p, abort.signal));
        case 'export': return await this.export(app, p, res, abort.signal);
        default: return await this.tail(app, access, req, p, res);
      }
    } catch (err) {
      if (err instanceof BadRequest) return send(res, error(400, 'bad_request', err.message));
      if (err instanceof QuerySyntaxError) return send(res, error(400, 'query_syntax', err.message, { position: err.position }));
      if (err instanceof SearchCancelled) { res.destroy(); return; }
      throw err;
    }
  }

  /** The request's access: its Bearer key, else its session cookie; null when neither is valid. */
  private authenticate(req: IncomingMessage): Access | null {
    const h = req.headers.authorization;
    if (h !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
      return m === null ? null : this.keys.check(m[1]);
    }
    const id = cookie(req, COOKIE);
    return id === null ? null : this.keys.session(id);
  }

  /** `GET` (who am I), `POST {"key"}` (log in: sets the cookie), `DELETE` (log out). */
  private async session(req: IncomingMessage): Promise<ApiReply> {
    if (req.method === 'GET') {
      const a = this.authenticate(req);
      return a === null ? UNAUTHORIZED : { status: 200, body: { admin: a.admin, apps: this.visibleApps(a) } };
    }
    const flags = `HttpOnly; SameSite=Strict; Path=/${this.secure ? '; Secure' : ''}`;
    if (req.method === 'DELETE') {
      const id = cookie(req, COOKIE);
      if (id !== null) this.keys.closeSession(id);
      return { status: 204, body: '', headers: { 'set-cookie': `${COOKIE}=; Max-Age=0; ${flags}` } };
    }
    if (req.method !== 'POST') return { ...error(405, 'method_not_allowed', 'GET, POST or DELETE'), headers: { allow: 'GET, POST, DELETE' } };
    // a cross-site form cannot send JSON without a CORS preflight, which this server never grants
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return error(415, 'unsupported_media_type', 'send the key as JSON: {"key": "<read key>"} with Content-Type: application/json');
    const body = await readBody(req, MAX_BODY_BYTES);
    let key: unknown;
    try { key = body === null ? undefined : (JSON.parse(body) as { key?: unknown }).key; } catch { key = undefined; }
    if (typeof key !== 'string') return error(400, 'bad_request', 'the body must be {"key": "<read key>"} (at most 4 KiB)');
    const access = this.keys.check(key);
    if (access === null) return error(401, 'unauthorized', 'unknown key (an intake token is not a read key: syslog-receiver token new --read <app>)');
    const id = this.keys.openSession(access);
    return { status: 204, body: '', headers: { 'set-cookie': `${COOKIE}=${id}; Max-Age=${this.keys.sessionTtlSeconds}; ${flags}` } };
  }

  /** The config's apps this access may read, in config order. */
  private visibleApps(a: Access): string[] {
    return this.deps.config().apps.map((x) => x.name).filter((n) => mayRead(a, n));
  }

  private async apps(access: Access): Promise<ApiReply> {
    const cfg = this.deps.config();
    const names = this.visibleApps(access);
    const sums = await this.pool.run('summary', { apps: names, nowMs: Date.now() });
    const apps = sums.map((s) => ({
      name: s.name,
      eventsToday: s.eventsToday,
      bytesToday: s.bytesToday,
      dailyCap: { bytes: cfg.apps.find((a) => a.name === s.name)?.maxBytesPerDay ?? null },
      lastEventAt: s.lastEventAtMs === null ? null : new Date(s.lastEventAtMs).toISOString(),
    }));
    return { status: 200, body: { apps } };
  }

  /** `from`/`to` of a request; `from` defaults to the app's oldest day, `to` to now. */
  private range(app: string, p: URLSearchParams): { fromMs: number; toMs: number } {
    const now = Date.now();
    const toMs = p.has('to') && p.get('to') !== '' ? parseTime('to', p.get('to')!, now) : now + 1;
    let fromMs: number;
    if (p.has('from') && p.get('from') !== '') fromMs = parseTime('from', p.get('from')!, now);
    else {
      let first: string | undefined;
      try { first = listDays(this.deps.storeDir, app)[0]; } catch { first = undefined; }
      fromMs = first === undefined ? toMs - 3_600_000 : dayFileStartMs(first.slice(-17));
    }
    if (!(fromMs < toMs)) throw new BadRequest('from must be before to');
    return { fromMs, toMs };
  }

  private query(p: URLSearchParams): string {
    const q = p.get('q') ?? '';
    compileQuery(q); // a syntax error answers 400 before any work
    return q;
  }

  private async events(app: string, p: URLSearchParams, signal: AbortSignal): Promise<ApiReply> {
    const q = this.query(p);
    const before = p.get('before');
    const r = await this.pool.run('events', {
      app, q, ...this.range(app, p),
      limit: intParam('limit', p.get('limit'), 200, 1, 1000),
      before: before === null || before === '' ? null : idParam('before', before),
      raw: false,
    }, signal);
    return { status: 200, body: `{"events":[${r.lines.join(',')}],"next":${JSON.stringify(r.next)}}` };
  }

  private async histogram(app: string, p: URLSearchParams, signal: AbortSignal): Promise<ApiReply> {
    const q = this.query(p);
    const range = this.range(app, p);
    const interval = intervalParam(p.get('interval'), range.fromMs, range.toMs);
    const r = await this.pool.run('histogram', { app, q, ...range, intervalMs: interval.ms }, signal);
    const buckets = r.counts.map((n, i) => [new Date(r.firstBucketMs + i * interval.ms).toISOString(), n]);
    return {
      status: 200,
      body: { interval: interval.name, from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), buckets, total: r.total },
    };
  }

  private async context(app: string, rawId: string, p: URLSearchParams, signal: AbortSignal): Promise<ApiReply> {
    let id: string;
    try { id = idParam('id', decodeURIComponent(rawId)); } catch (err: unknown) { if (err instanceof URIError) throw new BadRequest('the event id is not valid percent-encoding'); throw err; }
    const r = await this.pool.run('context', {
      app, id,
      before: intParam('before', p.get('before'), 50, 0, 1000),
      after: intParam('after', p.get('after'), 50, 0, 1000),
    }, signal);
    if (r === null) return error(404, 'not_found', `no event ${id} in app "${app}"`);
    return { status: 200, body: `{"events":[${r.lines.join(',')}],"index":${r.index}}` };
  }

  /** Every event of the query, newest first, as stored (NDJSON), a page at a time with backpressure. */
  private async export(app: string, p: URLSearchParams, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const q = this.query(p);
    const range = this.range(app, p);
    const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[:.]/g, '').slice(0, 15);
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${app}-${stamp(range.fromMs)}-${stamp(Math.min(range.toMs, Date.now()))}.ndjson"`,
      'cache-control': 'no-store',
    });
    let before: string | null = null;
    do {
      const r: EventsResult = await this.pool.run('events', { app, q, ...range, limit: EXPORT_PAGE, before, raw: true }, signal);
      if (r.lines.length > 0 && !res.write(r.lines.join('\n') + '\n')) await new Promise((ok) => { res.once('drain', ok); res.once('close', ok); });
      before = r.next;
    } while (before !== null && !signal.aborted);
    res.end();
  }

  private async tail(app: string, access: Access, req: IncomingMessage, p: URLSearchParams, res: ServerResponse): Promise<void> {
    const q: CompiledQuery = compileQuery(p.get('q') ?? '');
    const last = req.headers['last-event-id'] ?? p.get('lastEventId');
    const lastId = typeof last === 'string' && last !== '' ? last : null;
    const resume = lastId === null ? null : parseEventId(lastId);
    if (lastId !== null && resume === null) throw new BadRequest(`Last-Event-ID ${JSON.stringify(lastId)} is not an event id of this API`);
    const t = new TailStream(res, app, access.keyHash, this.deps.storeDir, q, (s) => this.tails.delete(s));
    this.tails.add(t);
    await t.begin(resume);
  }
}

/** The value of cookie `name`, or null. */
function cookie(req: IncomingMessage, name: string): string | null {
  const h = req.headers.cookie;
  if (h === undefined) return null;
  for (const part of h.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The request body as UTF-8, or null when it is longer than `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) { resolve(null); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/**
 * HTTP(S) intake front-end (`listen.http`, default 0.0.0.0:9200): the Elasticsearch/OpenSearch
 * bulk and document APIs, Loggly and Logentries inputs (routes.ts), answered only once every
 * record of the request is durable — through the same acker as RELP (with the JetStream sink,
 * after the PubAck).
 *
 * - Sockets come from a plain `net.Server` or, with `tls: true`, from the receiver's
 *   {@link TlsServer} (certificate options, client certificates, hot reload, handshake
 *   counting) and are handed to one `http.Server` (Node's HTTP/1.1 parser: keep-alive,
 *   pipelining with responses in order, `headerTimeoutMs`, `bodyTimeoutMs`).
 * - The token: the index name (path or a bulk item's `_index`), the Loggly/Logentries path, or
 *   `Authorization: Bearer <token>` / `Basic` with the token as user or password. Unknown or
 *   missing → 401, nothing stored.
 * - Backpressure: at most `maxConcurrentRequests` requests are read and waiting for their acks;
 *   more, and every request while the intake is paused (its sinks behind or down), wait unread.
 * - A request is stored whole or not at all: over an app's quota → 429 with `Retry-After`; a
 *   required sink down → 503. In a bulk request a bad item fails alone (per-item status).
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { TlsFiles } from '../../certs/listener-files.js';
import type { HttpListenerConfig } from '../../config/schema.js';
import { ErrorCodes } from '../../errors.js';
import { QuotaResult, RecordStatus, worse, type Intake, type IntakeEvent } from '../../pipeline/intake.js';
import type { FrameSource, TokenSource, Transport } from '../../record.js';
import { Listening, limitConnections, streamSource, type FrontEndDeps, type SocketAcceptor } from '../connection.js';
import { TlsServer } from '../tls.js';
import type { FrontEnd } from '../types.js';
import { BodyError, readBody } from './body.js';
import { PRODUCT_HEADER, bulkResponse, docResponse, esError, probeBody, type ItemResult } from './elastic.js';
import { lineEvents, oneEvent, parseBulk, type BulkItem } from './events.js';
import { route, type Route } from './routes.js';

/** An app and the token that named it. */
interface Authorized {
  app: string;
  token: string;
  tokenSource: TokenSource;
}

/** One event of a request on its way to the store; in a bulk request, with its item's result to fill in. */
interface Pending extends Authorized {
  ev: IntakeEvent;
  result: ItemResult | null;
}

/** How long {@link HttpListener.stop} waits for requests whose acks are due, ms. */
const STOP_GRACE_MS = 5000;

export class HttpListener implements FrontEnd {
  readonly kind = 'http';
  private readonly http: HttpServer;
  private readonly plain: Listening | null = null;
  private readonly secure: TlsServer | null = null;
  private readonly transport: Transport;
  private readonly sources = new WeakMap<Socket, FrameSource>();
  private readonly sockets = new Set<Socket>();
  private readonly intake: Intake;
  private active = 0;
  /** Requests waiting for a slot: resolved true (go on) or false (the store went down: answer 503). */
  private readonly waiting: Array<(go: boolean) => void> = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** While requests wait: re-checks the store every second (it may go down while the intake is already paused). */
  private recheck: NodeJS.Timeout | null = null;
  private readonly pump = (): void => {
    if (this.intake.downReason !== null) for (const w of this.waiting.splice(0)) w(false);
    while (this.waiting.length > 0 && this.active < this.cfg.maxConcurrentRequests && !this.intake.paused) {
      this.active++;
      this.waiting.shift()!(true);
    }
    if (this.waiting.length === 0 && this.recheck !== null) { clearInterval(this.recheck); this.recheck = null; }
    else if (this.waiting.length > 0 && this.recheck === null) this.recheck = setInterval(this.pump, 1000);
  };

  /**
   * @param name config path (`listen.http`, `listen.http[1]`)
   * @param files the certificate files when `cfg.tls`, else null
   * @throws Error when the certificate files are unusable (see {@link TlsServer})
   */
  constructor(readonly name: string, private readonly cfg: HttpListenerConfig, files: TlsFiles | null, private readonly deps: FrontEndDeps) {
    this.transport = cfg.tls ? 'https' : 'http';
    this.intake = deps.intake;
    this.http = createHttpServer({
      headersTimeout: cfg.headerTimeoutMs,
      requestTimeout: cfg.bodyTimeoutMs,
      keepAliveTimeout: cfg.keepAliveTimeoutMs,
      // timeouts are checked this often (Node's default, 30 s, would let a slow client hold on that long)
      connectionsCheckingInterval: Math.min(1000, Math.floor(cfg.headerTimeoutMs / 2)),
    }, (req, res) => this.track(this.handle(req, res)));
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      // a timeout, a malformed request line or header: Node answers 400/408 where it still can
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT' || err.code === 'ECONNRESET') deps.metrics.httpAborted++;
      // a complete request of this connection, answered or still being answered (the error is
      // a later, pipelined one's, or bytes after `Connection: close`), keeps its own answer and
      // the connection closes after it: a 400 written now would read as that request's answer. An error in the request being read (its body
      // timed out, its chunking is broken) is answered at once.
      const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (current !== null && current !== undefined && current.req.complete) {
        if (current.writableFinished) socket.destroySoon();
        else {
          current.once('finish', () => socket.destroySoon());
          current.once('close', () => socket.destroySoon());
        }
        return;
      }
      if (socket.writable && err.code !== 'ECONNRESET') socket.end(`HTTP/1.1 ${err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'}\r\nX-Elastic-Product: Elasticsearch\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    });
    const acceptor: SocketAcceptor = {
      accept: (socket, source) => this.accept(socket, source),
      limit: (server: Server) => limitConnections(server, deps.limits, deps.metrics, this.transport),
    };
    if (files !== null) {
      this.secure = new TlsServer(name, cfg, files, { transport: 'https', metrics: deps.metrics, log: deps.log, sessions: acceptor });
    } else {
      const server = createNetServer({ noDelay: true }, (socket) => acceptor.accept(socket, streamSource(socket, 'http')));
      acceptor.limit(server);
      this.plain = new Listening(server, deps.log, name);
    }
    this.intake.on('resume', this.pump);
    this.intake.on('pause', this.pump);
  }

  get listening(): boolean { return (this.secure ?? this.plain!).listening; }

  async start(): Promise<AddressInfo> {
    const a = this.secure !== null ? await this.secure.start() : await this.plain!.start(this.cfg.address, this.cfg.port);
    this.http.emit('listening'); // starts Node's header/request timeout checks for the sockets handed over
    return a;
  }

  reload(): boolean { return this.secure?.reload() ?? true; }

  /** Stops accepting, lets requests whose acks are due finish (up to 5 s), then closes every connection. */
  stop(): Promise<void> {
    const closeAll = async (): Promise<void> => {
      this.intake.off('resume', this.pump);
      this.intake.off('pause', this.pump);
      for (const w of this.waiting.splice(0)) w(false);
      if (this.recheck !== null) clearInterval(this.recheck);
      this.http.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(this.inFlight), new Promise((r) => { timer = setTimeout(r, STOP_GRACE_MS); })]);
      clearTimeout(timer);
      this.http.close();
      this.http.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    };
    return this.secure !== null ? this.secure.close(closeAll) : this.plain!.close(closeAll);
  }

  private accept(socket: Socket, source: FrameSource): void {
    const m = this.deps.metrics;
    this.sources.set(socket, source);
    this.sockets.add(socket);
    m.openConnections[this.transport]++;
    socket.on('close', () => {
      this.sockets.delete(socket);
      m.openConnections[this.transport]--;
    });
    socket.on('error', (err) => this.deps.log.debug({ err, source: source.record.address }, 'http connection error'));
    this.http.emit('connection', socket);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    p.catch((err) => this.deps.log.error({ err, code: ErrorCodes.HTTP_REQUEST_FAILED }, 'HTTP request handler failed (a bug)')).finally(() => this.inFlight.delete(p));
  }

  /**
   * Waits for a request slot and for the intake to take records.
   * @returns false when the store cannot write (now, or while waiting): no slot was taken
   */
  private acquire(): Promise<boolean> {
    if (this.intake.downReason !== null) return Promise.resolve(false);
    if (this.active < this.cfg.maxConcurrentRequests && !this.intake.paused && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise((r) => {
      this.waiting.push(r);
      this.pump();
    });
  }

  private release(): void {
    this.active--;
    this.pump();
  }

  private send(res: ServerResponse, status: number, body: string, type = 'application/json', headers: Record<string, string> = {}): void {
    const m = this.deps.metrics.httpResponses;
    m.set(status, (m.get(status) ?? 0) + 1);
    if (res.headersSent || res.destroyed) return;
    if (status === 204) res.writeHead(204, { ...PRODUCT_HEADER, ...headers }).end();
    else res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...PRODUCT_HEADER, ...headers }).end(body);
  }

  private error(res: ServerResponse, status: number, type: string, reason: string, headers: Record<string, string> = {}): void {
    this.send(res, status, esError(status, type, reason), 'application/json', headers);
  }

  /** The app named by `Authorization: Bearer <token>` or `Basic` (token as user or password), else null. */
  private headerAuth(req: IncomingMessage): Authorized | null {
    const h = req.headers.authorization;
    if (typeof h !== 'string') return null;
    const sp = h.indexOf(' ');
    const scheme = h.slice(0, sp).toLowerCase();
    const value = h.slice(sp + 1).trim();
    const candidates = scheme === 'bearer' ? [value] : scheme === 'basic' ? Buffer.from(value, 'base64').toString('utf8').split(':', 2) : [];
    for (const token of candidates) {
      const app = this.intake.appForToken(token.trim());
      if (app !== null) return { app, token: token.trim(), tokenSource: 'header' };
    }
    return null;
  }

  private byToken(token: string | null, tokenSource: TokenSource): Authorized | null {
    if (token === null) return null;
    const app = this.intake.appForToken(token);
    return app === null ? null : { app, token, tokenSource };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const r = route(req.method ?? 'GET', req.url ?? '/');
    if (r.kind === 'error') {
      const headers: Record<string, string> = r.allow === undefined ? {} : { allow: r.allow };
      if (r.status === 404) this.error(res, 404, 'no_handler_found_exception', `no handler found for uri [${req.url}] and method [${req.method}]`);
      else if (r.status === 405) this.error(res, 405, 'method_not_allowed', `method [${req.method}] is not allowed for [${req.url}]`, headers);
      else this.error(res, 400, 'illegal_argument_exception', 'the request path has a malformed %-escape');
      return;
    }
    if (r.kind === 'probe') {
      const p = probeBody(r.name);
      this.send(res, 200, p.body, p.type);
      return;
    }
    // Loggly and Logentries: the token in the path; Elasticsearch: the index, else the header
    // (a bulk item's own _index may still name an app: checked per item)
    const auth = r.kind === 'loggly' || r.kind === 'logentries' ? this.byToken(r.token, 'url') : this.byToken(r.index, 'index') ?? this.headerAuth(req);
    if (auth === null && r.kind !== 'bulk') {
      this.unauthorized(res, 0, r.kind === 'doc' ? r.index : r.token);
      return;
    }
    if (!(await this.acquire())) {
      this.error(res, 503, 'unavailable_shards_exception', `the store cannot write (${this.intake.downReason ?? 'shutting down'}): retry later`, { 'retry-after': '5' });
      return;
    }
    try {
      await this.ingest(req, res, r, auth);
    } catch (e) {
      if (e instanceof BodyError) {
        await discard(req);
        this.error(res, e.status, e.status === 413 ? 'content_too_long_exception' : e.status === 415 ? 'illegal_argument_exception' : 'parse_exception', e.message);
      } else if (!req.complete || res.destroyed) {
        this.deps.metrics.httpAborted++; // the client went away (or a timeout closed it)
        res.destroy();
      } else {
        this.deps.log.error({ err: e, code: ErrorCodes.HTTP_REQUEST_FAILED, url: req.url?.slice(0, 200), method: req.method }, 'HTTP request failed (a bug): answered 500');
        this.error(res, 500, 'exception', 'internal error: see the receiver log');
      }
    } finally {
      this.release();
    }
  }

  private unauthorized(res: ServerResponse, events: number, index: string | null): void {
    const m = this.deps.metrics;
    m.receivedEvents[this.transport] += events;
    m.rejected.unauthorized += events;
    this.error(res, 401, 'security_exception', index === null ? 'missing or unknown app token: put it in the index name, the URL or an Authorization header' : `unknown app token [${index}]`);
  }

  /** Reads the body, turns it into events, authorizes, charges quotas, stores, and answers once durable. */
  private async ingest(req: IncomingMessage, res: ServerResponse, r: Exclude<Route, { kind: 'probe' }>, auth: Authorized | null): Promise<void> {
    const t0 = Date.now();
    const m = this.deps.metrics;
    const { body, wireBytes } = await readBody(req, this.deps.limits.current.maxHttpBodyBytes);
    m.receivedBytes[this.transport] += wireBytes;
    const receivedAtMs = Date.now();
    const source = this.sources.get(req.socket) ?? streamSource(req.socket, this.transport);

    // the events with their app (bulk: every item's result, status 0 while its event is stored)
    let pending: Pending[];
    let results: ItemResult[] | null = null;
    if (r.kind === 'bulk') {
      const items = parseBulk(body);
      if (!Array.isArray(items)) {
        this.error(res, items.status, items.type, items.reason);
        return;
      }
      const b = this.authorizeBulk(items, r.index, auth);
      if (b === null) {
        this.unauthorized(res, items.length, r.index);
        return;
      }
      ({ pending, results } = b);
    } else {
      const events = r.kind === 'doc' || (r.kind === 'loggly' && !r.bulk) ? [oneEvent(body)] : lineEvents(body, r.kind === 'loggly');
      m.receivedEvents[this.transport] += events.length;
      if (r.kind === 'doc' && events[0].json === null) {
        m.rejected.invalid++;
        this.error(res, 400, 'mapper_parsing_exception', 'failed to parse: the document is not one JSON object');
        return;
      }
      const tags = r.kind === 'loggly' ? [...r.tags, ...headerTags(req)] : [];
      pending = events.map((ev) => {
        if (r.kind === 'doc' && r.id !== null) ev.json!.id = r.id;
        if (tags.length > 0) addTags(ev, tags);
        return { ev, ...auth!, result: null };
      });
    }

    if (this.refuse(res, pending, receivedAtMs)) return;
    const statuses = await this.store(pending, source, receivedAtMs);
    if (results !== null) {
      statuses.forEach((s, k) => {
        const it = pending[k].result!;
        if (s === RecordStatus.Delivered) it.status = 201;
        else if (s === RecordStatus.Rejected) Object.assign(it, { status: 400, error: { type: 'illegal_argument_exception', reason: 'the store refused this document for good (too large for the stream)' } });
        else Object.assign(it, { status: 503, error: { type: 'unavailable_shards_exception', reason: 'the store could not write this document: send it again' } });
      });
      this.send(res, 200, bulkResponse(results, Date.now() - t0));
      return;
    }
    const folded = statuses.reduce(worse, RecordStatus.Delivered);
    if (folded === RecordStatus.Errored) this.error(res, 503, 'unavailable_shards_exception', 'the store could not write the events: send them again');
    else if (folded === RecordStatus.Rejected) this.error(res, 400, 'illegal_argument_exception', 'the store refused the events for good (too large for the stream)');
    else if (r.kind === 'doc') this.send(res, 201, docResponse({ action: r.create ? 'create' : 'index', index: r.index, id: r.id ?? randomBytes(15).toString('base64url'), status: 201 }));
    else if (r.kind === 'loggly') this.send(res, 200, '{"response":"ok"}');
    else this.send(res, 204, '');
  }

  /**
   * Finds each bulk item's app: its own `_index` when that is a token; without one the path's or
   * the header's app; an `_index` that is no token goes to the header's app only (never to
   * another app's path). Counts the items (received, invalid, unauthorized).
   * @returns every item's result (status 0 for those to store) and the events to store, or null
   *   when no item names an app (the request is answered 401 and counted by the caller)
   */
  private authorizeBulk(items: readonly BulkItem[], pathIndex: string | null, auth: Authorized | null): { pending: Pending[]; results: ItemResult[] } | null {
    const ids = randomBytes(9).toString('base64url');
    const pending: Pending[] = [];
    let unknown = 0;
    let invalid = 0;
    const results = items.map((it, i): ItemResult => {
      const result: ItemResult = { action: it.action, index: it.index ?? pathIndex ?? '', id: it.id ?? `${ids}${i}`, status: 0 };
      if (it.error !== null) {
        invalid++;
        return { ...result, status: it.error.status, error: { type: it.error.type, reason: it.error.reason } };
      }
      const a = this.byToken(it.index, 'index') ?? (it.index === null || auth?.tokenSource === 'header' ? auth : null);
      if (a === null) {
        unknown++;
        return { ...result, status: 401, error: { type: 'security_exception', reason: `unknown app token [${result.index}]` } };
      }
      pending.push({ ev: it.ev!, ...a, result });
      return result;
    });
    if (unknown === items.length) return null;
    const m = this.deps.metrics;
    m.receivedEvents[this.transport] += items.length;
    m.rejected.unauthorized += unknown;
    m.rejected.invalid += invalid;
    return { pending, results };
  }

  /**
   * A request nothing of which may be stored now: a required sink down (503) or an app over
   * its quota (429 with `Retry-After`). Counted per event.
   * @returns true when it answered
   */
  private refuse(res: ServerResponse, pending: readonly Pending[], nowMs: number): boolean {
    if (pending.length === 0) return false;
    const m = this.deps.metrics;
    const down = this.intake.downReason;
    if (down !== null) {
      m.rejected[down] += pending.length;
      this.error(res, 503, 'unavailable_shards_exception', `the store cannot write (${down}): retry later`, { 'retry-after': '5' });
      return true;
    }
    const perApp = new Map<string, { events: number; bytes: number }>();
    for (const p of pending) {
      const a = perApp.get(p.app) ?? { events: 0, bytes: 0 };
      a.events++;
      a.bytes += p.ev.bytes;
      perApp.set(p.app, a);
    }
    for (const [app, a] of perApp) {
      const q = this.intake.reserve(app, a.events, a.bytes, nowMs);
      if (q === QuotaResult.Ok) continue;
      m.rejected[q === QuotaResult.RateLimited ? 'rate_limited' : 'over_daily_volume'] += pending.length;
      const seconds = Math.max(1, Math.ceil((this.intake.retryAtMs - nowMs) / 1000));
      this.error(res, 429, 'es_rejected_execution_exception', `app ${app} is over its ${q === QuotaResult.RateLimited ? 'event rate (maxEventsPerSecond)' : 'daily volume (maxBytesPerDay)'}: retry in ${seconds} s`, { 'retry-after': String(seconds) });
      return true;
    }
    return false;
  }

  /** Hands every event to the intake; resolves with each one's outcome once all are final. */
  private store(pending: readonly Pending[], source: FrameSource, receivedAtMs: number): Promise<RecordStatus[]> {
    const statuses = new Array<RecordStatus>(pending.length);
    if (pending.length === 0) return Promise.resolve(statuses);
    return new Promise((resolve) => {
      let left = pending.length;
      pending.forEach((p, k) => {
        this.intake.event(p.app, p.ev, p.tokenSource, source, receivedAtMs, (s) => {
          statuses[k] = s;
          if (--left === 0) resolve(statuses);
        });
      });
    });
  }
}

/** Unread request bytes read and dropped after an early answer (413) at most; beyond, the connection is closed. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads the rest of a refused body and drops it, resolving once it has all arrived, so the
 * client, still sending, gets the answer instead of a reset (an answer before the body ends
 * makes the client's writes fail); past {@link DISCARD_MAX_BYTES} the connection is closed.
 */
function discard(req: IncomingMessage): Promise<void> {
  if (req.complete) return Promise.resolve();
  return new Promise((resolve) => {
    let n = 0;
    req.removeAllListeners('data');
    req.on('data', (b: Buffer) => { n += b.length; if (n > DISCARD_MAX_BYTES) req.socket.destroy(); });
    req.once('end', resolve);
    req.once('close', resolve);
    req.resume();
  });
}

/** Loggly's `X-LOGGLY-TAG` header (comma-separated). */
function headerTags(req: IncomingMessage): string[] {
  const h = req.headers['x-loggly-tag'];
  const v = Array.isArray(h) ? h.join(',') : h ?? '';
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Adds Loggly tags: `tags` of a JSON event (after its own), or a `tags` key of a text event. */
function addTags(ev: IntakeEvent, tags: string[]): void {
  if (ev.json !== null) ev.json.tags = Array.isArray(ev.json.tags) ? [...(ev.json.tags as unknown[]), ...tags] : tags;
  else ev.extra = { tags };
}

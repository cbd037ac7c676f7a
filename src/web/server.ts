/**
 * The web page and its read API (`listen.web`, default 127.0.0.1:9515; HTTPS with `tls: true`):
 * `/` and `/assets/*` serve the page, `/api/v1/*` the JSON API that README "Web page and API"
 * documents. Every API call is authenticated (a Bearer key or the page's session cookie, see
 * keys.ts) and authorized per app; store reads run in the search thread (search/pool.ts), live
 * tails here (tail.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TlsFiles } from '../certs/listener-files.js';
import type { WebListenerConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import { Listening } from '../transports/connection.js';
import { TlsServer } from '../transports/tls.js';
import type { FrontEnd } from '../transports/types.js';
import { WebApi, type WebDeps } from './api.js';
import { apiError, send } from './reply.js';
import { loadAssets, type Asset } from './static.js';

/** Headers on every answer: no framing, no sniffing, no referrer, scripts and styles only from here. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export type { WebDeps };

export class WebServer implements FrontEnd {
  readonly kind = 'web';
  private readonly http: Server;
  private readonly plain: Listening | null = null;
  private readonly secure: TlsServer | null = null;
  private readonly api: WebApi;
  private readonly assets: Map<string, Asset>;

  /** @param name config path (`listen.web`) */
  constructor(readonly name: string, private readonly cfg: WebListenerConfig, files: TlsFiles | null, deps: WebDeps) {
    this.assets = loadAssets();
    if (this.assets.size === 0) deps.log.warn({ listener: name }, 'web: the page was not built (dist/public is empty; run npm run build): only the API is served');
    this.api = new WebApi(deps, cfg.tls);
    this.http = createServer({ requestTimeout: 0, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => this.handle(req, res));
    this.http.on('clientError', (_err, socket: Socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'); socket.destroy(); });
    if (files !== null) {
      this.secure = new TlsServer(name, cfg, files, {
        transport: 'https',
        metrics: deps.metrics,
        log: deps.log,
        sessions: { accept: (socket) => this.http.emit('connection', socket), limit: () => undefined },
      });
    } else {
      this.plain = new Listening(this.http, deps.log, name);
    }
  }

  get listening(): boolean { return (this.secure ?? this.plain!).listening; }

  /** Binds the listener, then builds the search indexes in the background. */
  async start(): Promise<AddressInfo> {
    let a: AddressInfo;
    if (this.secure === null) a = await this.plain!.start(this.cfg.address, this.cfg.port);
    else {
      a = await this.secure.start();
      this.http.emit('listening');
    }
    this.api.warmIndexes();
    return a;
  }

  /** Re-reads the keys (a removed key's tails close, its sessions end) and the TLS certificate. */
  reload(): boolean {
    this.api.reload();
    return this.secure?.reload() ?? true;
  }

  async stop(): Promise<void> {
    this.api.close();
    if (this.secure !== null) await this.secure.close(() => this.http.closeAllConnections());
    else await this.plain!.close(() => this.http.closeAllConnections());
    this.http.closeAllConnections();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/api/')) {
      this.api.handle(req, res).catch((err: unknown) => {
        this.api.log.error({ err, code: ErrorCodes.WEB_REQUEST, path }, 'web API request failed');
        if (!res.headersSent) send(res, apiError(500, 'internal', 'internal error (logged by the receiver)'));
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const asset = this.assets.get(path);
    if (asset === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': asset.cacheControl });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }
}

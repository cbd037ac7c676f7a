/**
 * Admin HTTP endpoint (`listen.admin`, default 127.0.0.1:9514): `GET /metrics` in Prometheus
 * text format, `GET /healthz` — 200 `{"status":"ok"}` when every listener is bound and the
 * store is writable, 503 `{"status":"unhealthy","reasons":[…]}` otherwise. Nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ListenerConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import { Listening } from '../transports/connection.js';
import type { FrontEnd } from '../transports/types.js';

/** Health verdict: `reasons` lists what is wrong (empty when healthy). */
export type HealthCheck = () => string[];

export class AdminServer implements FrontEnd {
  readonly kind = 'admin';
  private readonly server: Server;
  private readonly net: Listening;

  /** @param name config path (`listen.admin`) */
  constructor(readonly name: string, private readonly cfg: ListenerConfig, registry: Registry, health: HealthCheck, log: Logger) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (err) => { log.error({ err, code: ErrorCodes.ADMIN_METRICS }, 'metrics collection failed'); res.writeHead(500).end(); },
        );
      } else if (path === '/healthz') {
        const reasons = health();
        const body = JSON.stringify(reasons.length === 0 ? { status: 'ok' } : { status: 'unhealthy', reasons });
        res.writeHead(reasons.length === 0 ? 200 : 503, { 'content-type': 'application/json' }).end(body + '\n');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      }
    });
    this.net = new Listening(this.server, log, name);
  }

  get listening(): boolean { return this.net.listening; }

  start(): Promise<AddressInfo> { return this.net.start(this.cfg.address, this.cfg.port); }

  stop(): Promise<void> { return this.net.close(() => this.server.closeAllConnections()); }
}

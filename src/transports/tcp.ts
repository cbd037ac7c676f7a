/** Plain TCP front-end (DESIGN §3): RFC 6587 per-frame auto-detection, default port 514. */
import { createServer, type AddressInfo } from 'node:net';
import type { ListenerConfig } from '../config/schema.js';
import { ConnectionSet, Listening, type FrontEndDeps } from './connection.js';
import type { FrontEnd } from './types.js';

export class TcpListener implements FrontEnd {
  readonly kind = 'tcp';
  private readonly net: Listening;
  private readonly conns: ConnectionSet;

  /** @param name config path (`listen.tcp`) */
  constructor(readonly name: string, private readonly cfg: ListenerConfig, deps: FrontEndDeps) {
    const conns = new ConnectionSet({ ...deps, transport: 'tcp' });
    this.conns = conns;
    this.net = new Listening(createServer({ noDelay: true }, (s) => conns.accept(s)), deps.log, name);
    conns.limit(this.net.server);
  }

  get listening(): boolean { return this.net.listening; }

  /** Binds; rejects with the socket error (EADDRINUSE, EACCES …). */
  start(): Promise<AddressInfo> { return this.net.start(this.cfg.address, this.cfg.port); }

  /** Stops accepting and closes every connection. */
  stop(): Promise<void> { return this.net.close(() => this.conns.closeAll()); }
}

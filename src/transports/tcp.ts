/** Plain TCP front-end (DESIGN §3): RFC 6587 per-frame auto-detection, default port 514. */
import { createServer, type AddressInfo } from 'node:net';
import { ConnectionSet, Listening, type StreamOptions } from './connection.js';

export class TcpListener {
  private readonly net: Listening;
  private readonly conns: ConnectionSet;

  constructor(opts: Omit<StreamOptions, 'transport'>) {
    const conns = new ConnectionSet({ ...opts, transport: 'tcp' });
    this.conns = conns;
    this.net = new Listening(createServer({ noDelay: true }, (s) => conns.accept(s)), opts.log, 'listen.tcp');
    conns.limit(this.net.server);
  }

  get listening(): boolean { return this.net.listening; }

  /** Binds; rejects with the socket error (EADDRINUSE, EACCES …). */
  start(address: string, port: number): Promise<AddressInfo> { return this.net.start(address, port); }

  /** Stops accepting and closes every connection. */
  stop(): Promise<void> { return this.net.close(() => this.conns.closeAll()); }
}

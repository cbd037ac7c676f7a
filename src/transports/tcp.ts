/** Plain TCP front-end (DESIGN §3): RFC 6587 per-frame auto-detection, default port 514. */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { ConnectionSet, listen, type StreamOptions } from './connection.js';

export class TcpListener {
  private readonly server: Server;
  private readonly conns: ConnectionSet;

  constructor(opts: Omit<StreamOptions, 'transport'>) {
    this.conns = new ConnectionSet({ ...opts, transport: 'tcp' });
    this.server = createServer({ noDelay: true }, (s) => this.conns.accept(s));
    this.conns.limit(this.server);
    this.server.on('error', (err) => opts.log.error({ err }, 'tcp listener error'));
  }

  get listening(): boolean { return this.server.listening; }

  /** Binds; rejects with the socket error (EADDRINUSE, EACCES …). */
  async start(address: string, port: number): Promise<AddressInfo> {
    await listen(this.server, address, port);
    return this.server.address() as AddressInfo;
  }

  /** Stops accepting and closes every connection. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.conns.closeAll();
    await closed;
  }
}

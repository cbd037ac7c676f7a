/**
 * Shared life cycle of a stream connection (TCP, TLS): framing auto-detection, idle timeout,
 * connection limit, and backpressure — every open socket is paused while the intake is paused
 * (its sinks are behind or cannot write; DESIGN §3) and resumed after.
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import { StreamFramer } from '../framing/detect.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Intake } from '../pipeline/intake.js';
import type { FrameSource, Transport } from '../record.js';
import type { LimitsConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';

/**
 * The `limits:` in force, shared by every listener and swapped by a config reload: new
 * connections (and datagrams) use the current values; `maxConnections` is pushed to every
 * tracked server at once.
 */
export class LiveLimits {
  private readonly servers = new Set<Server>();

  constructor(public current: LimitsConfig) {}

  /** Applies `maxConnections` to `server` now and on every update. */
  track(server: Server): void {
    server.maxConnections = this.current.maxConnections;
    this.servers.add(server);
  }

  update(limits: LimitsConfig): void {
    this.current = limits;
    for (const s of this.servers) s.maxConnections = limits.maxConnections;
  }
}

/** What every front-end that feeds frames gets from the receiver. */
export interface FrontEndDeps {
  intake: Intake;
  metrics: Metrics;
  log: Logger;
  /** maxMessageBytes, maxConnections (per listener, TLS handshakes included), idleTimeoutMs. */
  limits: LiveLimits;
}

export interface StreamOptions extends FrontEndDeps {
  transport: Transport;
}

/** Where a listener hands its accepted (for TLS: secured) sockets: connections or RELP sessions. */
export interface SocketAcceptor {
  /** Takes over `socket`; `source` describes its peer. */
  accept(socket: Socket, source: FrameSource): void;
  /** Applies `limits.maxConnections` to the server (counted on `drop`). */
  limit(server: Server): void;
}

/** Tracks the open sockets of one listener and applies the shared rules to each. */
export class ConnectionSet implements SocketAcceptor {
  readonly sockets = new Set<Socket>();
  private readonly onPause = (): void => { for (const s of this.sockets) s.pause(); };
  private readonly onResume = (): void => { for (const s of this.sockets) s.resume(); };

  constructor(private readonly o: StreamOptions) {
    o.intake.on('pause', this.onPause);
    o.intake.on('resume', this.onResume);
  }

  /**
   * Applies `limits.maxConnections` to `server` (Node closes extra connections at accept,
   * before any TLS handshake, and emits `drop`, which is counted).
   */
  limit(server: Server): void {
    limitConnections(server, this.o.limits, this.o.metrics, this.o.transport);
  }

  /** Takes over a freshly accepted (and, for TLS, secured) socket; `source` describes its peer. */
  accept(socket: Socket, source: FrameSource = streamSource(socket, this.o.transport)): void {
    const o = this.o;
    const m = o.metrics;
    const t = o.transport;
    this.sockets.add(socket);
    m.openConnections[t]++;
    let receivedAtMs = 0;
    const intake = o.intake;
    const { maxMessageBytes, idleTimeoutMs } = o.limits.current;
    const framer = new StreamFramer(maxMessageBytes, (buf, start, end, truncated) => {
      intake.frame(buf, start, end, truncated, source, receivedAtMs);
    });
    socket.on('data', (chunk: Buffer) => {
      receivedAtMs = Date.now();
      m.receivedBytes[t] += chunk.length;
      intake.beginRead(chunk);
      framer.push(chunk);
      intake.endRead();
    });
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      receivedAtMs = Date.now();
      framer.end();
    };
    socket.on('end', () => {
      finish();
      socket.end();
    });
    socket.on('error', (err) => o.log.debug({ err, source: source.record.address }, 'connection error'));
    socket.on('close', () => {
      finish(); // an unterminated last line (peer reset, idle timeout, shutdown) is still delivered
      this.sockets.delete(socket);
      m.openConnections[t]--;
    });
    if (idleTimeoutMs > 0) {
      socket.setTimeout(idleTimeoutMs, () => {
        m.idleClosed[t]++;
        socket.destroy();
      });
    }
    if (o.intake.paused) socket.pause();
  }

  /** Closes every socket; each delivers its unterminated last line, if any, on close. */
  closeAll(): void {
    this.o.intake.off('pause', this.onPause);
    this.o.intake.off('resume', this.onResume);
    for (const s of this.sockets) s.destroy();
  }
}

/**
 * Applies `limits.maxConnections` to `server`: Node closes connections over it at accept,
 * before any TLS handshake, and emits `drop`, counted in `refusedConnections`.
 */
export function limitConnections(server: Server, limits: LiveLimits, metrics: Metrics, transport: Transport): void {
  limits.track(server);
  server.on('drop', () => { metrics.refusedConnections[transport]++; });
}

/** The FrameSource of a plain (or not client-authenticated) stream socket. */
export function streamSource(socket: Socket, transport: Transport): FrameSource {
  return { record: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport }, certFingerprint: null };
}

/**
 * The life cycle every listening server shares (TCP, TLS, RELP, admin HTTP — all `net.Server`s):
 * bind with the error surfaced to the caller, errors after that logged (never an unhandled
 * `error` event), and a close that waits for every connection to end.
 */
export class Listening {
  constructor(readonly server: Server, log: Logger, name: string) {
    server.on('error', (err) => { if (server.listening) log.error({ err, code: ErrorCodes.LISTEN_SOCKET, listener: name }, 'listener error'); });
  }

  get listening(): boolean { return this.server.listening; }

  /** Binds address:port. @throws the socket error (EADDRINUSE, EACCES …) */
  start(address: string, port: number): Promise<AddressInfo> {
    const server = this.server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ host: address, port, backlog: 4096 }, () => {
        server.off('error', onError);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting, runs `closeConnections`, resolves once every connection has ended. */
  async close(closeConnections: () => unknown): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    await closeConnections();
    await closed;
  }
}

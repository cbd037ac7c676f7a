/**
 * UDP front-end (DESIGN §3): one datagram = one message; one trailing LF, CRLF or NUL is
 * trimmed; longer than `maxMessageBytes` → truncated. UDP cannot push back: while the intake
 * is paused datagrams are dropped and counted (`queue_full`, or `disk_full` while the store
 * cannot write) — see `Intake.offer`.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import { trimTrailer } from '../framing/non-transparent.js';
import type { UdpListenerConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { FrameSource } from '../record.js';
import type { FrontEndDeps } from './connection.js';
import type { FrontEnd } from './types.js';

/** Distinct senders remembered (cleared when full). */
const SOURCE_CACHE_MAX = 4096;

export class UdpListener implements FrontEnd {
  readonly kind = 'udp';
  private socket: Socket | null = null;
  /** True while the socket is bound (for /healthz). */
  listening = false;

  /** @param name config path (`listen.udp`) */
  constructor(readonly name: string, private readonly cfg: UdpListenerConfig, private readonly o: FrontEndDeps) {}

  /** Binds; rejects with the socket error (EADDRINUSE, EACCES …). */
  async start(): Promise<AddressInfo> {
    const { address, port } = this.cfg;
    const o = this.o;
    const m = o.metrics;
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      const now = Date.now();
      m.receivedBytes.udp += msg.length;
      let end = trimTrailer(msg, 0, msg.length);
      const max = o.limits.current.maxMessageBytes;
      const truncated = end > max;
      if (truncated) end = max;
      if (end === 0) return;
      o.intake.offer(msg, 0, end, truncated, this.source(rinfo.address, rinfo.port), now);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port }, () => {
        socket.off('error', reject);
        socket.on('error', (err) => o.log.error({ err, code: ErrorCodes.LISTEN_SOCKET, listener: this.name }, 'udp socket error'));
        this.setRecvBuffer(socket);
        this.listening = true;
        socket.once('close', () => { this.listening = false; });
        resolve();
      });
    });
    return socket.address();
  }

  /**
   * Asks for `recvBufferBytes` (SO_RCVBUF) and logs what the kernel granted: Linux caps the
   * request at `net.core.rmem_max` and reports double the granted size (its bookkeeping share).
   */
  private setRecvBuffer(socket: Socket): void {
    const requested = this.cfg.recvBufferBytes;
    const log = this.o.log;
    try {
      if (requested > 0) socket.setRecvBufferSize(requested);
    } catch (err) {
      log.warn({ err, code: ErrorCodes.LISTEN_SOCKET, requested }, 'could not set the UDP receive buffer (listen.udp.recvBufferBytes); the kernel default applies');
    }
    let granted = -1;
    try { granted = socket.getRecvBufferSize(); } catch { /* not bound any more */ }
    const info = { listener: this.name, requestedBytes: requested, grantedBytes: granted };
    if (requested > 0 && granted >= 0 && granted < requested) log.warn(info, 'UDP receive buffer smaller than asked: raise net.core.rmem_max (sysctl) to get listen.udp.recvBufferBytes');
    else log.info(info, 'UDP receive buffer');
  }

  /** Senders seen recently → their FrameSource (shared, so its JSON is serialized once). */
  private readonly sources = new Map<string, FrameSource>();

  private source(address: string, port: number): FrameSource {
    const key = address + ' ' + port;
    let s = this.sources.get(key);
    if (s === undefined) {
      if (this.sources.size >= SOURCE_CACHE_MAX) this.sources.clear();
      s = { record: { address, port, transport: 'udp' }, certFingerprint: null };
      this.sources.set(key, s);
    }
    return s;
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

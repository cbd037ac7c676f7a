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
import type { ListenerConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { FrameSource } from '../record.js';
import type { FrontEndDeps } from './connection.js';
import type { FrontEnd } from './types.js';

/** Distinct senders remembered (cleared when full). */
const SOURCE_CACHE_MAX = 4096;

/** Requested kernel receive buffer, bytes (capped by net.core.rmem_max). */
const RECV_BUFFER_BYTES = 8 * 1024 * 1024;

export class UdpListener implements FrontEnd {
  readonly kind = 'udp';
  private socket: Socket | null = null;
  /** True while the socket is bound (for /healthz). */
  listening = false;

  /** @param name config path (`listen.udp`) */
  constructor(readonly name: string, private readonly cfg: ListenerConfig, private readonly o: FrontEndDeps) {}

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
        try { socket.setRecvBufferSize(RECV_BUFFER_BYTES); } catch { /* capped by the kernel */ }
        this.listening = true;
        socket.once('close', () => { this.listening = false; });
        resolve();
      });
    });
    return socket.address();
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

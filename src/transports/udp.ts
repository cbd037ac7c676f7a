/**
 * UDP front-end (DESIGN §3): one datagram = one message; one trailing LF, CRLF or NUL is
 * trimmed; longer than `maxMessageBytes` → truncated. UDP cannot push back: while the intake
 * is paused datagrams are dropped and counted (`queue_full`, or `disk_full` while the store
 * cannot write) — see `Intake.offer`.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import type { UdpListenerConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { FrontEndDeps } from './connection.js';
import type { FrontEnd } from './types.js';
import { datagramEnd, logRecvBuffer, setRecvBuffer, UdpSources } from './udp-datagram.js';

/** UDP front-end: one socket, read on the main thread (see the module comment). */
export class UdpListener implements FrontEnd {
  readonly kind = 'udp';
  private socket: Socket | null = null;
  /** True while the socket is bound (for /healthz). */
  listening = false;
  private readonly sources = new UdpSources();

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
      const e = datagramEnd(msg, o.limits.current.maxMessageBytes);
      if (e === 0) return;
      const truncated = e < 0;
      o.intake.offer(msg, 0, truncated ? -e - 1 : e, truncated, this.sources.get(rinfo.address, rinfo.port), now);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port }, () => {
        socket.off('error', reject);
        socket.on('error', (err) => o.log.error({ err, code: ErrorCodes.LISTEN_SOCKET, listener: this.name }, 'udp socket error'));
        logRecvBuffer(o.log, this.name, setRecvBuffer(socket, this.cfg.recvBufferBytes));
        this.listening = true;
        socket.once('close', () => { this.listening = false; });
        resolve();
      });
    });
    return socket.address();
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

/**
 * UDP front-end (DESIGN §3): one datagram = one message; one trailing LF, CRLF or NUL is
 * trimmed; longer than `maxMessageBytes` → truncated. UDP cannot push back: while the intake
 * is paused datagrams are dropped and counted (`queue_full`, or `disk_full` while the store
 * cannot write) — see `Intake.offer`.
 *
 * The socket is read by the native reader thread (`udp-native.ts`, recvmmsg) or by Node's
 * dgram on the main thread (`listen.udp.reader`).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import type { UdpListenerConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { FrameSource } from '../record.js';
import type { FrontEndDeps } from './connection.js';
import type { FrontEnd } from './types.js';
import { logRecvBuffer, offerDatagram, setRecvBuffer, UdpSources } from './udp-datagram.js';
import { NativeUdpSocket, nativeUdpUnavailable } from './udp-native.js';

/** UDP front-end: one socket (see the module comment). */
export class UdpListener implements FrontEnd {
  readonly kind = 'udp';
  private socket: Socket | null = null;
  private native: NativeUdpSocket | null = null;
  /** True while the socket is bound (for /healthz). */
  listening = false;
  private readonly sources = new UdpSources();
  /** The senders of the slab being read (reused). */
  private readonly slabSources: FrameSource[] = [];

  /** @param name config path (`listen.udp`) */
  constructor(readonly name: string, private readonly cfg: UdpListenerConfig, private readonly o: FrontEndDeps) {}

  /**
   * Binds; rejects with the socket error (EADDRINUSE, EACCES …), or when `reader: native` is
   * asked for and the addon is unavailable.
   */
  async start(): Promise<AddressInfo> {
    const why = this.cfg.reader === 'dgram' ? 'listen.udp.reader is dgram' : nativeUdpUnavailable();
    if (why === null) return this.startNative();
    if (this.cfg.reader === 'native') throw new Error(`${this.name}.reader is native, but ${why}`);
    this.o.log.info({ listener: this.name, reason: why }, 'UDP read with Node dgram');
    return this.startDgram();
  }

  private startNative(): AddressInfo {
    const s = new NativeUdpSocket(this.cfg.address, this.cfg.port, this.cfg.recvBufferBytes, this.onSlab);
    this.native = s;
    logRecvBuffer(this.o.log, this.name, s.recvBuffer);
    this.listening = true;
    return s.address;
  }

  /** One slab from the native reader: its datagrams as one socket read (copied once for the workers). */
  private readonly onSlab = (data: Buffer, meta: Int32Array, base: number, count: number, senders: Array<string | number>, kernelDrops: number): void => {
    const o = this.o;
    const m = o.metrics;
    m.udpReceiveBufferDrops += kernelDrops;
    const sources = this.slabSources;
    sources.length = senders.length >> 1;
    for (let k = 0; k < sources.length; k++) sources[k] = this.sources.get(senders[2 * k] as string, senders[2 * k + 1] as number);
    const now = Date.now();
    const max = o.limits.current.maxMessageBytes;
    const intake = o.intake;
    intake.beginRead(data);
    try {
      for (let i = 0, k = base; i < count; i++, k += 3) {
        const start = meta[k];
        offerDatagram(intake, m, data, start, start + meta[k + 1], max, sources[meta[k + 2]], now);
      }
    } finally {
      intake.endRead();
    }
  };

  private async startDgram(): Promise<AddressInfo> {
    const { address, port } = this.cfg;
    const o = this.o;
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      offerDatagram(o.intake, o.metrics, msg, 0, msg.length, o.limits.current.maxMessageBytes, this.sources.get(rinfo.address, rinfo.port), Date.now());
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
    if (this.native !== null) {
      this.native.close();
      this.native = null;
      this.listening = false;
    }
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

/**
 * What the UDP front-end does with each datagram — trim, truncate, find the sender's shared
 * {@link FrameSource} — and the receive buffer it asks the kernel for.
 */
import type { Socket } from 'node:dgram';
import { trimTrailer } from '../framing/non-transparent.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Intake } from '../pipeline/intake.js';
import type { FrameSource } from '../record.js';
import { ErrorCodes } from '../errors.js';

/** Distinct senders remembered (cleared when full). */
const SOURCE_CACHE_MAX = 4096;

/**
 * Offers the datagram `buf[start, end)` to the intake as one frame (DESIGN §3): its bytes are
 * counted, one trailing LF, CRLF or NUL is trimmed, an empty one is ignored, one longer than
 * `maxMessageBytes` (bytes) is cut to it and marked truncated.
 * @param receivedAtMs when it was read, epoch ms
 */
export function offerDatagram(intake: Intake, metrics: Metrics, buf: Buffer, start: number, end: number, maxMessageBytes: number, source: FrameSource, receivedAtMs: number): void {
  metrics.receivedBytes.udp += end - start;
  let e = trimTrailer(buf, start, end);
  if (e === start) return;
  const truncated = e - start > maxMessageBytes;
  if (truncated) e = start + maxMessageBytes;
  intake.offer(buf, start, e, truncated, source, receivedAtMs);
}

/** Senders seen recently → their FrameSource (shared, so its JSON is serialized once). */
export class UdpSources {
  private readonly sources = new Map<string, FrameSource>();

  get(address: string, port: number): FrameSource {
    const key = address + ' ' + port;
    let s = this.sources.get(key);
    if (s === undefined) {
      if (this.sources.size >= SOURCE_CACHE_MAX) this.sources.clear();
      s = { record: { address, port, transport: 'udp' }, certFingerprint: null };
      this.sources.set(key, s);
    }
    return s;
  }
}

/** The receive buffer asked for and what the kernel reports (see {@link setRecvBuffer}). */
export interface RecvBufferInfo {
  /** `listen.udp.recvBufferBytes` (0: the kernel default). */
  requestedBytes: number;
  /** SO_RCVBUF as read back, bytes (-1: unknown). Linux reports double what it grants. */
  grantedBytes: number;
  /** Why setting it failed, if it did. */
  error?: string;
}

/** Asks for `requested` bytes of SO_RCVBUF on a bound socket (Linux caps it at `net.core.rmem_max`). */
export function setRecvBuffer(socket: Socket, requested: number): RecvBufferInfo {
  const info: RecvBufferInfo = { requestedBytes: requested, grantedBytes: -1 };
  try {
    if (requested > 0) socket.setRecvBufferSize(requested);
  } catch (err) {
    info.error = (err as Error).message;
  }
  try { info.grantedBytes = socket.getRecvBufferSize(); } catch { /* not bound any more */ }
  return info;
}

/**
 * Logs the receive buffer at start; warns when the kernel granted less than asked (on Linux,
 * which reports double its grant for bookkeeping, less than twice the request).
 */
export function logRecvBuffer(log: Logger, listener: string, info: RecvBufferInfo): void {
  const { requestedBytes: requested, grantedBytes: granted } = info;
  const fields = { listener, requestedBytes: requested, grantedBytes: granted };
  if (info.error !== undefined) {
    log.warn({ ...fields, err: info.error, code: ErrorCodes.LISTEN_SOCKET }, 'could not set the UDP receive buffer (listen.udp.recvBufferBytes); the kernel default applies');
    return;
  }
  const effective = process.platform === 'linux' ? granted / 2 : granted;
  if (requested > 0 && granted >= 0 && effective < requested) log.warn(fields, 'UDP receive buffer smaller than asked: raise net.core.rmem_max (sysctl) to get listen.udp.recvBufferBytes');
  else log.info(fields, 'UDP receive buffer');
}

/**
 * The native UDP reader (`native/udp_reader.c`, built by `node-gyp` at `npm install`): one
 * pthread per socket reads with recvmmsg(2), as rsyslog's imudp does, and hands the main
 * thread slabs of up to {@link SLAB_DATAGRAMS} datagrams packed back to back. Node's dgram
 * costs ~6 µs of main-thread CPU per datagram and drains the socket only while the event loop
 * is free; this costs one callback per slab and keeps draining while JS is busy.
 */
import type { AddressInfo } from 'node:net';
import { loadAddon } from '../native.js';
import type { RecvBufferInfo } from './udp-datagram.js';

/** Bytes of one slab (≥ 64 KiB, the largest datagram; ≤ a frame batch, so one copy takes it). */
const SLAB_BYTES = 128 * 1024;
/** Datagrams in one slab at most. */
const SLAB_DATAGRAMS = 1024;
/** Slabs per socket: 2 MiB that JS has not read yet, beyond which the kernel buffer fills. */
const SLABS = 16;
/** int32 per datagram in `meta`: start in the slab, length, sender index. */
const META_FIELDS = 3;

interface OpenResult {
  handle: unknown;
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
  recvBufferBytes: number;
  recvBufferError: string | null;
}

interface Binding {
  open(address: string, port: number, recvBufferBytes: number, data: Buffer, meta: Buffer, slabBytes: number, slabDatagrams: number, onSlab: SlabCallback): OpenResult;
  close(handle: unknown): void;
}

type SlabCallback = (slab: number, count: number, usedBytes: number, sources: Array<string | number>, kernelDrops: number) => void;

let binding: Binding | string | undefined;

/** The loaded addon, or why it is not there (not Linux, not built). Loaded once. */
function load(): Binding | string {
  return (binding ??= loadAddon<Binding>('udp_reader', true));
}

/** Why the native reader cannot be used here, or null when it can. */
export function nativeUdpUnavailable(): string | null {
  const b = load();
  return typeof b === 'string' ? b : null;
}

/**
 * One slab of datagrams, valid only during the call: datagram i is
 * `data[meta[base + 3i], meta[base + 3i] + meta[base + 3i + 1])`, sent by
 * `sources[2 · meta[base + 3i + 2]]` (address) and port `sources[2 · … + 1]`.
 */
export type DatagramSlabHandler = (data: Buffer, meta: Int32Array, base: number, count: number, sources: Array<string | number>, kernelDrops: number) => void;

/** A UDP socket read by the native reader thread. */
export class NativeUdpSocket {
  private handle: unknown;
  private readonly slabs: Buffer[] = [];
  private readonly meta: Int32Array;
  /** Where it is bound (the port is the real one when 0 was asked for). */
  readonly address: AddressInfo;
  /** SO_RCVBUF asked for and granted. */
  readonly recvBuffer: RecvBufferInfo;
  private closed = false;

  /**
   * Binds `address:port` (an IPv6 socket is dual-stack, as dgram's) and starts reading.
   * @param recvBufferBytes SO_RCVBUF to ask for, bytes (0: the kernel default)
   * @param onSlab called on the main thread for each slab; not called after {@link close}
   * @throws Error with `code` (EADDRINUSE, EACCES, EADDRNOTAVAIL …) when it cannot bind, or
   *   when the addon is unavailable ({@link nativeUdpUnavailable})
   */
  constructor(address: string, port: number, recvBufferBytes: number, onSlab: DatagramSlabHandler) {
    const b = load();
    if (typeof b === 'string') throw new Error(b);
    const data = Buffer.allocUnsafeSlow(SLABS * SLAB_BYTES);
    const meta = Buffer.allocUnsafeSlow(SLABS * SLAB_DATAGRAMS * META_FIELDS * 4);
    this.meta = new Int32Array(meta.buffer, meta.byteOffset, meta.length / 4);
    for (let i = 0; i < SLABS; i++) this.slabs.push(data.subarray(i * SLAB_BYTES, (i + 1) * SLAB_BYTES));
    const r = b.open(address, port, recvBufferBytes, data, meta, SLAB_BYTES, SLAB_DATAGRAMS, (slab, count, used, sources, drops) => {
      if (!this.closed) onSlab(this.slabs[slab].subarray(0, used), this.meta, slab * SLAB_DATAGRAMS * META_FIELDS, count, sources, drops);
    });
    this.handle = r.handle;
    this.address = { address: r.address, family: r.family, port: r.port };
    this.recvBuffer = { requestedBytes: recvBufferBytes, grantedBytes: r.recvBufferBytes };
    if (r.recvBufferError !== null) this.recvBuffer.error = r.recvBufferError;
  }

  /** Stops the reader thread and closes the socket (datagrams not yet handed over are discarded). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    (load() as Binding).close(this.handle);
  }
}

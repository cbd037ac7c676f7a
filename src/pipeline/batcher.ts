/**
 * Group commit (DESIGN §7): records are gathered per app day file for at most
 * `flushIntervalMs` (records someone waits on — RELP — only until the current socket read is
 * processed), then written as one batch by the sink; one batch is in flight at a time and the
 * next one gathers meanwhile. Callers may pass a callback that fires once the record's batch
 * is durable (RELP acks) or failed.
 *
 * Backpressure (DESIGN §3): when bytes waiting or in flight exceed `highWaterBytes`, or after a
 * failed write until the store has free space again, the batcher emits `pause`; `resume` once
 * below half the mark and the store is up. Stream front-ends pause their sockets.
 */
import { EventEmitter } from 'node:events';
import { statfs } from 'node:fs/promises';
import { ErrorCodes } from '../errors.js';
import type { FileSink } from '../sinks/file.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** Called when the record's batch is durable (`err` null) or failed to write. */
export type DurableCallback = (err: Error | null) => void;

/** Node's own UTF-8 encoder behind `Buffer#write` (undocumented, stable since v0.x): no argument normalization on the hot path. */
interface Utf8Writable { utf8Write(s: string, offset: number): number }

/** Size of one encode buffer, bytes; a longer line gets a buffer of its own size. */
const CHUNK_BYTES = 256 * 1024;

/**
 * One app day file's pending lines, encoded to UTF-8 at append time into large buffers so
 * the per-message strings die young (cheap GC) and the write needs no join.
 */
class Pending {
  readonly chunks: Buffer[] = [];
  /** Callbacks of this file's records: one file's failure never fails another's records. */
  readonly waiters: DurableCallback[] = [];
  records = 0;
  private cur: Buffer = Buffer.allocUnsafe(0);
  private used = 0;

  constructor(readonly app: string, readonly day: string) {}

  add(line: string): void {
    const worst = line.length * 3;
    if (this.cur.length - this.used < worst) {
      this.seal();
      this.cur = Buffer.allocUnsafe(worst > CHUNK_BYTES ? worst : CHUNK_BYTES);
    }
    this.used += (this.cur as unknown as Utf8Writable).utf8Write(line, this.used);
  }

  /** The encoded bytes, as buffers in order (the current one closed off). */
  buffers(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  private seal(): void {
    if (this.used > 0) this.chunks.push(this.cur.subarray(0, this.used));
    this.cur = Buffer.allocUnsafe(0);
    this.used = 0;
  }
}

/** A batch: pending lines per app day file. */
class Batch {
  readonly files = new Map<string, Pending>();
  bytes = 0;
  records = 0;
}

const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Free space at which a failed store is tried again, bytes. */
const MIN_FREE_BYTES = 1024 * 1024;
const PROBE_MS = 1000;

export class Batcher extends EventEmitter {
  private open = new Batch();
  private inFlight: Promise<void> | null = null;
  private inFlightBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private closed = false;

  /**
   * @param flushIntervalMs longest wait before a record's batch is written, ms
   * @param highWaterBytes pending bytes above which `pause` is emitted
   */
  constructor(
    private readonly sink: FileSink,
    private readonly flushIntervalMs: number,
    private readonly highWaterBytes: number,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    super();
  }

  /** False from a failed write until the next successful one (for /healthz). */
  healthy = true;
  /** The last write error's message, while unhealthy. */
  lastError: string | null = null;

  /** True while front-ends should not read (pending bytes above the high-water mark). */
  get isPaused(): boolean { return this.paused || this.down; }

  /**
   * True after a write failed (disk full, I/O error) until free space is seen again: stream
   * front-ends stay paused, datagrams are dropped (`disk_full`). Checked every second with
   * `statfs` on the store; the next write then proves it.
   */
  down = false;
  private probe: NodeJS.Timeout | null = null;

  /** Emits `pause`/`resume` when the combined state (backpressure or store down) changes. */
  private setFlow(backpressure: boolean, down: boolean): void {
    const before = this.isPaused;
    this.paused = backpressure;
    this.down = down;
    const after = this.isPaused;
    if (!before && after) this.emit('pause');
    else if (before && !after) this.emit('resume');
  }

  /** Store failed: pause intake and probe for free space every second. */
  private storeFailed(err: Error): void {
    if (this.down) return;
    this.setFlow(this.paused, true);
    this.log.error({ err: err.message, code: ErrorCodes.STORE_WRITE }, 'store cannot write: intake paused until it can (streams paused, datagrams dropped)');
    const check = (): void => {
      this.probe = null;
      if (this.closed) return;
      statfs(this.sink.dir).then((s) => {
        if (s.bavail * s.bsize >= MIN_FREE_BYTES) {
          this.log.warn({ freeBytes: s.bavail * s.bsize }, 'store has free space again: intake resumed');
          this.setFlow(this.paused, false);
        } else this.probe = setTimeout(check, PROBE_MS);
      }, () => { this.probe = setTimeout(check, PROBE_MS); });
    };
    this.probe = setTimeout(check, PROBE_MS);
  }

  /** Bytes waiting or being written. */
  get pendingBytes(): number { return this.open.bytes + this.inFlightBytes; }

  /**
   * Queues one serialized record (`line` ends in LF) for `app`'s `day` file.
   * @param bytes the line's size for backpressure accounting (its UTF-16 length is close enough)
   */
  append(app: string, day: string, line: string, bytes: number, onDurable?: DurableCallback): void {
    const b = this.open;
    const key = app + '/' + day;
    let p = b.files.get(key);
    if (p === undefined) {
      p = new Pending(app, day);
      b.files.set(key, p);
    }
    p.add(line);
    p.records++;
    b.bytes += bytes;
    b.records++;
    if (onDurable !== undefined) p.waiters.push(onDurable);
    if (!this.paused && this.pendingBytes > this.highWaterBytes) {
      this.metrics.backpressurePauses++;
      this.setFlow(true, this.down);
    }
    if (this.inFlight === null) {
      if (b.bytes >= MAX_BATCH_BYTES || this.flushIntervalMs === 0) this.kick();
      else if (onDurable !== undefined) {
        // someone waits for an ack (RELP): write as soon as this socket read is processed,
        // not after the flush interval; group commit batches whatever arrives meanwhile
        if (!this.immediate) {
          this.immediate = true;
          setImmediate(() => { this.immediate = false; this.kick(); });
        }
      } else if (this.timer === null) this.timer = setTimeout(() => this.kick(), this.flushIntervalMs);
    }
  }

  private immediate = false;

  /** Writes everything queued so far; resolves when it is durable (or failed: errors are logged). */
  async flush(): Promise<void> {
    while (this.inFlight !== null || this.open.records > 0) {
      if (this.inFlight !== null) await this.inFlight;
      else this.kick();
    }
  }

  /** Flushes and stops accepting timers. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.probe) clearTimeout(this.probe);
  }

  private kick(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.inFlight !== null || this.open.records === 0) return;
    const batch = this.open;
    this.open = new Batch();
    this.inFlightBytes = batch.bytes;
    this.inFlight = this.write(batch).finally(() => {
      this.inFlight = null;
      this.inFlightBytes = 0;
      if (this.paused && this.pendingBytes <= this.highWaterBytes / 2) this.setFlow(false, this.down);
      // group commit: what arrived during this write is the next batch, written at once
      if (this.open.records > 0 && !this.closed) this.kick();
    });
  }

  private async write(batch: Batch): Promise<void> {
    const files = [...batch.files.values()];
    const t0 = process.hrtime.bigint();
    const errors = await this.sink.writeBatch(files.map((p) => ({ app: p.app, day: p.day, data: p.buffers() })));
    const m = this.metrics;
    m.storeBatches++;
    m.onBatch?.(batch.records, Number(process.hrtime.bigint() - t0) / 1e9);
    const failed = errors.find((e) => e !== null) ?? null;
    this.healthy = failed === null;
    this.lastError = failed === null ? null : failed.message;
    if (failed !== null) this.storeFailed(failed);
    files.forEach((p, i) => {
      const error = errors[i];
      if (error === null) {
        m.durableEvents += p.records;
        m.storedEvents.set(p.app, (m.storedEvents.get(p.app) ?? 0) + p.records);
      } else {
        this.metrics.storeWriteErrors++;
        // records with a waiter (RELP) are not lost: the client is told, and sends them again
        this.metrics.rejected[(error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'disk_full' : 'write_error'] += p.records - p.waiters.length;
        this.log.error({ err: error, code: ErrorCodes.STORE_WRITE, app: p.app, day: p.day, records: p.records }, 'store write failed; these records were not stored');
      }
      for (const cb of p.waiters) cb(error);
    });
  }
}

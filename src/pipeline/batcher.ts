/**
 * Group commit across the configured sinks (DESIGN §7, §9). Records are gathered into one
 * {@link RecordBatch} for at most `flushIntervalMs` (records someone waits on — RELP — only until
 * the current socket read is processed), then every sink writes that batch; one batch is in
 * flight at a time and the next one gathers meanwhile. A record's finalizer runs once every
 * required sink has answered (see {@link BatchAcker}).
 *
 * Flow (DESIGN §3): the batcher is `paused` while bytes waiting or in flight exceed
 * `highWaterBytes` (until below half the mark) or while a required sink is down; `onFlow` is
 * called on every change. The batcher knows sinks only through the {@link Sink} interface.
 */
import { ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { CHUNK_BYTES, ChunkPool, RecordBatch, RecordStatus, type AppRecords, type SinkEntry, type SinkFailure, type WriteResult } from '../sinks/types.js';
import { BatchAcker, type Finalizer } from './acker.js';

/** Tuning of the {@link Batcher}. */
export interface BatcherOptions {
  /** Longest wait before a record's batch is written, ms (0 = at once). */
  flushIntervalMs: number;
  /** Pending bytes above which the batcher is paused, bytes. */
  highWaterBytes: number;
}

/** A batch is written at once when it reaches this size, bytes. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class Batcher {
  /**
   * Encode chunks reused across batches (released once every sink has answered): as many as
   * the pending bytes can reach (the high-water mark and what overshoots it before a pause).
   */
  private readonly pool: ChunkPool;
  private open: RecordBatch;
  private acker: BatchAcker | null = null;
  private inFlight: Promise<void> | null = null;
  private inFlightBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate = false;
  private backpressure = false;
  private closed = false;
  private readonly required: number;
  /** The flow state last reported to `onFlow`. */
  private wasPaused = false;

  /**
   * @param sinks at least one, at least one of them required
   * @param onFlow called with the new state whenever {@link paused} changes
   * @throws Error when no sink is required (nothing could ever be acknowledged)
   */
  constructor(
    private readonly sinks: readonly SinkEntry[],
    private readonly opts: BatcherOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly onFlow: (paused: boolean) => void,
  ) {
    this.required = sinks.filter((e) => e.required).length;
    if (this.required === 0) throw new Error('at least one sink must be required');
    this.pool = new ChunkPool(Math.ceil((1.5 * opts.highWaterBytes) / CHUNK_BYTES));
    this.open = new RecordBatch(this.pool);
    for (const e of sinks) {
      e.sink.onDownChange((down) => {
        if (e.required) {
          this.requiredDown = this.firstRequiredDown();
          this.updateFlow();
        } else if (down !== null) this.log.warn({ code: ErrorCodes.SINK_DOWN, sink: e.sink.name, reason: down.reason, error: down.message }, 'optional sink cannot write; acknowledgements do not wait for it');
      });
    }
  }

  /** Opens every sink, in order. @throws what a sink's `open()` throws */
  async start(): Promise<void> {
    for (const e of this.sinks) await e.sink.open();
  }

  /** The first required sink that is down, kept current by the sinks' down signals (read per frame). */
  private requiredDown: SinkFailure | null = null;

  /** The first required sink that is down, or null. */
  get down(): SinkFailure | null { return this.requiredDown; }

  private firstRequiredDown(): SinkFailure | null {
    for (const e of this.sinks) if (e.required && e.sink.down !== null) return e.sink.down;
    return null;
  }

  /** True while producers should hold back: over the high-water mark, or a required sink is down. */
  get paused(): boolean { return this.backpressure || this.down !== null; }

  /** Every sink that is down, with its failure (for `/healthz`). */
  downSinks(): Array<{ name: string; required: boolean; down: SinkFailure }> {
    return this.sinks.flatMap((e) => (e.sink.down === null ? [] : [{ name: e.sink.name, required: e.required, down: e.sink.down }]));
  }

  private updateFlow(): void {
    const now = this.paused;
    if (now === this.wasPaused) return;
    this.wasPaused = now;
    this.onFlow(now);
  }

  /** Bytes waiting or being written. */
  get pendingBytes(): number { return this.open.bytes + this.inFlightBytes; }

  /**
   * The open batch's group of `app`: a producer writes records into it in place
   * ({@link AppRecords.room}/{@link AppRecords.commit}, or {@link AppRecords.copyIn}) and then
   * reports them with {@link added}, before it yields.
   */
  group(app: string): AppRecords {
    return this.open.group(app);
  }

  /**
   * Queues the `records` records (`bytes` bytes) just written into `g` (from {@link group}).
   * @param finalizer only with `records` = 1: called once with its outcome across the required sinks
   */
  added(g: AppRecords, records: number, bytes: number, finalizer?: Finalizer): void {
    const b = this.open;
    b.added(records, bytes);
    if (finalizer !== undefined) (this.acker ??= new BatchAcker(this.required)).wait(g, g.count - 1, finalizer);
    if (!this.backpressure && this.pendingBytes > this.opts.highWaterBytes) {
      this.metrics.backpressurePauses++;
      this.backpressure = true;
      this.updateFlow();
    }
    if (this.inFlight !== null) return;
    if (b.bytes >= MAX_BATCH_BYTES || this.opts.flushIntervalMs === 0) this.kick();
    else if (finalizer !== undefined) {
      // someone waits for an ack (RELP): write as soon as this socket read is processed,
      // not after the flush interval; group commit batches whatever arrives meanwhile
      if (!this.immediate) {
        this.immediate = true;
        setImmediate(() => { this.immediate = false; this.kick(); });
      }
    } else if (this.timer === null) this.timer = setTimeout(() => this.kick(), this.opts.flushIntervalMs);
  }

  /** Writes everything queued so far; resolves when every sink has answered (failures are counted and logged). */
  async flush(): Promise<void> {
    while (this.inFlight !== null || this.open.records > 0) {
      if (this.inFlight !== null) await this.inFlight;
      else this.kick();
    }
  }

  /** Periodic upkeep of every sink. */
  async housekeeping(nowMs: number): Promise<void> {
    for (const e of this.sinks) await e.sink.housekeeping?.(nowMs);
  }

  /** Tells every sink the receiver is stopping (`Sink.beginShutdown`): retries end after `graceMs`. */
  beginShutdown(graceMs: number): void {
    for (const e of this.sinks) e.sink.beginShutdown?.(graceMs);
  }

  /** Flushes, stops the timers and closes every sink. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.sinks.map((e) => e.sink.close()));
  }

  private kick(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.inFlight !== null || this.open.records === 0) return;
    const batch = this.open.seal();
    const acker = this.acker ?? new BatchAcker(this.required);
    this.open = new RecordBatch(this.pool);
    this.acker = null;
    this.inFlightBytes = batch.bytes;
    this.inFlight = this.write(batch, acker).finally(() => {
      this.inFlight = null;
      this.inFlightBytes = 0;
      if (this.backpressure && this.pendingBytes <= this.opts.highWaterBytes / 2) {
        this.backpressure = false;
        this.updateFlow();
      }
      // group commit: what arrived during this write is the next batch, written at once
      if (this.open.records > 0 && !this.closed) this.kick();
    });
  }

  private async write(batch: RecordBatch, acker: BatchAcker): Promise<void> {
    const t0 = process.hrtime.bigint();
    await Promise.all(this.sinks.map(async (e) => {
      let result: WriteResult;
      try {
        result = await e.sink.write(batch);
      } catch (err) {
        // a sink must not reject; if one does, its records are errored, never silently delivered
        this.log.error({ err, code: ErrorCodes.SINK_REJECTED, sink: e.sink.name }, 'sink write rejected (a bug in that sink): its records count as errored');
        result = { status: new Uint8Array(batch.records).fill(RecordStatus.Errored), failure: { reason: 'write_error', message: (err as Error).message } };
      }
      if (result.failure !== null) this.metrics.storeWriteErrors++;
      if (e.required && acker.settle(result)) {
        this.account(batch, acker, Number(process.hrtime.bigint() - t0) / 1e9);
        acker.finalize();
      }
    }));
    // every sink has answered: none may read the batch's bytes any more
    batch.release();
  }

  /**
   * Counts a batch's outcome across the required sinks (before its finalizers run).
   * @param seconds time until the last required sink answered
   */
  private account(batch: RecordBatch, acker: BatchAcker, seconds: number): void {
    const m = this.metrics;
    const status = acker.status!;
    m.storeBatches++;
    m.onBatch?.(batch.records, seconds);
    const waited = acker.waiting > 0 ? acker.waitedMask(batch.records) : null;
    const lostReason = acker.failure?.reason ?? 'write_error';
    for (const g of batch.groups) {
      let delivered = 0;
      for (let i = g.first, end = g.first + g.count; i < end; i++) {
        const s = status[i];
        if (s === RecordStatus.Delivered) delivered++;
        else if (s === RecordStatus.Rejected) m.rejected.sink_rejected++;
        // an errored record with a waiter (RELP) is not lost: the sender is told and resends it
        else if (waited === null || waited[i] === 0) m.rejected[lostReason]++;
      }
      if (delivered > 0) {
        m.durableEvents += delivered;
        m.storedEvents.set(g.app, (m.storedEvents.get(g.app) ?? 0) + delivered);
      }
    }
  }
}

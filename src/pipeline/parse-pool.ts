/**
 * The parse workers (DESIGN §9, `pipeline.workers`): `worker_threads` that turn batches of frames
 * into encoded record lines. Batches go round-robin to the workers and their results are handed
 * to `onRecords` strictly in submission order, so the records of one connection reach the store
 * in the order they were read, whichever worker parsed them.
 *
 * A configuration change is posted to every worker before any later batch (a worker's messages
 * are handled in order), so a revoked token is rejected from the next batch on.
 */
import type { Worker } from 'node:worker_threads';
import type { AppConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import { transferables, type ConfigureMessage, type FrameArrays, type FrameBatchMessage, type RecordBatchMessage } from './frame-batch.js';
import type { FrameSource } from '../record.js';
import { startThread, threadEntry } from './thread.js';

/** What a worker is started with (its `workerData`). */
export interface ParseWorkerData {
  apps: readonly AppConfig[];
  tokenFields: readonly string[];
}

interface Pending<C> {
  worker: number;
  /** What the submitter keeps with the batch (handed back with its results). */
  context: C;
  /** Frames and input bytes, for the counters and backpressure. */
  count: number;
  bytes: number;
  sources: FrameSource[];
  /** The worker's answer; 'lost' when the worker died first. */
  result: RecordBatchMessage | 'lost' | null;
}

const ENTRY = threadEntry('parse-worker', import.meta.url);

/**
 * A worker's V8 young generation, MiB: its garbage is short-lived per batch, and the default
 * (up to 32 MiB per thread) would only add to the peak RSS.
 */
const YOUNG_GENERATION_MB = 8;

function startWorker(data: ParseWorkerData): Worker {
  return startThread(ENTRY, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

/** `C`: what the submitter keeps with each batch on this thread (e.g. the RELP finalizers). */
export class ParsePool<C> {
  private readonly workers: Worker[] = [];
  /** Spent output buffers per worker, sent back with its next batch. */
  private readonly spent: ArrayBuffer[][] = [];
  private next = 0;
  /** Batches submitted and not yet handed to onRecords, in order; index 0 has sequence `head`. */
  private readonly pending: Array<Pending<C>> = [];
  private head = 0;
  private seq = 0;
  /** Input bytes submitted and not yet handed on. */
  inFlightBytes = 0;
  private idleWaiters: Array<() => void> = [];
  private closing = false;

  /**
   * @param size number of worker threads (≥ 1)
   * @param onRecords called with every batch's results, in submission order
   * @param onLost called instead, in order, with the frame count of a batch whose worker died
   * @param onFrames called with the input arrays after onRecords (for reuse)
   */
  constructor(
    size: number,
    private data: ParseWorkerData,
    private readonly log: Logger,
    private readonly onRecords: (r: RecordBatchMessage, sources: FrameSource[], context: C) => void,
    private readonly onLost: (count: number, context: C) => void,
    private readonly onFrames: (a: FrameArrays) => void,
  ) {
    for (let i = 0; i < size; i++) {
      this.workers.push(this.spawn(i));
      this.spent.push([]);
    }
  }

  private spawn(i: number): Worker {
    const w = startWorker(this.data);
    w.unref();
    w.on('message', (m: RecordBatchMessage) => this.received(m));
    w.on('error', (err) => this.log.error({ err, code: ErrorCodes.WORKER_FAILED, worker: i }, 'parse worker failed'));
    w.on('exit', (exitCode) => { if (!this.closing) this.lost(i, exitCode); });
    return w;
  }

  /** Number of worker threads. */
  get size(): number { return this.workers.length; }

  /** Batches submitted and not yet handed on. */
  get pendingBatches(): number { return this.pending.length; }

  /** Sends one batch of frames to the next worker (its arrays are transferred). */
  submit(arrays: FrameArrays, count: number, sources: FrameSource[], bytes: number, context: C): void {
    const w = this.next;
    this.next = (w + 1) % this.workers.length;
    const recycle = this.spent[w];
    this.spent[w] = [];
    const msg: FrameBatchMessage = { type: 'frames', seq: this.seq++, count, sources, recycle, ...arrays };
    this.pending.push({ worker: w, context, count, bytes, sources, result: null });
    this.inFlightBytes += bytes;
    this.workers[w].postMessage(msg, [...transferables(arrays), ...recycle]);
  }

  /** Posts new apps / token fields to every worker; they apply before any batch submitted later. */
  configure(apps: readonly AppConfig[], tokenFields: readonly string[]): void {
    this.data = { apps, tokenFields };
    const msg: ConfigureMessage = { type: 'configure', apps, tokenFields };
    for (const w of this.workers) w.postMessage(msg);
  }

  /** Resolves once every batch submitted so far has been handed to onRecords. */
  idle(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stops the workers (after {@link idle}, or what they hold is lost). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private received(m: RecordBatchMessage): void {
    const p = this.pending[m.seq - this.head];
    if (p !== undefined && p.result === null) p.result = m;
    this.handOn();
  }

  /** Hands on every batch at the head of the queue that is answered. */
  private handOn(): void {
    while (this.pending.length > 0 && this.pending[0].result !== null) {
      const done = this.pending.shift()!;
      this.head++;
      this.inFlightBytes -= done.bytes;
      const r = done.result!;
      if (r === 'lost') this.onLost(done.count, done.context);
      else {
        this.onRecords(r, done.sources, done.context);
        this.spent[done.worker].push(r.out);
        this.onFrames(r.frames);
      }
    }
    if (this.pending.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * A worker died (a bug, out of memory): its batches in flight are lost — handed on as such
   * (counted as `parse_error`, never stored) so later batches are not held up — and a new worker
   * with the current config takes its place.
   */
  private lost(i: number, exitCode: number): void {
    this.log.error({ code: ErrorCodes.WORKER_FAILED, worker: i, exitCode }, 'parse worker exited: its frames in flight are lost (counted as parse_error); starting a new one');
    for (const p of this.pending) if (p.worker === i && p.result === null) p.result = 'lost';
    this.spent[i] = [];
    this.workers[i] = this.spawn(i);
    this.handOn();
  }
}

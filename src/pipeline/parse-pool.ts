/**
 * The parse workers (DESIGN §9, `pipeline.workers`): `worker_threads` that turn batches of frames
 * into encoded record lines. Batches go round-robin to the workers and their results are handed
 * to `onRecords` strictly in submission order, so the records of one connection reach the store
 * in the order they were read, whichever worker parsed them.
 *
 * A configuration change is posted to every worker before any later batch (a worker's messages
 * are handled in order), so a revoked token is rejected from the next batch on.
 *
 * The submitting thread is a pipeline thread too: when every worker already has
 * {@link MAX_QUEUED} batches, the next one is made right there, with the submitter's own
 * {@link RecordMaker} (so its config is always the current one), and queued in order like the
 * others. That balances the load without a scheduler: on 2 cores the socket thread takes the
 * share of parsing its own work leaves room for, instead of waiting for its one worker.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { AppConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import { transferables, type ConfigureMessage, type FrameArrays, type FrameBatchMessage, type RecordBatchMessage } from './frame-batch.js';
import type { FrameSource } from '../record.js';
import { makeRecords, OutBuffers } from './batch-records.js';
import type { RecordMaker } from './record-maker.js';
import { startThread, threadEntry } from './thread.js';

/** What a worker is started with (its `workerData`). */
export interface ParseWorkerData {
  apps: readonly AppConfig[];
  tokenFields: readonly string[];
  /** Where the worker posts its records (the pool can also read it synchronously). */
  results?: MessagePort;
}

interface Pending<C> {
  /** The worker's index, or {@link LOCAL}. */
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

/** `Pending.worker` of a batch made on the submitting thread. */
const LOCAL = -1;

/**
 * Batches a worker may hold unanswered before the next one is made on the submitting thread:
 * one being made and one waiting, so a worker never idles between batches.
 */
const MAX_QUEUED = 2;

const ENTRY = threadEntry('parse-worker', import.meta.url);

/**
 * A worker's V8 young generation, MiB: its garbage is short-lived per batch, and the default
 * (up to 32 MiB per thread) would only add to the peak RSS.
 */
const YOUNG_GENERATION_MB = 8;

function startWorker(data: ParseWorkerData, results: MessagePort): Worker {
  return startThread(ENTRY, { workerData: { ...data, results }, transferList: [results], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
}

/** `C`: what the submitter keeps with each batch on this thread (e.g. the RELP finalizers). */
export class ParsePool<C> {
  private readonly workers: Worker[] = [];
  /** Per worker: the port its records arrive on. */
  private readonly results: MessagePort[] = [];
  /** Spent output buffers per worker, sent back with its next batch. */
  private readonly spent: ArrayBuffer[][] = [];
  /** Per worker: batches submitted and not yet answered. */
  private readonly queued: number[] = [];
  /** Output buffers of the batches made on this thread. */
  private readonly localBuffers = new OutBuffers();
  private next = 0;
  /** Batches submitted and not yet handed to onRecords, in order; index 0 has sequence `head`. */
  private readonly pending: Array<Pending<C>> = [];
  private head = 0;
  private seq = 0;
  /** Input bytes submitted and not yet handed on. */
  inFlightBytes = 0;
  private idleWaiters: Array<() => void> = [];
  private closing = false;

  /** Batches made on the submitting thread so far (the workers were behind). */
  localBatches = 0;

  /**
   * @param size number of worker threads (≥ 1)
   * @param local the submitter's record maker, for the batches made on its thread
   * @param onRecords called with every batch's results, in submission order
   * @param onLost called instead, in order, with the frame count of a batch whose worker died
   * @param onFrames called with the input arrays after onRecords (for reuse)
   */
  constructor(
    size: number,
    private data: ParseWorkerData,
    private readonly local: RecordMaker,
    private readonly log: Logger,
    private readonly onRecords: (r: RecordBatchMessage, sources: FrameSource[], context: C) => void,
    private readonly onLost: (count: number, context: C) => void,
    private readonly onFrames: (a: FrameArrays) => void,
  ) {
    for (let i = 0; i < size; i++) {
      this.spent.push([]);
      this.queued.push(0);
      this.spawn(i);
    }
  }

  private spawn(i: number): void {
    this.results[i]?.close();
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: RecordBatchMessage) => this.received(m));
    if (this.pending.length === 0) port1.unref();
    this.results[i] = port1;
    const w = startWorker(this.data, port2);
    this.workers[i] = w;
    w.unref();
    w.on('error', (err) => this.log.error({ err, code: ErrorCodes.WORKER_FAILED, worker: i }, 'parse worker failed'));
    w.on('exit', (exitCode) => { if (!this.closing) this.lost(i, exitCode); });
  }

  /** Number of worker threads. */
  get size(): number { return this.workers.length; }

  /** Batches submitted and not yet handed on. */
  get pendingBatches(): number { return this.pending.length; }

  /**
   * Sends one batch of frames to the next worker with room (its arrays are transferred), or,
   * when every worker holds {@link MAX_QUEUED} batches, makes its records right here; either
   * way its results are handed on in submission order (possibly before this returns).
   */
  submit(arrays: FrameArrays, count: number, sources: FrameSource[], bytes: number, context: C): void {
    let w = this.withRoom();
    if (w === LOCAL) {
      // this thread may have been too busy to see answers that are already there
      this.collect();
      w = this.withRoom();
    }
    const n = this.workers.length;
    const recycle = w === LOCAL ? [] : this.spent[w];
    const msg: FrameBatchMessage = { type: 'frames', seq: this.seq++, count, sources, recycle, ...arrays };
    const p: Pending<C> = { worker: w, context, count, bytes, sources, result: null };
    if (this.pending.length === 0) this.hold(true);
    this.pending.push(p);
    this.inFlightBytes += bytes;
    if (w === LOCAL) {
      this.localBatches++;
      p.result = makeRecords(this.local, msg, this.localBuffers);
      this.handOn();
      return;
    }
    this.next = (w + 1) % n;
    this.spent[w] = [];
    this.queued[w]++;
    this.workers[w].postMessage(msg, [...transferables(arrays), ...recycle]);
  }

  /**
   * While batches are out, their answers keep the process alive (a drain at shutdown waits for
   * them after the listeners are closed); an idle pool does not.
   */
  private hold(on: boolean): void {
    for (const port of this.results) {
      if (on) port.ref();
      else port.unref();
    }
  }

  /** The next worker (round-robin) holding fewer than {@link MAX_QUEUED} batches, or {@link LOCAL}. */
  private withRoom(): number {
    const n = this.workers.length;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      if (this.queued[i] < MAX_QUEUED) return i;
    }
    return LOCAL;
  }

  /** Takes every answer already waiting on the result ports, without waiting for the event loop. */
  private collect(): void {
    for (const port of this.results) {
      for (let r = receiveMessageOnPort(port); r !== undefined; r = receiveMessageOnPort(port)) this.received(r.message as RecordBatchMessage);
    }
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
    for (const port of this.results) port.close();
  }

  private received(m: RecordBatchMessage): void {
    const p = this.pending[m.seq - this.head];
    if (p !== undefined && p.result === null) {
      p.result = m;
      this.queued[p.worker]--;
    }
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
        if (done.worker === LOCAL) this.localBuffers.give(r.out);
        else this.spent[done.worker].push(r.out);
        this.onFrames(r.frames);
      }
    }
    if (this.pending.length === 0) {
      this.hold(false);
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
    this.queued[i] = 0;
    this.spawn(i);
    this.handOn();
  }
}

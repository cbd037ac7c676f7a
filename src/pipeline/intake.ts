/**
 * `Intake`: the one pipeline object a front-end sees (DESIGN §1, §9). A frame's bytes → parse →
 * authorize → quota → record → batcher → sinks; flow control (`paused`, `'pause'`/`'resume'`)
 * and `drain()` for a graceful shutdown. Front-ends never see the batcher or a sink.
 * `frame` is synchronous and allocation-light and never throws on input.
 */
import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics, RejectReason } from '../metrics.js';
import type { FrameSource } from '../record.js';
import { RecordStatus, type AppRecords, type SinkEntry } from '../sinks/types.js';
import type { Finalizer } from './acker.js';
import { Batcher, type BatcherOptions } from './batcher.js';
import { CEE_INVALID_BIT, FrameCollector, FrameOutcome, type RecordBatchMessage } from './frame-batch.js';
import { ParsePool } from './parse-pool.js';
import { QuotaResult, Quotas } from './quota.js';
import { RecordMaker } from './record-maker.js';
import { recordSizeHint } from '../record-json.js';
import type { TokenSource } from '../record.js';
import { EventRecordWriter, type IntakeEvent } from './event-record.js';

export { RecordStatus } from '../sinks/types.js';
export { worse, type Finalizer } from './acker.js';
export { parseObject } from '../parse/cee.js';
export { QuotaResult } from './quota.js';
export type { IntakeEvent } from './event-record.js';

/**
 * Result of {@link Intake.frame}: `Stored` (queued for the sinks), `Rejected` (counted, not
 * stored), `Throttled` — only when a finalizer was given (RELP): the app is over a quota,
 * nothing was counted or stored, and the caller retries the frame at `intake.retryAtMs` — or
 * `Queued`: handed to a parse worker, which decides later (counted then).
 */
export const FrameResult = { Stored: 0, Rejected: 1, Throttled: 2, Queued: 3 } as const;
export type FrameResult = (typeof FrameResult)[keyof typeof FrameResult];

export interface IntakeOptions {
  /** The tenants (`apps:`); replaced by {@link Intake.configure}. */
  apps: readonly AppConfig[];
  /** CEE field names that carry a token (`auth.tokenFields`). */
  tokenFields: readonly string[];
  /** Where records go; at least one required. */
  sinks: readonly SinkEntry[];
  batching: BatcherOptions;
  /**
   * Pipeline threads (`pipeline.workers`): 1 = everything on the calling thread; N > 1 = this
   * thread (sockets, quotas, sinks, RELP) plus N − 1 parse worker threads.
   */
  workers: number;
  metrics: Metrics;
  log: Logger;
}

/** The events an {@link Intake} emits: stream front-ends pause and resume their sockets. */
export interface IntakeEvents {
  pause: [];
  resume: [];
}

/**
 * Frame bytes gathered or with the workers at most (then front-ends pause): a few batches per
 * worker keep them busy; more would only hold memory (each batch's records are ~3× its frames).
 */
const MAX_IN_FLIGHT_BYTES = 2 * 1024 * 1024;

/** The finalizers of a batch's frames, by frame index; null when no frame of it has one. */
type Waiters = Array<Finalizer | undefined> | null;

/** A record a worker made whose sender waits for it (RELP), held until its app's quota allows. */
interface Deferred {
  app: string;
  /** The encoded record (a copy). */
  line: Buffer;
  frameBytes: number;
  /** When its frame was read, epoch ms (the file store's day). */
  receivedAtMs: number;
  finalizer: Finalizer;
}

/**
 * Frames that make a batch worth handing over at the end of an event-loop turn; a smaller one
 * waits up to {@link GATHER_MS} for more, so a batch's fixed cost (two thread hand-overs) is
 * not paid per message — far below the store's own flush interval.
 */
const MIN_BATCH_FRAMES = 64;
/** Longest wait of a smaller batch for more frames, ms. */
const GATHER_MS = 1;

/** Records copied into the batch in one piece at most this long, bytes (pooled encode chunks stay in use). */
const MAX_RUN_BYTES = 64 * 1024;

export class Intake extends EventEmitter<IntakeEvents> {
  private readonly maker: RecordMaker;
  private readonly events: EventRecordWriter;
  private readonly quotas: Quotas;
  private readonly batcher: Batcher;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly rejectLogged = new LRUCache<string, true>({ max: 10000, ttl: 60_000 });
  /** Parse workers and the batch being gathered for them; null with `workers: 1`. */
  private readonly pool: ParsePool<Waiters> | null = null;
  /** Finalizers of the frames gathered for the next batch, by frame index (null: none). */
  private waiters: Waiters = null;
  /** Per connection: records over their app's quota whose sender waits (RELP), in order. */
  private readonly deferred = new Map<FrameSource, Deferred[]>();
  private deferTimer: NodeJS.Timeout | null = null;
  private readonly collector: FrameCollector | null = null;
  private submitScheduled = false;
  /** Set while a small batch waits for more frames (see {@link submitAtTurnEnd}). */
  private gatherTimer: NodeJS.Timeout | null = null;
  /** Frame bytes gathered or with the workers above which front-ends are paused. */
  private readonly maxInFlightBytes: number;
  private wasPaused = false;

  constructor(o: IntakeOptions) {
    super();
    this.maker = new RecordMaker(o.apps, o.tokenFields);
    this.events = new EventRecordWriter(o.tokenFields);
    this.quotas = new Quotas(o.apps);
    this.metrics = o.metrics;
    this.log = o.log;
    this.batcher = new Batcher(o.sinks, o.batching, o.metrics, o.log, () => this.updateFlow());
    this.maxInFlightBytes = Math.min(MAX_IN_FLIGHT_BYTES, o.batching.highWaterBytes / 2);
    if (o.workers > 1) {
      this.collector = new FrameCollector();
      const c = this.collector;
      this.pool = new ParsePool(o.workers - 1, { apps: o.apps, tokenFields: o.tokenFields }, o.log,
        (r, sources, waiters) => this.records(r, sources, waiters), (count, waiters) => this.lost(count, waiters), (a) => c.recycle(a));
    }
  }

  /** Opens the sinks (file: recovery and retention). @throws what a sink's `open()` throws */
  start(): Promise<void> { return this.batcher.start(); }

  /**
   * Applies reloaded apps (tokens, sources, certificates, quotas) and token fields to the next
   * frame: frames gathered so far go to the workers first, then the new config (which each
   * worker applies before any later batch).
   */
  configure(apps: readonly AppConfig[], tokenFields: readonly string[]): void {
    this.submit();
    this.maker.configure(apps, tokenFields);
    this.events.configure(tokenFields);
    this.pool?.configure(apps, tokenFields);
    this.quotas.configure(apps);
  }

  /**
   * True while front-ends should not read: the sinks are behind, a required sink cannot write,
   * or the parse workers hold more than their share of frames.
   */
  get paused(): boolean {
    return this.batcher.paused || (this.pool !== null && this.pool.inFlightBytes + this.collector!.bytes > this.maxInFlightBytes);
  }

  private updateFlow(): void {
    const now = this.paused;
    if (now === this.wasPaused) return;
    this.wasPaused = now;
    this.emit(now ? 'pause' : 'resume');
  }

  /** When a throttled frame may be retried, epoch ms. */
  get retryAtMs(): number { return this.quotas.retryAtMs; }

  /** What is wrong with the sinks right now, for `/healthz` (empty when all can write). */
  health(): string[] {
    return this.batcher.downSinks().map((d) => `${d.name} cannot write: ${d.down.message}${d.required ? '' : ' (optional sink)'}`);
  }

  /** True while every required sink can write. */
  get healthy(): boolean { return this.batcher.down === null; }

  /** Writes everything accepted so far to every sink; resolves when they have answered. */
  async drain(): Promise<void> {
    if (this.pool !== null) {
      this.submit();
      await this.pool.idle();
    }
    await this.batcher.flush();
  }

  /** Periodic upkeep of the sinks (idle files, retention). */
  housekeeping(nowMs: number): Promise<void> { return this.batcher.housekeeping(nowMs); }

  /** The receiver is stopping: sinks that retry give up after `graceMs` ({@link Batcher.beginShutdown}). */
  beginShutdown(graceMs: number): void { this.batcher.beginShutdown(graceMs); }

  /** Drains, stops the workers, then closes every sink. */
  async close(): Promise<void> {
    await this.drain();
    if (this.deferTimer !== null) clearTimeout(this.deferTimer);
    if (this.gatherTimer !== null) clearTimeout(this.gatherTimer);
    await this.pool?.close();
    await this.batcher.close();
  }

  /** The app of `token` when it is a known token (any case), else null (HTTP intake: tokens in paths and headers). */
  appForToken(token: string): string | null { return this.maker.appForToken(token); }

  /** Why nothing can be stored now (a required sink cannot write: `disk_full`, `write_error`), else null. */
  get downReason(): RejectReason | null { return this.batcher.down?.reason ?? null; }

  /**
   * Charges `events` events of `bytes` received bytes to `app`'s quotas, all or nothing: an HTTP
   * request is stored whole or refused whole (429). The rate bucket may go below zero for a
   * request larger than `burstEvents` (it is let through when the bucket is full; later requests
   * wait until it has refilled).
   * @returns Ok, or why not (nothing charged; {@link retryAtMs} says when to retry)
   */
  reserve(app: string, events: number, bytes: number, nowMs: number): QuotaResult {
    return this.quotas.takeMany(app, events, bytes, nowMs);
  }

  /**
   * Stores one event a front-end parsed itself (HTTP intake) for `app`, after {@link reserve}:
   * the token fields and every known token are removed (token hygiene), its record goes into the
   * batch, and `finalizer` is told the outcome across the required sinks. Counted as received on
   * the front-end's side.
   */
  event(app: string, ev: IntakeEvent, tokenSource: TokenSource, source: FrameSource, receivedAtMs: number, finalizer: Finalizer): void {
    const w = this.events;
    w.scrub(ev, this.maker);
    const g = this.batcher.group(app);
    let room = recordSizeHint(ev.bytes + 256);
    let e = w.write(g.room(room), g.offset, ev, app, tokenSource, source, receivedAtMs, this.maker.counters);
    while (e < 0) {
      room *= 2;
      e = w.write(g.room(room), g.offset, ev, app, tokenSource, source, receivedAtMs, this.maker.counters);
    }
    this.countDrops();
    this.batcher.added(g, 1, g.commit(e, receivedAtMs), finalizer);
  }

  /** Moves the CEE keys the last record write dropped into the metrics. */
  private countDrops(): void {
    const c = this.maker.counters;
    this.metrics.ceeKeysDropped += c.ceeKeysDropped;
    this.metrics.tokensScrubbed += c.tokensScrubbed;
    c.ceeKeysDropped = 0;
    c.tokensScrubbed = 0;
  }

  /** Counts a frame that is not stored. */
  private drop(reason: RejectReason): FrameResult {
    this.metrics.rejected[reason]++;
    return FrameResult.Rejected;
  }

  private logRejected(source: FrameSource): void {
    const peer = source.record;
    if (this.rejectLogged.has(peer.address)) return;
    this.rejectLogged.set(peer.address, true);
    this.log.warn({ source: peer.address, transport: peer.transport }, 'message rejected: no known token and source not in any allowedSources (logged once per source per minute)');
  }

  /**
   * A datagram-like frame from a sender that cannot be paused: while {@link paused} it is
   * dropped and counted (`queue_full`, or the down sink's reason) without being parsed;
   * otherwise the same as {@link frame}.
   */
  offer(buf: Buffer, start: number, end: number, truncated: boolean, source: FrameSource, receivedAtMs: number): FrameResult {
    if (!this.paused) return this.frame(buf, start, end, truncated, source, receivedAtMs);
    this.metrics.receivedEvents[source.record.transport]++;
    return this.drop(this.batcher.down?.reason ?? 'queue_full');
  }

  /**
   * A socket read begins: the frames of the next {@link frame} calls, until {@link endRead}, may
   * lie in `chunk`, which is then copied once for the workers instead of frame by frame.
   */
  beginRead(chunk: Buffer): void {
    const c = this.collector;
    if (c === null) return;
    if (c.full(chunk.length)) this.submit(chunk.length);
    c.beginRead(chunk);
  }

  /** The socket read that {@link beginRead} announced is framed; its buffer is the caller's again. */
  endRead(): void { this.collector?.endRead(); }

  /**
   * Handles one frame: buf[start, end), already de-framed (no trailing LF).
   * @param receivedAtMs when the bytes were read, epoch ms
   * @param finalizer RELP: called once with the record's outcome across the required sinks;
   *   without workers, never called for a rejected or throttled frame (see the result). With
   *   workers the frame is `Queued` and the finalizer always called: `Rejected` when nothing
   *   authorizes it, `Errored` when its worker failed; over its app's quota the record is held
   *   (with every later one of the same connection, so their order holds) until the quota allows.
   */
  frame(buf: Buffer, start: number, end: number, truncated: boolean, source: FrameSource, receivedAtMs: number, finalizer?: Finalizer): FrameResult {
    const m = this.metrics;
    const peer = source.record;
    m.receivedEvents[peer.transport]++;
    const c = this.collector;
    if (c !== null) {
      if (c.full(c.inRead(buf) ? 0 : end - start)) this.submit(end - start);
      if (finalizer !== undefined) (this.waiters ??= [])[c.count] = finalizer;
      c.add(buf, start, end, truncated, source, receivedAtMs);
      if (!this.submitScheduled) {
        this.submitScheduled = true;
        setImmediate(this.submitAtTurnEnd);
      }
      return FrameResult.Queued;
    }
    const maker = this.maker;
    if (!maker.authorize(buf, start, end, source, receivedAtMs)) {
      this.logRejected(source);
      return this.drop('unauthorized');
    }
    const app = maker.auth!.app;
    const down = this.batcher.down;
    // a required sink cannot write: streams are paused, what still arrives without a finalizer
    // is dropped (before the quota, so a lost frame does not use up the app's quota)
    if (down !== null && finalizer === undefined) return this.drop(down.reason);
    const quota = this.quotas.take(app, end - start, receivedAtMs);
    if (quota !== QuotaResult.Ok) {
      if (finalizer !== undefined) {
        m.receivedEvents[peer.transport]--; // counted again when retried
        return FrameResult.Throttled;
      }
      return this.drop(quota === QuotaResult.RateLimited ? 'rate_limited' : 'over_daily_volume');
    }
    if (maker.ceeInvalid) m.ceeInvalid++;
    if (truncated) m.truncated++;
    const g = this.batcher.group(app);
    let room = recordSizeHint(end - start);
    let e = maker.write(g.room(room), g.offset, truncated, source, receivedAtMs);
    while (e < 0) {
      room *= 2;
      e = maker.write(g.room(room), g.offset, truncated, source, receivedAtMs);
    }
    this.countDrops();
    this.batcher.added(g, 1, g.commit(e, receivedAtMs), finalizer);
    return FrameResult.Stored;
  }

  /**
   * At the end of the event-loop turn that gathered frames: a batch of {@link MIN_BATCH_FRAMES}
   * goes now; a smaller one (a trickle of datagrams, a quiet connection) waits up to
   * {@link GATHER_MS} for more.
   */
  private readonly submitAtTurnEnd = (): void => {
    this.submitScheduled = false;
    const c = this.collector!;
    if (c.count >= MIN_BATCH_FRAMES) this.submit();
    else if (c.count > 0) this.gatherTimer ??= setTimeout(this.submitGathered, GATHER_MS);
  };

  private readonly submitGathered = (): void => {
    this.gatherTimer = null;
    this.submit();
  };

  /** Hands the frames gathered so far to a worker (when there are any). */
  private submit(minBytes = 0): void {
    const c = this.collector;
    if (c === null) return;
    if (this.gatherTimer !== null) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = null;
    }
    const bytes = c.bytes;
    const count = c.count;
    const batch = c.take(minBytes);
    const waiters = this.waiters;
    this.waiters = null;
    if (count > 0) this.pool!.submit(batch.arrays, count, batch.sources, bytes, waiters);
    else c.recycle(batch.arrays);
    this.updateFlow();
  }

  /** A batch's records from a worker, in submission order: quotas, then into the batch. */
  private records(r: RecordBatchMessage, sources: FrameSource[], waiters: Waiters): void {
    const m = this.metrics;
    const { spans, truncated, receivedAtMs, sourceIndex } = r.frames;
    const out = Buffer.from(r.out);
    const down = this.batcher.down;
    m.ceeKeysDropped += r.ceeKeysDropped;
    m.tokensScrubbed += r.tokensScrubbed;
    for (const f of r.failures) this.log.error({ code: ErrorCodes.WORKER_FAILED, error: f }, 'a frame could not be processed (a bug); counted as parse_error');
    let prevEnd = 0;
    // a run of accepted records of one app, copied into the batch in one piece
    let g: AppRecords | null = null;
    let runApp = -1, runFrom = 0, runStart = 0, runEnd = 0;
    const flushRun = (): void => {
      if (g !== null && runEnd > runStart) this.batcher.added(g, runEnd - runStart, g.copyIn(out, runFrom, r.ends, runStart, runEnd, receivedAtMs));
      g = null;
      runApp = -1;
    };
    for (let i = 0; i < r.count; i++) {
      const status = r.status[i];
      const outcome = status & 0x0f;
      const finalizer = waiters === null ? undefined : waiters[i];
      if (outcome !== FrameOutcome.Written) {
        flushRun();
        if (outcome === FrameOutcome.Unauthorized) {
          this.logRejected(sources[sourceIndex[i]]);
          this.drop('unauthorized');
          finalizer?.(RecordStatus.Rejected);
        } else {
          this.drop('parse_error');
          finalizer?.(RecordStatus.Errored);
        }
        continue;
      }
      const from = prevEnd;
      prevEnd = r.ends[i];
      const a = r.appIndex[i];
      const app = r.apps[a];
      if (finalizer !== undefined) {
        // someone waits (RELP): never dropped here; held while over quota (or behind a held one)
        flushRun();
        if ((status & CEE_INVALID_BIT) !== 0) m.ceeInvalid++;
        if (truncated[i] === 1) m.truncated++;
        const source = sources[sourceIndex[i]];
        const frameBytes = spans[2 * i + 1] - spans[2 * i];
        const held = this.deferred.get(source);
        if (held === undefined && this.quotas.take(app, frameBytes, receivedAtMs[i]) === QuotaResult.Ok) {
          const g1 = this.batcher.group(app);
          this.batcher.added(g1, 1, g1.copyIn(out, from, r.ends, i, i + 1, receivedAtMs), finalizer);
        } else this.hold(source, { app, line: Buffer.from(out.subarray(from, prevEnd)), frameBytes, receivedAtMs: receivedAtMs[i], finalizer });
        continue;
      }
      let reason: RejectReason | null = down?.reason ?? null;
      if (reason === null) {
        const q = this.quotas.take(app, spans[2 * i + 1] - spans[2 * i], receivedAtMs[i]);
        if (q !== QuotaResult.Ok) reason = q === QuotaResult.RateLimited ? 'rate_limited' : 'over_daily_volume';
      }
      if (reason !== null) {
        flushRun();
        this.drop(reason);
        continue;
      }
      if ((status & CEE_INVALID_BIT) !== 0) m.ceeInvalid++;
      if (truncated[i] === 1) m.truncated++;
      if (a !== runApp || prevEnd - runFrom > MAX_RUN_BYTES) {
        flushRun();
        g = this.batcher.group(app);
        runApp = a;
        runFrom = from;
        runStart = i;
      }
      runEnd = i + 1;
    }
    flushRun();
    this.updateFlow();
  }

  /** A batch lost with its worker: counted, never stored; a waiting sender is told (errored). */
  private lost(count: number, waiters: Waiters): void {
    this.metrics.rejected.parse_error += count;
    if (waiters !== null) for (const f of waiters) f?.(RecordStatus.Errored);
    this.updateFlow();
  }

  /** Holds a waited-for record over its app's quota (see {@link frame}); retried at {@link retryAtMs}. */
  private hold(source: FrameSource, d: Deferred): void {
    let q = this.deferred.get(source);
    if (q === undefined) this.deferred.set(source, (q = []));
    q.push(d);
    this.deferTimer ??= setTimeout(() => this.retryHeld(), Math.max(1, this.quotas.retryAtMs - Date.now()));
  }

  /** Stores the held records whose quota now allows them, each connection's in order. */
  private retryHeld(): void {
    this.deferTimer = null;
    const now = Date.now();
    for (const [source, q] of this.deferred) {
      let k = 0;
      for (; k < q.length; k++) {
        const d = q[k];
        if (this.quotas.take(d.app, d.frameBytes, now) !== QuotaResult.Ok) break;
        const g = this.batcher.group(d.app);
        const room = g.room(d.line.length);
        d.line.copy(room, g.offset);
        this.batcher.added(g, 1, g.commit(g.offset + d.line.length, d.receivedAtMs), d.finalizer);
      }
      if (k === q.length) this.deferred.delete(source);
      else q.splice(0, k);
    }
    if (this.deferred.size > 0) this.deferTimer = setTimeout(() => this.retryHeld(), Math.max(1, this.quotas.retryAtMs - now));
  }
}

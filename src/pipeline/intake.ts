/**
 * `Intake`: the one pipeline object a front-end sees (DESIGN §1, §9). A frame's bytes → parse →
 * authorize → quota → record → batcher → sinks; flow control (`paused`, `'pause'`/`'resume'`)
 * and `drain()` for a graceful shutdown. Front-ends never see the batcher or a sink.
 * `frame` is synchronous and allocation-light and never throws on input.
 */
import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { authorize } from '../auth/index.js';
import { AppRegistry } from '../auth/registry.js';
import type { AppConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics, RejectReason } from '../metrics.js';
import { parseMessage } from '../parse/index.js';
import type { FrameSource } from '../record.js';
import { recordLine } from '../record-json.js';
import type { SinkEntry } from '../sinks/types.js';
import type { Finalizer } from './acker.js';
import { Batcher, type BatcherOptions } from './batcher.js';
import { buildRecord } from './build-record.js';
import { QuotaResult, Quotas } from './quota.js';

export { RecordStatus } from '../sinks/types.js';
export type { Finalizer } from './acker.js';

/**
 * Result of {@link Intake.frame}: `Stored` (queued for the sinks), `Rejected` (counted, not
 * stored), or `Throttled` — only when a finalizer was given (RELP): the app is over a quota,
 * nothing was counted or stored, and the caller retries the frame at `intake.retryAtMs`.
 */
export const FrameResult = { Stored: 0, Rejected: 1, Throttled: 2 } as const;
export type FrameResult = (typeof FrameResult)[keyof typeof FrameResult];

export interface IntakeOptions {
  /** The tenants (`apps:`); replaced by {@link Intake.configure}. */
  apps: readonly AppConfig[];
  /** CEE field names that carry a token (`auth.tokenFields`). */
  tokenFields: readonly string[];
  /** Where records go; at least one required. */
  sinks: readonly SinkEntry[];
  batching: BatcherOptions;
  metrics: Metrics;
  log: Logger;
}

/** The events an {@link Intake} emits: stream front-ends pause and resume their sockets. */
export interface IntakeEvents {
  pause: [];
  resume: [];
}

export class Intake extends EventEmitter<IntakeEvents> {
  private registry: AppRegistry;
  private tokenFields: readonly string[];
  private readonly quotas: Quotas;
  private readonly batcher: Batcher;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly rejectLogged = new LRUCache<string, true>({ max: 10000, ttl: 60_000 });

  constructor(o: IntakeOptions) {
    super();
    this.registry = new AppRegistry(o.apps);
    this.tokenFields = o.tokenFields;
    this.quotas = new Quotas(o.apps);
    this.metrics = o.metrics;
    this.log = o.log;
    this.batcher = new Batcher(o.sinks, o.batching, o.metrics, o.log, (paused) => this.emit(paused ? 'pause' : 'resume'));
  }

  /** Opens the sinks (file: recovery and retention). @throws what a sink's `open()` throws */
  start(): Promise<void> { return this.batcher.start(); }

  /** Applies reloaded apps (tokens, sources, certificates, quotas) and token fields to the next frame. */
  configure(apps: readonly AppConfig[], tokenFields: readonly string[]): void {
    this.registry = new AppRegistry(apps);
    this.tokenFields = tokenFields;
    this.quotas.configure(apps);
  }

  /** True while front-ends should not read: the sinks are behind, or a required sink cannot write. */
  get paused(): boolean { return this.batcher.paused; }

  /** When a throttled frame may be retried, epoch ms. */
  get retryAtMs(): number { return this.quotas.retryAtMs; }

  /** What is wrong with the sinks right now, for `/healthz` (empty when all can write). */
  health(): string[] {
    return this.batcher.downSinks().map((d) => `${d.name} cannot write: ${d.down.message}${d.required ? '' : ' (optional sink)'}`);
  }

  /** True while every required sink can write. */
  get healthy(): boolean { return this.batcher.down === null; }

  /** Writes everything accepted so far to every sink; resolves when they have answered. */
  drain(): Promise<void> { return this.batcher.flush(); }

  /** Periodic upkeep of the sinks (idle files, retention). */
  housekeeping(nowMs: number): Promise<void> { return this.batcher.housekeeping(nowMs); }

  /** Drains, then closes every sink. */
  close(): Promise<void> { return this.batcher.close(); }

  /** Counts a frame that is not stored. */
  private drop(reason: RejectReason): FrameResult {
    this.metrics.rejected[reason]++;
    return FrameResult.Rejected;
  }

  /**
   * A frame from a sender that cannot be paused (a datagram): while {@link paused} it is
   * dropped and counted (`queue_full`, or the down sink's reason) without being parsed;
   * otherwise the same as {@link frame}.
   */
  offer(buf: Buffer, start: number, end: number, truncated: boolean, source: FrameSource, receivedAtMs: number): FrameResult {
    if (!this.batcher.paused) return this.frame(buf, start, end, truncated, source, receivedAtMs);
    this.metrics.receivedEvents[source.record.transport]++;
    return this.drop(this.batcher.down?.reason ?? 'queue_full');
  }

  /**
   * Handles one frame: buf[start, end), already de-framed (no trailing LF).
   * @param receivedAtMs when the bytes were read, epoch ms
   * @param finalizer RELP: called once with the record's outcome across the required sinks;
   *   never called for a rejected or throttled frame
   */
  frame(buf: Buffer, start: number, end: number, truncated: boolean, source: FrameSource, receivedAtMs: number, finalizer?: Finalizer): FrameResult {
    const m = this.metrics;
    const peer = source.record;
    m.receivedEvents[peer.transport]++;
    const parsed = parseMessage(buf, start, end, receivedAtMs);
    const auth = authorize(parsed, source, this.registry, this.tokenFields);
    if (auth === null) {
      if (!this.rejectLogged.has(peer.address)) {
        this.rejectLogged.set(peer.address, true);
        this.log.warn({ source: peer.address, transport: peer.transport }, 'message rejected: no known token and source not in any allowedSources (logged once per source per minute)');
      }
      return this.drop('unauthorized');
    }
    const down = this.batcher.down;
    // a required sink cannot write: streams are paused, what still arrives without a finalizer
    // is dropped (before the quota, so a lost frame does not use up the app's quota)
    if (down !== null && finalizer === undefined) return this.drop(down.reason);
    const quota = this.quotas.take(auth.app, end - start, receivedAtMs);
    if (quota !== QuotaResult.Ok) {
      if (finalizer !== undefined) {
        m.receivedEvents[peer.transport]--; // counted again when retried
        return FrameResult.Throttled;
      }
      return this.drop(quota === QuotaResult.RateLimited ? 'rate_limited' : 'over_daily_volume');
    }
    if (parsed.ceeInvalid) m.ceeInvalid++;
    if (truncated) m.truncated++;
    const rec = buildRecord(parsed, auth.app, auth.tokenSource, peer, receivedAtMs, truncated, m);
    this.batcher.append(auth.app, recordLine(rec, source, parsed.cee !== null), receivedAtMs, finalizer);
    return FrameResult.Stored;
  }
}

/**
 * The JetStream sink (`storage.type: jetstream`, the scale-out issue). One message per record on `<subjectPrefix>.<app>`, its payload the
 * exact line the file store writes, `Nats-Msg-Id` = `<instanceId>-<n>` assigned when the batch
 * is first written and kept across retries, so the stream's duplicate window drops our resends.
 *
 * A record is `Delivered` only on its PubAck. A failed publish (timeout, no responders, lost
 * quorum, a full stream) is retried with the same id, with backoff, until it is acked or the
 * sink closes: `write()` does not resolve meanwhile, so the batcher's one batch in flight holds
 * everything behind it (backpressure to the sockets), and {@link down} is set so the intake
 * pauses and UDP drops are counted. Nothing is acknowledged that JetStream did not acknowledge.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamConfig } from '../config/schema.js';
import { ErrorCodes, ReceiverError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JetStreamStats } from '../metrics.js';
import { connectJetStream, ensureStream } from './jetstream-connect.js';
import { JetStreamPublisher, type PubAck, type PublishError, type PublishFailure } from './jetstream-publisher.js';
import { RecordStatus, type RecordBatch, type Sink, type SinkFailure, type WriteResult } from './types.js';

/** The `storage.jetstream` keys, plus who this receiver is. */
export interface JetStreamSinkOptions extends Omit<JetStreamConfig, 'instanceId'> {
  /** Prefix of every Nats-Msg-Id: unique per receiver *and per start* (ids restart at 0). */
  instanceId: string;
  log: Logger;
}

/** Backoff between retries of a failed publish, ms: 100, 200, 400 … at most 2 s. */
function backoffMs(attempt: number): number {
  return Math.min(2000, 100 * 2 ** attempt);
}

/** A batch being published: record k's group, the groups' subjects, the id base and the statuses. */
interface BatchView {
  batch: RecordBatch;
  groupOf: Int32Array;
  subjects: string[];
  base: number;
  status: Uint8Array;
}

export class JetStreamSink implements Sink {
  readonly name = 'jetstream';
  private nc: NatsConnection | null = null;
  private publisher: JetStreamPublisher | null = null;
  private seq = 0;
  private closing = false;
  /** Set by {@link beginShutdown}: retries stop after this time, epoch ms. */
  private retryUntilMs = Infinity;
  private writing: Promise<WriteResult> | null = null;
  private readonly listeners: Array<(down: SinkFailure | null) => void> = [];
  down: SinkFailure | null = null;
  /** Counters for the metrics (see {@link stats}). */
  private readonly counters = { published: 0, acked: 0, duplicates: 0, retries: 0, errors: { timeout: 0, no_responders: 0, stream_error: 0, closed: 0, too_large: 0 } satisfies Record<PublishFailure, number> };

  constructor(private readonly o: JetStreamSinkOptions) {}

  /** What it has counted so far, and the publishes waiting for their PubAck now (a copy). */
  stats(): JetStreamStats {
    const c = this.counters;
    return { ...c, errors: { ...c.errors }, inFlight: this.publisher?.inFlight ?? 0 };
  }

  /**
   * Connects and checks (or creates) the stream with subjects `<subjectPrefix>.>`.
   * @throws ReceiverError SYSLOG_ERR_STORE_OPEN when no server answers, the credentials are
   *   refused, or the stream is missing with `createStream: false`
   */
  async open(): Promise<void> {
    try {
      await this.connectAndCheck();
    } catch (e) {
      if (this.nc !== null) await this.nc.close().catch(() => undefined);
      this.nc = null;
      throw new ReceiverError(ErrorCodes.STORE_OPEN, `cannot open JetStream stream ${this.o.stream} at ${this.o.servers.join(', ')}: ${(e as Error).message}. Check storage.jetstream (servers, credentials, stream) and that nats-server runs with JetStream enabled (-js).`, { cause: e });
    }
  }

  private async connectAndCheck(): Promise<void> {
    const o = this.o;
    const nc = await connectJetStream(o, `syslog-receiver ${o.instanceId}`);
    this.nc = nc;
    await ensureStream(await jetstreamManager(nc), o);
    this.publisher = new JetStreamPublisher(nc, o.ackTimeoutMs, `${o.instanceId}-`);
    void this.watch(nc);
  }

  /** Connection status → {@link down}: unreachable while disconnected, even with nothing to write. */
  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.setDown({ reason: 'write_error', message: 'JetStream unreachable (disconnected)' });
      else if (s.type === 'reconnect' && this.writing === null) this.setDown(null);
    }
  }

  onDownChange(listener: (down: SinkFailure | null) => void): void { this.listeners.push(listener); }

  private setDown(d: SinkFailure | null): void {
    if (d === null && this.down === null) return;
    if (d !== null && this.down !== null && this.down.message === d.message) return;
    this.down = d;
    for (const l of this.listeners) l(d);
  }

  write(batch: RecordBatch): Promise<WriteResult> {
    const w = this.publishBatch(batch).finally(() => { this.writing = null; });
    this.writing = w;
    return w;
  }

  private async publishBatch(batch: RecordBatch): Promise<WriteResult> {
    // record k of the batch is status[k] and Nats-Msg-Id `<instanceId>-<base + k>`
    const status = new Uint8Array(batch.records).fill(RecordStatus.Errored);
    const base = this.seq;
    this.seq += batch.records;
    const groupOf = new Int32Array(batch.records);
    batch.groups.forEach((g, gi) => groupOf.fill(gi, g.first, g.first + g.count));
    const view: BatchView = { batch, groupOf, subjects: batch.groups.map((g) => `${this.o.subjectPrefix}.${g.app}`), base, status };
    let todo = Array.from(groupOf.keys());
    for (let attempt = 0; todo.length > 0 && !this.closing; attempt++) {
      if (attempt > 0) {
        if (Date.now() >= this.retryUntilMs) break;
        this.counters.retries += todo.length;
        await new Promise((r) => setTimeout(r, Math.max(0, Math.min(backoffMs(attempt - 1), this.retryUntilMs - Date.now()))));
        if (this.closing) break;
      }
      const { failed, error } = await this.publishAll(view, todo);
      todo = failed.sort((a, b) => a - b);
      if (error !== null) {
        this.setDown({ reason: 'write_error', message: `JetStream did not acknowledge ${todo.length} publishes: ${error.reason} ${error.message}` });
        this.o.log.warn({ failed: todo.length, reason: error.reason, error: error.message }, 'JetStream publishes not acknowledged; retrying with the same ids');
      }
    }
    if (todo.length === 0) {
      if (this.nc !== null && !this.nc.isClosed()) this.setDown(null);
      return { status, failure: null };
    }
    return { status, failure: { reason: 'write_error', message: `the receiver stopped before JetStream acknowledged ${todo.length} records` } };
  }

  /**
   * Publishes records `todo` of the batch, at most `maxInFlight` unanswered, and marks the acked
   * ones `Delivered` (a record over the server's max_payload `Rejected`: resending cannot help).
   * @returns the ones that failed (in answer order) and the last failure
   */
  private publishAll(v: BatchView, todo: number[]): Promise<{ failed: number[]; error: PublishError | null }> {
    const p = this.publisher!;
    const c = this.counters;
    const failed: number[] = [];
    let error: PublishError | null = null;
    return new Promise((resolve) => {
      let next = 0;
      let answered = 0;
      // one callback for the whole batch: the record's index k is the publish token
      const onAnswer = (k: number, err: PublishError | null, ack: PubAck | null): void => {
        if (err === null) {
          c.acked++;
          if (ack!.duplicate) c.duplicates++;
          v.status[k] = RecordStatus.Delivered;
        } else {
          c.errors[err.reason]++;
          if (err.reason === 'too_large') {
            v.status[k] = RecordStatus.Rejected;
            this.o.log.error({ code: ErrorCodes.SINK_REJECTED, error: err.message }, 'record not published: larger than the server allows (max_payload); lower limits.maxMessageBytes');
          } else {
            failed.push(k);
            error = err;
          }
        }
        if (++answered === todo.length) resolve({ failed, error });
        else if (!queued && next < todo.length && next - answered <= refillAt) {
          // refill when half the window is answered, once per burst of PubAcks: one socket write
          // carries hundreds of publishes instead of one each
          queued = true;
          queueMicrotask(pump);
        }
      };
      let queued = false;
      const refillAt = Math.floor(this.o.maxInFlight / 2);
      const pump = (): void => {
        queued = false;
        while (next < todo.length && next - answered < this.o.maxInFlight) {
          const k = todo[next++];
          const gi = v.groupOf[k];
          const g = v.batch.groups[gi];
          c.published++;
          p.publish(v.subjects[gi], g.record(k - g.first), v.base + k, k, onAnswer);
        }
      };
      if (todo.length === 0) resolve({ failed, error });
      else pump();
    });
  }

  /**
   * The receiver is stopping: failed publishes are retried for at most `graceMs` more, then the
   * write in flight resolves with them `Errored` (counted as lost, or told to a RELP sender),
   * so a shutdown while JetStream refuses cannot hang. Later writes get the same deadline.
   */
  beginShutdown(graceMs: number): void {
    this.retryUntilMs = Math.min(this.retryUntilMs, Date.now() + graceMs);
  }

  /** Stops retrying, waits for the write in flight, closes the connection. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    await this.writing;
    this.publisher?.close();
    this.publisher = null;
    const nc = this.nc;
    this.nc = null;
    if (nc !== null && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}

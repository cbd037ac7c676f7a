/**
 * The one interface every store implements (DESIGN §9): the file store today, JetStream next.
 * A sink sees batches of encoded records with their boundaries ({@link RecordBatch}) and
 * answers one {@link RecordStatus} per record; it never learns which front-end a record came
 * from or who waits for it. The pipeline (batcher + acker) reaches sinks only through this file.
 */
import type { RecordBatch } from './batch.js';

export { RecordBatch, AppRecords, ChunkPool, CHUNK_BYTES } from './batch.js';

/**
 * Outcome of one record in one sink:
 * - `Delivered`: durable in that sink (file: written and, with fsync, synced; JetStream: PubAck);
 * - `Errored`: not stored this time, may succeed later (disk full, I/O error, timeout) — a
 *   sender that can resend (RELP) is told so;
 * - `Rejected`: refused for good by that sink (resending cannot help); counted, never retried.
 */
export const RecordStatus = { Delivered: 0, Errored: 1, Rejected: 2 } as const;
export type RecordStatus = (typeof RecordStatus)[keyof typeof RecordStatus];

/**
 * A sink failure: why it cannot take writes now ({@link Sink.down}), or why a write failed
 * ({@link WriteResult.failure}). `reason` is the `rejected_events_total` label that records lost
 * to it are counted under; `message` is for logs and `/healthz`.
 */
export interface SinkFailure {
  reason: 'disk_full' | 'write_error';
  message: string;
}

/** What {@link Sink.write} resolves to. */
export interface WriteResult {
  /** One status per record of the batch: record `i` of group `g` is at `g.first + i`. */
  status: Uint8Array;
  /** The first failure of this write; null when no record errored. */
  failure: SinkFailure | null;
}

/**
 * A store. Life cycle: `open()` once, then any number of `write()`s (the batcher keeps at most
 * one in flight per sink), then `close()`.
 */
export interface Sink {
  /** Short name for logs and `/healthz` (`store` for the file store, `jetstream`): "<name> cannot write: …". */
  readonly name: string;
  /**
   * Prepares the store (file: creates the root, cuts torn last lines left by a crash).
   * @throws ReceiverError (SYSLOG_ERR_STORE_OPEN) when the store cannot be used at all
   */
  open(): Promise<void>;
  /**
   * Stores every record of `batch`. Never rejects: failures are per-record statuses. The batch's
   * bytes are reused once the returned promise resolves: copy what must outlive it.
   */
  write(batch: RecordBatch): Promise<WriteResult>;
  /** Null while writable; why not otherwise (set by a failed write, cleared once the sink sees it can write again). */
  readonly down: SinkFailure | null;
  /** Calls `listener` whenever {@link down} changes (to a reason, or back to null). */
  onDownChange(listener: (down: SinkFailure | null) => void): void;
  /**
   * The receiver is stopping: a sink that retries failed writes (JetStream) stops doing so after
   * `graceMs` (ms), so that `close()` cannot wait forever. Optional (the file store never retries).
   */
  beginShutdown?(graceMs: number): void;
  /** Periodic upkeep, called every few seconds (file: close idle files, retention). Optional. */
  housekeeping?(nowMs: number): Promise<void>;
  /** Waits for writes in flight, then releases every resource. Idempotent. */
  close(): Promise<void>;
}

/** A configured sink and whether acknowledgements wait for it. */
export interface SinkEntry {
  sink: Sink;
  /**
   * True: a record is acknowledged upstream (RELP `rsp 200`) only once this sink delivered it.
   * False: best effort — its failures are logged and counted but never hold an ack back.
   */
  required: boolean;
}

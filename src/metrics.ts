/**
 * In-process counters (plain numbers on the hot path). Exposed by `Receiver#stats()`, logged
 * every minute when they changed and at shutdown, and read by the Prometheus exporter
 * (`admin/prometheus.ts`) at scrape time.
 */
import { TRANSPORTS, type Transport } from './record.js';

/**
 * Why a frame was not stored: `unauthorized` (no known token or source), `rate_limited` and
 * `over_daily_volume` (app quotas), `queue_full` (UDP while the store is behind), `disk_full`
 * (UDP/stream frames while the store cannot write), `write_error` (a batch write failed),
 * `sink_rejected` (a sink refused the record for good; RELP answers such frames 200).
 * `invalid`: an HTTP event its API does not take (a bulk document that is not one JSON object,
 * an `update` or `delete` action). `too_large` stays 0 (long frames are truncated and stored);
 * `parse_error` counts frames a parse worker failed on or lost by exiting (a bug: parsing itself
 * never fails, an unparsable line is stored as `raw`).
 */
export const REJECT_REASONS = ['unauthorized', 'rate_limited', 'over_daily_volume', 'queue_full', 'disk_full', 'write_error', 'sink_rejected', 'too_large', 'parse_error', 'invalid'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const byTransport = (): Record<Transport, number> => Object.fromEntries(TRANSPORTS.map((t) => [t, 0])) as Record<Transport, number>;

/** What the JetStream sink counts (all in messages). */
export interface JetStreamStats {
  /** Publishes sent, retries included. */
  published: number;
  /** PubAcks received (duplicates included). */
  acked: number;
  /** PubAcks that said `duplicate`: a resend JetStream had already stored. */
  duplicates: number;
  /** Publishes sent again after a failure (same Nats-Msg-Id). */
  retries: number;
  /** Publishes not answered yet. */
  inFlight: number;
  /** Failed publishes by reason: `timeout`, `no_responders`, `stream_error`, `closed`, `too_large` (rejected for good). */
  errors: Readonly<Record<string, number>>;
}

/** What the metrics read of one output (outputs/runner.ts `OutputStatus` has this shape). */
export interface OutputMetrics {
  name: string;
  /** Records, since the output was first started (kept in its cursor). */
  totals: { shipped: number; retried: number; deadLettered: number; lost: number };
  lagRecords: number;
  lagSeconds: number;
  /** ISO time of the last failed attempt; null = none since start. */
  lastErrorAt: string | null;
  healthy: boolean;
}

/** Counter set for one receiver. All counts are events (messages) unless named `Bytes`. */
export class Metrics {
  readonly receivedBytes = byTransport();
  readonly receivedEvents = byTransport();
  readonly openConnections = byTransport();
  /** Connections closed at accept because `limits.maxConnections` was reached. */
  readonly refusedConnections = byTransport();
  /** Connections closed for idleness (`limits.idleTimeoutMs`). */
  readonly idleClosed = byTransport();
  readonly rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  /** Frames cut to `limits.maxMessageBytes` and stored with `syslog.truncated`. */
  truncated = 0;
  /** MSG that looked like CEE/JSON but was not one JSON object (stored as text). */
  ceeInvalid = 0;
  /** CEE keys dropped because they collide with receiver-owned or typed fields. */
  ceeKeysDropped = 0;
  /** Known tokens removed from records by token hygiene (any app's token found outside the rule that matched). */
  tokensScrubbed = 0;
  /** Records every required sink delivered (file: written and, with fsync, synced), per app. */
  readonly storedEvents = new Map<string, number>();
  /** Batch sizes (records) and sync latencies (s) for histograms; set by the admin exporter. */
  onBatch: ((records: number, seconds: number) => void) | null = null;
  /** Records the store reported durable (written and, with fsync, synced). */
  durableEvents = 0;
  storeBatches = 0;
  /** Sink writes (one batch in one sink) that failed for at least one record. */
  storeWriteErrors = 0;
  /** TLS handshakes that failed: plain-text clients, bad/missing client certificates, timeouts. */
  tlsHandshakeFailures = 0;
  /** TLS clients whose certificate did not verify (clientAuth optional): no tls-cert authorization. */
  tlsClientCertRejected = 0;
  tlsReloads = 0;
  tlsReloadFailures = 0;
  /** RELP `syslog` frames answered 200 (durable, or rejected by authorization) and 500 (write failed). */
  relpAcked = 0;
  relpFailed = 0;
  /** RELP sessions closed for a protocol violation, plus unknown commands answered 500. */
  relpProtocolErrors = 0;
  /** HTTP intake responses by status code (`200`, `401`, `413` …). */
  readonly httpResponses = new Map<number, number>();
  /** HTTP requests closed before an answer: header or body timeout, a broken connection. */
  httpAborted = 0;
  /** Times the batcher crossed its high-water mark and stream sockets were paused. */
  backpressurePauses = 0;
  /**
   * Datagrams the kernel dropped on a UDP socket because its receive buffer was full, as the
   * socket's drop counter reports them (SO_MEMINFO) (native UDP reader only; Node's dgram cannot see them).
   */
  udpReceiveBufferDrops = 0;
  /** With `storage.type: jetstream`: the sink's publish counters, read at scrape time. */
  jetstream: (() => JetStreamStats) | null = null;
  /** With `outputs:`: each output's totals and lag, read at scrape time. */
  outputs: (() => OutputMetrics[]) | null = null;

  /** Plain-object snapshot (JSON-serializable). */
  snapshot(): Record<string, unknown> {
    return {
      receivedBytes: { ...this.receivedBytes },
      receivedEvents: { ...this.receivedEvents },
      openConnections: { ...this.openConnections },
      refusedConnections: { ...this.refusedConnections },
      idleClosed: { ...this.idleClosed },
      rejected: { ...this.rejected },
      truncated: this.truncated,
      ceeInvalid: this.ceeInvalid,
      ceeKeysDropped: this.ceeKeysDropped,
      tokensScrubbed: this.tokensScrubbed,
      storedEvents: Object.fromEntries(this.storedEvents),
      durableEvents: this.durableEvents,
      storeBatches: this.storeBatches,
      storeWriteErrors: this.storeWriteErrors,
      backpressurePauses: this.backpressurePauses,
      udpReceiveBufferDrops: this.udpReceiveBufferDrops,
      ...(this.jetstream === null ? {} : { jetstream: this.jetstream() }),
      ...(this.outputs === null ? {} : { outputs: Object.fromEntries(this.outputs().map((o) => [o.name, { ...o.totals, lagRecords: o.lagRecords }])) }),
      relpAcked: this.relpAcked,
      relpFailed: this.relpFailed,
      relpProtocolErrors: this.relpProtocolErrors,
      httpResponses: Object.fromEntries(this.httpResponses),
      httpAborted: this.httpAborted,
      tlsHandshakeFailures: this.tlsHandshakeFailures,
      tlsClientCertRejected: this.tlsClientCertRejected,
      tlsReloads: this.tlsReloads,
      tlsReloadFailures: this.tlsReloadFailures,
    };
  }
}

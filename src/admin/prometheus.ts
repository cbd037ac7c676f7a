/**
 * Prometheus exposition (prom-client) of the receiver's counters. The hot path keeps plain
 * numbers in {@link Metrics}; every metric here reads them in its `collect()` at scrape time,
 * so a scrape costs nothing per message. Batch size and sync latency are histograms observed
 * once per batch. Names follow Prometheus conventions (`_total`, `_bytes`, `_seconds`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS, type JetStreamStats, type Metrics } from '../metrics.js';
import { TRANSPORTS } from '../record.js';
const P = 'syslog_receiver_';

/** A registry with every receiver metric plus Node's process metrics (`process_*`, `nodejs_*`). */
export function createPrometheusRegistry(m: Metrics, extra: { storeHealthy: () => boolean }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[], read: (c: Counter) => void): void => {
    new Counter({ name: P + name, help, labelNames, registers: [registry], collect() { this.reset(); read(this); } });
  };
  const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => void): void => {
    new Gauge({ name: P + name, help, labelNames, registers: [registry], collect() { this.reset(); read(this); } });
  };
  counter('received_bytes_total', 'Bytes read from clients, per transport.', ['transport'], (c) => { for (const t of TRANSPORTS) c.inc({ transport: t }, m.receivedBytes[t]); });
  counter('received_events_total', 'Frames (messages) received, rejected ones included, per transport.', ['transport'], (c) => { for (const t of TRANSPORTS) c.inc({ transport: t }, m.receivedEvents[t]); });
  counter('stored_events_total', 'Records stored durably, per app.', ['app'], (c) => { for (const [app, n] of m.storedEvents) c.inc({ app }, n); });
  counter('rejected_events_total', 'Frames not stored, per reason.', ['reason'], (c) => { for (const r of REJECT_REASONS) c.inc({ reason: r }, m.rejected[r]); });
  counter('truncated_events_total', 'Frames cut to limits.maxMessageBytes and stored with syslog.truncated.', [], (c) => c.inc(m.truncated));
  counter('cee_invalid_total', 'Messages that looked like CEE/JSON but did not parse (stored as text).', [], (c) => c.inc(m.ceeInvalid));
  counter('cee_keys_dropped_total', 'CEE keys dropped because they name receiver-owned or typed fields.', [], (c) => c.inc(m.ceeKeysDropped));
  counter('tokens_scrubbed_total', 'Known tokens (any app\'s) removed from records by token hygiene, beyond the one that authorized the line.', [], (c) => c.inc(m.tokensScrubbed));
  gauge('open_connections', 'Open stream connections, per transport.', ['transport'], (g) => { for (const t of TRANSPORTS) g.set({ transport: t }, m.openConnections[t]); });
  counter('refused_connections_total', 'Connections closed at accept (limits.maxConnections).', ['transport'], (c) => { for (const t of TRANSPORTS) c.inc({ transport: t }, m.refusedConnections[t]); });
  counter('idle_closed_connections_total', 'Connections closed for idleness (limits.idleTimeoutMs).', ['transport'], (c) => { for (const t of TRANSPORTS) c.inc({ transport: t }, m.idleClosed[t]); });
  gauge('relp_sessions', 'Open RELP sessions.', [], (g) => g.set(m.openConnections.relp));
  counter('relp_acks_total', 'RELP syslog frames answered, by response code (200 durable or rejected, 500 write failed).', ['code'], (c) => { c.inc({ code: '200' }, m.relpAcked); c.inc({ code: '500' }, m.relpFailed); });
  counter('relp_protocol_errors_total', 'RELP protocol violations and unknown commands.', [], (c) => c.inc(m.relpProtocolErrors));
  counter('http_requests_total', 'HTTP intake requests answered, by status code.', ['status'], (c) => { for (const [status, n] of m.httpResponses) c.inc({ status: String(status) }, n); });
  counter('http_aborted_requests_total', 'HTTP intake requests closed before an answer (header or body timeout, broken connection).', [], (c) => c.inc(m.httpAborted));
  counter('tls_handshake_failures_total', 'Failed TLS handshakes (plain text, bad or missing client certificate, timeout).', [], (c) => c.inc(m.tlsHandshakeFailures));
  counter('tls_client_cert_rejected_total', 'Client certificates that did not verify (clientAuth optional).', [], (c) => c.inc(m.tlsClientCertRejected));
  counter('store_batches_total', 'Batches written by the store.', [], (c) => c.inc(m.storeBatches));
  counter('durable_events_total', 'Records written (and with storage.fsync, synced): every app together.', [], (c) => c.inc(m.durableEvents));
  counter('tls_reloads_total', 'TLS certificate reloads, by result.', ['result'], (c) => { c.inc({ result: 'ok' }, m.tlsReloads); c.inc({ result: 'refused' }, m.tlsReloadFailures); });
  counter('store_write_errors_total', 'Sink writes (one batch in one sink) that failed for some of its records.', [], (c) => c.inc(m.storeWriteErrors));
  counter('backpressure_pauses_total', 'Times the store fell behind and stream sockets were paused.', [], (c) => c.inc(m.backpressurePauses));
  counter('udp_receive_buffer_drops_total', 'Datagrams the kernel dropped because the UDP receive buffer was full (native reader only).', [], (c) => c.inc(m.udpReceiveBufferDrops));
  const js = (): JetStreamStats | null => m.jetstream?.() ?? null;
  counter('jetstream_publishes_total', 'JetStream publishes sent, retries included (storage.type jetstream).', [], (c) => c.inc(js()?.published ?? 0));
  counter('jetstream_acks_total', 'PubAcks received, duplicates included.', [], (c) => c.inc(js()?.acked ?? 0));
  counter('jetstream_duplicates_total', 'PubAcks that reported a duplicate (a resend JetStream had stored already).', [], (c) => c.inc(js()?.duplicates ?? 0));
  counter('jetstream_retries_total', 'Publishes sent again with the same Nats-Msg-Id after a failure.', [], (c) => c.inc(js()?.retries ?? 0));
  counter('jetstream_errors_total', 'Failed publishes, per reason (timeout, no_responders, stream_error, closed, too_large).', ['reason'], (c) => { for (const [reason, n] of Object.entries(js()?.errors ?? {})) c.inc({ reason }, n); });
  gauge('jetstream_in_flight', 'JetStream publishes waiting for their PubAck.', [], (g) => g.set(js()?.inFlight ?? 0));
  const outs = () => m.outputs?.() ?? [];
  counter('output_shipped_records_total', 'Records an output delivered (Elasticsearch 409s on create included), since the output was first started.', ['output'], (c) => { for (const o of outs()) c.inc({ output: o.name }, o.totals.shipped); });
  counter('output_retried_records_total', 'Records an output sent again after a retryable failure (5xx, 429, timeout).', ['output'], (c) => { for (const o of outs()) c.inc({ output: o.name }, o.totals.retried); });
  counter('output_dead_letter_records_total', 'Records the destination refused for good, written to the output\'s dead-letter file.', ['output'], (c) => { for (const o of outs()) c.inc({ output: o.name }, o.totals.deadLettered); });
  counter('output_lost_records_total', 'Unshipped records retention deleted because storage.maxBytes forced it.', ['output'], (c) => { for (const o of outs()) c.inc({ output: o.name }, o.totals.lost); });
  gauge('output_lag_records', 'Records stored but not shipped yet, per output.', ['output'], (g) => { for (const o of outs()) g.set({ output: o.name }, o.lagRecords); });
  gauge('output_lag_seconds', 'Age of the oldest record an output has not shipped yet, seconds (0 when none).', ['output'], (g) => { for (const o of outs()) g.set({ output: o.name }, o.lagSeconds); });
  gauge('output_last_error_timestamp_seconds', 'When an output last failed to deliver, Unix time (0 = not since start).', ['output'], (g) => { for (const o of outs()) g.set({ output: o.name }, o.lastErrorAt === null ? 0 : Date.parse(o.lastErrorAt) / 1000); });
  gauge('output_healthy', '1 while an output\'s lag is within its maxLagSeconds, else 0.', ['output'], (g) => { for (const o of outs()) g.set({ output: o.name }, o.healthy ? 1 : 0); });
  gauge('store_healthy', '1 while every required sink can write, 0 while one cannot (disk full, I/O error).', [], (g) => g.set(extra.storeHealthy() ? 1 : 0));
  const batch = new Histogram({ name: P + 'store_batch_records', help: 'Records per store batch.', buckets: [1, 10, 100, 1000, 10000, 100000], registers: [registry] });
  const sync = new Histogram({ name: P + 'store_sync_seconds', help: 'Time to write and fdatasync one batch, seconds.', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  m.onBatch = (records, seconds) => { batch.observe(records); sync.observe(seconds); };
  return registry;
}

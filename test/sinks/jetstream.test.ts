/**
 * `storage.type: jetstream` against a real nats-server: the stream holds exactly the lines the
 * file store writes, one message per record on <prefix>.<app>; RELP acks wait for PubAcks; a
 * stalled server holds everything back (sink down, /healthz 503) and loses nothing; metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { FileSink } from '../../src/sinks/file.js';
import { createLogger } from '../../src/logger.js';
import { natsMissing, startNatsServer, type NatsServer } from '../helpers/nats.js';
import { readStore, startReceiver } from '../helpers/receiver.js';
import { RelpTestClient } from '../helpers/relp-client.js';
import { sendTcp } from '../helpers/net.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/wait.js';

const skip = natsMissing();
const TOKEN = '0b7e8d1c-7c5f-4f4e-9a55-0a4c5ec0b9a1';

/** A receiver on `srv`; `withFile`: a file store beside it (required too), to compare lines. */
async function rig(srv: NatsServer, o: { ackTimeoutMs?: number; withFile?: boolean } = {}) {
  const dir = tmpDir('srx-js-').path;
  const data = join(dir, 'data');
  const { rx } = await startReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, relp: { address: '127.0.0.1', port: 0 }, admin: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'web', token: TOKEN }],
    storage: { dir: data, flushIntervalMs: 5, type: 'jetstream', jetstream: { servers: [srv.url], maxInFlight: 256, ackTimeoutMs: o.ackTimeoutMs ?? 500, instanceId: 'rx1' } },
    certsDir: join(dir, 'certs'),
  }, o.withFile ? { sinks: (configured) => [...configured, { sink: new FileSink({ dir: data, fsync: false, retentionDays: 0, maxBytes: 0, log: createLogger('silent') }), required: true }] } : {});
  const sink = rx.jetstream!;
  const nc = await connect({ servers: srv.url });
  const jsm = await jetstreamManager(nc);
  const stream = async (): Promise<Array<{ subject: string; data: string; id: string | undefined }>> => {
    const n = (await jsm.streams.info('SYSLOG')).state.messages;
    const out = [];
    for (let seq = 1; seq <= n; seq++) {
      const m = (await jsm.streams.getMessage('SYSLOG', { seq }))!;
      out.push({ subject: m.subject, data: m.string(), id: m.header.get('Nats-Msg-Id') });
    }
    return out;
  };
  const healthz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${rx.addresses.admin!.port}/healthz`)).status;
  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${rx.addresses.admin!.port}/metrics`)).text();
  return { rx, sink, store: () => readStore(data, 'web'), stream, healthz, metrics, async stop() { await rx.stop(); await nc.close(); } };
}

test('JetStream sink: one message per record, the file store\'s exact line, subject <prefix>.<app>, unique ids', { skip }, async () => {
  const srv = await startNatsServer();
  const r = await rig(srv, { withFile: true });
  try {
    const N = 2000;
    await sendTcp(r.rx.addresses.tcp!.port, Array.from({ length: N }, (_, i) => `<13>Jun 12 09:15:02 h ${TOKEN}: n ${i}\n`));
    await r.rx.flush();
    const lines = r.store();
    assert.equal(lines.length, N);
    const msgs = await r.stream();
    assert.equal(msgs.length, N);
    assert.deepEqual(msgs.map((m) => JSON.parse(m.data).message), lines.map((l) => l.message), 'same records, same order');
    assert.ok(msgs.every((m) => m.subject === 'syslog.web' && m.data.endsWith('}\n') && !m.data.includes(TOKEN)));
    assert.equal(new Set(msgs.map((m) => m.id)).size, N);
    assert.ok(msgs.every((m) => /^rx1-[0-9a-f]{8}-\d+$/.test(m.id ?? '')), msgs[0].id);
    assert.equal(r.sink.stats().acked, N);
    assert.match(await r.metrics(), new RegExp(`syslog_receiver_jetstream_acks_total ${N}\\b`));
    assert.equal(await r.healthz(), 200);
  } finally {
    await r.stop();
    await srv.stop();
  }
});

test('JetStream sink: while the server is stopped no RELP rsp 200 leaves; after SIGCONT all are acked, each stored once', { skip }, async () => {
  const srv = await startNatsServer();
  const r = await rig(srv, { ackTimeoutMs: 300 });
  const c = await RelpTestClient.connect(r.rx.addresses.relp!.port);
  try {
    c.open();
    await c.until(() => c.rsp(1) !== undefined);
    srv.child.kill('SIGSTOP');
    const N = 50;
    for (let i = 0; i < N; i++) c.send('syslog', `<13>Jun 12 09:15:02 h ${TOKEN}: relp ${i}`);
    await sleep(1500); // several ack timeouts and retries
    const early = c.responses.filter((x) => x.command === 'rsp' && x.txnr > 1);
    assert.deepEqual(early, [], 'nothing acknowledged without PubAck');
    assert.notEqual(r.sink.down, null, 'the sink says it cannot write');
    assert.ok(r.sink.stats().retries > 0);
    assert.equal(await r.healthz(), 503, '/healthz while JetStream does not answer');
    assert.match(await r.metrics(), /syslog_receiver_jetstream_errors_total\{reason="timeout"\} [1-9]/);
    srv.child.kill('SIGCONT');
    await c.until(() => c.responses.filter((x) => x.command === 'rsp').length === N + 1, 15_000);
    assert.ok(c.responses.filter((x) => x.txnr > 1).every((x) => x.data.startsWith('200')));
    const msgs = await r.stream();
    assert.deepEqual(msgs.map((m) => JSON.parse(m.data).message), Array.from({ length: N }, (_, i) => `relp ${i}`), 'each once, in order (resends were duplicates)');
    assert.equal(r.sink.down, null);
    assert.equal(await r.healthz(), 200);
  } finally {
    srv.child.kill('SIGCONT');
    c.destroy();
    await r.stop();
    await srv.stop();
  }
});

test('JetStream sink: start fails clearly without a server, and with createStream: false and no stream', { skip }, async () => {
  const base = { listen: { tcp: { address: '127.0.0.1', port: 0 } }, apps: [{ name: 'web', token: TOKEN }], certsDir: join(tmpDir('srx-js-').path, 'certs') };
  await assert.rejects(startReceiver({ ...base, storage: { type: 'jetstream', jetstream: { servers: ['nats://127.0.0.1:1'] } } }),
    (e: Error & { code?: string }) => e.code === 'SYSLOG_ERR_STORE_OPEN' && /cannot open JetStream stream SYSLOG at nats:\/\/127\.0\.0\.1:1/.test(e.message));
  const srv = await startNatsServer();
  try {
    await assert.rejects(startReceiver({ ...base, storage: { type: 'jetstream', jetstream: { servers: [srv.url], stream: 'MISSING', createStream: false } } }),
      (e: Error & { code?: string }) => e.code === 'SYSLOG_ERR_STORE_OPEN' && /MISSING does not exist/.test(e.message));
  } finally {
    await srv.stop();
  }
});

test('JetStream sink: a full stream (discard new) holds the senders back — TCP paused, RELP unanswered; counters show it; nothing dropped', { skip }, async () => {
  const srv = await startNatsServer();
  const dir = tmpDir('srx-js-').path;
  const { rx } = await startReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, relp: { address: '127.0.0.1', port: 0 }, admin: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'web', token: TOKEN }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5, highWaterBytes: 65_536, type: 'jetstream', jetstream: { servers: [srv.url], maxBytes: 16_384, ackTimeoutMs: 500 } },
    shutdownTimeoutMs: 1000, // stop gives up retrying after 0.5 s
    certsDir: join(dir, 'certs'),
  });
  const relp = await RelpTestClient.connect(rx.addresses.relp!.port);
  try {
    // 12 MB over TCP: more than the loopback socket buffers hold, so a paused socket stalls the sender
    const N = 20_000;
    let tcpDone = false;
    const sending = sendTcp(rx.addresses.tcp!.port, Array.from({ length: N }, (_, i) => `<13>Jun 12 09:15:02 h ${TOKEN}: full ${i} ${'p'.repeat(560)}\n`), '127.0.0.1', 60_000)
      .then(() => { tcpDone = true; }, () => undefined);
    relp.open();
    await relp.until(() => relp.rsp(1) !== undefined);
    const R = 200;
    for (let i = 0; i < R; i++) relp.send('syslog', `<13>Jun 12 09:15:02 h ${TOKEN}: relp ${i}`);
    await sleep(2500);
    const st = rx.stats() as { rejected: Record<string, number>; durableEvents: number; jetstream: { errors: Record<string, number>; retries: number } };
    assert.ok(st.durableEvents < 200, `only what fits is stored (${st.durableEvents})`);
    assert.equal(tcpDone, false, 'the TCP sender is held back (its socket is not read)');
    const ok = relp.responses.filter((r) => r.command === 'rsp' && r.txnr > 1 && r.data.startsWith('200'));
    assert.ok(ok.length < R, `RELP frames are not all acknowledged (${ok.length} of ${R})`);
    assert.ok(ok.length <= st.durableEvents, 'no rsp 200 without a PubAck');
    assert.deepEqual(Object.values(st.rejected).filter((n) => n > 0), [], 'nothing counted as dropped');
    assert.ok((st.jetstream.errors.stream_error ?? 0) > 0, 'the full stream refuses');
    assert.ok(st.jetstream.retries > 0, 'and is retried');
    assert.notEqual(rx.jetstream!.down, null);
    const admin = `http://127.0.0.1:${rx.addresses.admin!.port}`;
    assert.equal((await fetch(`${admin}/healthz`)).status, 503);
    assert.match(await (await fetch(`${admin}/metrics`)).text(), /syslog_receiver_jetstream_errors_total\{reason="stream_error"\} [1-9]/);
    void sending;
  } finally {
    relp.socket.destroy();
    await rx.stop();
    await srv.stop();
  }
});

/**
 * JetStreamPublisher against a real nats-server 2.9: PubAcks matched to their messages, a
 * resent Nats-Msg-Id answered `duplicate` and stored once, no stream → no_responders, a full
 * stream (discard new) → stream_error, a stopped server → timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, DiscardPolicy } from '@nats-io/jetstream';
import { JetStreamPublisher, type PubAck, type PublishError } from '../../src/sinks/jetstream-publisher.js';
import { natsMissing, startNatsServer } from '../helpers/nats.js';

const skip = natsMissing();
type Result = { err: PublishError | null; ack: PubAck | null };

/** Publishes `[subject, payload, id]`s (Nats-Msg-Id `rx1-<id>`); resolves with each one's answer, in publish order. */
function publishAll(p: JetStreamPublisher, items: Array<[string, string, number]>): Promise<Result[]> {
  return new Promise((resolve) => {
    const out: Result[] = new Array(items.length);
    let left = items.length;
    items.forEach(([subject, payload, id], i) => p.publish(subject, Buffer.from(payload), id, i, (token, err, ack) => {
      out[token] = { err, ack };
      if (--left === 0) resolve(out);
    }));
  });
}

test('JetStreamPublisher: 5,000 PubAcks in order, a resent id is a duplicate, no stream → no_responders, full → stream_error', { skip }, async () => {
  const srv = await startNatsServer();
  const nc = await connect({ servers: srv.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'SYSLOG', subjects: ['syslog.>'], num_replicas: 1, discard: DiscardPolicy.New, duplicate_window: 120e9 });
    const p = new JetStreamPublisher(nc, 2000, 'rx1-');
    const N = 5000;
    const res = await publishAll(p, Array.from({ length: N }, (_, i) => [`syslog.app${i % 3}`, `line ${i}\n`, i]));
    assert.deepEqual(res.map((r) => r.err), new Array(N).fill(null));
    assert.deepEqual(res.map((r) => r.ack!.seq), Array.from({ length: N }, (_, i) => i + 1), 'one stream sequence per message, in publish order');
    const again = await publishAll(p, [['syslog.app0', 'line 7\n', 7], ['syslog.app0', 'line new\n', 99_999]]);
    assert.deepEqual(again.map((r) => r.ack), [{ seq: 8, duplicate: true }, { seq: N + 1, duplicate: false }]);
    assert.equal((await jsm.streams.info('SYSLOG')).state.messages, N + 1);
    const m = await jsm.streams.getMessage('SYSLOG', { seq: 3 });
    assert.equal(m!.subject, 'syslog.app2');
    assert.equal(m!.string(), 'line 2\n');
    assert.equal(m!.header.get('Nats-Msg-Id'), 'rx1-2');

    const [none] = await publishAll(p, [['elsewhere.app', 'x', 1]]);
    assert.equal(none.err?.reason, 'no_responders');
    // over the server's max_payload (1 MiB by default): refused here, never sent (the server would drop the connection)
    const [big, after] = await publishAll(p, [['syslog.app0', 'b'.repeat(1024 * 1024 + 1), 2], ['syslog.app0', 'after big\n', 3]]);
    assert.equal(big.err?.reason, 'too_large');
    assert.equal(after.err, null, 'the connection survives');

    await jsm.streams.add({ name: 'TINY', subjects: ['tiny.>'], num_replicas: 1, discard: DiscardPolicy.New, max_bytes: 4096 });
    const tiny = await publishAll(p, Array.from({ length: 100 }, (_, i) => ['tiny.a', 'y'.repeat(200), 100_000 + i]));
    const failed = tiny.filter((r) => r.err !== null);
    assert.ok(failed.length > 50, `${failed.length} of 100 refused by the full stream`);
    assert.ok(failed.every((r) => r.err!.reason === 'stream_error'), 'a full stream is an error, never an ack');
    assert.equal(p.inFlight, 0);
    p.close();
  } finally {
    await nc.close();
    await srv.stop();
  }
});

test('JetStreamPublisher: a stopped server gives timeouts, never acks; close() fails what is left', { skip }, async () => {
  const srv = await startNatsServer();
  const nc = await connect({ servers: srv.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'SYSLOG', subjects: ['syslog.>'], num_replicas: 1 });
    const p = new JetStreamPublisher(nc, 300, 'rx1-');
    srv.child.kill('SIGSTOP');
    const res = await publishAll(p, Array.from({ length: 20 }, (_, i) => ['syslog.a', `z ${i}`, 200_000 + i]));
    assert.ok(res.every((r) => r.ack === null && r.err?.reason === 'timeout'), JSON.stringify(res.map((r) => r.err?.reason)));
    const late = publishAll(p, [['syslog.a', 'late', 300_000]]);
    p.close();
    assert.equal((await late)[0].err?.reason, 'closed');
  } finally {
    srv.child.kill('SIGCONT');
    await nc.close().catch(() => undefined);
    await srv.stop();
  }
});

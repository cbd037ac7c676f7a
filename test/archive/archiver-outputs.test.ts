/**
 * Outputs with `storage.type: jetstream`: they run in `syslog-receiver archive` (the process that
 * writes the store they read), never in the receivers. A real receiver publishes TCP records to a
 * real nats-server; an in-process archiver writes them into its store and its `elasticsearch`
 * output ships that store to the fake Elasticsearch (test/helpers/fake-api.ts): every record once,
 * nothing from the receiver; after a restart during an outage (503) only the new records are sent,
 * once, when the API is back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { pino } from 'pino';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Archiver } from '../../src/archive/archiver.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { Receiver } from '../../src/receiver.js';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';
import { natsMissing, startNatsServer } from '../helpers/nats.js';
import { sendTcp } from '../helpers/net.js';
import { readStore, startReceiver } from '../helpers/receiver.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep, waitFor } from '../helpers/wait.js';

const skip = natsMissing();
const TOKEN = '6c1f2a4e-3b5d-4e7f-8a9b-0c1d2e3f4a5b';
const FIRST = 2000;
const MORE = 500;

/** TCP syslog lines `m-<from>` … `m-<to-1>` for app web. */
const lines = (from: number, to: number): string =>
  Array.from({ length: to - from }, (_, k) => `<13>Dec  2 10:00:00 host ${TOKEN}: m-${from + k}\n`).join('');

/** A logger at `warn` whose JSON lines are kept in `out` (to check what the receiver said). */
function capture(out: Array<{ msg: string; [k: string]: unknown }>): pino.Logger {
  return pino({ level: 'warn' }, { write: (s: string) => { out.push(JSON.parse(s) as { msg: string }); } });
}

/** Messages of the documents in `docs`-like values (the stored record's `message`). */
const messagesOf = (api: FakeApi): string[] => [...api.docs.values()].map((d) => (d.doc as { message: string }).message);

/** Every `message` in the create documents of bulk request bodies (also of requests answered 503). */
function bulkMessages(api: FakeApi, fromRequest: number): string[] {
  const out: string[] = [];
  for (const r of api.requests.slice(fromRequest)) {
    if (!r.path.endsWith('/_bulk')) continue;
    const ls = r.text().split('\n').filter((l) => l !== '');
    for (let i = 1; i < ls.length; i += 2) out.push((JSON.parse(ls[i]) as { message: string }).message);
  }
  return out;
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, k) => `m-${from + k}`);

/** Messages on stream SYSLOG now (0 when it does not exist yet). */
async function streamMessages(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return jsm.streams.info('SYSLOG').then((i) => i.state.messages, () => 0);
}

test('archive + outputs: the archiver (not the receiver) ships the archive to Elasticsearch, each record once, also across a restart during an outage', { skip, timeout: 60_000 }, async (t) => {
  const srv = await startNatsServer();
  const api = await startFakeApi();
  const nc = await connect({ servers: srv.url });
  const root = tmpDir('srx-arc-out-').path;
  const dir = join(root, 'data');
  const path = join(root, 'c.yaml');
  // one config file for the receiver and the archiver, as deployed: the same outputs: in both
  const raw = {
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'web', token: TOKEN }],
    storage: { dir, type: 'jetstream', jetstream: { servers: [srv.url], instanceId: 'rx1' } },
    archive: { batchSize: 500, maxWaitMs: 50 },
    outputs: [{ name: 'es', type: 'elasticsearch', url: api.url, batchDelayMs: 0, minBackoffMs: 20, maxBackoffMs: 200, timeoutMs: 5000 }],
    certsDir: join(root, 'certs'),
    logLevel: 'warn',
  };
  writeFileSync(path, stringify(raw));
  const rxLog: Array<{ msg: string; [k: string]: unknown }> = [];
  const arcLog: Array<{ msg: string; [k: string]: unknown }> = [];
  let rx: Receiver | null = null;
  let a: Archiver | null = null;
  try {
    rx = (await startReceiver(raw, { log: capture(rxLog) })).rx;
    const receiver = rx;
    const tcpPort = receiver.addresses.tcp!.port;

    await t.test(`${FIRST} records through receiver → JetStream → archiver → elasticsearch output, each once; the receiver ships nothing`, async () => {
      assert.equal(receiver.outputs, null, 'a receiver with storage.type jetstream runs no outputs');
      assert.ok(rxLog.some((l) => /are run by `syslog-receiver archive`/.test(l.msg)), `the receiver says so: ${JSON.stringify(rxLog)}`);
      await sendTcp(tcpPort, lines(0, FIRST));
      await receiver.flush();
      await waitFor(async () => (await streamMessages(nc)) === FIRST, { timeoutMs: 15_000, what: `${FIRST} messages on the stream` });
      // everything is published; a receiver that shipped (batchDelayMs 0) would have sent by now
      await sleep(500);
      assert.equal(api.requests.length, 0, 'no request reached the API before the archiver started');

      const startedAt = Date.now();
      a = await Archiver.start(loadConfigFile(path), capture(arcLog));
      const arc = a;
      assert.ok(arc.outputs !== null, 'the archiver runs the outputs');
      await waitFor(() => arc.stats().seq === FIRST, { timeoutMs: 20_000, what: `archive at seq ${FIRST}` });
      assert.equal(readStore(dir, 'web').length, FIRST);
      await waitFor(() => arc.outputs!.stats()[0].totals.shipped === FIRST, { timeoutMs: 20_000, what: `output shipped ${FIRST}: ${JSON.stringify(arc.outputs!.stats()[0])}` });

      const msgs = messagesOf(api);
      assert.equal(msgs.length, FIRST, 'documents in the fake');
      assert.deepEqual([...msgs].sort(), range(0, FIRST).sort(), 'exactly the messages sent, each once');
      assert.equal(api.received.size, FIRST, 'one _id per record');
      assert.ok([...api.received.values()].every((n) => n === 1), 'each _id sent once');
      assert.ok(api.requests.every((r) => r.at >= startedAt), 'every request came after the archiver started');
      assert.ok(api.requests.every((r) => r.method === 'POST' && r.path === '/_bulk'), `only bulk requests: ${api.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      await arc.outputs!.refreshLag();
      const s = arc.outputs!.stats()[0];
      assert.equal(s.name, 'es');
      assert.deepEqual(s.totals, { shipped: FIRST, retried: 0, deadLettered: 0, lost: 0 });
      assert.equal(s.lagRecords, 0);
      assert.equal(receiver.outputs, null);
    });

    await t.test(`restart during an outage: ${MORE} more are archived while the API answers 503, then arrive once; nothing of the first ${FIRST} is sent again`, async () => {
      assert.ok(a !== null, 'the first part started the archiver');
      await a.stop();
      assert.equal(a.outputs!.stats()[0].state, 'stopped');
      a = null;
      const before = api.requests.length;
      api.script = () => ({ status: 503, body: { error: { type: 'unavailable', reason: 'fake outage' }, status: 503 } });

      await sendTcp(tcpPort, lines(FIRST, FIRST + MORE));
      await receiver.flush();
      await waitFor(async () => (await streamMessages(nc)) === FIRST + MORE, { timeoutMs: 15_000, what: `${FIRST + MORE} messages on the stream` });
      assert.equal(api.requests.length, before, 'nothing reached the API while the archiver was stopped');

      a = await Archiver.start(loadConfigFile(path), capture(arcLog));
      const arc = a;
      await waitFor(() => arc.stats().seq === FIRST + MORE, { timeoutMs: 20_000, what: `archive at seq ${FIRST + MORE}` });
      const stored = readStore(dir, 'web').map((r) => r.message);
      assert.equal(stored.length, FIRST + MORE, 'the store holds every record');
      assert.deepEqual([...stored].sort(), range(0, FIRST + MORE).sort(), 'each once');
      // the output tries, is refused, retries
      await waitFor(() => api.requests.length >= before + 3, { timeoutMs: 10_000, what: 'three 503 answers' });
      const during = arc.outputs!.stats()[0];
      assert.equal(during.totals.shipped, FIRST, 'nothing more shipped during the outage');
      assert.ok(during.attempts >= 1 && during.state === 'retrying', `retrying: ${JSON.stringify(during)}`);
      assert.match(during.lastError ?? '', /503/);
      assert.equal(api.docs.size, FIRST);

      api.script = () => 'default';
      await waitFor(() => arc.outputs!.stats()[0].totals.shipped === FIRST + MORE, { timeoutMs: 20_000, what: `output shipped ${FIRST + MORE}: ${JSON.stringify(arc.outputs!.stats()[0])}` });
      const msgs = messagesOf(api);
      assert.equal(msgs.length, FIRST + MORE);
      assert.deepEqual([...msgs].sort(), range(0, FIRST + MORE).sort(), 'the new records arrived, each once');
      assert.equal(api.received.size, FIRST + MORE);
      assert.ok([...api.received.values()].every((n) => n === 1), 'no _id sent twice (none of the first records again)');
      // also in the refused requests: only the new records were ever sent after the restart
      const sentAgain = bulkMessages(api, before).filter((m) => Number(m.slice(2)) < FIRST);
      assert.deepEqual(sentAgain, [], 'no record of the first part in any request after the restart');
      assert.ok(api.requests.slice(before).every((r) => r.method === 'POST' && r.path === '/_bulk'));
      await arc.outputs!.refreshLag();
      const s = arc.outputs!.stats()[0];
      assert.equal(s.totals.shipped, FIRST + MORE, 'totals survive the restart (the cursor state)');
      assert.equal(s.totals.deadLettered, 0);
      assert.equal(s.totals.lost, 0);
      assert.ok(s.totals.retried >= MORE, `retried ${s.totals.retried}`);
      assert.equal(s.lagRecords, 0);
      assert.equal(receiver.outputs, null);
    });
  } finally {
    if (a !== null) await (a as Archiver).stop();
    if (rx !== null) await rx.stop();
    await nc.close();
    await api.close();
    await srv.stop();
  }
});

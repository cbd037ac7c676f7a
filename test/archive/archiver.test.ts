/**
 * `syslog-receiver archive` against a real nats-server: the stream's lines land in the per-app,
 * per-day files exactly once — across restarts, SIGKILLs mid-commit, a consumer deleted under
 * it and deliveries stolen from it (consumer-sequence gaps) — and `tail`/`search` read them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Archiver } from '../../src/archive/archiver.js';
import { ArchiveJournal } from '../../src/archive/journal.js';
import { loadConfigFile } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { JetStreamPublisher } from '../../src/sinks/jetstream-publisher.js';
import { natsMissing, startNatsServer, type NatsServer } from '../helpers/nats.js';
import { CLI, spawnArchiver, TSX } from '../helpers/process.js';
import { startReceiver } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const skip = natsMissing();
const TOKEN = '0b7e8d1c-7c5f-4f4e-9a55-0a4c5ec0b9a1';

/** A config file for the archiver (and the receivers) on `srv`, its store in a temp dir. */
function archiveConfig(srv: NatsServer, archive: Record<string, unknown> = {}, logLevel = 'warn'): { path: string; dir: string } {
  const root = tmpDir('srx-arc-').path;
  const path = join(root, 'c.yaml');
  writeFileSync(path, stringify({
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'web', token: TOKEN }, { name: 'db', token: '1b7e8d1c-7c5f-4f4e-9a55-0a4c5ec0b9a1' }],
    storage: { dir: join(root, 'data'), type: 'jetstream', jetstream: { servers: [srv.url] } },
    archive: { batchSize: 500, maxWaitMs: 50, ...archive },
    logLevel,
  }));
  return { path, dir: join(root, 'data') };
}

/** A receiver-shaped line numbered `i` (app by `i % 3`, day by `i % 2`). */
function line(i: number): { app: string; day: string; data: string } {
  const app = i % 3 === 0 ? 'db' : 'web';
  const day = i % 2 === 0 ? '2026-12-01' : '2026-12-02';
  return { app, day, data: `{"@timestamp":"2026-12-01T23:59:59.000Z","receivedAt":"${day}T06:00:00.000Z","app":"${app}","message":"n ${i}"}\n` };
}

/** Publishes lines `from`..`to-1` to SYSLOG on syslog.<app> and waits for every PubAck. */
async function publish(nc: NatsConnection, from: number, to: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  if (!(await jsm.streams.info('SYSLOG').then(() => true, () => false))) await jsm.streams.add({ name: 'SYSLOG', subjects: ['syslog.>'] });
  const p = new JetStreamPublisher(nc, 5000, 't-');
  let acked = 0;
  let failed = 0;
  for (let i = from; i < to; i++) {
    const l = line(i);
    p.publish(`syslog.${l.app}`, Buffer.from(l.data), i, i, (_k, e) => { if (e) failed++; else acked++; });
    if ((i - from) % 1000 === 999) await waitFor(() => i + 1 - from - acked - failed < 2000, { timeoutMs: 10_000 });
  }
  await waitFor(() => acked + failed === to - from, { timeoutMs: 20_000, what: 'PubAcks' });
  p.close();
  assert.equal(failed, 0);
}

/** Every archived line: file (app/day) → lines. */
function archived(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!existsSync(dir)) return out;
  for (const app of readdirSync(dir, { withFileTypes: true })) {
    if (!app.isDirectory()) continue;
    for (const f of readdirSync(join(dir, app.name))) {
      const text = readFileSync(join(dir, app.name, f), 'utf8');
      assert.ok(text === '' || text.endsWith('\n'), `${app.name}/${f}: torn last line`);
      out.set(`${app.name}/${f.replace('.ndjson', '')}`, text === '' ? [] : text.slice(0, -1).split('\n'));
    }
  }
  return out;
}

/** Asserts that lines 0..n-1 (but those in `removed`) are archived exactly once each, in their app's day file. */
function assertExactlyOnce(dir: string, n: number, removed: ReadonlySet<number> = new Set()): void {
  const seen = new Uint8Array(n);
  let total = 0;
  for (const [file, lines] of archived(dir)) {
    for (const l of lines) {
      const r = JSON.parse(l) as { app: string; receivedAt: string; message: string };
      const i = Number(r.message.slice(2));
      assert.equal(`${r.app}/${r.receivedAt.slice(0, 10)}`, file, `line ${i} in the wrong file`);
      assert.equal(l + '\n', line(i).data);
      seen[i]++;
      total++;
    }
  }
  const missing = seen.reduce((k, v, i) => k + (v === 0 && !removed.has(i) ? 1 : 0), 0);
  const twice = seen.reduce((k, v) => k + (v > 1 ? 1 : 0), 0);
  const revived = [...removed].filter((i) => seen[i] > 0).length;
  assert.deepEqual({ total, missing, twice, revived }, { total: n - removed.size, missing: 0, twice: 0, revived: 0 });
}

/** Runs `fn` with a fresh nats-server, a client connection and an archiver config on it; stops both after. */
async function withNats(fn: (r: { nc: NatsConnection; cfg: { path: string; dir: string } }) => Promise<void>, archive: Record<string, unknown> = {}, logLevel = 'warn'): Promise<void> {
  const srv = await startNatsServer();
  const nc = await connect({ servers: srv.url });
  try {
    await fn({ nc, cfg: archiveConfig(srv, archive, logLevel) });
  } finally {
    await nc.close();
    await srv.stop();
  }
}

/**
 * Complete lines in the archive now (LFs counted). For polling while an archiver writes: a line
 * being written is not complete yet; the torn-line check is {@link archived}'s, once it stopped.
 */
function count(dir: string): number {
  let n = 0;
  if (!existsSync(dir)) return n;
  for (const app of readdirSync(dir, { withFileTypes: true })) {
    if (!app.isDirectory()) continue;
    for (const f of readdirSync(join(dir, app.name))) for (const c of readFileSync(join(dir, app.name, f))) if (c === 0x0a) n++;
  }
  return n;
}

test('archive: the stream\'s lines, in order, in the per-app day files; a restart goes on without storing anything twice', { skip }, () => withNats(async ({ nc, cfg }) => {
  await publish(nc, 0, 3000);
  let a = await Archiver.start(loadConfigFile(cfg.path), createLogger('silent'));
  await waitFor(() => a.stats().seq === 3000, { timeoutMs: 20_000, what: 'archive at seq 3000' });
  assert.equal(a.stats().archived, 3000);
  // each file holds its lines in stream order
  const files = archived(cfg.dir);
  assert.deepEqual([...files.keys()].sort(), ['db/2026-12-01', 'db/2026-12-02', 'web/2026-12-01', 'web/2026-12-02']);
  for (const [file, lines] of files) {
    const expect = Array.from({ length: 3000 }, (_, i) => line(i)).filter((l) => `${l.app}/${l.day}` === file).map((l) => l.data.slice(0, -1));
    assert.deepEqual(lines, expect, file);
  }
  await a.stop();
  await publish(nc, 3000, 4000);
  a = await Archiver.start(loadConfigFile(cfg.path), createLogger('silent'));
  await waitFor(() => a.stats().seq === 4000, { timeoutMs: 20_000, what: 'archive at seq 4000' });
  await a.stop();
  assertExactlyOnce(cfg.dir, 4000);
  // the consumer is the durable one, explicit acks, everything acknowledged
  const info = await (await jetstreamManager(nc)).consumers.info('SYSLOG', 'syslog-archive');
  assert.equal(info.config.ack_policy, AckPolicy.Explicit);
  assert.equal(info.num_ack_pending, 0);
  assert.equal(info.num_pending, 0);
}));

test('archive: SIGKILLed twice mid-run, each stream message is stored exactly once and no line is torn', { skip }, () => withNats(async ({ nc, cfg }) => {
  const N = 60_000;
  await publish(nc, 0, N);
  for (const fraction of [0.2, 0.6]) {
    const a = await spawnArchiver(cfg.path);
    await waitFor(() => count(cfg.dir) >= N * fraction, { timeoutMs: 60_000, intervalMs: 5, what: `${fraction * 100} % archived` });
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
  }
  const a = await spawnArchiver(cfg.path);
  assert.equal(a.started.msg, 'archiver started');
  await waitFor(() => count(cfg.dir) >= N, { timeoutMs: 60_000, what: 'all archived' });
  const { code, stats } = await a.stop();
  assert.equal(code, 0);
  assert.equal(stats?.seq, N);
  assert.ok(stats!.resets >= 1, 'a restart after SIGKILL resets the consumer');
  assertExactlyOnce(cfg.dir, N);
}, { batchSize: 300, maxWaitMs: 20 }, 'info'));

test('archive: deliveries it never saw (stolen from its consumer) and a consumer deleted under it are fetched again, nothing twice', { skip }, () => withNats(async ({ nc, cfg }) => {
  await publish(nc, 0, 2000);
  const a = await Archiver.start(loadConfigFile(cfg.path), createLogger('silent'));
  await waitFor(() => a.stats().seq === 2000, { timeoutMs: 20_000 });
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete('SYSLOG', 'syslog-archive');
  await publish(nc, 2000, 3000);
  await waitFor(() => a.stats().seq === 3000, { timeoutMs: 30_000, what: 'archive after the consumer was deleted' });
  // a second client pulls from the archiver's consumer and never acks: the archiver sees gaps
  const thief = await jetstream(nc).consumers.get('SYSLOG', 'syslog-archive');
  const stealing = (async () => {
    let stolen = 0;
    for (let k = 0; k < 20 && stolen < 200; k++) {
      try {
        const it = await thief.fetch({ max_messages: 50, expires: 1000 });
        for await (const m of it) { void m; stolen++; }
      } catch { /* the archiver reset the consumer under the thief */ }
    }
    return stolen;
  })();
  await publish(nc, 3000, 6000);
  const stolen = await stealing;
  // a later delivery shows the archiver the gap even when the thief took the last messages
  await publish(nc, 6000, 6100);
  await waitFor(() => a.stats().seq === 6100, { timeoutMs: 30_000, what: 'archive after stolen deliveries' });
  const stats = a.stats();
  await a.stop();
  assert.ok(stolen > 0, 'the thief got deliveries');
  assert.ok(stats.resets >= 3, `resets ${stats.resets}: at start, after the delete, after a gap`);
  assertExactlyOnce(cfg.dir, 6100);
}));

test('archive: messages removed from the middle of the stream are a gap it checks with the stream leader, not a consumer fault; the rest exactly once', { skip }, () => withNats(async ({ nc, cfg }) => {
  await publish(nc, 0, 2000);
  const jsm = await jetstreamManager(nc);
  // line i is stream sequence i + 1: remove lines 0..9 (the head), 300..349 and 1200
  const removed = new Set([...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 50 }, (_, i) => 300 + i), 1200]);
  for (const i of removed) assert.ok(await jsm.streams.deleteMessage('SYSLOG', i + 1));
  const a = await Archiver.start(loadConfigFile(cfg.path), createLogger('silent'));
  await waitFor(() => a.stats().seq === 2000, { timeoutMs: 20_000, what: 'archive past the gaps' });
  // removed while it runs, ahead of what it read
  await publish(nc, 2000, 3000);
  for (const i of [2500, 2501, 2999]) { removed.add(i); await jsm.streams.deleteMessage('SYSLOG', i + 1).catch(() => false); }
  await publish(nc, 3000, 3100);
  await waitFor(() => a.stats().seq === 3100, { timeoutMs: 20_000, what: 'archive at seq 3100' });
  const stats = a.stats();
  await a.stop();
  assert.equal(stats.serverSkips, 0, 'removed messages are no consumer fault');
  assert.ok(stats.resets >= 3, `resets ${stats.resets}: at start and after each gap in the middle`);
  // a line the archiver had read before its deletion stays archived (the race is the test's, not a fault)
  const files = archived(cfg.dir);
  for (const i of [2500, 2501, 2999]) if (files.get(`${line(i).app}/${line(i).day}`)?.includes(line(i).data.slice(0, -1))) removed.delete(i);
  assertExactlyOnce(cfg.dir, 3100, removed);
}));

test('archive: messages that are not receiver lines are counted and acknowledged, not stored', { skip }, () => withNats(async ({ nc, cfg }) => {
  await publish(nc, 0, 10);
  const js = jetstream(nc);
  await js.publish('syslog.web', 'two\nlines\n');
  await js.publish('syslog.web', 'no newline');
  await js.publish('syslog.web.deeper', '{"x":1}\n');
  await publish(nc, 10, 20);
  const a = await Archiver.start(loadConfigFile(cfg.path), createLogger('silent'));
  await waitFor(() => a.stats().seq === 23, { timeoutMs: 20_000 });
  const s = a.stats();
  await a.stop();
  assert.equal(s.invalid, 3);
  assert.equal(s.archived, 20);
  assertExactlyOnce(cfg.dir, 20);
}));

test('archive: records from a real receiver, read back with tail and search exactly as from a local store', { skip }, async () => {
  const srv = await startNatsServer();
  const cfg = archiveConfig(srv);
  const { rx } = await startReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'web', token: TOKEN }],
    storage: { dir: tmpDir('srx-arc-rx-').path, type: 'jetstream', jetstream: { servers: [srv.url], instanceId: 'rx1' } },
    certsDir: join(tmpDir('srx-arc-certs-').path, 'certs'),
  });
  try {
    await sendTcp(rx.addresses.tcp!.port, Array.from({ length: 100 }, (_, i) => `<${i % 10 === 0 ? 11 : 14}>Jun 12 09:15:02 host-${i % 2} ${TOKEN}: event ${i}${i % 10 === 0 ? ' failed' : ''}\n`));
    await rx.flush();
    const a = await Archiver.start(loadConfigFile(cfg.path), createLogger('silent'));
    await waitFor(() => a.stats().seq === 100, { timeoutMs: 20_000 });
    await a.stop();
    const cli = (...args: string[]): string => {
      const r = spawnSync(process.execPath, ['--import', TSX, CLI, ...args, '-c', cfg.path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const tail = cli('tail', 'web', '-n', '3', '--json').trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    assert.deepEqual(tail.map((r) => r.message), ['event 97', 'event 98', 'event 99']);
    const errs = cli('search', 'web', '--severity', 'err', '--host', 'host-0', '--json').trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    assert.deepEqual(errs.map((r) => r.message), Array.from({ length: 10 }, (_, k) => `event ${k * 10} failed`));
    assert.match(cli('search', 'web', '--grep', 'event 42'), /event 42/);
  } finally {
    await rx.stop();
    await srv.stop();
  }
});

test('archive journal: an interrupted commit is undone, a torn last line ignored, a damaged one refused', async () => {
  const dir = tmpDir('srx-journal-').path;
  mkdirSync(join(dir, 'web'));
  const day = join(dir, 'web', '2026-12-01.ndjson');
  writeFileSync(day, '{"a":1}\n{"a":2}\n{"a":3');
  const path = ArchiveJournal.pathOf(dir, 'd1');
  writeFileSync(path, `${JSON.stringify({ seq: 5, cseq: 5, consumer: 'c', files: {} })}\n${JSON.stringify({ seq: 7, cseq: 9, consumer: 'c', files: { 'web/2026-12-01': 8, 'db/2026-12-01': 0 } })}\n{"seq":9,"cs`);
  const { journal, truncated } = await ArchiveJournal.open(dir, 'd1');
  assert.equal(truncated, 1);
  assert.deepEqual(journal.last, { seq: 7, cseq: 9, consumer: 'c', files: { 'web/2026-12-01': 8, 'db/2026-12-01': 0 } });
  assert.equal(readFileSync(day, 'utf8'), '{"a":1}\n');
  await journal.append({ seq: 8, cseq: 10, consumer: 'c', files: {} });
  await journal.close();
  assert.equal((await ArchiveJournal.open(dir, 'd1')).journal.last.seq, 8);
  writeFileSync(ArchiveJournal.pathOf(dir, 'd2'), 'garbage\n');
  await assert.rejects(ArchiveJournal.open(dir, 'd2'), /last line is not a journal entry/);
});

test('archive: refuses a config without storage.type jetstream and a filter outside the subject prefix', async () => {
  const root = tmpDir('srx-arc-cfg-').path;
  const path = join(root, 'c.yaml');
  writeFileSync(path, stringify({ listen: { tcp: { port: 0 } }, storage: { dir: join(root, 'data') } }));
  await assert.rejects(Archiver.start(loadConfigFile(path), createLogger('silent')), /storage\.type: jetstream/);
  writeFileSync(path, stringify({ listen: { tcp: { port: 0 } }, storage: { dir: join(root, 'data'), type: 'jetstream' }, archive: { filterSubject: 'other.>' } }));
  await assert.rejects(Archiver.start(loadConfigFile(path), createLogger('silent')), /outside storage\.jetstream\.subjectPrefix/);
});



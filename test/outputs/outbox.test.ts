/**
 * The outbox behind the outputs (src/outputs/runner.ts, state.ts, dead-letter.ts): the cursor
 * survives restarts (nothing resent, nothing skipped), records dead-lettered before a crash are
 * not sent again, retention keeps what an output has not shipped unless storage.maxBytes forces
 * it (then counted as lost), the lag is counted from the day files, and `syslog-receiver
 * outputs` reports it all. Real receiver, real files, a fake Elasticsearch over real HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { startFakeApi } from '../helpers/fake-api.js';
import { startTestReceiver, withTestWorkers } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { CLI, TSX } from '../helpers/process.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { Receiver } from '../../src/receiver.js';
import { validateConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { enforceRetention } from '../../src/sinks/retention.js';
import { dayFilePath } from '../../src/store/layout.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const apps = [{ name: 'web', token: TOKEN }];
const lines = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `<13>Dec  2 10:00:00 host ${TOKEN}: ${tag}-${i}\n`).join('');
const es = (url: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'es', type: 'elasticsearch', url, batchDelayMs: 0, minBackoffMs: 20, maxBackoffMs: 200, ...extra });
const messages = (api: { docs: Map<string, { doc: unknown }> }): string[] => [...api.docs.values()].map((d) => (d.doc as { message: string }).message).sort();

/** A receiver on a fixed store directory (to restart it on the same store). */
async function receiverOn(dir: string, outputs: unknown[], storage: Record<string, unknown> = {}): Promise<Receiver> {
  const config = validateConfig(withTestWorkers({ listen: { tcp: { address: '127.0.0.1', port: 0 } }, apps, outputs, storage: { dir, flushIntervalMs: 5, ...storage }, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent', certsDir: join(dir, '..', 'certs') }));
  return Receiver.start(config, { log: createLogger(config.logLevel) });
}

test('outbox: records stored while the API is down ship after a restart, once; a later restart resends nothing', async () => {
  const tmp = tmpDir('srx-outbox-');
  const dir = join(tmp.path, 'data');
  const api = await startFakeApi();
  api.script = () => ({ status: 503, body: 'down' });
  try {
    let r = await receiverOn(dir, [es(api.url)]);
    await sendTcp(r.addresses.tcp!.port, lines(40, 'a'));
    await r.flush();
    await waitFor(() => api.requests.length >= 2, { timeoutMs: 5000 });
    await r.outputs!.refreshLag();
    const s = r.outputs!.stats()[0];
    assert.equal(s.lagRecords, 40);
    assert.equal(s.state, 'retrying');
    assert.match(s.lastError ?? '', /HTTP 503/);
    assert.equal(s.totals.shipped, 0);
    await r.stop();

    api.script = () => 'default';
    r = await receiverOn(dir, [es(api.url)]);
    assert.ok(await api.waitFor(() => api.docs.size === 40, 10_000), `ES holds ${api.docs.size} of 40`);
    await sendTcp(r.addresses.tcp!.port, lines(10, 'b'));
    assert.ok(await api.waitFor(() => api.docs.size === 50, 10_000));
    await waitFor(async () => { await r.outputs!.refreshLag(); return r.outputs!.stats()[0].lagRecords === 0; }, { timeoutMs: 5000 });
    await r.stop();
    const bulks = api.requests.filter((q) => q.path.endsWith('/_bulk') && q.n > 0).length;

    r = await receiverOn(dir, [es(api.url)]);
    await sleep(500);
    await r.stop();
    assert.equal(api.requests.filter((q) => q.path.endsWith('/_bulk')).length, bulks, 'nothing was sent again after a clean restart');
    assert.ok([...api.received.values()].every((n) => n === 1), 'every _id arrived once');
    assert.equal(messages(api).length, 50);
  } finally {
    await api.close();
    tmp.cleanup();
  }
});

test('outbox: a record dead-lettered before a crash (cursor not yet moved) is not sent again', async () => {
  const tmp = tmpDir('srx-outbox-');
  const dir = join(tmp.path, 'data');
  const api = await startFakeApi();
  api.script = () => ({ status: 503 });
  try {
    let r = await receiverOn(dir, [es(api.url)]);
    await sendTcp(r.addresses.tcp!.port, lines(5, 'x'));
    await r.flush();
    await r.stop();
    // what a crash between the dead-letter fsync and the cursor commit leaves: an entry for the third line
    const day = new Date().toISOString().slice(0, 10);
    const file = readFileSync(dayFilePath(dir, 'web', day));
    let offset = 0;
    for (let i = 0; i < 2; i++) offset = file.indexOf(0x0a, offset) + 1;
    const outDir = join(dir, '.outputs', 'es');
    mkdirSync(outDir, { recursive: true });
    appendFileSync(join(outDir, 'dead-letter.ndjson'), `${JSON.stringify({ at: new Date().toISOString(), output: 'es', app: 'web', day, offset, error: 'item status 400', record: {} })}\n`);

    api.script = () => 'default';
    r = await receiverOn(dir, [es(api.url)]);
    assert.ok(await api.waitFor(() => api.docs.size === 4, 10_000));
    await sleep(200);
    await r.stop();
    assert.deepEqual(messages(api), ['x-0', 'x-1', 'x-3', 'x-4']);
  } finally {
    await api.close();
    tmp.cleanup();
  }
});

test('retention keeps an expired day file an output has not shipped; storage.maxBytes deletes it and the output counts it lost', async () => {
  const tmp = tmpDir('srx-outbox-');
  const dir = join(tmp.path, 'data');
  const api = await startFakeApi();
  api.script = () => ({ status: 503 });
  try {
    // a day file from 30 days ago, 7 records, that the output never shipped
    const old = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const oldFile = dayFilePath(dir, 'web', old);
    mkdirSync(join(dir, 'web'), { recursive: true });
    writeFileSync(oldFile, Array.from({ length: 7 }, (_, i) => `${JSON.stringify({ '@timestamp': `${old}T00:00:00.000Z`, receivedAt: `${old}T00:00:0${i}.000Z`, app: 'web', message: `old-${i}` })}\n`).join(''));
    let r = await receiverOn(dir, [es(api.url)], { retentionDays: 7 });
    assert.ok(existsSync(oldFile), 'retention at start kept the unshipped expired file');
    await r.outputs!.refreshLag();
    const lag = r.outputs!.stats()[0];
    assert.equal(lag.lagRecords, 7);
    assert.ok(lag.lagSeconds > 29 * 86_400, `lag ${lag.lagSeconds} s is the old file's age`);
    assert.match(r.health().join('\n'), /output es is \d+ s behind/);
    await r.stop();

    // the size cap forces it out: counted as lost
    r = await receiverOn(dir, [es(api.url)], { retentionDays: 7, maxBytes: 100 });
    assert.ok(!existsSync(oldFile), 'maxBytes deleted it');
    assert.equal(r.outputs!.stats()[0].totals.lost, 7);
    await r.stop();
  } finally {
    await api.close();
    tmp.cleanup();
  }
});

test('enforceRetention with a guard: expired + unshipped → kept; over the cap + unshipped → lost() first, then deleted', async () => {
  const tmp = tmpDir('srx-ret-');
  const now = Date.parse('2026-12-02T12:00:00Z');
  for (const [app, day] of [['a', '2026-11-01'], ['a', '2026-11-02'], ['b', '2026-11-01'], ['a', '2026-12-02']]) {
    mkdirSync(join(tmp.path, app), { recursive: true });
    writeFileSync(dayFilePath(tmp.path, app, day), 'x'.repeat(99) + '\n');
  }
  const lost: string[] = [];
  const guard = { unshipped: (f: { app: string }) => f.app === 'a', lost: async (f: { app: string; day: string }) => { lost.push(`${f.app}/${f.day}`); } };
  const kept = await enforceRetention(tmp.path, 7, 0, now, async () => undefined, guard);
  assert.deepEqual({ deleted: kept.deletedFiles, kept: kept.keptUnshipped, lost }, { deleted: 1, kept: 2, lost: [] }); // b's shipped file went
  const capped = await enforceRetention(tmp.path, 7, 150, now, async () => undefined, guard);
  assert.equal(capped.deletedUnshipped, 2);
  assert.deepEqual(lost, ['a/2026-11-01', 'a/2026-11-02']);
  assert.ok(existsSync(dayFilePath(tmp.path, 'a', '2026-12-02')), "today's file is never deleted");
  tmp.cleanup();
});

test('syslog-receiver outputs: prints shipped, dead-lettered and lag from the store; exits 3 while lagging', async () => {
  const api = await startFakeApi({ itemStatus: (i) => ((i.doc as { message: string }).message.startsWith('bad') ? 400 : undefined) });
  const r = await startTestReceiver({ apps, outputs: [es(api.url, { maxLagSeconds: 1 })] });
  const cfgPath = join(r.dir, 'receiver.yaml');
  writeFileSync(cfgPath, stringify({ listen: { tcp: { address: '127.0.0.1', port: 0 } }, apps, storage: { dir: r.config.storage.dir }, outputs: [es(api.url, { maxLagSeconds: 1 })] }));
  const run = async (): Promise<{ code: number; stdout: string }> => {
    try {
      const o = await promisify(execFile)(process.execPath, ['--import', TSX, CLI, 'outputs', '--config', cfgPath, '--json'], { timeout: 30_000 });
      return { code: 0, stdout: o.stdout };
    } catch (e) {
      return { code: (e as { code: number }).code, stdout: (e as { stdout: string }).stdout };
    }
  };
  try {
    await sendTcp(r.tcpPort, lines(30, 'ok') + lines(3, 'bad'));
    assert.ok(await api.waitFor(() => api.docs.size === 30, 10_000));
    await waitFor(() => r.receiver.outputs!.stats()[0].totals.deadLettered === 3, { timeoutMs: 5000 });
    await sleep(100); // the cursor commit follows the dead letters
    let o = await run();
    assert.equal(o.code, 0, o.stdout);
    let [rep] = JSON.parse(o.stdout) as Array<{ state: string; totals: { shipped: number; deadLettered: number }; lagRecords: number; deadLetterFile: string }>;
    assert.equal(rep.state, 'ok');
    assert.equal(rep.totals.shipped, 30);
    assert.equal(rep.totals.deadLettered, 3);
    assert.equal(rep.lagRecords, 0);
    assert.equal(readFileSync(rep.deadLetterFile, 'utf8').trim().split('\n').length, 3);

    api.script = () => ({ status: 503 });
    await sendTcp(r.tcpPort, lines(4, 'late'));
    await r.receiver.flush();
    await sleep(1500);
    o = await run();
    assert.equal(o.code, 3, 'lagging beyond maxLagSeconds');
    [rep] = JSON.parse(o.stdout) as typeof rep[];
    assert.equal(rep.state, 'lagging');
    assert.equal(rep.lagRecords, 4);
    assert.ok(statSync(cfgPath).size > 0);
  } finally {
    await r.stop();
    await api.close();
  }
});

test('outbox: during an outage the output retries at its backoff, not at the intake rate', async () => {
  const api = await startFakeApi();
  api.script = () => ({ status: 503 });
  const r = await startTestReceiver({ apps, outputs: [es(api.url, { minBackoffMs: 300, maxBackoffMs: 300 })] });
  try {
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) {
      await sendTcp(r.tcpPort, lines(5, `o${i}`));
      await sleep(50);
    }
    const seconds = (Date.now() - t0) / 1000;
    const bulks = api.requests.filter((q) => q.path.endsWith('/_bulk')).length;
    // equal jitter: at least 150 ms between attempts → at most seconds / 0.15 + 1 of them
    assert.ok(bulks <= Math.ceil(seconds / 0.15) + 1, `${bulks} requests in ${seconds} s while 40 batches were stored`);
    assert.ok(bulks >= 2, 'it did retry');
  } finally {
    await r.stop();
    await api.close();
  }
});

/**
 * The elasticsearch output against a fake Elasticsearch over real HTTP (test/helpers/fake-api.ts):
 * records sent over TCP to a real receiver arrive as `create` actions with deterministic ids in
 * `logs-<app>-<yyyy.MM.dd>`; mixed per-item results (201/409/429/400) are handled item by item.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeApi } from '../helpers/fake-api.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const apps = [{ name: 'web', token: TOKEN }];
const lines = (n: number, tag = 'm'): string => Array.from({ length: n }, (_, i) => `<13>Dec  2 10:00:00 host ${TOKEN}: ${tag}-${i}\n`).join('');
const today = (): string => new Date().toISOString().slice(0, 10).replaceAll('-', '.');

test('elasticsearch output: every stored record is created once, in logs-<app>-<day>, with a deterministic _id', async () => {
  const api = await startFakeApi();
  const r = await startTestReceiver({ apps, outputs: [{ name: 'es', type: 'elasticsearch', url: api.url, batchDelayMs: 0, batchMaxRecords: 100 }] });
  try {
    await sendTcp(r.tcpPort, lines(250));
    await r.waitFor('web', 250);
    assert.ok(await api.waitFor(() => api.docs.size === 250, 10_000), `ES holds ${api.docs.size} of 250`);
    const docs = [...api.docs.values()];
    assert.ok(docs.every((d) => d.index === `logs-web-${today()}`), 'index from the template');
    const msgs = new Set(docs.map((d) => (d.doc as { message: string }).message));
    assert.equal(msgs.size, 250);
    assert.ok(api.requests.filter((q) => q.path.endsWith('/_bulk')).length >= 3, 'batches of at most 100');
    assert.ok([...api.received.values()].every((n) => n === 1), 'each _id sent once');
    await waitFor(async () => (await r.metrics()).includes('syslog_receiver_output_shipped_records_total{output="es"} 250'), { timeoutMs: 5000 });
  } finally {
    await r.stop();
    await api.close();
  }
});

test('elasticsearch output: 429 items are retried, 400 items dead-lettered with the error, 409 counts as delivered', async () => {
  const api = await startFakeApi({
    itemStatus: (item) => {
      const m = (item.doc as { message: string }).message;
      if (m.startsWith('bad-')) return 400;
      if (m.startsWith('busy-') && (api.received.get(item.id) ?? 0) < 2) return 429;
      return undefined;
    },
  });
  const r = await startTestReceiver({ apps, outputs: [{ name: 'es', type: 'elasticsearch', url: api.url, batchDelayMs: 0, minBackoffMs: 20, maxBackoffMs: 100 }] });
  try {
    await sendTcp(r.tcpPort, lines(20, 'ok') + lines(5, 'bad') + lines(7, 'busy'));
    assert.ok(await api.waitFor(() => api.docs.size === 27, 10_000), `ES holds ${api.docs.size} of 27`);
    const dlPath = join(r.config.storage.dir, '.outputs', 'es', 'dead-letter.ndjson');
    await waitFor(() => existsSync(dlPath) && readFileSync(dlPath, 'utf8').trim().split('\n').length === 5, { timeoutMs: 5000 });
    const dead = readFileSync(dlPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { app: string; error: string; record: { message: string } });
    assert.deepEqual(dead.map((d) => d.record.message).sort(), ['bad-0', 'bad-1', 'bad-2', 'bad-3', 'bad-4']);
    assert.ok(dead.every((d) => d.app === 'web' && d.error.includes('400') && d.error.includes('mapper_parsing_exception')));
    // bad items were sent exactly once; busy ones twice (429, then created)
    for (const [id, n] of api.received) {
      const doc = [...api.docs.values()].find((d) => d.id === id);
      if (doc === undefined) assert.equal(n, 1, 'a refused item is never resent');
    }
    // the totals move once the answer is handled (after the dead letters are synced)
    await waitFor(() => r.receiver.outputs!.stats()[0].totals.shipped === 27, { timeoutMs: 5000 });
    const stats = r.receiver.outputs!.stats()[0];
    assert.equal(stats.totals.deadLettered, 5);
    assert.equal(stats.totals.shipped, 27);
    assert.ok(stats.totals.retried >= 7);
  } finally {
    await r.stop();
    await api.close();
  }
});

/**
 * The sink-agnostic batcher: group commit into one RecordBatch per flush, record boundaries
 * kept, finalizers only after every required sink answered, backpressure pause/resume, and
 * the acker's fan-in across a required and an optional sink.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { Batcher } from '../../src/pipeline/batcher.js';
import { FileSink } from '../../src/sinks/file.js';
import { CHUNK_BYTES, ChunkPool } from '../../src/sinks/batch.js';
import { RecordStatus, type SinkEntry } from '../../src/sinks/types.js';
import { FaultSink, MemorySink } from '../helpers/fault-sink.js';
import { withTmpDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const log = createLogger('silent');
const AT = Date.UTC(2026, 10, 21, 12);

/** Queues one serialized record (`line` ends in LF), as a producer does: into the group, then `added`. */
function append(b: Batcher, app: string, line: string, receivedAtMs: number, finalizer?: (s: RecordStatus) => void): void {
  const g = b.group(app);
  b.added(g, 1, g.add(line, receivedAtMs), finalizer);
}

function batcher(sinks: SinkEntry[], flushIntervalMs = 5, highWaterBytes = 1 << 20, flow: boolean[] = [], metrics = new Metrics()): Batcher {
  return new Batcher(sinks, { flushIntervalMs, highWaterBytes }, metrics, log, (p) => flow.push(p));
}

test('group commit per app/day file through the FileSink, finalizers only after the sync', async () => {
  await withTmpDir('srx-batch-', async (dir) => {
    const metrics = new Metrics();
    const sink = new FaultSink(new FileSink({ dir, fsync: true, retentionDays: 0, maxBytes: 0, log }), { delayMs: 30 });
    const b = batcher([{ sink, required: true }], 5, 1 << 20, [], metrics);
    await b.start();
    const done: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) {
      append(b, i % 2 ? 'odd' : 'even', `{"i":${i}}\n`, AT, (status) => { assert.equal(status, RecordStatus.Delivered); done.push(Date.now() - t0); });
    }
    assert.equal(done.length, 0, 'nothing is acked before its batch is synced');
    await b.flush();
    assert.equal(done.length, 100);
    assert.ok(Math.min(...done) >= 30, 'finalizers waited for the (delayed) write and sync');
    const even = readFileSync(join(dir, 'even', '2026-11-21.ndjson'), 'utf8').trim().split('\n');
    const odd = readFileSync(join(dir, 'odd', '2026-11-21.ndjson'), 'utf8').trim().split('\n');
    assert.deepEqual(even.map((l) => JSON.parse(l).i), Array.from({ length: 50 }, (_, k) => 2 * k));
    assert.deepEqual(odd.map((l) => JSON.parse(l).i), Array.from({ length: 50 }, (_, k) => 2 * k + 1));
    assert.equal(metrics.durableEvents, 100);
    assert.equal(metrics.storedEvents.get('even'), 50);
    assert.equal(sink.writes.length, 1, 'one batch for all 100 records');
    await b.close();
  });
});

test('records keep their boundaries: a sink sees each record exactly as appended', async () => {
  const mem = new MemorySink();
  const b = batcher([{ sink: mem, required: true }]);
  await b.start();
  const lines = ['{"a":"é"}\n', `{"big":"${'x'.repeat(300_000)}"}\n`, '{"c":3}\n'];
  for (const l of lines) append(b, 'a', l, AT);
  await b.close();
  assert.deepEqual(mem.lines.get('a'), lines, 'multi-byte, chunk-sized and small lines come back whole and in order');
  assert.equal(mem.closed, true, 'close() closes the sinks');
});

test('pause above the high-water mark, resume after the write', async () => {
  const mem = new FaultSink(new MemorySink(), { delayMs: 20 });
  const flow: boolean[] = [];
  const b = batcher([{ sink: mem, required: true }], 1000, 65536, flow);
  const line = 'x'.repeat(1023) + '\n';
  for (let i = 0; i < 100; i++) append(b, 'a', line, AT);
  assert.equal(b.paused, true);
  await b.flush();
  assert.deepEqual(flow, [true, false]);
  assert.equal(b.paused, false);
  await b.close();
});

test('acker: an optional sink never holds an ack back; a required one that errors fails it', async () => {
  let failing = true;
  const required = new FaultSink(new MemorySink(), { fault: () => (failing ? Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }) : null), probeMs: 10 });
  const optional = new FaultSink(new MemorySink(), { delayMs: 200 });
  const metrics = new Metrics();
  const flow: boolean[] = [];
  const b = batcher([{ sink: required, required: true }, { sink: optional, required: false }], 5, 1 << 20, flow, metrics);
  const seen: Array<[number, number]> = [];
  const t0 = Date.now();
  append(b, 'a', '{"n":1}\n', AT, (s) => seen.push([s, Date.now() - t0]));
  append(b, 'a', '{"n":2}\n', AT); // nobody waits: counted as lost
  await b.flush();
  assert.equal(seen[0][0], RecordStatus.Errored);
  assert.equal(metrics.rejected.write_error, 1, 'the record nobody waited for is counted lost; the waited one is not');
  assert.equal(flow[0], true, 'a required sink going down pauses the batcher');
  failing = false;
  await waitFor(() => !b.paused, { timeoutMs: 1000, intervalMs: 10, onTimeout: 'return' });
  assert.equal(b.paused, false, 'resumes once the sink is up again');
  const t1 = Date.now();
  let okAt = -1;
  append(b, 'a', '{"n":3}\n', AT, (s) => { assert.equal(s, RecordStatus.Delivered); okAt = Date.now() - t1; });
  await b.flush();
  assert.ok(okAt >= 0 && okAt < 150, `acked without waiting for the slow optional sink (${okAt} ms)`);
  await b.close();
});

test('acker: a record one required sink rejects is Rejected, and counted as sink_rejected', async () => {
  const metrics = new Metrics();
  const b = batcher([
    { sink: new MemorySink(), required: true },
    { sink: new FaultSink(new MemorySink(), { rejectApps: ['bad'] }), required: true },
  ], 5, 1 << 20, [], metrics);
  const out: Record<string, number> = {};
  append(b, 'good', '{}\n', AT, (s) => { out.good = s; });
  append(b, 'bad', '{}\n', AT, (s) => { out.bad = s; });
  await b.close();
  assert.deepEqual(out, { good: RecordStatus.Delivered, bad: RecordStatus.Rejected });
  assert.equal(metrics.rejected.sink_rejected, 1);
  assert.equal(metrics.storedEvents.get('good'), 1);
  assert.equal(metrics.storedEvents.get('bad'), undefined);
});

test('a batcher without a required sink is refused', () => {
  assert.throws(() => batcher([{ sink: new MemorySink(), required: false }]), /at least one sink must be required/);
});

test('encode chunks are reused once every sink has answered, and reuse never mixes up records', async () => {
  const mem = new MemorySink();
  const b = batcher([{ sink: mem, required: true }, { sink: new FaultSink(new MemorySink(), { delayMs: 5 }), required: false }]);
  const sent: string[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 2000; i++) {
      const l = `{"round":${round},"i":${i},"pad":"${String.fromCharCode(97 + ((round + i) % 26)).repeat(200)}"}\n`;
      sent.push(l);
      append(b, 'a', l, AT);
    }
    await b.flush();
  }
  await b.close();
  assert.deepEqual(mem.lines.get('a'), sent, 'every record came back exactly, across batches that reused the same chunks');
  const pool = (b as unknown as { pool: ChunkPool }).pool;
  assert.ok(pool.size >= 2, `released chunks wait in the pool for the next batch (${pool.size})`);
});

test('ChunkPool: pooled chunks are reused, big ones are not pooled, the pool is bounded', () => {
  const pool = new ChunkPool(2);
  const a = pool.take(100);
  assert.equal(a.length, CHUNK_BYTES);
  pool.give(a);
  assert.equal(pool.take(10), a, 'the same chunk comes back');
  const big = pool.take(CHUNK_BYTES + 1);
  assert.equal(big.length, CHUNK_BYTES + 1);
  pool.give(big);
  assert.equal(pool.size, 0, 'an oversized chunk is not pooled');
  for (let i = 0; i < 5; i++) pool.give(Buffer.allocUnsafe(CHUNK_BYTES));
  assert.equal(pool.size, 2, 'at most maxChunks are kept');
});

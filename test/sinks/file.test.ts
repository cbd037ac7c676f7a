import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../../src/sinks/file.js';
import { Batcher } from '../../src/pipeline/batcher.js';
import { Metrics } from '../../src/metrics.js';
import { createLogger } from '../../src/logger.js';

const log = createLogger('silent');

test('recover() cuts a torn last line and leaves whole files alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'srx-sink-'));
  try {
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', '2026-01-01.ndjson'), '{"n":1}\n{"n":2}\n{"n":3');
    writeFileSync(join(dir, 'a', '2026-01-02.ndjson'), '{"n":1}\n');
    writeFileSync(join(dir, 'a', '2026-01-03.ndjson'), '{"no newline at all"');
    const sink = new FileSink(dir, true, log);
    assert.equal(await sink.recover(), 2);
    assert.equal(readFileSync(join(dir, 'a', '2026-01-01.ndjson'), 'utf8'), '{"n":1}\n{"n":2}\n');
    assert.equal(readFileSync(join(dir, 'a', '2026-01-02.ndjson'), 'utf8'), '{"n":1}\n');
    assert.equal(readFileSync(join(dir, 'a', '2026-01-03.ndjson'), 'utf8'), '');
    assert.equal(await sink.recover(), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('batcher: group commit per app/day file, callbacks only after the sync', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'srx-batch-'));
  try {
    const metrics = new Metrics();
    const sink = new FileSink(dir, true, log, 30);
    await sink.recover();
    const b = new Batcher(sink, 5, 1 << 20, metrics, log);
    const done: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) {
      const app = i % 2 ? 'odd' : 'even';
      b.append(app, '2026-11-21', `{"i":${i}}\n`, 10, (err) => { assert.equal(err, null); done.push(Date.now() - t0); });
    }
    assert.equal(done.length, 0, 'nothing is acked before its batch is synced');
    await b.flush();
    assert.equal(done.length, 100);
    assert.ok(Math.min(...done) >= 30, 'acks waited for the (delayed) sync');
    const even = readFileSync(join(dir, 'even', '2026-11-21.ndjson'), 'utf8').trim().split('\n');
    const odd = readFileSync(join(dir, 'odd', '2026-11-21.ndjson'), 'utf8').trim().split('\n');
    assert.equal(even.length, 50);
    assert.equal(odd.length, 50);
    assert.deepEqual(even.map((l) => JSON.parse(l).i), Array.from({ length: 50 }, (_, k) => 2 * k));
    assert.equal(metrics.durableEvents, 100);
    await b.close();
    await sink.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('batcher: pause above the high-water mark, resume after the write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'srx-bp-'));
  try {
    const sink = new FileSink(dir, false, log, 20);
    await sink.recover();
    const b = new Batcher(sink, 1000, 65536, new Metrics(), log);
    const events: string[] = [];
    b.on('pause', () => events.push('pause'));
    b.on('resume', () => events.push('resume'));
    const line = 'x'.repeat(1023) + '\n';
    for (let i = 0; i < 100; i++) b.append('a', '2026-11-21', line, line.length);
    assert.equal(b.isPaused, true);
    await b.flush();
    assert.deepEqual(events, ['pause', 'resume']);
    assert.equal(b.isPaused, false);
    await b.close();
    await sink.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

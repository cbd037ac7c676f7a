/**
 * ParsePool without sockets: two real worker threads, batches from a real FrameCollector. Every
 * batch's records are handed on strictly in submission order, whichever worker made them, and a
 * reload applies to the batches submitted after it (on every worker).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig, type AppConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { FrameCollector, FrameOutcome, type RecordBatchMessage } from '../../src/pipeline/frame-batch.js';
import { ParsePool } from '../../src/pipeline/parse-pool.js';
import type { FrameSource } from '../../src/record.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const REVOKED = 'c0ffee00-1111-4222-8333-444455556666';
const log = createLogger('silent');
const src: FrameSource = { record: { address: '192.0.2.7', port: 514, transport: 'tcp' }, certFingerprint: null };

function appsOf(apps: unknown[]): readonly AppConfig[] {
  return validateConfig({ listen: { udp: { address: '127.0.0.1', port: 0 } }, apps }).apps;
}

interface Answer { batch: number; lines: string[]; status: number[] }

test('2 workers: batches handed on in submission order; a reload applies from the next batch on', async () => {
  const apps = appsOf([{ name: 'a', token: TOKEN }, { name: 'b', token: REVOKED }]);
  const answers: Answer[] = [];
  const collector = new FrameCollector();
  const pool = new ParsePool<number>(2, { apps, tokenFields: [] }, log, (r: RecordBatchMessage, _s: FrameSource[], batch: number) => {
    const out = Buffer.from(r.out);
    const lines: string[] = [];
    let from = 0;
    for (let i = 0; i < r.count; i++) {
      if ((r.status[i] & 0x0f) !== FrameOutcome.Written) continue;
      lines.push(out.subarray(from, r.ends[i]).toString());
      from = r.ends[i];
    }
    answers.push({ batch, lines, status: [...r.status] });
  }, () => assert.fail('no batch may be lost'), (a) => collector.recycle(a));
  // the pool's threads do not hold the process open (the listeners do): this test does
  const alive = setInterval(() => {}, 1000);
  try {
    const BATCHES = 8, PER = 50;
    const submit = (b: number): void => {
      for (let i = 0; i < PER; i++) {
        // batch 6 onwards: the revoked token's app is gone (reload between batch 5 and 6)
        const token = i % 2 === 0 ? TOKEN : REVOKED;
        const f = Buffer.from(`<13>Jun 12 09:15:02 web-01 app[7]: ${token} batch ${b} line ${i}`);
        collector.add(f, 0, f.length, false, src, Date.UTC(2026, 5, 12));
      }
      const { arrays, count, sources } = collector.take();
      pool.submit(arrays, count, sources, PER * 80, b);
    };
    // all submitted in one go, before the workers have even started
    for (let b = 0; b < 6; b++) submit(b);
    pool.configure(appsOf([{ name: 'a', token: TOKEN }]), []);
    for (let b = 6; b < BATCHES; b++) submit(b);
    assert.equal(pool.pendingBatches, BATCHES);
    await pool.idle();
    assert.deepEqual(answers.map((a) => a.batch), [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const a of answers) {
      const written = a.batch < 6 ? PER : PER / 2;
      assert.equal(a.lines.length, written, `batch ${a.batch}`);
      for (const [k, line] of a.lines.entries()) {
        const rec = JSON.parse(line) as { app: string; message: string };
        const i = a.batch < 6 ? k : 2 * k;
        assert.equal(rec.app, i % 2 === 0 ? 'a' : 'b');
        assert.equal(rec.message, `batch ${a.batch} line ${i}`, 'the token is stripped, the rest kept');
      }
      if (a.batch >= 6) assert.ok(a.status.filter((s) => s === FrameOutcome.Unauthorized).length === PER / 2, 'the revoked token is rejected after the reload');
    }
  } finally {
    clearInterval(alive);
    await pool.close();
  }
});

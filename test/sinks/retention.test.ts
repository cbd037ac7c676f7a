import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enforceRetention } from '../../src/sinks/retention.js';
import { startReceiver } from '../helpers/receiver.js';
import { tmpDir } from '../helpers/tmp.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const day = (offset: number): string => new Date(NOW - offset * 86_400_000).toISOString().slice(0, 10);

function store(files: Array<[string, number, number]>): string {
  const dir = tmpDir('srx-ret-').path; // removed when the test process exits
  for (const [app, offset, bytes] of files) {
    mkdirSync(join(dir, app), { recursive: true });
    writeFileSync(join(dir, app, `${day(offset)}.ndjson`), Buffer.alloc(bytes, 0x61));
  }
  writeFileSync(join(dir, 'syslog-receiver.pid'), '1\n');
  return dir;
}

const left = (dir: string): string[] => readdirSync(dir).filter((a) => a.endsWith('.pid') === false).flatMap((a) => readdirSync(join(dir, a)).map((f) => `${a}/${f}`)).sort();

test('retentionDays deletes day files older than N days (today and the N days before stay)', async () => {
  const dir = store([['a', 0, 10], ['a', 3, 10], ['a', 4, 10], ['b', 10, 10], ['b', 1, 10]]);
  const closed: string[] = [];
  const res = await enforceRetention(dir, 3, 0, NOW, async (f) => { closed.push(`${f.app}/${f.day}`); });
  assert.deepEqual(left(dir), [`a/${day(0)}.ndjson`, `a/${day(3)}.ndjson`, `b/${day(1)}.ndjson`].sort());
  assert.deepEqual(closed.sort(), [`a/${day(4)}`, `b/${day(10)}`], 'the sink closes a file before it is deleted');
  assert.equal(res.deletedFiles, 2);
  assert.ok(existsSync(join(dir, 'syslog-receiver.pid')), 'other files are left alone');
});

test('maxBytes deletes the oldest days first, never today', async () => {
  const dir = store([['a', 0, 500], ['a', 1, 100], ['b', 1, 100], ['a', 2, 100], ['b', 5, 100]]);
  const res = await enforceRetention(dir, 0, 700, NOW, async () => undefined);
  assert.deepEqual(left(dir), [`a/${day(0)}.ndjson`, `a/${day(1)}.ndjson`, `b/${day(1)}.ndjson`].sort());
  assert.equal(res.totalBytes, 700);
  const res2 = await enforceRetention(dir, 0, 100, NOW, async () => undefined);
  assert.deepEqual(left(dir), [`a/${day(0)}.ndjson`], "only today's file is left, even though it is over the cap");
  assert.equal(res2.totalBytes, 500);
});

test('the receiver enforces retention at start', async () => {
  const tmp = tmpDir('srx-ret-start-');
  const dir = tmp.path;
  const old = join(dir, 'data', 'a');
  mkdirSync(old, { recursive: true });
  writeFileSync(join(old, '2001-01-01.ndjson'), '{}\n');
  writeFileSync(join(old, `${new Date().toISOString().slice(0, 10)}.ndjson`), '{}\n');
  const { rx } = await startReceiver({
    listen: { udp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: '2bfbea1e-10c3-4419-bdad-7e6435882e1f' }],
    storage: { dir: join(dir, 'data'), retentionDays: 2 },
    logLevel: 'silent',
  });
  try {
    assert.equal(existsSync(join(old, '2001-01-01.ndjson')), false, 'the expired day file was deleted before the listeners started');
    assert.equal(readdirSync(old).length, 1, "today's file is kept");
  } finally {
    await rx.stop();
    tmp.cleanup();
  }
});

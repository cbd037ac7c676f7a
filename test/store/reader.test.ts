/** The store reader: day listing, streaming search reads, tail -n backwards, follow. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, openSync, writeSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BLOCK_BYTES, dayStartMs, follow, listDays, readRecords, tailLast, type ReadStats, type StoredLine } from '../../src/store/reader.js';
import { ALL, L, makeStore, rec, until } from './helpers.js';

async function collect(it: AsyncIterable<StoredLine>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l.raw);
  return out;
}

test('listDays: only YYYY-MM-DD.ndjson files, oldest first, absolute; ENOENT for an unknown app', () => {
  const f = makeStore();
  writeFileSync(join(f.store, 'billing', '2026-11-01.ndjson'), '');
  const days = listDays(f.store, 'billing');
  assert.deepEqual(days.map((p) => basename(p)), ['2026-11-01.ndjson', '2026-11-18.ndjson', '2026-11-19.ndjson', '2026-11-20.ndjson']);
  assert.equal(days[0], join(f.store, 'billing', '2026-11-01.ndjson'));
  assert.equal(dayStartMs(days[1]), Date.UTC(2026, 10, 18));
  assert.ok(Number.isNaN(dayStartMs('notes.txt')));
  assert.throws(() => listDays(f.store, 'nope'), { code: 'ENOENT' });
});

test('readRecords: every complete line across days; blank lines skipped; torn last line not emitted; non-JSON has record null', async () => {
  const f = makeStore();
  const lines: StoredLine[] = [];
  for await (const l of readRecords(f.store, 'billing')) lines.push(l);
  assert.deepEqual(lines.map((l) => l.raw), ALL);
  const bad = lines.find((l) => l.raw === L.b2)!;
  assert.equal(bad.record, null);
  assert.equal(basename(bad.file), '2026-11-19.ndjson');
  assert.equal(lines[3].record!.message, 'line1\nline2\x1b[31m red');
});

test('readRecords: since/until on @timestamp with a day of file slack; unparsable lines kept by their file day', async () => {
  const f = makeStore();
  const files: string[] = [];
  const got = await collect(readRecords(f.store, 'billing', {
    since: new Date('2026-11-19T00:00:00Z'), until: new Date('2026-11-20T00:00:00Z'),
    onFile: (file, i, total) => files.push(`${basename(file)} ${i}/${total}`),
  }));
  // a3 sits in the 18th's file but its event time is on the 19th; b2 is not JSON but in the 19th's file
  assert.deepEqual(got, [L.a3, L.b1, L.b2, L.b3]);
  assert.deepEqual(files, ['2026-11-18.ndjson 1/3', '2026-11-19.ndjson 2/3', '2026-11-20.ndjson 3/3']);

  // until is exclusive, since inclusive
  assert.deepEqual(await collect(readRecords(f.store, 'billing', { since: new Date('2026-11-20T01:00:00Z'), until: new Date('2026-11-20T02:00:00Z') })), [L.c1]);
  // by receipt time instead: a3 was received on the 18th (b2, not JSON, is placed by its file's day)
  assert.deepEqual(await collect(readRecords(f.store, 'billing', { since: new Date('2026-11-19T00:00:00Z'), until: new Date('2026-11-19T01:00:00Z'), timeField: 'receivedAt' })), [L.b2]);
  assert.deepEqual(await collect(readRecords(f.store, 'billing', { since: new Date('2026-11-19T00:00:00Z'), until: new Date('2026-11-19T01:00:00Z') })), [L.a3, L.b2]);
});

test('readRecords: day files further than a day outside the range are not opened', async () => {
  const f = makeStore();
  const stats: ReadStats = { bytesRead: 0, reads: 0 };
  const files: string[] = [];
  const got = await collect(readRecords(f.store, 'billing', { since: new Date('2026-11-20T00:30:00Z'), stats, onFile: (p) => files.push(basename(p)) }));
  assert.deepEqual(got, [L.c1, L.c2]);
  assert.deepEqual(files, ['2026-11-19.ndjson', '2026-11-20.ndjson']); // the 18th is skipped by name
});

test('readRecords: lines longer than the read buffer, multi-byte characters split across blocks', async () => {
  const f = makeStore();
  const dir = join(f.store, 'long');
  mkdirSync(dir);
  const big = 'é'.repeat(BLOCK_BYTES) + '€'; // 2-byte chars over two blocks, 3-byte at the end
  const lines = [rec({ message: 'short' }), rec({ message: big }), rec({ message: 'after' })];
  writeFileSync(join(dir, '2026-11-20.ndjson'), lines.join('\n') + '\n');
  const got: StoredLine[] = [];
  for await (const l of readRecords(f.store, 'long')) got.push(l);
  assert.deepEqual(got.map((l) => l.raw), lines);
  assert.equal(got[1].record!.message, big);
  assert.deepEqual((await tailLast(f.store, 'long', 2)).map((l) => l.raw), lines.slice(1));
});

test('tailLast: across day boundaries, skipping the torn last line and blank lines', async () => {
  const f = makeStore();
  const raw = async (n: number): Promise<string[]> => (await tailLast(f.store, 'billing', n)).map((l) => l.raw);
  assert.deepEqual(await raw(0), []);
  assert.deepEqual(await raw(1), [L.c2]);
  assert.deepEqual(await raw(2), [L.c1, L.c2]);
  assert.deepEqual(await raw(3), [L.b3, L.c1, L.c2]);
  assert.deepEqual(await raw(6), [L.a3, L.b1, L.b2, L.b3, L.c1, L.c2]);
  assert.deepEqual(await raw(100), ALL);
  const [l] = await tailLast(f.store, 'billing', 1);
  assert.equal(l.record!.message, 'last complete');
  assert.equal(basename(l.file), '2026-11-20.ndjson');
  const b = await tailLast(f.store, 'billing', 4);
  assert.equal(b[0].record, null);
  assert.equal(b[0].raw, L.b2);
  await assert.rejects(tailLast(f.store, 'nope', 3), { code: 'ENOENT' });
});

test('tailLast: a newest file holding only a torn line, or empty, falls through to older days', async () => {
  const f = makeStore();
  writeFileSync(join(f.store, 'billing', '2026-11-21.ndjson'), '{"torn":');
  writeFileSync(join(f.store, 'billing', '2026-11-22.ndjson'), '');
  assert.deepEqual((await tailLast(f.store, 'billing', 2)).map((l) => l.raw), [L.c1, L.c2]);
});

test('tailLast on a 50 MB file reads only its end', async () => {
  const f = makeStore();
  const dir = join(f.store, 'big');
  mkdirSync(dir);
  const file = join(dir, '2026-11-21.ndjson');
  const fd = openSync(file, 'w');
  let n = 0;
  let size = 0;
  while (size < 50 * 1024 * 1024) {
    const chunk: string[] = [];
    for (let i = 0; i < 5000; i++) chunk.push(rec({ message: `line ${n++} ` + 'x'.repeat(100) }));
    size += writeSync(fd, chunk.join('\n') + '\n');
  }
  closeSync(fd);
  const stats: ReadStats = { bytesRead: 0, reads: 0 };
  const lines = await tailLast(f.store, 'big', 10, stats);
  assert.equal(lines.length, 10);
  assert.equal(lines[9].record!.message, `line ${n - 1} ` + 'x'.repeat(100));
  assert.equal(lines[0].record!.message, `line ${n - 10} ` + 'x'.repeat(100));
  assert.ok(stats.bytesRead <= BLOCK_BYTES, `read ${stats.bytesRead} of ${size} bytes`);
  assert.equal(stats.reads, 1);
  rmSync(dir, { recursive: true });
});

test('follow: last n, appended lines (complete only), the new day file, the old file during grace, stops on abort', async () => {
  const f = makeStore();
  const dir = join(f.store, 'fol');
  mkdirSync(dir);
  const day1 = join(dir, '2026-11-20.ndjson');
  const day2 = join(dir, '2026-11-21.ndjson');
  const r = (m: string): string => rec({ message: m });
  writeFileSync(day1, [r('old1'), r('old2')].join('\n') + '\n' + '{"partial":');
  const got: string[] = [];
  const ac = new AbortController();
  const done = follow(f.store, 'fol', (l) => { got.push(l.record?.message as string ?? `RAW:${l.raw}`); }, ac.signal, { lines: 1, pollMs: 30 });
  await until(() => got.length === 1, 5000, 'the last line');
  assert.deepEqual(got, ['old2']);

  // the in-progress partial line is completed, then more comes in pieces
  appendFileSync(day1, ' true}\n');
  await until(() => got.length === 2, 5000, 'the completed partial line');
  assert.equal(got[1], 'RAW:{"partial": true}');
  appendFileSync(day1, r('new1') + '\n' + r('new2').slice(0, 20));
  await until(() => got.length === 3, 5000, 'new1');
  await new Promise((res) => setTimeout(res, 150));
  assert.deepEqual(got.slice(2), ['new1'], 'an incomplete line is not emitted');
  appendFileSync(day1, r('new2').slice(20) + '\n');
  await until(() => got.length === 4, 5000, 'new2');

  // a new day
  writeFileSync(day2, r('day2-a') + '\n');
  await until(() => got.length === 5, 5000, 'the new day file');
  assert.equal(got[4], 'day2-a');
  // a batch spanning midnight may still reach yesterday's file
  appendFileSync(day1, r('late-old') + '\n');
  appendFileSync(day2, r('day2-b') + '\n');
  await until(() => got.length === 7, 5000, 'late lines');
  assert.deepEqual(got.slice(5).sort(), ['day2-b', 'late-old']);

  ac.abort();
  await done;
  appendFileSync(day2, r('after-abort') + '\n');
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(got.length, 7);
  assert.deepEqual(got.slice(0, 5), ['old2', 'RAW:{"partial": true}', 'new1', 'new2', 'day2-a']);
});

test('follow: waits for an app directory that does not exist yet; resolves at once when already aborted', async () => {
  const f = makeStore();
  const got: string[] = [];
  const ac = new AbortController();
  const done = follow(f.store, 'later', (l) => { got.push(l.raw); }, ac.signal, { lines: 5, pollMs: 20 });
  await new Promise((res) => setTimeout(res, 60));
  mkdirSync(join(f.store, 'later'));
  writeFileSync(join(f.store, 'later', '2026-11-20.ndjson'), rec({ message: 'first' }) + '\n');
  await until(() => got.length === 1, 5000, 'the first line');
  ac.abort();
  await done;
  const aborted = AbortSignal.abort();
  await follow(f.store, 'billing', () => assert.fail('no line after abort'), aborted, { lines: 3 });
});

test('follow: onLine is awaited (backpressure) and its error rejects follow', async () => {
  const f = makeStore();
  const ac = new AbortController();
  let active = 0;
  let maxActive = 0;
  let seen = 0;
  await assert.rejects(follow(f.store, 'billing', async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((res) => setTimeout(res, 5));
    active--;
    if (++seen === 3) throw new Error('sink failed');
  }, ac.signal, { lines: 5 }), /sink failed/);
  assert.equal(maxActive, 1);
});

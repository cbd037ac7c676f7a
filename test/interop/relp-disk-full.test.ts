/**
 * Disk full under a real RELP client: rsyslog `omrelp` (disk-assisted action queue, retried
 * forever every second, as in relp-crash.test.ts) forwards numbered lines to the receiver run
 * as a real child process (the CLI, fsync on) whose store lives on a small tmpfs the test
 * mounts. While rsyslog sends, the test fills the tmpfs with a filler file (a few KiB left),
 * keeps it full for a few seconds after the first failed store write, then deletes the filler;
 * the receiver must resume by itself (statfs probe) and the test waits until the store stops
 * growing or every number is in. Per `listen.relp.onWriteError`:
 *
 * - `close` (drop the session unanswered, so librelp resends every unacked frame): every number
 *   stored at least once (zero loss), duplicates reported;
 * - `nack` (answer `rsp 500`): loss is not asserted but reported — rsyslog 8.2302/librelp does
 *   not resend a frame answered 500 (README "RELP").
 *
 * Both: no torn line (files end with LF, every line parses), the receiver logged the failure
 * and the resume, it exits 0 on SIGTERM. Skipped (even with REQUIRE_INTEROP=1) where a tmpfs
 * cannot be mounted (not root); missing rsyslog/omrelp skips, or fails with REQUIRE_INTEROP=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnReceiver, type ChildReceiver } from '../helpers/process.js';
import { storedApps } from '../helpers/receiver.js';
import { freePort, numberedLine, requireOmrelp, sleep, startRelpSender, StoreTail } from './lib/relp.js';

const COUNT = Number(process.env.RELP_DISKFULL_COUNT ?? 20_000);
/** The scenario (start to verdict) must end within this; the test's timeout is CASE_MS + 30 s of cleanup headroom, ≤ 90 s in all by default. */
const CASE_MS = Number(process.env.RELP_DISKFULL_CASE_MS ?? 60_000);
/** How long the disk stays full after the receiver's first failed write, ms. */
const FULL_MS = Number(process.env.RELP_DISKFULL_FULL_MS ?? 2500);
/** Fill the disk once this share of COUNT is stored (rsyslog is still sending then). */
const FILL_AT = Number(process.env.RELP_DISKFULL_FILL_AT ?? 0.2);
/** Free bytes the filler leaves (well under the receiver's 1 MiB resume threshold). */
const LEAVE_BYTES = 16 * 1024;
/** No new stored line for this long after the resume = done (nack: the lost frames never come). */
const STALL_MS = Number(process.env.RELP_DISKFULL_STALL_MS ?? 10_000);
/** Stored bytes per record are ~450 (JSON with metadata): the tmpfs holds every line twice plus 2 MiB, so it fills only with the filler. */
const TMPFS_MB = Number(process.env.RELP_DISKFULL_TMPFS_MB ?? Math.ceil((COUNT * 450 * 2) / 1048576) + 2);

/** Same rsyslog side as relp-crash.test.ts: disk-assisted action queue saved on shutdown. */
const ACTION_QUEUE = [
  'queue.type="LinkedList" queue.filename="relpq" queue.spoolDirectory="@WORKDIR@"',
  'queue.size="250000" queue.dequeueBatchSize="1024" queue.maxDiskSpace="1g"',
  'queue.saveOnShutdown="on" queue.timeoutEnqueue="0"',
].join('\n         ');

/** Mounts a tmpfs of `mb` MiB at `dir`; returns why not when this machine does not allow it. */
function mountTmpfs(dir: string, mb: number): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return `mount -t tmpfs not permitted here (uid ${process.getuid?.()}): ${(e.stderr?.toString().trim() || e.message).split('\n')[0]}`;
  }
}

/** Unmounts `dir`, retrying while busy; lazy unmount as the last resort. */
async function unmount(dir: string): Promise<string | null> {
  let last = '';
  for (let i = 0; i < 10; i++) {
    try {
      execFileSync('umount', [dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      return null;
    } catch (err) {
      last = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err);
      await sleep(200);
    }
  }
  try { execFileSync('umount', ['-l', dir], { stdio: 'ignore' }); } catch { /* reported below */ }
  return `umount ${dir} failed (${last}); lazily unmounted`;
}

const freeBytes = (dir: string): number => { const s = statfsSync(dir); return s.bavail * s.bsize; };

/** Writes `file` until `dir` has about `leave` bytes free (stops early on ENOSPC). @returns bytes written */
function fill(dir: string, file: string, leave: number): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 0x78);
  let written = 0;
  try {
    for (;;) {
      const want = Math.min(chunk.length, freeBytes(dir) - leave);
      if (want < 4096) break;
      written += writeSync(fd, chunk, 0, want);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return written;
}

const countMsg = (r: ChildReceiver, msg: string): number => r.logs.filter((l) => l.msg === msg).length;
const firstTime = (r: ChildReceiver, msg: string): number | null => {
  const l = r.logs.find((x) => x.msg === msg);
  return l ? (typeof l.time === 'number' ? l.time : Date.parse(String(l.time))) : null;
};

for (const onWriteError of ['close', 'nack'] as const) {
  const title = `rsyslog omrelp → disk full on a ${TMPFS_MB} MiB tmpfs while receiving ${COUNT} lines, onWriteError ${onWriteError}: `
    + (onWriteError === 'close' ? 'zero loss, no torn line, resumes by itself' : 'loss reported, no torn line, resumes by itself');
  test(title, { timeout: CASE_MS + 30_000 }, async (t) => {
    if (!requireOmrelp(t)) return;
    const t0 = Date.now();
    const dir = mkdtempSync(join(tmpdir(), `relp-diskfull-${onWriteError}-`));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const why = mountTmpfs(mnt, TMPFS_MB);
    if (why !== null) {
      rmSync(dir, { recursive: true, force: true });
      t.skip(why);
      return;
    }
    const token = randomUUID();
    const app = 'fullapp';
    const label = `relp-diskfull-${onWriteError}`;
    const storeDir = join(mnt, 'data');
    const filler = join(mnt, 'filler');
    const events: string[] = [];
    const note = (s: string): void => { events.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`); };
    const check = (r: Record<string, any>, seq: number): string | null => {
      if (r.message !== numberedLine(seq, label)) return `message ${JSON.stringify(r.message)}`;
      if (r.source?.transport !== 'relp') return `source.transport ${r.source?.transport}`;
      return null;
    };
    // follows the store while it grows; the verdict re-reads the store from scratch at the end,
    // since a failed write's lines may be readable for a moment before the rollback cuts them
    let tail = new StoreTail(storeDir, app, COUNT, check);
    /** Lines the live reader saw that a rolled-back write later cut (file shrank under it). */
    let rolledBack = 0;
    let rx: ChildReceiver | null = null;
    let sender: ReturnType<typeof startRelpSender> | null = null;
    let fillerPresent = false;
    try {
      const port = await freePort();
      rx = await spawnReceiver({
        listen: { relp: { address: '127.0.0.1', port, onWriteError } },
        apps: [{ name: app, token }],
        storage: { dir: storeDir, fsync: true },
        certsDir: join(dir, 'certs'),
      }, dir);
      assert.equal(rx.ports.relp, port, 'receiver listens on the chosen port');
      sender = startRelpSender({ host: '127.0.0.1', port, count: COUNT, label, token, actionQueue: ACTION_QUEUE, resumeRetryCount: -1 });
      note(`rsyslog pid ${sender.child.pid}, receiver pid ${rx.child.pid}; tmpfs ${TMPFS_MB} MiB, ${freeBytes(mnt)} bytes free`);
      const end = t0 + CASE_MS;
      const alive = (): boolean => {
        if (rx!.child.exitCode !== null || rx!.child.signalCode !== null) { note(`receiver DIED (exit ${rx!.child.exitCode ?? rx!.child.signalCode})`); return false; }
        if (!sender!.child.running()) { note('rsyslog exited'); return false; }
        if (Date.now() > end) { note('DEADLINE'); return false; }
        return true;
      };

      // 1. fill the disk while rsyslog sends
      const fillAt = Math.floor(COUNT * FILL_AT);
      while (tail.poll() < fillAt && alive()) await sleep(5);
      assert.ok(tail.lines >= fillAt, `only ${tail.lines} lines stored before the fill point ${fillAt}`);
      const storedBeforeFill = tail.lines;
      const fillerBytes = fill(mnt, filler, LEAVE_BYTES);
      fillerPresent = true;
      note(`disk filled at ${storedBeforeFill} stored lines (${tail.distinct()} distinct): filler ${fillerBytes} bytes, ${freeBytes(mnt)} bytes left`);

      // 2. wait for the first failed write, keep the disk full FULL_MS longer, then free it
      while (countMsg(rx, 'store cannot write: intake paused until it can (streams paused, datagrams dropped)') === 0 && tail.poll() >= 0 && tail.distinct() < COUNT && alive()) await sleep(20);
      const failedAt = firstTime(rx, 'store cannot write: intake paused until it can (streams paused, datagrams dropped)');
      assert.ok(failedAt !== null, `the receiver never failed a write (stored ${tail.lines} lines, ${tail.distinct()} distinct): the disk did not fill while rsyslog was sending; lower RELP_DISKFULL_FILL_AT or raise RELP_DISKFULL_COUNT`);
      note(`receiver: store cannot write (logged +${((failedAt - t0) / 1000).toFixed(1)}s) at ${tail.poll()} stored lines`);
      await sleep(FULL_MS);
      tail.poll();
      note(`freeing the disk after ${FULL_MS} ms full: ${tail.lines} lines read so far, ${countMsg(rx, 'store write failed; these records were not stored')} failed batch(es) logged`);
      rmSync(filler);
      fillerPresent = false;
      const freedAt = Date.now();

      // 3. the receiver must resume by itself (statfs probe every second)
      const RESUMED = 'store has free space again: intake resumed';
      while (countMsg(rx, RESUMED) === 0 && Date.now() - freedAt < 10_000 && alive()) await sleep(50);
      const resumedAt = firstTime(rx, RESUMED);
      note(resumedAt === null ? 'receiver NEVER logged the resume within 10 s of freeing the disk' : `receiver resumed ${resumedAt - freedAt} ms after the filler was deleted`);

      // 4. until every number is in (close) or the store stops growing. The live reader may have
      // counted lines of a failed write before its rollback cut them: when it says "all in", a
      // fresh read must agree, else the fresh reader takes over and the wait goes on
      let lastLines = tail.poll();
      let lastChange = Date.now();
      let stalled = false;
      for (;;) {
        if (tail.poll() >= 0 && tail.distinct() >= COUNT) {
          const fresh = new StoreTail(storeDir, app, COUNT, check);
          fresh.poll();
          if (fresh.distinct() >= COUNT) break;
          rolledBack += tail.problems.filter((p) => /shrank/.test(p.what)).length;
          note(`live reader saw all numbers but a fresh read has ${fresh.distinct()}: lines of a rolled-back write were counted; waiting on`);
          tail = fresh;
          lastLines = tail.lines;
        }
        if (!alive()) break;
        if (tail.lines !== lastLines) { lastLines = tail.lines; lastChange = Date.now(); }
        if (Date.now() - lastChange > STALL_MS) { stalled = true; break; }
        await sleep(200);
      }
      note(`${tail.distinct() === COUNT ? 'all numbers read' : stalled ? `store stopped growing for ${STALL_MS} ms` : 'stopped waiting'} at ${tail.lines} lines (${tail.distinct()} distinct)`);
      await sleep(1000); // frames resent late would show up now
      const rs = sender.stats();
      const senderRunning = sender.child.running();
      const final = await rx.stop();
      const receiverLogs = rx.logs;
      rx = null;
      const rsOut = sender.child.output();

      // verdict on a fresh read of the whole store
      const store = new StoreTail(storeDir, app, COUNT, check);
      store.poll();
      const missing = store.missing();
      const dups = store.duplicates();
      const failedBatches = receiverLogs.filter((l) => l.msg === 'store write failed; these records were not stored');
      rolledBack += tail.problems.filter((p) => /shrank/.test(p.what)).length;
      const unexpected = receiverLogs.filter((l) => Number(l.level) >= 50 && !['store write failed; these records were not stored', 'store cannot write: intake paused until it can (streams paused, datagrams dropped)'].includes(String(l.msg)));
      const elapsed = Date.now() - t0;
      const summary = `relp disk full (${onWriteError}): ${COUNT} lines, stored ${store.lines} lines, ${store.distinct()} distinct, LOST ${missing.count}`
        + `${missing.count ? ` (e.g. ${missing.first.slice(0, 10).join(', ')})` : ''}, duplicates ${dups.extra} (over ${dups.numbers} numbers), `
        + `failed batches ${failedBatches.length} (${failedBatches.reduce((n, l) => n + Number(l.records ?? 0), 0)} records), resumes logged ${countMsg({ logs: receiverLogs } as ChildReceiver, RESUMED)}, `
        + `receiver relpAcked=${final.stats?.relpAcked} relpFailed=${final.stats?.relpFailed} rejected=${JSON.stringify(final.stats?.rejected)}, `
        + `rollbacks seen by the live reader ${rolledBack}, ${elapsed} ms; rsyslog: 'peer sent error response' ${(rsOut.match(/peer sent error response/g) ?? []).length}x, `
        + `'server closed relp session' ${(rsOut.match(/server closed relp session/g) ?? []).length}x, suspending ${(rsOut.match(/- suspending/g) ?? []).length}x, `
        + `fwd ${JSON.stringify(rs.action)} queue ${JSON.stringify(rs.queue)}`;
      t.diagnostic(summary);
      for (const e of events) t.diagnostic(e);
      console.log(`# ${summary}\n${events.map((e) => `#   ${e}`).join('\n')}`);
      const rsErrors = rsOut.split('\n').filter((l) => /error|fail|suspend|resum/i.test(l));
      if (rsErrors.length) console.log(`# rsyslog said (${rsErrors.length} lines, last 10):\n${rsErrors.slice(-10).map((l) => `#   ${l}`).join('\n')}`);

      const problems: string[] = store.problems.map((p) => `${p.file}: ${p.what}`);
      if (store.badRecords) problems.push(`${store.badRecords} record(s) not as sent`);
      const torn = store.filesWithoutTrailingLf();
      if (torn.length) problems.push(`store files without a trailing LF (torn): ${torn.join(', ')}`);
      for (const other of storedApps(storeDir)) if (other !== app) problems.push(`records stored under "${other}"`);
      if (failedBatches.length === 0) problems.push('no store write failed: the disk-full path was not exercised');
      if (resumedAt === null) problems.push('the receiver did not resume within 10 s after space returned');
      if (unexpected.length) problems.push(`receiver errors: ${unexpected.slice(0, 5).map((l) => JSON.stringify(l)).join(' | ')}`);
      if (final.code !== 0) problems.push(`receiver exited ${final.code} on SIGTERM`);
      if (!senderRunning) problems.push(`rsyslog exited early: ${rsOut.slice(-1500)}`);
      if (onWriteError === 'close' && missing.count) problems.push(`${missing.count} of ${COUNT} numbers never stored (LOSS), e.g. ${missing.first.join(', ')}`);
      assert.deepEqual(problems.slice(0, 30), [], `relp disk full (${onWriteError}): ${problems.length} problem(s)`);
    } catch (err) {
      console.log(`# relp disk full (${onWriteError}) FAILED; events:\n${events.map((e) => `#   ${e}`).join('\n')}`);
      if (sender) {
        console.log(`# rsyslog stats: ${JSON.stringify(sender.stats())}\n# rsyslog output:\n${sender.child.output().slice(-3000)}`);
        console.log(`# rsyslog impstats tail:\n${sender.statsTail(20)}`);
      }
      if (rx) {
        const notable = rx.logs.filter((l) => Number(l.level) >= 40 || /start|stop|relp/i.test(String(l.msg)));
        console.log(`# receiver pid ${rx.child.pid} logs (${rx.logs.length} lines, warn+ and lifecycle):\n${notable.slice(-40).map((l) => JSON.stringify(l)).join('\n')}`);
      }
      throw err;
    } finally {
      await sender?.stop();
      if (rx) await rx.stop('SIGKILL').catch(() => undefined);
      if (fillerPresent) rmSync(filler, { force: true });
      const bad = await unmount(mnt);
      if (bad) t.diagnostic(bad);
      if (process.env.KEEP_INTEROP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
    }
  });
}

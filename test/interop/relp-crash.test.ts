/**
 * The crash test: rsyslog `omrelp` with a disk-assisted action queue forwards 200,000 numbered
 * lines to the receiver run as a real child process (the CLI, fsync on), and the receiver is
 * killed with SIGKILL twice while it receives (after a random 20–70 % of the lines are in
 * the store), then restarted on the same port with the same store. RELP acks only what is
 * durable and librelp resends every unacked frame after it reconnects, so at the end every
 * number must be stored at least once (zero loss); duplicates are allowed (frames stored but
 * whose ack was lost in the kill) and reported; no stored line may be torn.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnReceiver, type ChildReceiver } from '../helpers/process.js';
import { storedApps } from '../helpers/receiver.js';
import { freePort, numberedLine, requireOmrelp, sleep, startRelpSender, StoreTail } from './lib/relp.js';

const COUNT = Number(process.env.RELP_CRASH_COUNT ?? 200_000);
const DEADLINE_MS = Number(process.env.RELP_CRASH_DEADLINE_MS ?? 180_000);
/** No new stored line for this long = stalled (rsyslog reconnects within ~1 s of a restart). */
const STALL_MS = 30_000;
const KILLS = 2;

/**
 * rsyslog side of at-least-once (see README "RELP"): a disk-assisted action queue that is
 * saved on shutdown, and an action retried forever (resumeRetryCount -1) every second.
 */
const ACTION_QUEUE = [
  'queue.type="LinkedList" queue.filename="relpq" queue.spoolDirectory="@WORKDIR@"',
  'queue.size="250000" queue.dequeueBatchSize="1024" queue.maxDiskSpace="1g"',
  'queue.saveOnShutdown="on" queue.timeoutEnqueue="0"',
].join('\n         ');
// experiment knobs (README "RELP"): RELP_CRASH_QUEUE=none (no action queue: the action runs on
// the main queue) or a parameter string; RELP_CRASH_RETRY=N (action.resumeRetryCount)
const queueEnv = process.env.RELP_CRASH_QUEUE;
const actionQueue = queueEnv === undefined ? ACTION_QUEUE : queueEnv === 'none' ? '' : queueEnv;
const resumeRetryCount = Number(process.env.RELP_CRASH_RETRY ?? -1);
/** How long the receiver stays down after each kill, ms (default: random 0–1000, plus its ~1 s start). */
const downMs = (): number => (process.env.RELP_CRASH_DOWN_MS ? Number(process.env.RELP_CRASH_DOWN_MS) : Math.floor(Math.random() * 1000));

test(`rsyslog omrelp → receiver killed -9 ${KILLS}x while receiving ${COUNT} lines: zero loss, no torn line`, { timeout: DEADLINE_MS + 60_000 }, async (t) => {
  if (!requireOmrelp(t)) return;
  const t0 = Date.now();
  const token = randomUUID();
  const app = 'crashapp';
  const label = 'relp-crash';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relp-crash-'));
  const config = {
    listen: { relp: { address: '127.0.0.1', port } },
    apps: [{ name: app, token }, { name: 'decoy', token: randomUUID() }],
    certsDir: join(dir, 'certs'),
  };
  const storeDir = join(dir, 'data');
  const tail = new StoreTail(storeDir, app, COUNT, (r, seq) => {
    if (r.message !== numberedLine(seq, label)) return `message ${JSON.stringify(r.message)}`;
    if (r.source?.transport !== 'relp') return `source.transport ${r.source?.transport}`;
    if (r.syslog?.tokenSource !== 'tag') return `syslog.tokenSource ${r.syslog?.tokenSource}`;
    return null;
  });
  // two kill points: a random 20–70 % of COUNT stored lines each, at least 5 % apart
  let cuts: number[];
  do cuts = Array.from({ length: KILLS }, () => 0.2 + Math.random() * 0.5).sort((a, b) => a - b);
  while (cuts.some((c, i) => i > 0 && c - cuts[i - 1] < 0.05));
  const events: string[] = [];
  const note = (s: string): void => { events.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`); };
  const receivers: ChildReceiver[] = [];
  let rx: ChildReceiver | null = await spawnReceiver(config, dir);
  receivers.push(rx);
  let sender: ReturnType<typeof startRelpSender> | null = null;
  try {
    assert.equal(rx.ports.relp, port, 'receiver listens on the chosen port');
    sender = startRelpSender({ host: '127.0.0.1', port, count: COUNT, label, token, actionQueue, resumeRetryCount });
    note(`rsyslog started (pid ${sender.child.pid}), receiver pid ${rx.child.pid}; kills at ${cuts.map((c) => `${Math.round(c * 100)}%`).join(', ')}`);
    const end = t0 + DEADLINE_MS;
    let lastLines = -1;
    let lastChange = Date.now();
    /** false when the deadline passed, rsyslog died, or the store stopped growing for STALL_MS. */
    const going = (): boolean => {
      if (tail.lines !== lastLines) { lastLines = tail.lines; lastChange = Date.now(); }
      if (Date.now() - lastChange > STALL_MS) { note(`STALLED: no new stored line for ${STALL_MS} ms at ${tail.lines} lines`); return false; }
      if (rx!.child.exitCode !== null || rx!.child.signalCode !== null) { note(`receiver pid ${rx!.child.pid} DIED on its own (exit ${rx!.child.exitCode ?? rx!.child.signalCode})`); return false; }
      return Date.now() < end && sender!.child.running();
    };
    for (const cut of cuts) {
      const at = Math.floor(cut * COUNT);
      while (tail.poll() < at && going()) await sleep(50);
      assert.ok(tail.lines >= at, `reached ${tail.lines} stored lines, wanted ${at} before the kill (rsyslog running: ${sender.child.running()})`);
      const pid = rx.child.pid;
      const exited = new Promise((r) => rx!.child.once('exit', r));
      process.kill(pid!, 'SIGKILL');
      await exited;
      const before = tail.poll();
      note(`SIGKILL receiver pid ${pid} at ${before} stored lines (${tail.distinct()} distinct)`);
      await sleep(downMs()); // rsyslog retries into a closed port meanwhile
      rx = await spawnReceiver(config, dir);
      receivers.push(rx);
      const cutTorn = rx.logs.filter((l) => String(l.msg).startsWith('cut a torn last line')).length;
      note(`restarted receiver pid ${rx.child.pid} on port ${rx.ports.relp}${cutTorn ? `; it cut ${cutTorn} torn last line(s)` : ''}`);
      assert.equal(rx.ports.relp, port, 'restarted receiver listens on the same port');
      lastChange = Date.now(); // the stall clock restarts with the receiver
    }
    while (tail.poll() >= 0 && tail.distinct() < COUNT && going()) await sleep(250);
    note(`all ${COUNT} numbers stored: ${tail.distinct() === COUNT}`);
    await sleep(1000); // frames resent late would show up now
    tail.poll();

    const missing = tail.missing();
    const dups = tail.duplicates();
    const rs = sender.stats();
    const final = await rx.stop();
    rx = null;
    tail.poll();
    const tornCuts = receivers.flatMap((r) => r.logs.filter((l) => String(l.msg).startsWith('cut a torn last line')));
    const elapsed = Date.now() - t0;
    const summary = `relp crash: ${COUNT} lines, ${KILLS} kills, stored ${tail.lines} lines, ${tail.distinct()} distinct, missing ${missing.count}, `
      + `duplicates ${dups.extra} (over ${dups.numbers} numbers), torn lines cut on restart ${tornCuts.length}, ${elapsed} ms; `
      + `rsyslog fwd ${JSON.stringify(rs.action)} queue ${JSON.stringify(rs.queue)} main queue ${JSON.stringify(rs.mainQueue)}; last receiver stats relpAcked=${final.stats?.relpAcked} relpFailed=${final.stats?.relpFailed}`;
    t.diagnostic(summary);
    for (const e of events) t.diagnostic(e);
    console.log(`# ${summary}\n${events.map((e) => `#   ${e}`).join('\n')}`);

    const problems: string[] = tail.problems.map((p) => `${p.file}: ${p.what}`);
    if (tail.badRecords) problems.push(`${tail.badRecords} record(s) not as sent`);
    if (missing.count) problems.push(`${missing.count} of ${COUNT} numbers never stored (LOSS), e.g. ${missing.first.join(', ')}`);
    const torn = tail.filesWithoutTrailingLf();
    if (torn.length) problems.push(`store files without a trailing LF: ${torn.join(', ')}`);
    for (const other of storedApps(storeDir)) if (other !== app) problems.push(`records stored under "${other}"`);
    if (final.code !== 0) problems.push(`receiver exited ${final.code} on SIGTERM`);
    if (!sender.child.running()) problems.push(`rsyslog exited early: ${sender.child.output().slice(-1500)}`);
    assert.deepEqual(problems.slice(0, 30), [], `relp crash: ${problems.length} problem(s)`);
  } catch (err) {
    // evidence for a failure: what rsyslog and the receivers said
    console.log(`# relp crash FAILED; events:\n${events.map((e) => `#   ${e}`).join('\n')}`);
    if (sender) {
      console.log(`# rsyslog stats: ${JSON.stringify(sender.stats())}\n# rsyslog output:\n${sender.child.output().slice(-3000)}`);
      console.log(`# rsyslog impstats tail:\n${sender.statsTail(30)}`);
    }
    for (const r of receivers) {
      const notable = r.logs.filter((l) => Number(l.level) >= 40 || /start|stop|relp/i.test(String(l.msg)));
      console.log(`# receiver pid ${r.child.pid} logs (${r.logs.length} lines, warn+ and lifecycle):\n${notable.slice(-40).map((l) => JSON.stringify(l)).join('\n')}`);
    }
    throw err;
  } finally {
    await sender?.stop();
    if (rx) await rx.stop('SIGKILL').catch(() => undefined);
    if (process.env.KEEP_INTEROP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
  }
});

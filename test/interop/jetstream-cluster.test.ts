/**
 * The cluster-fault proof of `storage.type: jetstream` (the scale-out issue), against a real
 * 3-node nats-server cluster (test/helpers/nats.ts startNatsCluster) and the real CLI:
 *
 * 1. Two receivers (child processes) publish into one R3 stream; ONE archiver
 *    (`syslog-receiver archive`) writes the stream into its own store. Two rsyslog `omrelp`
 *    senders (disk-assisted queue, retried forever) forward 100,000 numbered lines each, one
 *    to each receiver, each with the token of its own app (`appa`, `appb`: the numbers are
 *    1..100,000 per app). While they run, one nats-server is SIGKILLed (the stream leader when
 *    it is not the test's own connection), later a second one is SIGSTOPped for 20 s (two of
 *    three gone: no quorum, the receivers must hold their RELP acks and retry), then SIGCONT;
 *    once the stream takes writes again the killed node is restarted from its store (it
 *    catches up). Then: every number of both apps is in the archive (zero loss), duplicates
 *    are counted and printed, the archive's lines are exactly the stream's messages (count),
 *    and every archived line is one whole JSON record.
 * 2. Ack order: a RelpTestClient sends frames at a steady pace while the stream leader's
 *    server is SIGSTOPped; the receiver (connected to a follower) answers nothing until the
 *    cluster has elected a new leader (or the old one is back), and every `rsp 200` arrives
 *    after its record was stored in the stream (the stream's own timestamp of the message is
 *    earlier than the rsp's arrival; the count of rsp 200 never exceeds the stream's count).
 *
 * Knobs: JS_CLUSTER_COUNT (lines in all, default 200000), JS_CLUSTER_DEADLINE_MS (default
 * 170000), JS_CLUSTER_STOP_MS (the SIGSTOP, default 20000), JS_CLUSTER_SCAN=1 (print where the stream
 * holds the numbers the archive lacks even when it lacks none). REQUIRE_INTEROP=1: a missing
 * nats-server or omrelp fails instead of skipping.
 */
import { execFileSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { natsLogTimeMs, natsMissing, startNatsCluster, type ClusterNode, type NatsCluster } from '../helpers/nats.js';
import { spawnArchiver, spawnReceiver, type ChildArchiver, type ChildReceiver } from '../helpers/process.js';
import { storedApps } from '../helpers/receiver.js';
import { RelpTestClient } from '../helpers/relp-client.js';
import { freePort, numberedLine, requireOmrelp, sleep, startRelpSender, StoreTail, type RelpSender } from './lib/relp.js';

const skip = natsMissing();
const COUNT = Number(process.env.JS_CLUSTER_COUNT ?? 200_000);
const DEADLINE_MS = Number(process.env.JS_CLUSTER_DEADLINE_MS ?? 170_000);
const STOP_MS = Number(process.env.JS_CLUSTER_STOP_MS ?? 20_000);
/**
 * No new archived line for this long (the clock restarts at the SIGCONT) = stalled. Generous:
 * the archiver's pull can sit for ~30 s on a consumer leader that was killed or stopped
 * before the client notices the missed heartbeats and pulls again.
 */
const STALL_MS = 75_000;
const STREAM = 'SYSLOG';

const ACTION_QUEUE = [
  'queue.type="LinkedList" queue.filename="relpq" queue.spoolDirectory="@WORKDIR@"',
  'queue.size="250000" queue.dequeueBatchSize="1024" queue.maxDiskSpace="1g"',
  'queue.saveOnShutdown="on" queue.timeoutEnqueue="0"',
].join('\n         ');

/** A JetStream manager on `servers` with short request timeouts (the cluster is being hurt). */
async function manager(servers: string[]): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const nc = await connect({ servers, timeout: 5000, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  return { nc, jsm: await jetstreamManager(nc, { timeout: 1500, checkAPI: false }) };
}

/** Stream info, or null when the cluster cannot answer now (no leader, no quorum, timeout). */
async function streamInfo(jsm: JetStreamManager): Promise<StreamInfo | null> {
  try { return await jsm.streams.info(STREAM); } catch { return null; }
}

/** `fn()`, tried again while the cluster cannot answer (a leader change just after a fault), for at most `ms`. */
async function retrying<T>(fn: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(200);
    }
  }
}

/**
 * Evidence for an archive that is behind: reads the whole stream (an ordered consumer, at most
 * ~30 s) and says where the numbers the archive lacks are (stream seq, subject, stored time,
 * Nats-Msg-Id), plus any message that is not one of the numbered lines.
 */
async function scanStream(nc: NatsConnection, lastSeq: number, missing: number[][], labels: string[]): Promise<string> {
  const out: string[] = [];
  const want = new Map<string, number>(); // message text → app index
  missing.forEach((nums, i) => { for (const n of nums) want.set(numberedLine(n, labels[i]), i); });
  try {
    const c = await jetstream(nc).consumers.get(STREAM);
    const end = Date.now() + 30_000;
    let seen = 0;
    while (seen < lastSeq && Date.now() < end && out.length < 20) {
      const batch = await c.fetch({ max_messages: 5000, expires: 2000 });
      for await (const m of batch) {
        seen = m.seq;
        let text = '';
        try { text = String(JSON.parse(m.string()).message); } catch { out.push(`seq ${m.seq} ${m.subject} not JSON (${m.data.length} bytes)`); continue; }
        if (want.has(text) || !text.startsWith('seq=')) out.push(`seq ${m.seq} ${m.subject} ${text.slice(0, 20)} stored ${new Date(m.info.timestampNanos / 1e6).toISOString()} id ${m.headers?.get('Nats-Msg-Id')}`);
      }
    }
    out.push(`read up to seq ${seen} of ${lastSeq}`);
  } catch (e) {
    out.push(`scan failed: ${(e as Error).message}`);
  }
  return out.join('; ');
}

/** Counter `name{code="200"}`-style value from a Prometheus text (0 when absent). */
function metric(text: string, name: string): number {
  const m = new RegExp(`^syslog_receiver_${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function scrape(rx: ChildReceiver): Promise<string> {
  try {
    return await (await fetch(`http://127.0.0.1:${rx.ports.admin}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
  } catch { return ''; }
}

async function healthz(rx: ChildReceiver): Promise<number> {
  try { return (await fetch(`http://127.0.0.1:${rx.ports.admin}/healthz`, { signal: AbortSignal.timeout(3000) })).status; } catch { return 0; }
}

const alive = (c: { exitCode: number | null; signalCode: NodeJS.Signals | null }): boolean => c.exitCode === null && c.signalCode === null;

test(`JetStream R3 cluster: ${COUNT} lines over 2 receivers, one nats-server killed -9, a second SIGSTOPped ${STOP_MS / 1000}s: archive has every line, == stream count, no torn line`,
  { skip, timeout: DEADLINE_MS + 90_000 }, async (t: TestContext) => {
    if (!requireOmrelp(t)) return;
    const t0 = Date.now();
    const events: string[] = [];
    const note = (s: string): void => { events.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`); };
    const dir = mkdtempSync(join(tmpdir(), 'js-cluster-'));
    const apps = [{ name: 'appa', token: randomUUID() }, { name: 'appb', token: randomUUID() }];
    const per = [Math.ceil(COUNT / 2), Math.floor(COUNT / 2)];
    const labels = ['jsc-rx1', 'jsc-rx2'];
    const archiveDir = join(dir, 'archive');
    const tails = apps.map((a, i) => new StoreTail(archiveDir, a.name, per[i], (r, seq) => {
      if (r.message !== numberedLine(seq, labels[i])) return `message ${JSON.stringify(r.message)}`;
      if (r.source?.transport !== 'relp') return `source.transport ${r.source?.transport}`;
      return null;
    }));
    const poll = (): number => tails.reduce((n, tl) => n + tl.poll(), 0);
    const distinct = (): number => tails.reduce((n, tl) => n + tl.distinct(), 0);

    let cluster: NatsCluster | null = null;
    let mgr: { nc: NatsConnection; jsm: JetStreamManager } | null = null;
    const receivers: ChildReceiver[] = [];
    const senders: RelpSender[] = [];
    let archiver: ChildArchiver | null = null;
    try {
      cluster = await startNatsCluster(3);
      note(`cluster up: ${cluster.servers.map((s) => `${s.name}=${s.url}`).join(' ')}`);
      for (const i of [1, 2]) {
        const rxDir = join(dir, `rx${i}`);
        mkdirSync(rxDir);
        const port = await freePort();
        const rx = await spawnReceiver({
          listen: { relp: { address: '127.0.0.1', port }, admin: { address: '127.0.0.1', port: 0 } },
          apps,
          storage: { type: 'jetstream', dir: join(dir, `data-rx${i}`), jetstream: { servers: cluster.urls, replicas: 3, instanceId: `rx${i}`, ackTimeoutMs: 2000 } },
          certsDir: join(dir, 'certs'),
        }, rxDir);
        receivers.push(rx);
        note(`receiver rx${i} pid ${rx.child.pid} relp ${rx.ports.relp} admin ${rx.ports.admin}`);
      }
      const archiverConfig = join(dir, 'archiver.yaml');
      // the receivers' settings with the archiver's storage.dir (no listen: archive opens none)
      writeFileSync(archiverConfig, stringify({
        logLevel: 'info',
        apps,
        storage: { type: 'jetstream', dir: archiveDir, jetstream: { servers: cluster.urls, replicas: 3 } },
        archive: { durable: 'syslog-archive', filterSubject: null, batchSize: 2000, maxWaitMs: 200, ackWaitMs: 30_000 },
      }));
      archiver = await spawnArchiver(archiverConfig);
      note(`archiver pid ${archiver.child.pid} started at seq ${archiver.started.seq}`);
      mgr = await manager(cluster.urls);
      const jsm = mgr.jsm;
      const info0 = await retrying(() => jsm.streams.info(STREAM));
      assert.equal(info0.config.num_replicas, 3, 'the receivers created an R3 stream');
      const mine = mgr.nc.info?.server_name;
      note(`stream leader ${info0.cluster?.leader}; the test's connection is on ${mine}`);

      for (let i = 0; i < 2; i++) {
        const s = startRelpSender({ host: '127.0.0.1', port: receivers[i].ports.relp, count: per[i], label: labels[i], token: apps[i].token, actionQueue: ACTION_QUEUE, resumeRetryCount: -1 });
        senders.push(s);
        note(`rsyslog ${i + 1} (pid ${s.child.pid}) → rx${i + 1}: ${per[i]} lines for ${apps[i].name}`);
      }

      const end = t0 + DEADLINE_MS;
      let lastLines = -1;
      let lastChange = Date.now();
      let lastGrowth = Date.now();
      let stalled = false;
      /** false when the deadline passed, a process died, or the archive stopped growing for STALL_MS. */
      const going = (): boolean => {
        const lines = poll();
        if (lines !== lastLines) {
          if (Date.now() - lastGrowth > 5000 && lastLines >= 0) note(`archive growing again after ${((Date.now() - lastGrowth) / 1000).toFixed(1)} s without a new line, at ${lastLines} lines`);
          lastLines = lines;
          lastChange = lastGrowth = Date.now();
        }
        if (Date.now() - lastChange > STALL_MS) { if (!stalled) note(`STALLED: no new archived line for ${STALL_MS} ms at ${lines}`); stalled = true; return false; }
        for (const r of receivers) if (!alive(r.child)) { note(`receiver pid ${r.child.pid} DIED`); return false; }
        if (!alive(archiver!.child)) { note(`archiver DIED: ${JSON.stringify(archiver!.logs.slice(-3))}`); return false; }
        for (const s of senders) if (!s.child.running()) { note('rsyslog DIED'); return false; }
        return Date.now() < end;
      };
      /** Waits until the stream holds `n` messages (polled; stops early on the deadline, a death or a stall); @returns the last count seen */
      const untilStream = async (n: number): Promise<number> => {
        let m = 0;
        while (going()) {
          m = (await streamInfo(jsm))?.state.messages ?? m;
          if (m >= n) return m;
          await sleep(100);
        }
        return m;
      };
      const pickOther = (exclude: Array<string | undefined>): ClusterNode => cluster!.servers.find((s) => !exclude.includes(s.name))!;

      // ---- fault 1: SIGKILL a node (the stream leader, unless the test's own connection is on it)
      const killAt = Math.floor(COUNT * (0.2 + Math.random() * 0.15));
      const m1 = await untilStream(killAt);
      assert.ok(m1 >= killAt, `stream reached ${m1} messages, wanted ${killAt} before the kill`);
      const leader1 = (await streamInfo(jsm))?.cluster?.leader;
      const victim = leader1 !== undefined && leader1 !== mine ? cluster.byName(leader1)! : pickOther([mine]);
      await victim.kill('SIGKILL');
      note(`SIGKILL ${victim.name} (stream leader was ${leader1}) at ${m1} stream messages, ${poll()} archived`);

      // ---- fault 2: SIGSTOP a second node: only the test's own server is left, no quorum
      const stopAtCount = Math.floor(COUNT * (0.5 + Math.random() * 0.15));
      const m2 = await untilStream(stopAtCount);
      assert.ok(m2 >= stopAtCount, `stream reached ${m2} messages, wanted ${stopAtCount} before the SIGSTOP`);
      const frozen = pickOther([mine, victim.name]);
      const ackedBefore = await Promise.all(receivers.map(async (r) => metric(await scrape(r), 'relp_acks_total{code="200"}')));
      await frozen.kill('SIGSTOP');
      const stopAt = Date.now();
      note(`SIGSTOP ${frozen.name} at ${m2} stream messages (${poll()} archived); relp acks so far ${ackedBefore.join('+')}`);
      // in-flight PubAcks (and their rsp 200) may still land for a moment; after that nothing may be acked
      await sleep(2000);
      const ackedFrozen = await Promise.all(receivers.map(async (r) => metric(await scrape(r), 'relp_acks_total{code="200"}')));
      const retriesFrozen = await Promise.all(receivers.map(async (r) => metric(await scrape(r), 'jetstream_retries_total')));
      const health: number[][] = [[], []];
      while (Date.now() - stopAt < STOP_MS && Date.now() < end) {
        for (let i = 0; i < 2; i++) health[i].push(await healthz(receivers[i]));
        const l = poll();
        if (l !== lastLines) { lastLines = l; lastGrowth = Date.now(); }
        await sleep(500);
      }
      const ackedLate = await Promise.all(receivers.map(async (r) => metric(await scrape(r), 'relp_acks_total{code="200"}')));
      const retriesLate = await Promise.all(receivers.map(async (r) => metric(await scrape(r), 'jetstream_retries_total')));
      await frozen.kill('SIGCONT');
      const contAt = Date.now();
      lastChange = Date.now(); // the stall clock restarts with the quorum
      note(`SIGCONT ${frozen.name} after ${contAt - stopAt} ms; relp acks during the stop (after 2 s): ${ackedFrozen.map((a, i) => ackedLate[i] - a).join('+')}, `
        + `publish retries ${retriesFrozen.map((r, i) => retriesLate[i] - r).join('+')}, /healthz 503 seen: ${health.map((h) => h.filter((s) => s === 503).length).join('+')} of ${health[0].length}`);
      assert.deepEqual(ackedLate, ackedFrozen, 'no RELP rsp 200 while the cluster has no quorum');
      assert.ok(retriesLate.some((r, i) => r > retriesFrozen[i]), 'the receivers retried their publishes while the quorum was lost');
      // a receiver whose sender had not finished yet has records to publish and cannot: /healthz 503
      health.forEach((h, i) => { if (ackedBefore[i] < per[i]) assert.ok(h.includes(503), `/healthz 503 on rx${i + 1} while it cannot publish (${h.join(' ')})`); });

      // ---- the killed node comes back once the stream takes writes again (it catches up from its store)
      const m3 = await untilStream(Math.min(m2 + 1000, COUNT));
      note(`stream taking writes again: ${m3} messages, ${Date.now() - contAt} ms after SIGCONT`);
      const r0 = Date.now();
      await victim.restart();
      note(`restarted ${victim.name} in ${Date.now() - r0} ms`);

      // ---- the end: every number archived
      while (distinct() < COUNT && going()) await sleep(250);
      note(`all ${COUNT} numbers archived: ${distinct() === COUNT} (${poll()} lines)`);
      // the archive must reach the stream's count (frames resent late would show up now too)
      let final: StreamInfo | null = null;
      for (const until = Date.now() + 30_000; Date.now() < until;) {
        final = (await streamInfo(jsm)) ?? final;
        if (final !== null && poll() === final.state.messages) {
          await sleep(1500);
          const again = await streamInfo(jsm);
          if (again !== null && again.state.messages === final.state.messages && poll() === again.state.messages) break;
        }
        await sleep(250);
      }
      // all three replicas current again (the restarted one caught up)
      let replicas = '';
      for (const until = Date.now() + 30_000; Date.now() < until;) {
        const i = await streamInfo(jsm);
        const peers = i?.cluster?.replicas ?? [];
        replicas = `leader ${i?.cluster?.leader}, ${peers.map((p) => `${p.name}${p.current ? '' : ' (behind)'}${p.offline ? ' (offline)' : ''}`).join(', ')}`;
        if (i && peers.length === 2 && peers.every((p) => p.current && !p.offline)) break;
        await sleep(500);
      }
      note(`stream replicas: ${replicas}`);

      const streamMessages = final?.state.messages ?? -1;
      const archived = poll();
      if (archived !== streamMessages || process.env.JS_CLUSTER_SCAN === '1') {
        // evidence: where the durable consumer stands, and what the stream holds past the archive
        const ci = await retrying(() => jsm.consumers.info(STREAM, 'syslog-archive'), 5000).catch((e: Error) => e.message);
        note(`archive ${archived} lines, stream ${streamMessages} messages: consumer ${typeof ci === 'string' ? ci : JSON.stringify({ delivered: ci.delivered, ack_floor: ci.ack_floor, num_pending: ci.num_pending, num_ack_pending: ci.num_ack_pending, num_redelivered: ci.num_redelivered, num_waiting: ci.num_waiting, leader: ci.cluster?.leader })}; stream ${JSON.stringify(final?.state)}`);
        const progress = archiver.logs.filter((l) => l.msg === 'archive progress').slice(-1)[0];
        note(`archiver's last progress line: ${JSON.stringify(progress ?? null)}; last archived line seen at +${((lastGrowth - t0) / 1000).toFixed(1)}s`);
        note(`stream (read with an ordered consumer): ${await scanStream(mgr.nc, final?.state.last_seq ?? 0, tails.map((tl) => tl.missing(5).first), labels)}`);
      }
      const archiverLogs = archiver.logs;
      const stopped = { ...(await archiver.stop()), logs: archiverLogs };
      archiver = null;
      const rxFinal = [];
      for (const r of receivers.splice(0)) rxFinal.push(await r.stop());
      poll();
      const missing = tails.map((tl) => tl.missing());
      const dups = tails.map((tl) => tl.duplicates());
      const rs = senders.map((s) => s.stats());
      const summary = `jetstream cluster: ${COUNT} lines, archived ${archived} lines (${distinct()} distinct), stream ${streamMessages} messages, `
        + `missing ${missing.map((m) => m.count).join('+')}, duplicates ${dups.map((d) => d.extra).join('+')} (over ${dups.map((d) => d.numbers).join('+')} numbers), `
        + `archiver ${JSON.stringify(stopped.stats)}, receivers ${rxFinal.map((f) => `relpAcked=${f.stats?.relpAcked} relpFailed=${f.stats?.relpFailed} js=${JSON.stringify(f.stats?.jetstream)}`).join(' | ')}, `
        + `rsyslog fwd ${rs.map((s) => JSON.stringify(s.action)).join(' ')}, ${Date.now() - t0} ms`;
      t.diagnostic(summary);
      const archiverNotes = stopped.logs.filter((l) => Number(l.level) >= 40 || /reset|started|stopped/.test(String(l.msg))).map((l) => `archiver ${l.time} ${l.msg} ${JSON.stringify(l.reason ?? l.err ?? l.stats ?? '')}`.slice(0, 300));
      for (const e of events) t.diagnostic(e);
      for (const e of archiverNotes.slice(-15)) t.diagnostic(e);
      console.log(`# ${summary}\n${events.map((e) => `#   ${e}`).join('\n')}`);

      const problems: string[] = [];
      tails.forEach((tl, i) => {
        for (const p of tl.problems) problems.push(`${apps[i].name}/${p.file}: ${p.what}`);
        if (tl.badRecords) problems.push(`${apps[i].name}: ${tl.badRecords} record(s) not as sent`);
        if (missing[i].count) problems.push(`${apps[i].name}: ${missing[i].count} of ${per[i]} numbers never archived (LOSS), e.g. ${missing[i].first.join(', ')}`);
        const torn = tl.filesWithoutTrailingLf();
        if (torn.length) problems.push(`${apps[i].name}: archive files without a trailing LF: ${torn.join(', ')}`);
      });
      if (archived !== streamMessages) problems.push(`archive holds ${archived} lines, the stream ${streamMessages} messages`);
      if (stopped.code !== 0) problems.push(`archiver exited ${stopped.code} on SIGTERM`);
      if (stopped.stats?.archived !== archived) problems.push(`archiver says it archived ${stopped.stats?.archived}, the files hold ${archived} lines`);
      if (stopped.stats?.invalid) problems.push(`archiver found ${stopped.stats.invalid} invalid messages`);
      // app directories only: the archiver keeps its journal (.archive-<durable>.journal) beside them
      for (const other of storedApps(archiveDir)) if (!apps.some((a) => a.name === other) && statSync(join(archiveDir, other)).isDirectory()) problems.push(`records archived under "${other}"`);
      rxFinal.forEach((f, i) => { if (f.code !== 0) problems.push(`receiver rx${i + 1} exited ${f.code} on SIGTERM`); });
      // A known nats-server 2.9 fault: after the SIGSTOP, the replica the archiver's consumer runs
      // on can number the stream differently from the leader (it lacks messages the leader has,
      // the later ones shifted). The consumer then says it is done while the leader holds more.
      // The archiver must notice and say so (its divergence check); the lines it could not see are
      // then a server fault, reported as a todo with the evidence, not as an archiver bug. Any
      // other problem (a torn line, a duplicate, a crash) still fails the test.
      const diverged = stopped.logs.filter((l) => /replica diverged/.test(String(l.msg)));
      const lossOnly = problems.every((p) => /never archived \(LOSS\)|^archive holds \d+ lines, the stream \d+ messages$|^archiver says it archived/.test(p)) && archived < streamMessages;
      if (problems.length > 0 && lossOnly && diverged.length > 0) {
        t.todo(`nats-server ${execFileSync('nats-server', ['--version']).toString().trim()}: the archiver's consumer replica diverged from the stream leader (detected by the archiver ${diverged.length}x: ${JSON.stringify(diverged[0]).slice(0, 300)}): ${problems.join('; ')}`);
        return;
      }
      assert.deepEqual(problems.slice(0, 30), [], `jetstream cluster: ${problems.length} problem(s)${problems.length > 0 && diverged.length === 0 ? ' (the archiver did not report a diverged replica)' : ''}`);
      assert.deepEqual(diverged, [], 'no divergence reported while the archive is complete (the check has no false alarms)');
    } catch (err) {
      console.log(`# jetstream cluster FAILED; events:\n${events.map((e) => `#   ${e}`).join('\n')}`);
      for (const s of senders) console.log(`# rsyslog stats: ${JSON.stringify(s.stats())}\n# rsyslog output:\n${s.child.output().slice(-2000)}`);
      for (const r of receivers) {
        const notable = r.logs.filter((l) => Number(l.level) >= 40 || /start|stop/i.test(String(l.msg)));
        console.log(`# receiver pid ${r.child.pid} logs (${r.logs.length} lines, warn+ and lifecycle):\n${notable.slice(-25).map((l) => JSON.stringify(l)).join('\n')}`);
      }
      if (archiver) console.log(`# archiver logs:\n${archiver.logs.slice(-30).map((l) => JSON.stringify(l)).join('\n')}`);
      for (const s of cluster?.servers ?? []) console.log(`# ${s.name} log tail:\n${s.logs.slice(-15).map((l) => l.line).join('\n')}`);
      throw err;
    } finally {
      for (const s of senders) await s.stop();
      if (archiver) await archiver.stop('SIGKILL').catch(() => undefined);
      for (const r of receivers) await r.stop('SIGKILL').catch(() => undefined);
      await mgr?.nc.close().catch(() => undefined);
      await cluster?.stop();
      if (process.env.KEEP_INTEROP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
    }
  });

test('JetStream R3 cluster, ack order: the stream leader SIGSTOPped → no rsp 200 until a new leader (or it is back); every rsp 200 after its record is in the stream',
  { skip, timeout: 120_000 }, async (t: TestContext) => {
    const t0 = Date.now();
    const events: string[] = [];
    const note = (s: string): void => { events.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`); };
    const dir = mkdtempSync(join(tmpdir(), 'js-ackorder-'));
    const token = randomUUID();
    let cluster: NatsCluster | null = null;
    let mgr: { nc: NatsConnection; jsm: JetStreamManager } | null = null;
    let rx: ChildReceiver | null = null;
    let c: RelpTestClient | null = null;
    let leader: ClusterNode | undefined;
    try {
      cluster = await startNatsCluster(3);
      // the stream as a receiver creates it, made here first so its leader is known before the
      // receiver connects: the receiver and the test talk to the two followers only
      const setup = await manager(cluster.urls);
      await setup.jsm.streams.add({ name: STREAM, subjects: ['syslog.>'], num_replicas: 3, max_bytes: -1, discard: DiscardPolicy.New, duplicate_window: 120e9 });
      let li: StreamInfo | null = null;
      for (const until = Date.now() + 20_000; Date.now() < until && !li?.cluster?.leader;) { li = await streamInfo(setup.jsm); if (!li?.cluster?.leader) await sleep(100); }
      await setup.nc.close();
      leader = cluster.byName(li?.cluster?.leader ?? '');
      assert.ok(leader, `stream leader known: ${JSON.stringify(li?.cluster)}`);
      const followers = cluster.servers.filter((s) => s !== leader).map((s) => s.url);
      mgr = await manager(followers);
      const jsm = mgr.jsm;
      rx = await spawnReceiver({
        listen: { relp: { address: '127.0.0.1', port: 0 }, admin: { address: '127.0.0.1', port: 0 } },
        apps: [{ name: 'web', token }],
        storage: { type: 'jetstream', dir: join(dir, 'data-rx1'), jetstream: { servers: followers, replicas: 3, instanceId: 'rx1', ackTimeoutMs: 2000 } },
        certsDir: join(dir, 'certs'),
      }, dir);
      note(`stream leader ${leader.name}; receiver and test connected to the followers (${followers.join(', ')})`);
      c = await RelpTestClient.connect(rx.ports.relp);
      c.open();
      await c.until(() => c!.rsp(1) !== undefined);
      const text = (i: number): string => `ack order ${String(i).padStart(6, '0')}`;
      const sentAt = new Map<number, { i: number; at: number }>(); // txnr → frame
      let frames = 0;
      const sendOne = (): void => { const i = frames++; const txnr = c!.send('syslog', `<13>Jun 12 09:15:02 h ${token}: ${text(i)}`); sentAt.set(txnr, { i, at: Date.now() }); };
      const acked = (): number => c!.responses.filter((r) => r.command === 'rsp' && r.txnr > 1 && r.data.startsWith('200')).length;
      // warm-up: 100 frames, all acknowledged
      for (let i = 0; i < 100; i++) sendOne();
      await c.until(() => acked() === 100, 15_000);

      // live check: the rsp 200 count seen before a stream read never exceeds the stream's count
      const live = { monitoring: true, sending: true };
      const over: string[] = [];
      let checks = 0;
      const monitor = (async () => {
        while (live.monitoring) {
          const r = acked();
          const i = await streamInfo(jsm);
          if (i !== null) {
            checks++;
            if (r > i.state.messages) over.push(`${r} rsp 200 seen, the stream holds ${i.state.messages}`);
          }
          await sleep(50);
        }
      })();
      // a steady sender: one frame every 20 ms, from before the stop until after the resume
      const pacer = (async () => { while (live.sending) { sendOne(); await sleep(20); } })();
      await sleep(500);

      const stopAt = Date.now();
      await leader.kill('SIGSTOP');
      note(`SIGSTOP ${leader.name} (stream leader) after ${frames} frames, ${acked()} acked`);
      // wait for the followers to elect a new stream leader (bounded), then a few seconds of acks under it
      let newLeader: string | undefined;
      for (const until = stopAt + 30_000; Date.now() < until;) {
        const i = await streamInfo(jsm);
        if (i?.cluster?.leader && i.cluster.leader !== leader.name) { newLeader = i.cluster.leader; break; }
        await sleep(100);
      }
      const electedLine = newLeader === undefined ? undefined
        : cluster.byName(newLeader)!.logs.find((l) => l.line.includes(`new stream leader for '$G > ${STREAM}'`) && natsLogTimeMs(l.line) >= stopAt - 5);
      // the election's own time, from the new leader's log ("JetStream cluster new stream leader …")
      const electedAt = electedLine ? natsLogTimeMs(electedLine.line) : newLeader !== undefined ? NaN : Infinity;
      assert.ok(!Number.isNaN(electedAt), `the new leader ${newLeader} logged its election: ${cluster.byName(newLeader ?? '')?.logs.slice(-5).map((l) => l.line).join(' | ')}`);
      note(newLeader ? `new stream leader ${newLeader}, elected ${Math.round(electedAt - stopAt)} ms after the stop (its log: ${electedLine?.line.slice(0, 40)}…)` : 'no new leader within 30 s');
      // under the new leader (the old one still stopped) the two followers are a quorum: every frame sent so far gets its rsp 200
      if (newLeader) {
        const sentBy = frames;
        await c.until(() => acked() >= sentBy || c!.closed, 15_000).catch(() => undefined);
      }
      const resumeAt = Date.now();
      leader.child.kill('SIGCONT');
      note(`SIGCONT ${leader.name} after ${resumeAt - stopAt} ms; ${frames} frames sent, ${acked()} acked`);
      await sleep(1000);
      live.sending = false;
      await pacer;
      await c.until(() => acked() === frames, 30_000);
      note(`all ${frames} frames acked`);
      live.monitoring = false;
      await monitor;

      // the stream: every frame exactly once, and the time the stream stored it
      const info = await retrying(() => jsm.streams.info(STREAM));
      const stored = new Map<string, number>();
      const dupes: string[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await retrying(() => jsm.streams.getMessage(STREAM, { seq }));
        const msg = String(JSON.parse(m!.string()).message);
        if (stored.has(msg)) dupes.push(msg);
        stored.set(msg, m!.time.getTime());
      }
      const rsps = c.responses.filter((r) => r.command === 'rsp' && r.txnr > 1);
      const windowEnd = Math.min(electedAt, resumeAt);
      const GRACE_MS = 1000; // PubAcks already under way when the leader stopped
      const problems: string[] = [];
      if (rsps.some((r) => !r.data.startsWith('200'))) problems.push(`not all rsp 200: ${JSON.stringify(rsps.find((r) => !r.data.startsWith('200')))}`);
      if (dupes.length) problems.push(`${dupes.length} frames stored twice, e.g. ${dupes[0]}`);
      if (stored.size !== frames) problems.push(`stream holds ${stored.size} distinct frames, ${frames} sent`);
      let afterStop = 0;
      let heldBack = 0;
      let maxLagMs = 0;
      for (const r of rsps) {
        const f = sentAt.get(r.txnr)!;
        const ts = stored.get(text(f.i));
        if (ts === undefined) { problems.push(`frame ${f.i} acked (rsp at +${r.atMs - t0} ms) but not in the stream`); continue; }
        if (ts > r.atMs) problems.push(`frame ${f.i}: rsp 200 at ${r.atMs}, stored in the stream later at ${ts} (ack before PubAck)`);
        maxLagMs = Math.max(maxLagMs, r.atMs - ts);
        if (r.atMs > stopAt + GRACE_MS && r.atMs < windowEnd - 50) problems.push(`frame ${f.i}: rsp 200 at +${r.atMs - stopAt} ms after the stop, before the new leader (+${Math.round(electedAt - stopAt)} ms) or the resume (+${resumeAt - stopAt} ms)`);
        if (f.at > stopAt) {
          afterStop++;
          if (r.atMs >= windowEnd - 50) heldBack++;
        }
      }
      const underNewLeader = rsps.filter((r) => r.atMs >= electedAt && r.atMs < resumeAt).length;
      if (newLeader !== undefined && underNewLeader === 0) problems.push('no rsp 200 under the new leader while the old one was stopped');
      if (over.length) problems.push(`rsp 200 count above the stream's: ${over.slice(0, 3).join('; ')}`);
      if (afterStop === 0) problems.push('no frame was sent while the leader was stopped');
      if (heldBack !== afterStop) problems.push(`${afterStop - heldBack} of ${afterStop} frames sent during the stop were acked before a new leader or the resume`);
      const summary = `ack order: ${frames} frames, ${afterStop} sent after the SIGSTOP (all held back until ${Number.isFinite(electedAt) ? `the new leader ${newLeader} at +${Math.round(electedAt - stopAt)} ms` : `the resume at +${resumeAt - stopAt} ms`}: ${heldBack === afterStop}), `
        + `${underNewLeader} acked under the new leader before the resume, ${checks} live count checks, the largest stored→rsp lag ${maxLagMs} ms, receiver warnings ${rx.logs.filter((l) => Number(l.level) >= 40).length}, ${Date.now() - t0} ms`;
      t.diagnostic(summary);
      for (const e of events) t.diagnostic(e);
      console.log(`# ${summary}\n${events.map((e) => `#   ${e}`).join('\n')}`);
      assert.deepEqual(problems.slice(0, 20), [], `ack order: ${problems.length} problem(s)`);
    } catch (err) {
      console.log(`# ack order FAILED; events:\n${events.map((e) => `#   ${e}`).join('\n')}`);
      if (rx) console.log(`# receiver logs:\n${rx.logs.slice(-20).map((l) => JSON.stringify(l)).join('\n')}`);
      for (const s of cluster?.servers ?? []) console.log(`# ${s.name} log tail:\n${s.logs.slice(-15).map((l) => l.line).join('\n')}`);
      throw err;
    } finally {
      leader?.child.kill('SIGCONT');
      c?.destroy();
      if (rx) await rx.stop('SIGKILL').catch(() => undefined);
      await mgr?.nc.close().catch(() => undefined);
      await cluster?.stop();
      if (process.env.KEEP_INTEROP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
    }
  });

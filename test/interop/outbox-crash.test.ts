/**
 * The outputs' main proof (the forwarding issue): the store is the outbox, and its
 * `elasticsearch` output delivers every stored record exactly once across a destination outage
 * and a `kill -9` of the receiver in the middle of it.
 *
 * A receiver runs as a real child process (the CLI, `storage.fsync` on, one TCP listener on a
 * fixed port, two token apps) with an `elasticsearch` output to the fake Elasticsearch of
 * test/helpers/fake-api.ts. 50,000 numbered events (`seq=NNNNNNN …`, each unique) arrive from
 * real clients: two rsyslog processes (imfile → omfwd TCP, token in the TAG,
 * `action.resumeRetryCount="-1"`) for app `rs` and OpenBSD `nc -N` (headerless `HOST TOKEN:msg`
 * lines) for app `nc`. Every 500th event carries `BAD-`: the fake answers that item 400 (→ dead
 * letter); every other item gets the fake's normal answer (create → 201, a second create of one
 * `_id` → 409).
 *
 * Timeline:
 * 1. phase A — rsyslog #1 sends 12,500 events, nc 12,500; the output ships as they are stored;
 * 2. once the fake holds some thousands of them, it answers every request 503 for 60 s: the
 *    output retries its batch with backoff (100 ms … 2 s) while the rest of phase A is stored;
 * 3. a few seconds into that window the receiver gets SIGKILL. rsyslog #2 starts at once with
 *    6,250 events and retries the refused connect every second while the receiver is down; the
 *    receiver is started again on the same config, store and port; rsyslog #2 connects and
 *    delivers; rsyslog #1, still running with its connection to the killed receiver, gets 6,250
 *    more events (paced): omfwd finds that connection closed and reconnects; nc sends 12,500
 *    more (five connections);
 * 4. after the 60 s the fake answers normally again; the output ships the backlog.
 *
 * Asserted at the end: (1) the fake's documents are exactly the non-BAD events, each once
 * (by message text, and one `_id` per event); (2) the dead-letter file holds exactly the BAD
 * events, each once; (3) no BAD item reached the fake twice (and no other item was sent twice
 * more than one batch's worth: the runner's "a crash resends at most the batch in flight");
 * (4) the store holds every sent event exactly once, under its app, message intact; (5) the
 * output's totals in cursor.log and /metrics agree with what the fake received.
 *
 * Why the kill happens when no event is in flight towards the receiver: plain TCP syslog has
 * no acknowledgement, so what sits in the killed receiver's socket buffers or pipeline is lost
 * for any receiver, and omfwd cannot know it; (4) could not hold. The test therefore kills when
 * everything sent so far is in the store (the output's backlog and its retrying batch are what
 * the kill is about) and lets the senders carry on around the kill and the restart.
 *
 * Why rsyslog #1 gets no new event while the receiver is down: rsyslog 8.2302 omfwd, when it
 * finds its connection closed and then cannot reconnect (action suspended), sends the first
 * batch after the resume twice on the new connection (~100–200 events; seen with a plain TCP
 * server in place of the receiver too, so it is the client's doing): the store would then
 * rightly hold those events twice. A connection found closed once the receiver is up again
 * (rsyslog #1 here) or a connect refused from the start (rsyslog #2) sends each event once.
 *
 * Why (3) holds strictly for BAD items: the kill falls in the 503 window, where no request is
 * answered item by item, so no item can be "answered but not yet dead-lettered or committed"
 * at the kill. Outside such a window a kill between the fake's 400 and the dead-letter append
 * would legitimately send that item once more.
 *
 * Missing rsyslog or nc: skipped with the reason; with REQUIRE_INTEROP=1 it fails.
 * KEEP_INTEROP_TMP=1 keeps the temp dir (store, cursor, dead letters, rsyslog's files).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';
import { spawnReceiver, type ChildReceiver } from '../helpers/process.js';
import { freePort } from '../helpers/net.js';
import { storedApps } from '../helpers/receiver.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { readCursorLog } from '../../src/outputs/state.js';
import { CLIENT_HOSTNAME, render, runClient, startChild, stopChild, which, type Child } from './lib/clients.js';
import { requireClient } from './lib/scenario.js';
import { StoreTail } from './lib/relp.js';

const TOTAL = 50_000;
/** Events per phase and sender (R1 … N2 below). */
const PART = TOTAL / 4;
/** The fake answers every request 503 for this long. */
const OUTAGE_MS = 60_000;
/** The kill comes at least this long into the outage (the output is retrying by then). */
const KILL_AFTER_MS = 4_000;
/** The receiver stays down at least this long after the kill (rsyslog retries meanwhile). */
const DOWN_MS = 1_500;
/** The 503 window starts once the fake holds this many documents (phase A still arriving). */
const SWITCH_AT_DOCS = 6_000;
const BATCH_MAX_RECORDS = 1000;
const TEST_TIMEOUT_MS = 235_000;
const KEEP = process.env.KEEP_INTEROP_TMP === '1';

// seq ranges (1-based, inclusive): who sends which event
const R1 = { from: 1, to: PART, app: 'rs', src: 'rsyslog-1' } as const; // rsyslog #1, phase A
const N1 = { from: PART + 1, to: 2 * PART, app: 'nc', src: 'nc' } as const; // nc, phase A
const R2B = { from: 2 * PART + 1, to: 2.5 * PART, app: 'rs', src: 'rsyslog-2' } as const; // rsyslog #2, started while the receiver is down
const R2A = { from: 2.5 * PART + 1, to: 3 * PART, app: 'rs', src: 'rsyslog-1' } as const; // rsyslog #1, after the restart
const N2 = { from: 3 * PART + 1, to: TOTAL, app: 'nc', src: 'nc' } as const; // nc, after the restart (still in the outage)
const RANGES = [R1, N1, R2B, R2A, N2];
const rangeOf = (seq: number): (typeof RANGES)[number] => RANGES.find((r) => seq >= r.from && seq <= r.to)!;

/** Every 500th event is refused by the fake for good: 100 in all, spread over every phase and sender. */
const isBad = (seq: number): boolean => seq % 500 === 137;
const BAD_COUNT = Array.from({ length: TOTAL }, (_, i) => i + 1).filter(isBad).length;

/** The message text of event `seq` (what the store and the fake must hold). */
function text(seq: number): string {
  const n = String(seq).padStart(7, '0');
  return `seq=${n} outbox-crash ${rangeOf(seq).src} ${isBad(seq) ? `BAD-${n}` : 'ok'} grüße 🙂 "q" back\\slash 100% end=${n}`;
}
const SEQ_RE = /^seq=(\d{7}) /;
const seqOf = (message: unknown): number | null => {
  const m = typeof message === 'string' ? SEQ_RE.exec(message) : null;
  return m ? Number(m[1]) : null;
};
const texts = (r: { from: number; to: number }, from = r.from, to = r.to): string[] => {
  const out: string[] = [];
  for (let s = Math.max(from, r.from); s <= Math.min(to, r.to); s++) out.push(text(s));
  return out;
};

/** rsyslog imfile → omfwd TCP (conf/rsyslog-tcp.conf, token in the TAG, resumeRetryCount -1, resumeInterval 1). */
interface Rsyslog {
  child: Child;
  input: string;
  /** Appends events to the file imfile follows. */
  feed(lines: string[]): void;
  /** The last impstats counters of the `fwd` action. */
  stats(): Record<string, number> | null;
  stop(): Promise<void>;
}

function startRsyslog(w: string, port: number, token: string, initial: string[]): Rsyslog {
  const bin = which('rsyslogd');
  if (!bin) throw new Error('rsyslogd not installed');
  mkdirSync(w, { recursive: true });
  const input = join(w, 'input.log');
  const vars = { HOST: '127.0.0.1', PORT: String(port), INPUT: input, WORKDIR: w, HOSTNAME: CLIENT_HOSTNAME, TEMPLATE: 'TokenTag3164', TOKEN: token };
  const confFile = join(w, 'client.conf');
  writeFileSync(confFile, `${render('rsyslog-token.conf', vars)}\n${render('rsyslog-tcp.conf', vars)}`);
  writeFileSync(input, initial.map((l) => `${l}\n`).join(''));
  const child = startChild(bin, ['-n', '-f', confFile, '-i', join(w, 'client.pid')]);
  const statsFile = join(w, 'stats.log');
  return {
    child,
    input,
    feed: (lines) => appendFileSync(input, lines.map((l) => `${l}\n`).join('')),
    stats() {
      if (!existsSync(statsFile)) return null;
      const all = [...readFileSync(statsFile, 'utf8').matchAll(/fwd: origin=core\.action (.*)/g)];
      if (all.length === 0) return null;
      return Object.fromEntries([...all[all.length - 1][1].matchAll(/([\w.]+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
    },
    stop: () => stopChild(child),
  };
}

/** Sends `lines` with one `nc -N` (lib/clients.ts: `interop-host TOKEN:msg` per line). */
async function sendNc(port: number, token: string, lines: string[]): Promise<void> {
  await runClient({ client: 'nc', transport: 'tcp', host: '127.0.0.1', port, messages: lines, token, style: 'tag', timeoutMs: 60_000 });
}

interface DeadLetter { app: string; error: string; record?: { message?: string } }

function readDeadLetters(path: string): DeadLetter[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DeadLetter);
}

/** `<app>/<YYYY-MM-DD>` → size of that day file, bytes. */
function dayFileSizes(storeDir: string, apps: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const app of apps) {
    const d = join(storeDir, app);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.ndjson')) out.set(`${app}/${f.slice(0, -'.ndjson'.length)}`, statSync(join(d, f)).size);
  }
  return out;
}

/** Sleeps until `Date.now() >= at` (ms since the epoch). A timer may fire a millisecond early by the wall clock, so it loops. */
async function sleepUntil(at: number): Promise<void> {
  while (Date.now() < at) await sleep(at - Date.now() + 1);
}

const metricValue = (scrape: string, name: string): number =>
  Number(scrape.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);

test(`outbox crash: ${TOTAL} events from rsyslog and nc, Elasticsearch 503 for ${OUTAGE_MS / 1000} s, receiver killed -9 in the outage: every event shipped once, BAD ones dead-lettered once`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
  if (!requireClient(t, 'rsyslog') || !requireClient(t, 'nc')) return;
  const t0 = Date.now();
  const events: string[] = [];
  const note = (s: string): void => { events.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`); };
  const tokens = { rs: randomUUID(), nc: randomUUID() };
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  const storeDir = join(dir, 'data');
  const dlPath = join(storeDir, '.outputs', 'es', 'dead-letter.ndjson');
  const cursorPath = join(storeDir, '.outputs', 'es', 'cursor.log');

  const api: FakeApi = await startFakeApi({
    itemStatus: (item) => (String((item.doc as { message?: unknown }).message).includes('BAD-') ? 400 : undefined),
  });
  let outage: { from: number; to: number | null } | null = null;
  const outageAnswers = { n: 0 };
  const port = await freePort();
  const config = {
    listen: { tcp: { address: '127.0.0.1', port }, admin: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'rs', token: tokens.rs }, { name: 'nc', token: tokens.nc }],
    storage: { dir: storeDir, fsync: true },
    certsDir: join(dir, 'certs'),
    outputs: [{ name: 'es', type: 'elasticsearch', url: api.url, batchDelayMs: 50, batchMaxRecords: BATCH_MAX_RECORDS, minBackoffMs: 100, maxBackoffMs: 2000 }],
  };
  const check = (app: 'rs' | 'nc') => (r: Record<string, any>, seq: number): string | null => {
    if (rangeOf(seq).app !== app) return `seq ${seq} belongs to app ${rangeOf(seq).app}`;
    if (r.message !== text(seq)) return `message ${JSON.stringify(r.message)}`;
    if (r.source?.transport !== 'tcp') return `source.transport ${r.source?.transport}`;
    if (r.syslog?.tokenSource !== 'tag') return `syslog.tokenSource ${r.syslog?.tokenSource}`;
    return null;
  };
  const tails = { rs: new StoreTail(storeDir, 'rs', TOTAL, check('rs')), nc: new StoreTail(storeDir, 'nc', TOTAL, check('nc')) };
  /** Events of `ranges` stored so far (distinct numbers). */
  const storedOf = (...ranges: Array<(typeof RANGES)[number]>): number => {
    tails.rs.poll();
    tails.nc.poll();
    let n = 0;
    for (const r of ranges) for (let s = r.from; s <= r.to; s++) if (tails[r.app].counts[s] > 0) n++;
    return n;
  };

  const receivers: ChildReceiver[] = [];
  let rx: ChildReceiver | null = null;
  let rsyslog: Rsyslog | null = null;
  let rsyslog2: Rsyslog | null = null;
  let feeder: Promise<void> | null = null;
  let nc2: Promise<void> | null = null;
  try {
    rx = await spawnReceiver(config, dir);
    receivers.push(rx);
    assert.equal(rx.ports.tcp, port, 'receiver listens on the chosen port');
    note(`receiver pid ${rx.child.pid} on 127.0.0.1:${port}, fake ES ${api.url}`);

    // ---- phase A: rsyslog R1 and nc N1 at once; the output ships while they arrive
    rsyslog = startRsyslog(join(dir, 'rsyslog'), port, tokens.rs, texts(R1));
    const nc1 = sendNc(port, tokens.nc, texts(N1));
    note(`rsyslog pid ${rsyslog.child.pid} sends ${PART}, nc sends ${PART}`);

    // ---- the outage: every request 503 (not counted in api.received: the built-in _bulk handler never sees them)
    assert.ok(await api.waitFor(() => api.docs.size >= SWITCH_AT_DOCS, 90_000), `the fake never reached ${SWITCH_AT_DOCS} documents (has ${api.docs.size})`);
    api.script = () => { outageAnswers.n++; return { status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'fake outage' }, status: 503 } }; };
    outage = { from: Date.now(), to: null };
    note(`fake answers 503 from now on (holds ${api.docs.size} documents)`);

    await nc1;
    await waitFor(() => storedOf(R1, N1) === 2 * PART, { timeoutMs: 60_000, intervalMs: 100, what: `phase A stored (${2 * PART} events)` });
    note(`phase A stored: ${2 * PART} events (rsyslog ${JSON.stringify(rsyslog.stats())})`);
    const killAt = outage.from + KILL_AFTER_MS;
    await sleepUntil(killAt);
    assert.ok(Date.now() < outage.from + OUTAGE_MS - 30_000, 'phase A took so long that the kill would not fall early in the outage');
    const retrying = rx.logs.filter((l) => l.msg === 'output: records not delivered; retrying' && Date.parse(String(l.time)) >= outage!.from).length;

    // ---- SIGKILL, in the outage: nothing in flight towards the receiver, a batch in retry in the output
    const docsAtKill = api.docs.size;
    const cursorAtKill = await readCursorLog(cursorPath);
    const pid = rx.child.pid;
    const exited = new Promise((r) => rx!.child.once('exit', r));
    rx.child.kill('SIGKILL');
    await exited;
    note(`SIGKILL receiver pid ${pid}: fake holds ${docsAtKill} docs, cursor ${JSON.stringify(Object.fromEntries(cursorAtKill.files))} totals ${JSON.stringify(cursorAtKill.totals)}, ${retrying} retry log line(s) in the outage`);
    assert.ok(retrying > 0, 'the output was retrying in the outage before the kill');
    assert.ok(docsAtKill < 2 * PART - BAD_COUNT / 2, `a backlog was left to ship at the kill (fake holds ${docsAtKill})`);

    // ---- senders carry on: rsyslog #2 retries its connect while the receiver is down
    rsyslog2 = startRsyslog(join(dir, 'rsyslog-2'), port, tokens.rs, texts(R2B));
    note(`rsyslog #2 pid ${rsyslog2.child.pid} sends ${R2B.to - R2B.from + 1} to the closed port`);
    await sleep(DOWN_MS);
    rx = await spawnReceiver(config, dir);
    receivers.push(rx);
    const cutTorn = rx.logs.filter((l) => String(l.msg).startsWith('cut a torn last line')).length;
    note(`restarted receiver pid ${rx.child.pid} on port ${rx.ports.tcp}, ${storedOf(R2B)} of rsyslog #2's events stored so far${cutTorn ? `; it cut ${cutTorn} torn line(s)` : ''}`);
    assert.equal(rx.ports.tcp, port, 'restarted receiver listens on the same port');
    assert.ok(Date.now() < outage.from + OUTAGE_MS, 'restarted within the outage');

    // rsyslog #1 (its connection went with the killed receiver): R2A paced, 250 events / 200 ms
    const rs = rsyslog;
    feeder = (async () => {
      for (let s = R2A.from; s <= R2A.to; s += 250) {
        rs.feed(texts(R2A, s, s + 249));
        await sleep(200);
      }
    })();

    // nc N2: five connections of 2,500 events, one after the other
    nc2 = (async () => {
      for (let s = N2.from; s <= N2.to; s += 2500) {
        await sendNc(port, tokens.nc, texts(N2, s, s + 2499));
        await sleep(300);
      }
    })();
    await Promise.all([feeder, nc2]);
    await waitFor(() => storedOf(...RANGES) === TOTAL, { timeoutMs: 60_000, intervalMs: 200, what: `all ${TOTAL} events stored` });
    note(`all ${TOTAL} events stored (rsyslog #1 ${JSON.stringify(rsyslog.stats())}, #2 ${JSON.stringify(rsyslog2.stats())}); fake holds ${api.docs.size} docs`);

    // ---- the fake recovers after the 60 s
    const endAt = outage.from + OUTAGE_MS;
    await sleepUntil(endAt);
    api.script = () => 'default';
    outage.to = Date.now();
    note(`fake answers normally again after ${outage.to - outage.from} ms (${outageAnswers.n} requests answered 503)`);
    assert.ok(outage.to - outage.from >= OUTAGE_MS, 'outage lasted its 60 s');

    const want = TOTAL - BAD_COUNT;
    const drained = await api.waitFor(() => api.docs.size >= want && readDeadLetters(dlPath).length >= BAD_COUNT, 60_000);
    note(`drained: ${drained}; fake holds ${api.docs.size} docs, dead letters ${readDeadLetters(dlPath).length}`);
    await sleep(1500); // a late duplicate would show up now
    const scrape = await (await fetch(`http://127.0.0.1:${rx.ports.admin}/metrics`)).text();
    await rsyslog.stop();
    await rsyslog2.stop();
    const rsStats = [rsyslog.stats(), rsyslog2.stats()];
    rsyslog = null;
    rsyslog2 = null;
    const final = await rx.stop();
    rx = null;
    storedOf(...RANGES);

    // ---- what the fake holds
    const problems: string[] = [];
    const p = (s: string): void => { problems.push(s); };
    const docMsgCount = new Map<number, number>();
    const ids = new Set<string>();
    for (const d of api.docs.values()) {
      ids.add(d.id);
      const m = (d.doc as { message?: unknown }).message;
      const seq = seqOf(m);
      if (seq === null || seq < 1 || seq > TOTAL || m !== text(seq)) { p(`fake holds an unexpected document ${JSON.stringify(m)}`); continue; }
      docMsgCount.set(seq, (docMsgCount.get(seq) ?? 0) + 1);
      if (d.index !== `logs-${rangeOf(seq).app}-${(d.doc as { receivedAt: string }).receivedAt.slice(0, 10).replaceAll('-', '.')}`) p(`seq ${seq} in index ${d.index}`);
    }
    // (1) every non-BAD event exactly once (by text), no BAD event; one _id per document
    const missingDocs: number[] = [];
    for (let s = 1; s <= TOTAL; s++) {
      const n = docMsgCount.get(s) ?? 0;
      if (isBad(s)) { if (n !== 0) p(`BAD seq ${s} is in the fake ${n} time(s)`); } else if (n === 0) missingDocs.push(s);
      else if (n > 1) p(`seq ${s} is in the fake ${n} times (under different _ids)`);
    }
    if (missingDocs.length) p(`${missingDocs.length} non-BAD events never reached the fake, e.g. seq ${missingDocs.slice(0, 10).join(', ')}`);
    if (ids.size !== want) p(`${ids.size} distinct _ids in the fake, want ${TOTAL} sent − ${BAD_COUNT} dead-lettered = ${want}`);

    // (2) the dead-letter file: exactly the BAD events, each once, refused with the fake's 400
    const dead = readDeadLetters(dlPath);
    const deadCount = new Map<number, number>();
    for (const d of dead) {
      const seq = seqOf(d.record?.message);
      if (seq === null || !isBad(seq) || d.record?.message !== text(seq)) { p(`dead letter not a BAD event: ${JSON.stringify(d).slice(0, 200)}`); continue; }
      deadCount.set(seq, (deadCount.get(seq) ?? 0) + 1);
      if (d.app !== rangeOf(seq).app) p(`dead letter seq ${seq} under app ${d.app}`);
      if (!d.error.includes('400') || !d.error.includes('mapper_parsing_exception')) p(`dead letter seq ${seq} error ${JSON.stringify(d.error)}`);
    }
    if (dead.length !== BAD_COUNT) p(`dead-letter file has ${dead.length} entries, want ${BAD_COUNT}`);
    for (let s = 1; s <= TOTAL; s++) if (isBad(s) && deadCount.get(s) !== 1) p(`BAD seq ${s} dead-lettered ${deadCount.get(s) ?? 0} time(s)`);

    // (3) arrivals per _id: a BAD item never twice; others resent at most one batch's worth (the batch in flight at a crash)
    const docIds = new Set([...api.docs.values()].map((d) => d.id));
    let badArrivals = 0;
    let resentIds = 0;
    let arrivals = 0;
    for (const [id, n] of api.received) {
      arrivals += n;
      if (!docIds.has(id)) {
        badArrivals += n;
        if (n !== 1) p(`refused (BAD) _id ${id} arrived ${n} times`);
      } else if (n > 1) resentIds++;
    }
    if (badArrivals !== BAD_COUNT) p(`${badArrivals} arrivals of refused items, want ${BAD_COUNT}`);
    if (resentIds > BATCH_MAX_RECORDS) p(`${resentIds} delivered _ids arrived more than once (more than one batch of ${BATCH_MAX_RECORDS})`);

    // (4) the store: every event exactly once, under its app, as sent
    for (const app of ['rs', 'nc'] as const) {
      const tail = tails[app];
      for (const pr of tail.problems.slice(0, 10)) p(`store ${app}/${pr.file}: ${pr.what}`);
      if (tail.badRecords) p(`store ${app}: ${tail.badRecords} record(s) not as sent`);
      const torn = tail.filesWithoutTrailingLf();
      if (torn.length) p(`store ${app}: files without a trailing LF: ${torn.join(', ')}`);
    }
    const lost: number[] = [];
    const dup: number[] = [];
    for (let s = 1; s <= TOTAL; s++) {
      const c = tails[rangeOf(s).app].counts[s];
      if (c === 0) lost.push(s);
      else if (c > 1) dup.push(s);
    }
    if (lost.length) p(`${lost.length} events never stored (receiver LOSS), e.g. seq ${lost.slice(0, 10).join(', ')}`);
    if (dup.length) p(`${dup.length} events stored more than once, e.g. seq ${dup.slice(0, 10).join(', ')}`);
    if (tails.rs.lines + tails.nc.lines !== TOTAL) p(`store holds ${tails.rs.lines + tails.nc.lines} lines, want ${TOTAL}`);
    for (const other of storedApps(storeDir)) if (other !== 'rs' && other !== 'nc' && !other.startsWith('.')) p(`records stored under "${other}"`);

    // (5) the output's totals (cursor.log, /metrics, final stats) agree with what the fake saw
    const cursor = await readCursorLog(cursorPath);
    const deliveredArrivals = arrivals - badArrivals; // 201s and 409s: what "shipped" counts
    if (cursor.totals.deadLettered !== BAD_COUNT) p(`cursor totals.deadLettered ${cursor.totals.deadLettered}, want ${BAD_COUNT}`);
    if (cursor.totals.shipped !== deliveredArrivals) p(`cursor totals.shipped ${cursor.totals.shipped}, the fake answered ${deliveredArrivals} items 201/409`);
    if (cursor.totals.lost !== 0) p(`cursor totals.lost ${cursor.totals.lost}`);
    if (!(cursor.totals.retried > 0)) p('cursor totals.retried is 0 after a 60 s outage');
    const mShipped = metricValue(scrape, 'syslog_receiver_output_shipped_records_total{output="es"}');
    const mDead = metricValue(scrape, 'syslog_receiver_output_dead_letter_records_total{output="es"}');
    if (mShipped !== cursor.totals.shipped) p(`/metrics output_shipped_records_total ${mShipped}, cursor ${cursor.totals.shipped}`);
    if (mDead !== BAD_COUNT) p(`/metrics output_dead_letter_records_total ${mDead}, want ${BAD_COUNT}`);
    for (const [key, bytes] of dayFileSizes(storeDir, ['rs', 'nc'])) {
      if (cursor.files.get(key) !== bytes) p(`cursor offset of ${key} is ${cursor.files.get(key)}, the day file has ${bytes} bytes (all resolved)`);
    }
    if (final.code !== 0) p(`receiver exited ${final.code} on SIGTERM`);
    if (!drained) p(`not drained within 60 s of the recovery: fake holds ${api.docs.size} of ${want}, ${dead.length} of ${BAD_COUNT} dead letters`);

    const elapsed = Date.now() - t0;
    const summary = `outbox crash: sent ${TOTAL} (rsyslog #1 ${1.5 * PART}, #2 ${0.5 * PART}, nc ${2 * PART}, BAD ${BAD_COUNT}); stored ${tails.rs.lines + tails.nc.lines}; `
      + `fake docs ${api.docs.size} (${ids.size} ids), dead letters ${dead.length}, arrivals ${arrivals} (ids resent ${resentIds}), 503 answers ${outageAnswers.n}; `
      + `docs at kill ${docsAtKill}; totals ${JSON.stringify(cursor.totals)}; rsyslog #1/#2 fwd ${JSON.stringify(rsStats)}; `
      + `outage ${outage.to - outage.from} ms; drain ${Date.now() - outage.to - 1500} ms after recovery; total ${elapsed} ms`;
    t.diagnostic(summary);
    for (const e of events) t.diagnostic(e);
    assert.deepEqual(problems.slice(0, 30), [], `outbox crash: ${problems.length} problem(s)`);
  } catch (err) {
    console.log(`# outbox crash FAILED; events:\n${events.map((e) => `#   ${e}`).join('\n')}`);
    for (const r of [rsyslog, rsyslog2]) if (r) console.log(`# rsyslog pid ${r.child.pid} stats: ${JSON.stringify(r.stats())}\n# its output:\n${r.child.output().slice(-3000)}`);
    for (const r of receivers) {
      const notable = r.logs.filter((l) => Number(l.level) >= 40 || /start|stop|output/i.test(String(l.msg)));
      console.log(`# receiver pid ${r.child.pid} logs (${r.logs.length} lines, warn+ and lifecycle):\n${notable.slice(-30).map((l) => JSON.stringify(l)).join('\n')}`);
    }
    throw err;
  } finally {
    await feeder?.catch(() => undefined);
    await nc2?.catch(() => undefined);
    await rsyslog?.stop();
    await rsyslog2?.stop();
    if (rx) await rx.stop('SIGKILL').catch(() => undefined);
    await api.close();
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(`# kept ${dir}`);
  }
});

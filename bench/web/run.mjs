#!/usr/bin/env node
// bench/web/run.mjs <dir> [REPEATS=5] — the web page issue's speed benchmark, on a store made by build-store.mjs:
// starts the receiver (dist/cli.js start --config <dir>/receiver.yaml, file store, tcp + web listeners) and times the
// API over HTTP with `Authorization: Bearer <readKey>`, client side (request sent → last byte of the answer read):
//   page24h    GET /api/v1/apps/bench/events?from=now-24h&limit=200          first page of a 24 h view   ≤ 200 ms
//   hist7d     GET …/histogram?from=now-7d                                   7-day histogram, no query   ≤ 300 ms
//   hist7d-q   GET …/histogram?from=now-7d&q=timeout                         7-day histogram, a word     ≤ 3 s
//   needle7d   GET …/events?q=needle7q&from=now-7d&limit=200                 a rare word over 7 days     ≤ 2 s
//   tail       GET …/tail (SSE) open; one RFC 3164 line `TOKEN probe-…` sent over TCP → its `data:` arrives   ≤ 1 s
// Each measure gets a FRESH receiver: "cold" is its first request, sent as soon as the web listener answers, while the
// receiver builds the per-minute index of every day file in the background (newest first; the request builds what it
// touches itself if the background has not got there); "built" is the first request after the receiver logs
// `web: search indexes built`; then REPEATS more give median and max (tail: 1 + 10 probes). The OS page cache is NOT
// dropped, so the files are read from memory: the cold figure is the receiver's own cold start, not a cold disk.
// Correctness (exit 1 when one fails; a missed target is only reported): page24h has 200 events, newest first, all
// within 24 h, and a cursor; hist7d's total = the store's events + lines appended since it was built (earlier tail
// probes); hist7d-q's total and bucket sum = bench-store.json timeoutCount; needle7d returns exactly 50 events, all with
// the needle, and no cursor; every tail probe arrives (within 10 s). When the store is older than its 1 h margin
// (a `now-7d` window no longer covers all of it), the timed requests stay as they are and the counts are checked with
// one extra untimed request from the store's first instant instead.
// Needs `npm run build` (dist/). Times depend on what else runs on the machine: the load average is printed.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = process.argv[2] ? resolve(process.argv[2]) : null;
const REPEATS = Number(process.argv[3] ?? 5);
if (DIR === null || !existsSync(join(DIR, 'bench-store.json'))) { console.error('usage: node bench/web/run.mjs <dir made by build-store.mjs> [repeats=5]'); process.exit(2); }
const META = JSON.parse(readFileSync(join(DIR, 'bench-store.json'), 'utf8'));
const DAY_MS = 86_400_000;
const PROBES = 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const portFree = (port) => new Promise((res) => { const s = createServer(); s.once('error', () => res(false)); s.listen(port, '127.0.0.1', () => s.close(() => res(true))); });
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

// ---------------------------------------------------------------------------------------------
// The config: receiver.yaml as built, or a copy with fresh ports when its ports are taken now.
// Always a copy (receiver.run.yaml): logLevel info (run.mjs reads the `web: search indexes built` line), and fresh
// ports when the built ones are taken now.
let { tcpPort, webPort } = META;
let text = readFileSync(join(DIR, 'receiver.yaml'), 'utf8').replace(/^logLevel: .*$/m, 'logLevel: info');
if (!(await portFree(tcpPort)) || !(await portFree(webPort))) {
  [tcpPort, webPort] = [await freePort(), await freePort()];
  text = text
    .replace(/(tcp: \{ address: 127\.0\.0\.1, port: )\d+/, `$1${tcpPort}`)
    .replace(/(web: \{ address: 127\.0\.0\.1, port: )\d+/, `$1${webPort}`);
  console.log(`# the built ports are taken: using tcp ${tcpPort}, web ${webPort}`);
}
const config = join(DIR, 'receiver.run.yaml');
writeFileSync(config, text);
const AUTH = { authorization: `Bearer ${META.readKey}` };
const BASE = `/api/v1/apps/${META.app}`;

/** Lines appended to the store since it was built (tail probes of earlier runs), counted on disk. */
function appendedLines() {
  const dir = join(DIR, 'store', META.app);
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => /^\d{4}-\d{2}-\d{2}\.ndjson$/.test(x))) {
    const fd = openSync(join(dir, f), 'r');
    try {
      const from = META.files[f]?.bytes ?? 0;
      const size = fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(1 << 20);
      for (let pos = from; pos < size;) {
        const k = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
        if (k <= 0) break;
        for (let i = buf.indexOf(10); i !== -1 && i < k; i = buf.indexOf(10, i + 1)) n++;
        pos += k;
      }
    } finally { closeSync(fd); }
  }
  return n;
}

/** How much of the store is in the OS page cache (util-linux `fincore`), e.g. "99 %"; "?" without fincore. */
function cached() {
  const dir = join(DIR, 'store', META.app);
  const files = readdirSync(dir).map((f) => join(dir, f));
  const r = spawnSync('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES,SIZE', ...files], { encoding: 'utf8' });
  if (r.status !== 0) return '?';
  let res = 0, size = 0;
  for (const l of r.stdout.trim().split('\n')) { const [a, b] = l.trim().split(/\s+/).map(Number); res += a; size += b; }
  return size > 0 ? `${Math.floor((res / size) * 100)} %` : '?';
}

// ---------------------------------------------------------------------------------------------
// The receiver

async function startReceiver() {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(process.env.RX_NODE_ARGS ?? '').split(' ').filter(Boolean), join(ROOT, 'dist', 'cli.js'), 'start', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  let onWarm = null;
  const warmed = new Promise((r) => { onWarm = r; });
  child.stderr.on('data', (c) => {
    err += c;
    if (process.env.RX_LOG) process.stderr.write(c);
    const k = err.indexOf('"msg":"web: search indexes built"');
    if (onWarm !== null && k !== -1 && err.indexOf('\n', k) !== -1) {
      const line = err.slice(err.lastIndexOf('\n', k) + 1, err.indexOf('\n', k));
      onWarm({ atMs: performance.now() - t0, ...JSON.parse(line) });
      onWarm = null;
    }
    if (err.length > 1 << 20) err = err.slice(-65536);
  });
  let exited = false;
  child.once('exit', () => { exited = true; });
  // ready = the web listener answers; /session reads no store (a /apps probe would index today's file: not cold)
  for (let i = 0; i < 400; i++) {
    if (exited) throw new Error(`the receiver exited at start: ${err.trim().slice(-2000)}`);
    const r = await get('/api/v1/session', 1000).catch(() => null);
    if (r !== null && r.status === 200) return { child, readyMs: performance.now() - t0, warmed };
    await sleep(25);
  }
  child.kill('SIGTERM');
  throw new Error(`the receiver did not answer on 127.0.0.1:${webPort} within 10 s: ${err.trim().slice(-2000)}`);
}

async function stopReceiver(rx) {
  if (rx.child.exitCode !== null) return;
  const gone = new Promise((r) => rx.child.once('exit', r));
  rx.child.kill('SIGTERM');
  await gone;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GET `path` with the read key; resolves when the whole answer is read. `timeoutMs`: reject when no answer by then. */
function get(path, timeoutMs = 120_000) {
  return new Promise((resolveGet, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port: webPort, path, agent, headers: AUTH }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolveGet({ status: res.statusCode, ms: performance.now() - t0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Checks: each returns null when the answer is right, else what is wrong.

/** Whether a `from=now-7d` window (at `nowMs`) still holds every built record. */
const covered = (nowMs) => nowMs - 7 * DAY_MS < META.firstMs;

function json(r) {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
}

const checks = {
  page24h(r, sentAt) {
    const b = json(r);
    const times = b.events.map((e) => Date.parse(e.receivedAt));
    if (b.events.length !== 200) return `${b.events.length} events, not 200`;
    if (times.some((t) => t < sentAt - DAY_MS)) return 'an event older than 24 h';
    if (b.next === null) return 'no cursor after a full page';
    // newest first (file order backwards; receipt times are out of file order by up to 2 s in the store)
    for (let i = 1; i < times.length; i++) if (times[i] > times[i - 1] + 2000) return `not newest first at ${i}`;
    if (new Set(b.events.map((e) => e._id)).size !== 200) return 'repeated _id';
    return null;
  },
  async hist7d(r, sentAt, extra) {
    let b = json(r);
    if (b.buckets.reduce((s, [, n]) => s + n, 0) !== b.total) return `bucket sum ≠ total ${b.total}`;
    if (!covered(sentAt)) b = json(await get(`${BASE}/histogram?from=${encodeURIComponent(META.first)}`));
    const want = META.events + extra;
    return b.total === want ? null : `total ${b.total}, want ${want} (${META.events} built + ${extra} appended)`;
  },
  async 'hist7d-q'(r, sentAt) {
    let b = json(r);
    if (!covered(sentAt)) b = json(await get(`${BASE}/histogram?q=timeout&from=${encodeURIComponent(META.first)}`));
    const sum = b.buckets.reduce((s, [, n]) => s + n, 0);
    return sum === META.timeoutCount && b.total === META.timeoutCount ? null : `bucket sum ${sum}, total ${b.total}, want ${META.timeoutCount}`;
  },
  async needle7d(r, sentAt) {
    let b = json(r);
    if (!covered(sentAt)) b = json(await get(`${BASE}/events?q=${META.needle}&limit=200&from=${encodeURIComponent(META.first)}`));
    if (b.events.length !== META.needleCount) return `${b.events.length} events, want ${META.needleCount}`;
    if (b.events.some((e) => !String(e.message).includes(META.needle))) return 'an event without the needle';
    if (new Set(b.events.map((e) => e._id)).size !== b.events.length) return 'repeated _id';
    return b.next === null ? null : 'a cursor after the last match';
  },
};

// ---------------------------------------------------------------------------------------------
// Measures

const MEASURES = [
  { name: 'page24h', what: 'events from=now-24h limit=200', target: 200, path: `${BASE}/events?from=now-24h&limit=200` },
  { name: 'hist7d', what: 'histogram from=now-7d', target: 300, path: `${BASE}/histogram?from=now-7d` },
  { name: 'hist7d-q', what: 'histogram from=now-7d q=timeout', target: 3000, path: `${BASE}/histogram?from=now-7d&q=timeout` },
  { name: 'needle7d', what: `events q=${META.needle} from=now-7d limit=200`, target: 2000, path: `${BASE}/events?q=${META.needle}&from=now-7d&limit=200` },
];

const failures = [];
const rows = [];
const extra = appendedLines();

async function httpMeasure(m) {
  const rx = await startReceiver();
  const times = [];
  let warm = null;
  try {
    for (let i = 0; i <= REPEATS + 1; i++) {
      // 0: right at ready, racing the background index build; 1: first request once it is built; then REPEATS more
      if (i === 1) warm = await Promise.race([rx.warmed, sleep(120_000).then(() => null)]);
      if (i === 1 && warm === null) failures.push(`${m.name}: no "web: search indexes built" log line within 120 s`);
      const sentAt = Date.now();
      const r = await get(m.path);
      times.push(r.ms);
      let bad;
      try { bad = await checks[m.name](r, sentAt, extra); } catch (e) { bad = e.message; }
      if (bad !== null) failures.push(`${m.name} run ${i}: ${bad}`);
    }
  } finally { await stopReceiver(rx); }
  return { ...m, readyMs: rx.readyMs, warmMs: warm?.atMs ?? NaN, cold: times[0], first: times[1], warm: times.slice(2) };
}

/** RFC 3164 `Mmm dd hh:mm:ss` of now. */
function bsdTime(d = new Date()) {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n) => String(n).padStart(2, '0');
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

async function tailMeasure() {
  const rx = await startReceiver();
  const run = Date.now().toString(36);
  const times = [];
  let sse = null, sock = null;
  try {
    // the stream
    let text = '';
    let waiter = null;
    sse = await new Promise((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: webPort, path: `${BASE}/tail`, headers: { ...AUTH, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) { fail(new Error(`tail: HTTP ${res.statusCode}`)); return; }
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; if (waiter !== null) waiter(); });
        ok(req);
      });
      req.on('error', fail);
      req.end();
    });
    await sleep(300); // the stream positions itself at the end of the newest day file
    sock = await new Promise((ok, fail) => { const s = connect(tcpPort, '127.0.0.1', () => ok(s)); s.once('error', fail); });
    for (let n = 0; n <= PROBES; n++) {
      const id = `probe-${run}-${n}`;
      const arrived = new Promise((ok) => {
        const timer = setTimeout(() => { waiter = null; ok(false); }, 10_000);
        waiter = () => {
          const k = text.indexOf(id);
          if (k === -1) return;
          // the data line of that event, parsed: its message is the probe
          const start = text.lastIndexOf('data: ', k);
          const end = text.indexOf('\n', k);
          if (end === -1) return;
          clearTimeout(timer);
          waiter = null;
          let good = false;
          try { good = JSON.parse(text.slice(start + 6, end)).message === id; } catch { good = false; }
          text = text.slice(end);
          ok(good ? true : 'bad');
        };
      });
      const t0 = performance.now();
      sock.write(`<13>${bsdTime()} bench-probe probe: ${META.token} ${id}\n`);
      const got = await arrived;
      const ms = performance.now() - t0;
      if (got !== true) failures.push(`tail probe ${n}: ${got === false ? 'not received within 10 s' : 'its data is not the probe record'}`);
      times.push(ms);
      await sleep(100);
    }
  } finally {
    sock?.destroy();
    sse?.destroy();
    await stopReceiver(rx);
  }
  return { name: 'tail', what: 'TCP line → SSE data (1 stream)', target: 1000, readyMs: rx.readyMs, warmMs: NaN, cold: times[0], first: NaN, warm: times.slice(1) };
}

// ---------------------------------------------------------------------------------------------

const la = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`# web API benchmark: store ${DIR}/store (${META.events} events, ${(META.bytes / 1e9).toFixed(2)} GB, ${Object.keys(META.files).length} day files, built ${META.builtAt}), ${REPEATS} warm runs per measure, ${cpus().length} CPUs, load ${la()}, store in page cache ${cached()}`);
if (!covered(Date.now())) console.log('# the store is older than its 1 h margin: counts are checked with an extra request from its first instant');
if (extra > 0) console.log(`# ${extra} lines appended since the build (earlier tail probes)`);
for (const m of MEASURES) rows.push(await httpMeasure(m));
rows.push(await tailMeasure());

const f = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const table = [['measure', 'request', 'target', 'cold', 'built', 'median', 'max', 'pass']];
for (const r of rows) {
  const med = median(r.warm), max = Math.max(...r.warm);
  let pass = med <= r.target ? 'yes' : `NO (median +${f(med - r.target)})`;
  if (med <= r.target && max > r.target) pass += ` (max +${f(max - r.target)})`;
  if (r.first > r.target) pass += ` (built +${f(r.first - r.target)})`;
  if (r.cold > r.target) pass += ` (cold +${f(r.cold - r.target)})`;
  table.push([r.name, r.what, `≤ ${f(r.target)}`, f(r.cold), Number.isNaN(r.first) ? '–' : f(r.first), f(med), f(max), pass]);
}
const w = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const [i, row] of table.entries()) {
  console.log(`| ${row.map((c, j) => c.padEnd(w[j])).join(' | ')} |`);
  if (i === 0) console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
}
console.log(`# receiver ready after ${rows.map((r) => f(r.readyMs)).join(', ')} (per measure); indexes built ${rows.filter((r) => !Number.isNaN(r.warmMs)).map((r) => f(r.warmMs)).join(', ')} after spawn; load ${la()}`);
console.log('# cold: the first request right at ready (racing the background index build); built: the first once the log says the indexes are built');
console.log(`# every time: request sent → whole answer read, on 127.0.0.1; tail: ${PROBES} probes after the cold one, 100 ms apart`);
agent.destroy();
if (failures.length > 0) {
  console.log(`# CORRECTNESS FAILED (${failures.length}):`);
  for (const x of failures) console.log(`#   ${x}`);
  process.exit(1);
}
console.log('# correctness: every check passed (page24h 200 newest events within 24 h; hist7d total = events; hist7d-q = timeoutCount; needle = 50; every probe arrived)');

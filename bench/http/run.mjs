#!/usr/bin/env node
// bench/http/run.mjs [ROUNDS] [N] [MODES] — the HTTP intake issue's benchmark: N events into ONE receiver
// (dist/cli.js, file store, fsync on), per mode, the same events in the same run:
//   bulk  Elasticsearch _bulk over HTTP: 4 keep-alive connections, 1,000 events per request, the next request on
//         a connection once the previous one is answered (answers come after the fdatasync)
//   tcp   the same events as RFC 5424 syslog lines (APP-NAME = token, MSG = the JSON event) over 4 TCP connections
// MODES defaults to "bulk tcp"; every round runs each mode once, with a fresh receiver and store.
// events/s = N / (the last event durable − the first byte sent), durable = syslog_receiver_durable_events_total
// on the admin endpoint (polled every 20 ms) reaching N; CPU µs/event = the receiver's utime + stime
// (/proc/<pid>/stat) over the run / N; peak RSS of the receiver. Prints one row per run and the medians.
// RX_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" adds node flags to the receiver (profiles).
// Needs npm ci (dist/ built). Run it on an idle machine. Scratch: $WORK (/tmp/perf-http).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = Number(process.argv[2] ?? 3);
const N = Number(process.argv[3] ?? 200_000);
const MODES = (process.argv[4] ?? 'bulk tcp').split(/\s+/).filter(Boolean);
const WORK = process.env.WORK ?? '/tmp/perf-http';
const CONNS = 4;
const PER_REQUEST = 1000;
const TOKEN = '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e';
const CLK_TCK = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

/** Event i: a small JSON log event, ~150 bytes, like a web app's. */
const event = (i) => ({ '@timestamp': new Date(Date.UTC(2026, 11, 1, 10, 0, 0, i % 1000)).toISOString(), level: 'info', service: 'checkout', message: `GET /api/cart/${i} 200 ${i % 97} ms`, user: `u${i % 5000}`, bytes: 1000 + (i % 9000) });

/** The bulk bodies: N/PER_REQUEST bodies of PER_REQUEST index actions. */
function bulkBodies() {
  const out = [];
  for (let b = 0; b * PER_REQUEST < N; b++) {
    let s = '';
    for (let i = b * PER_REQUEST; i < Math.min(N, (b + 1) * PER_REQUEST); i++) s += `{"index":{"_index":"${TOKEN}"}}\n${JSON.stringify(event(i))}\n`;
    out.push(Buffer.from(s));
  }
  return out;
}

/** The TCP payloads: one buffer of LF-framed RFC 5424 lines per connection. */
function tcpPayloads() {
  const parts = Array.from({ length: CONNS }, () => []);
  for (let i = 0; i < N; i++) parts[i % CONNS].push(`<14>1 2026-12-01T10:00:00.000Z web-01 ${TOKEN} - - - ${JSON.stringify(event(i))}\n`);
  return parts.map((p) => Buffer.from(p.join('')));
}

function procStat(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const r = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return { cpuS: (Number(r[11]) + Number(r[12])) / CLK_TCK };
}
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function durable(adminPort) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: adminPort, path: '/metrics' }, (res) => {
      let t = '';
      res.on('data', (c) => { t += c; });
      res.on('end', () => { const m = /^syslog_receiver_durable_events_total (\d+)/m.exec(t); resolve(m ? Number(m[1]) : 0); });
    });
    req.on('error', () => resolve(-1));
    req.end();
  });
}

async function startReceiver(dir) {
  const [httpPort, tcpPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const cfg = join(dir, 'c.yaml');
  writeFileSync(cfg, `listen:\n  http: { address: 127.0.0.1, port: ${httpPort} }\n  tcp: { address: 127.0.0.1, port: ${tcpPort} }\n  admin: { address: 127.0.0.1, port: ${adminPort} }\napps:\n  - { name: bench, token: ${TOKEN} }\nstorage: { dir: ${join(dir, 'data')} }\ncertsDir: ${join(dir, 'certs')}\nlogLevel: warn\n`);
  const child = spawn(process.execPath, [...(process.env.RX_NODE_ARGS ?? '').split(' ').filter(Boolean), join(ROOT, 'dist', 'cli.js'), 'start', '--config', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && (await durable(adminPort)) < 0; i++) await sleep(50);
  return { child, httpPort, tcpPort, adminPort };
}

async function sendBulk(port, bodies) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNS });
  let next = 0;
  const post = (body) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/_bulk', agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length } }, (res) => {
      let t = '';
      res.on('data', (c) => { t += c; });
      res.on('end', () => (res.statusCode === 200 && t.includes('"errors":false') ? resolve() : reject(new Error(`bulk answered ${res.statusCode}: ${t.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  await Promise.all(Array.from({ length: CONNS }, async () => { while (next < bodies.length) await post(bodies[next++]); }));
  agent.destroy();
}

function sendTcp(port, payloads) {
  return Promise.all(payloads.map((p) => new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.end(p));
    s.on('error', reject);
    s.on('close', resolve);
  })));
}

async function run(mode, data) {
  const dir = join(WORK, `${mode}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const rx = await startReceiver(dir);
  const pid = rx.child.pid;
  const cpu0 = procStat(pid).cpuS;
  let peak = rssMb(pid);
  const t0 = performance.now();
  const sending = mode === 'bulk' ? sendBulk(rx.httpPort, data) : sendTcp(rx.tcpPort, data);
  const state = { failed: null };
  sending.catch((e) => { state.failed = e; });
  let n = 0;
  for (const until = Date.now() + 600_000; n < N && state.failed === null && Date.now() < until;) {
    await sleep(20);
    n = await durable(rx.adminPort);
    peak = Math.max(peak, rssMb(pid));
  }
  const seconds = (performance.now() - t0) / 1000;
  await sending.catch(() => undefined);
  const cpu = procStat(pid).cpuS - cpu0;
  rx.child.kill('SIGTERM');
  await new Promise((r) => rx.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  if (state.failed !== null || n < N) throw new Error(`${mode}: ${n} of ${N} durable${state.failed ? `: ${state.failed.message}` : ''}`);
  return { mode, eps: N / seconds, cpuUs: (cpu * 1e6) / N, rss: peak };
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

const data = { bulk: MODES.includes('bulk') ? bulkBodies() : null, tcp: MODES.includes('tcp') ? tcpPayloads() : null };
console.log(`# HTTP intake benchmark: ${N} events per run, ${ROUNDS} rounds, modes ${MODES.join(' ')}; bulk ${CONNS} connections x ${PER_REQUEST} events/request; tcp ${CONNS} connections`);
console.log('round\tmode\tevents/s\tCPU µs/event\tpeak RSS MB');
const rows = [];
for (let r = 1; r <= ROUNDS; r++) {
  for (const mode of MODES) {
    const row = await run(mode, data[mode]);
    rows.push(row);
    console.log(`${r}\t${mode}\t${Math.round(row.eps)}\t${row.cpuUs.toFixed(2)}\t${Math.round(row.rss)}`);
  }
}
console.log('# medians');
const base = median(rows.filter((x) => x.mode === 'tcp').map((x) => x.eps));
for (const mode of MODES) {
  const m = rows.filter((x) => x.mode === mode);
  const eps = median(m.map((x) => x.eps));
  console.log(`${mode}\t${Math.round(eps)} events/s\t${median(m.map((x) => x.cpuUs)).toFixed(2)} µs/event\t${Math.round(median(m.map((x) => x.rss)))} MB${base ? `\t${(eps / base).toFixed(2)}x tcp` : ''}`);
}

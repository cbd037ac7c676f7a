#!/usr/bin/env node
// bench/outputs/run.mjs [ROUNDS] [N] [RATE] — the forwarding issue's benchmark: one receiver (dist/cli.js, file store,
// fsync on, one app, TCP) with one `elasticsearch` output to a fake Elasticsearch in THIS process (plain node:http;
// it counts the bulk items, keeps their _ids and answers 201 per item). Two modes per round, fresh store each:
//   live     N events sent over 2 TCP connections, paced at RATE events/s (default 20000), while the output forwards.
//            fwd events/s = N / (first byte sent → shipped_total = N); lag ms = last event sent → shipped_total = N;
//            max lag = the highest syslog_receiver_output_lag_records seen; CPU µs/event = the receiver's
//            utime+stime (/proc/<pid>/stat) over the whole run / N (intake, store and forwarding together).
//   backlog  N events stored while the fake answers every bulk 503, then the fake recovers: the pure drain.
//            fwd events/s = N / (recovery → shipped_total = N); CPU µs/record = the receiver's CPU over the drain / N.
//   intake   the live run without the output (lag ms: last event sent → durable): the baseline that live's CPU
//            is compared with; live − intake is what forwarding costs.
// Each row also shows this process's CPU (the sender and the fake together: they share the 2 cores) and checks that it received N distinct _ids
// (a row with fewer is marked "!"). Admin endpoint polled every 20 ms. Prints one row per run and the medians.
// The receiver logs at error (each 503 retry is a warning). Needs `npm run build` (dist/); run it on an idle machine. Scratch: $WORK (/tmp/perf-outputs).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = Number(process.argv[2] ?? 3);
const N = Number(process.argv[3] ?? 200_000);
const RATE = Number(process.argv[4] ?? 20_000);
const WORK = process.env.WORK ?? '/tmp/perf-outputs';
const CONNS = 2;
const MODES = ['intake', 'live', 'backlog'];
const TOKEN = '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e';
const CLK_TCK = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

/** Event i as an RFC 5424 line with the token as APP-NAME, ~200 bytes. */
const line = (i) => `<14>1 2026-12-01T10:00:00.${String(i % 1000).padStart(3, '0')}Z web-01 ${TOKEN} 4242 req - GET /api/cart/${i} 200 ${i % 97} ms user=u${i % 5000} bytes=${1000 + (i % 9000)} agent="Mozilla/5.0"\n`;

/** The fake Elasticsearch: `POST /_bulk` → 201 per action line; `down` → 503 for everything. */
function startFakeEs() {
  const fake = { ids: new Set(), down: false };
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (fake.down) { res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}'); return; }
      const body = Buffer.concat(chunks).toString('utf8');
      let out = '{"took":1,"errors":false,"items":[';
      let n = 0;
      // an action line, then its document line: {"create":{"_index":"…","_id":"…"}}\n{…}\n
      for (let pos = 0; pos < body.length;) {
        const lf = body.indexOf('\n', pos);
        const end = lf === -1 ? body.length : lf;
        const at = body.indexOf('"_id":"', pos) + 7;
        const id = body.slice(at, body.indexOf('"', at));
        fake.ids.add(id);
        out += `${n++ ? ',' : ''}{"create":{"_id":"${id}","status":201,"result":"created"}}`;
        const doc = body.indexOf('\n', end + 1);
        pos = doc === -1 ? body.length : doc + 1;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(`${out}]}`);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => { fake.port = server.address().port; fake.close = () => new Promise((r) => { server.closeAllConnections(); server.close(r); }); resolve(fake); }));
}

function procStat(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const r = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(r[11]) + Number(r[12])) / CLK_TCK;
}
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** shipped, lag records and durable records from /metrics; null while the endpoint is not up. */
function metrics(adminPort) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: adminPort, path: '/metrics' }, (res) => {
      let t = '';
      res.on('data', (c) => { t += c; });
      res.on('end', () => {
        const num = (re) => { const m = re.exec(t); return m ? Number(m[1]) : 0; };
        resolve({
          shipped: num(/^syslog_receiver_output_shipped_records_total\{output="es"\} (\d+)/m),
          lag: num(/^syslog_receiver_output_lag_records\{output="es"\} (\d+)/m),
          durable: num(/^syslog_receiver_durable_events_total (\d+)/m),
        });
      });
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}

async function startReceiver(dir, esPort, withOutput) {
  const [tcpPort, adminPort] = [await freePort(), await freePort()];
  const cfg = join(dir, 'c.yaml');
  writeFileSync(cfg, `listen:\n  tcp: { address: 127.0.0.1, port: ${tcpPort} }\n  admin: { address: 127.0.0.1, port: ${adminPort} }\napps:\n  - { name: bench, token: ${TOKEN} }\nstorage: { dir: ${join(dir, 'data')} }\ncertsDir: ${join(dir, 'certs')}\nlogLevel: error\n${withOutput ? `outputs:\n  - { name: es, type: elasticsearch, url: 'http://127.0.0.1:${esPort}', batchDelayMs: 200, minBackoffMs: 50, maxBackoffMs: 200 }\n` : ''}`);
  const child = spawn(process.execPath, [...(process.env.RX_NODE_ARGS ?? '').split(' ').filter(Boolean), join(ROOT, 'dist', 'cli.js'), 'start', '--config', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && (await metrics(adminPort)) === null; i++) await sleep(50);
  return { child, tcpPort, adminPort };
}

/** Sends events [0, N) over CONNS connections at `rate` events/s in all (10 ms slices); Infinity = as fast as possible. */
function sendPaced(port, rate) {
  return Promise.all(Array.from({ length: CONNS }, (_, c) => new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', async () => {
      const t0 = performance.now();
      let i = c;
      while (i < N) {
        const due = rate === Infinity ? N : Math.min(N, Math.floor(((performance.now() - t0) / 1000) * rate));
        let chunk = '';
        for (; i < N && i <= due; i += CONNS) chunk += line(i);
        if (chunk && !s.write(chunk)) await new Promise((r) => s.once('drain', r));
        if (i < N) await sleep(10);
      }
      s.end();
    });
    s.on('error', reject);
    s.on('close', resolve);
  })));
}

/** Polls until `pred(metrics)` or 10 min; returns the last metrics. */
async function until(adminPort, pred, onPoll = () => undefined) {
  let m = null;
  for (const end = Date.now() + 600_000; Date.now() < end;) {
    m = await metrics(adminPort);
    if (m !== null) { onPoll(m); if (pred(m)) return m; }
    await sleep(20);
  }
  throw new Error(`timed out: ${JSON.stringify(m)}`);
}

async function run(mode) {
  const dir = join(WORK, `${mode}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const fake = await startFakeEs();
  fake.down = mode === 'backlog';
  const rx = await startReceiver(dir, fake.port, mode !== 'intake');
  const pid = rx.child.pid;
  let peak = rssMb(pid);
  let maxLag = 0;
  const watch = (m) => { peak = Math.max(peak, rssMb(pid)); maxLag = Math.max(maxLag, m.lag); };
  const cpu0 = procStat(pid);
  const fakeCpu0 = process.cpuUsage();
  const t0 = performance.now();
  let row;
  if (mode === 'intake') {
    let sentAt = 0;
    await sendPaced(rx.tcpPort, RATE).then(() => { sentAt = performance.now(); });
    await until(rx.adminPort, (m) => m.durable >= N, watch);
    row = { mode, intake: N / ((sentAt - t0) / 1000), fwd: 0, lagMs: performance.now() - sentAt, cpuUs: ((procStat(pid) - cpu0) * 1e6) / N };
  } else if (mode === 'live') {
    let sentAt = 0;
    await sendPaced(rx.tcpPort, RATE).then(() => { sentAt = performance.now(); });
    const intakeEps = N / ((sentAt - t0) / 1000);
    await until(rx.adminPort, (m) => m.shipped >= N, watch);
    const t1 = performance.now();
    row = { mode, intake: intakeEps, fwd: N / ((t1 - t0) / 1000), lagMs: t1 - sentAt, cpuUs: ((procStat(pid) - cpu0) * 1e6) / N };
  } else {
    await sendPaced(rx.tcpPort, Infinity);
    await until(rx.adminPort, (m) => m.durable >= N, watch);
    const intakeEps = N / ((performance.now() - t0) / 1000);
    await until(rx.adminPort, (m) => m.lag >= N, watch); // the output has counted the whole backlog (refreshed every 2 s)
    const cpu1 = procStat(pid);
    const fakeCpu1 = process.cpuUsage();
    fake.down = false;
    const t1 = performance.now();
    await until(rx.adminPort, (m) => m.shipped >= N, watch);
    const t2 = performance.now();
    row = { mode, intake: intakeEps, fwd: N / ((t2 - t1) / 1000), lagMs: t2 - t1, cpuUs: ((procStat(pid) - cpu1) * 1e6) / N, fakeFrom: fakeCpu1 };
  }
  const fc = process.cpuUsage(row.fakeFrom ?? fakeCpu0);
  row.fakeCpuUs = (fc.user + fc.system) / N;
  row.rss = peak;
  row.maxLag = maxLag;
  row.ids = mode === 'intake' ? N : fake.ids.size;
  rx.child.kill('SIGTERM');
  await new Promise((r) => rx.child.once('exit', r));
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  return row;
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
console.log(`# forwarding benchmark: ${N} events per run, ${ROUNDS} rounds; live intake paced at ${RATE} events/s over ${CONNS} TCP connections; output batchMaxRecords 1000, batchDelayMs 200`);
console.log('round\tmode\tintake ev/s\tfwd ev/s\tlag ms\tmax lag rec\treceiver CPU µs/ev\tbench CPU µs/ev\tpeak RSS MB\t_ids');
const rows = [];
for (let r = 1; r <= ROUNDS; r++) {
  for (const mode of MODES) {
    const x = await run(mode);
    rows.push(x);
    console.log(`${r}\t${mode}\t${Math.round(x.intake)}\t${Math.round(x.fwd)}\t${Math.round(x.lagMs)}\t${x.maxLag}\t${x.cpuUs.toFixed(2)}\t${x.fakeCpuUs.toFixed(2)}\t${Math.round(x.rss)}\t${x.ids}${x.ids === N ? '' : ' !'}`);
  }
}
console.log('# medians');
for (const mode of MODES) {
  const m = rows.filter((x) => x.mode === mode);
  console.log(`${mode}\tintake ${Math.round(median(m.map((x) => x.intake)))} ev/s\tforwarding ${Math.round(median(m.map((x) => x.fwd)))} ev/s\tlag ${Math.round(median(m.map((x) => x.lagMs)))} ms\treceiver ${median(m.map((x) => x.cpuUs)).toFixed(2)} µs/ev\tbench ${median(m.map((x) => x.fakeCpuUs)).toFixed(2)} µs/ev\t${Math.round(median(m.map((x) => x.rss)))} MB`);
}

#!/usr/bin/env node
// bench/web/build-store.mjs <dir> [EVENTS=5000000] [DAYS=7] — the web page issue's benchmark store: ONE app `bench`
// holding EVENTS records whose receipt times (`receivedAt`, the API's time axis) are spread evenly over the last DAYS
// days, ending now, in exactly the receiver's on-disk layout: <dir>/store/bench/<YYYY-MM-DD>.ndjson, one file per UTC
// day of receipt, one JSON line per record, keys in the FileSink writer's order (src/record.ts RECORD_KEYS, CEE keys
// last; the shape of test/web/seed.ts), ~420 bytes a line, ~350 of them the fixed fields (hosts, programs, a severity
// mix, RFC 3164/5424, some structured data and CEE records, nginx/sshd/postgres/kernel/... messages of ~65 bytes).
//   - exactly 50 records contain the word `needle7q` (spread evenly over the whole span);
//   - about 2 % contain the word `timeout` (counted exactly); no other record has `timeout` or `needle7q` anywhere
//     (case-insensitively) in hostname, appName or message, the fields a bare query word searches.
//   - 1 % of the lines are out of file order by up to 2 s (as batches from several connections are), never across a
//     day boundary.
// The span starts MARGIN (1 h) after now − DAYS days, so a `from=now-7d` query still covers every record for the
// hour after the build (bench/web/run.mjs checks this and falls back to an absolute `from` when it is older).
// Also writes <dir>/receiver.yaml (tcp + web listeners on 127.0.0.1 with fixed free ports, app bench with a token
// and a read key, retention off, nothing else) and <dir>/bench-store.json (what run.mjs checks against).
// Deterministic for a given EVENTS/DAYS except for the time it is built (times are relative to now).
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';

const DIR = process.argv[2];
if (!DIR) { console.error('usage: node bench/web/build-store.mjs <dir> [events=5000000] [days=7]'); process.exit(2); }
const N = Number(process.argv[3] ?? 5_000_000);
const DAYS = Number(process.argv[4] ?? 7);
if (!(Number.isInteger(N) && N >= 1000) || !(Number.isInteger(DAYS) && DAYS >= 1 && DAYS <= 30)) { console.error('events must be an integer ≥ 1000, days 1–30'); process.exit(2); }
const APP = 'bench';
const NEEDLE = 'needle7q';
const NEEDLES = 50;
const TIMEOUT_P = 0.02;
const DAY_MS = 86_400_000;
const MARGIN_MS = 3_600_000;
const BLOCK = 8 * 1024 * 1024;

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

/** mulberry32, as test/web/seed.ts. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(13);
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(16)]; return s; };
const ip = () => `10.${int(4)}.${int(256)}.${1 + int(254)}`;
const pubIp = () => `${pick(['203.0.113', '198.51.100', '192.0.2'])}.${1 + int(254)}`;

const HOSTS = [
  ...Array.from({ length: 12 }, (_, i) => `web-${String(i + 1).padStart(2, '0')}`),
  ...Array.from({ length: 6 }, (_, i) => `api-${String(i + 1).padStart(2, '0')}`),
  'db-01', 'db-02', 'db-03.prod.example.com', 'lb-01.edge.example.com', 'lb-02.edge.example.com',
  'cache-01', 'cache-02', 'bastion', 'worker-7f9c2', 'worker-a1b3e',
];
const PATHS = ['/api/v2/orders', '/api/v2/cart/items', '/api/v2/users/me', '/static/js/app.8f3a1c.js', '/health', '/api/v2/search', '/checkout', '/api/v2/payments', '/img/products/thumb'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STATUS = [200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 404, 500, 502];
const USERS = ['deploy', 'root', 'ubuntu', 'ann', 'bob', 'backup', 'git'];
const TABLES = ['orders', 'order_items', 'customers', 'payments', 'sessions', 'inventory'];
const UNITS = ['nginx.service', 'logrotate.service', 'certbot.timer', 'docker.service', 'node-exporter.service', 'apt-daily.service'];

// Programs: [appName, facility, weight, normal message, timeout message]. Normal messages never contain "timeout".
const PROGRAMS = [
  ['nginx', 16, 30,
    () => `${ip()} "${pick(METHODS)} ${pick(PATHS)}/${int(100000)} HTTP/1.1" ${pick(STATUS)} ${int(60000)} rt=0.${String(int(1000)).padStart(3, '0')}`,
    () => `upstream timeout while reading response header from upstream, client: ${ip()}, request: "GET ${pick(PATHS)} HTTP/1.1", upstream: "http://${ip()}:8080"`],
  ['api', 1, 20,
    () => `${pick(METHODS)} ${pick(PATHS)} status=${pick(STATUS)} duration_ms=${int(900)}`,
    () => `request failed: timeout after ${pick([5000, 10000, 30000])} ms calling payments-gateway`],
  ['sshd', 4, 8,
    () => pick([
      () => `Accepted publickey for ${pick(USERS)} from ${ip()} port ${1024 + int(64000)} ssh2`,
      () => `Connection closed by authenticating user ${pick(USERS)} ${pubIp()} port ${1024 + int(64000)} [preauth]`,
      () => `Invalid user ${pick(['admin', 'test', 'oracle', 'pi'])} from ${pubIp()} port ${1024 + int(64000)}`,
      () => `pam_unix(sshd:session): session opened for user ${pick(USERS)}(uid=${1000 + int(20)}) by (uid=0)`,
    ])(),
    () => `Timeout before authentication for ${pubIp()} port ${1024 + int(64000)}`],
  ['postgres', 16, 12,
    () => `LOG:  duration: ${int(900)}.${int(1000)} ms  statement: SELECT * FROM ${pick(TABLES)} WHERE id = $1`,
    () => `ERROR:  canceling statement due to statement timeout`],
  ['kernel', 0, 6,
    () => pick([
      () => `[${int(9e6)}.${String(int(1e6)).padStart(6, '0')}] TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.`,
      () => `[${int(9e6)}.${String(int(1e6)).padStart(6, '0')}] EXT4-fs (vda1): mounted filesystem with ordered data mode`,
      () => `[${int(9e6)}.${String(int(1e6)).padStart(6, '0')}] IPv4: martian source ${ip()} from ${ip()}, on dev eth0`,
    ])(),
    () => `[${int(9e6)}.${String(int(1e6)).padStart(6, '0')}] nvme nvme0: I/O ${int(1000)} QID ${int(8)} timeout, aborting`],
  ['CRON', 9, 5,
    () => `(${pick(USERS)}) CMD (/usr/local/bin/${pick(['backup.sh --incremental', 'rotate-keys', 'sync-assets'])} >/dev/null 2>&1)`,
    () => `(root) MAIL (mailed 1 byte of output; but got status 0x004b, timeout waiting for sendmail)`],
  ['systemd', 3, 7,
    () => pick([
      () => `Started Session ${int(100000)} of user ${pick(USERS)}.`,
      () => `${pick(UNITS)}: Succeeded.`,
      () => `${pick(UNITS)}: Consumed ${int(60)}.${int(1000)}s CPU time.`,
    ])(),
    () => `${pick(UNITS)}: start operation timeout. Terminating.`],
  ['haproxy', 16, 8,
    () => `${ip()}:${1024 + int(64000)} fe_https be_api/api-0${1 + int(6)} 0/0/1/${int(200)}/${int(220)} ${pick(STATUS)} ${int(9000)} "${pick(METHODS)} ${pick(PATHS)}"`,
    () => `${ip()}:${1024 + int(64000)} fe_https be_api/api-0${1 + int(6)} 0/0/1/-1/30002 504 194 sH-- server timeout`],
  ['redis', 16, 4,
    () => pick([() => `${int(9000)}:M * Background saving started by pid ${int(90000)}`, () => `${int(9000)}:M * DB saved on disk`])(),
    () => `${int(9000)}:M * Client id=${int(1e6)} addr=${ip()}:${1024 + int(64000)} closed for timeout`],
];
const WEIGHTED = PROGRAMS.flatMap((p) => Array(p[2]).fill(p));
const SEVERITY = [...Array(70).fill(6), ...Array(10).fill(5), ...Array(10).fill(4), ...Array(6).fill(3), ...Array(3).fill(7), 2];

const q = (s) => (s === null ? 'null' : JSON.stringify(s));

/** One stored line (no LF), the writer's key order. */
function line(tMs, program, msg, timeout) {
  const [appName, facility] = program;
  const received = new Date(tMs).toISOString();
  const eventTime = new Date(tMs - int(2000)).toISOString();
  const severity = timeout ? pick([3, 4]) : pick(SEVERITY);
  const r = rnd();
  // how it came in: RFC 3164 with the token inline / as the tag, RFC 5424 (some with SD), CEE (JSON, extra keys)
  const kind = r < 0.6 ? 'inline' : r < 0.7 ? 'tag' : r < 0.9 ? '5424' : 'cee';
  const format = kind === '5424' ? 'rfc5424' : 'rfc3164';
  const tokenSource = kind === '5424' ? 'inline' : kind;
  const host = rnd() < 0.01 ? null : pick(HOSTS);
  const name = kind === 'tag' ? null : appName;
  const procId = appName === 'kernel' || rnd() < 0.2 ? null : String(100 + int(60000));
  const msgId = kind === '5424' && rnd() < 0.5 ? pick(['ID47', 'REQ', 'AUDIT']) : null;
  const sd = kind === '5424' && rnd() < 0.3 ? `{"meta@32473":{"requestId":"${hex(12)}","region":"${pick(['eu-west-1', 'us-east-1'])}"}}` : 'null';
  const transport = rnd() < 0.8 ? 'tcp' : 'udp';
  let s = `{"@timestamp":"${kind === 'inline' || kind === 'tag' ? eventTime : received}","receivedAt":"${received}","app":"${APP}","facility":${facility},"severity":${severity},"hostname":${q(host)},"appName":${q(name)},"procId":${q(procId)},"msgId":${q(msgId)},"structuredData":${sd},"message":${JSON.stringify(msg)},"source":{"address":"${ip()}","port":${transport === 'udp' ? 514 : 32768 + int(28000)},"transport":"${transport}"},"syslog":{"format":"${format}","tokenSource":"${tokenSource}"}`;
  if (kind === 'cee') s += `,"user":"u${int(5000)}","durationMs":${int(2000)},"route":"${pick(PATHS)}"`;
  return s + '}';
}

const t0 = performance.now();
const nowMs = Date.now();
const lastMs = nowMs - 1000;
const firstMs = nowMs - DAYS * DAY_MS + MARGIN_MS;
const span = lastMs - firstMs;
const dir = resolve(DIR);
const appDir = join(dir, 'store', APP);
rmSync(join(dir, 'store'), { recursive: true, force: true });
mkdirSync(appDir, { recursive: true });

const needleAt = new Set(Array.from({ length: NEEDLES }, (_, k) => Math.floor(((k + 0.5) * N) / NEEDLES)));
const files = {};
// lines go into one big buffer, written when full (no string building: that was half the time in GC)
const block = Buffer.allocUnsafe(BLOCK);
let fd = -1, day = '', dayEnd = 0, dayStart = 0, used = 0, bytes = 0, lines = 0, totalBytes = 0, timeouts = 0, needles = 0;
const flush = () => { for (let o = 0; o < used;) o += writeSync(fd, block, o, used - o); bytes += used; used = 0; };
const closeDay = () => { if (fd === -1) return; flush(); closeSync(fd); files[`${day}.ndjson`] = { bytes, lines }; totalBytes += bytes; };
for (let i = 0; i < N; i++) {
  let t = firstMs + Math.floor((i * span) / (N - 1));
  if (t >= dayEnd) {
    closeDay();
    dayStart = Math.floor(t / DAY_MS) * DAY_MS;
    dayEnd = dayStart + DAY_MS;
    day = new Date(dayStart).toISOString().slice(0, 10);
    fd = openSync(join(appDir, `${day}.ndjson`), 'w', 0o640);
    bytes = 0; lines = 0;
  }
  if (rnd() < 0.01) t = Math.max(dayStart, t - int(2000)); // out of file order, within the day
  const program = pick(WEIGHTED);
  let msg, timeout = false;
  if (needleAt.has(i)) { msg = `${program[3]()} trace=${NEEDLE}`; needles++; }
  else if (rnd() < TIMEOUT_P) { msg = program[4](); timeout = true; timeouts++; }
  else msg = program[3]();
  const text = line(t, program, msg, timeout) + '\n';
  if (used + text.length * 3 > BLOCK) flush();
  used += block.write(text, used);
  lines++;
}
closeDay();

const [tcpPort, webPort] = [await freePort(), await freePort()];
const token = randomUUID();
const readKey = randomUUID();
writeFileSync(join(dir, 'receiver.yaml'), `# bench/web/build-store.mjs: the receiver for bench/web/run.mjs (store ${dir}/store)
listen:
  tcp: { address: 127.0.0.1, port: ${tcpPort} }
  web: { address: 127.0.0.1, port: ${webPort} }
apps:
  - name: ${APP}
    token: ${token}
    readKeys: [${readKey}]
storage:
  dir: store
  retentionDays: 0
certsDir: certs
logLevel: warn
`);
const meta = {
  app: APP, events: N, days: DAYS, bytes: totalBytes,
  builtAt: new Date(nowMs).toISOString(), firstMs, lastMs, first: new Date(firstMs).toISOString(), last: new Date(lastMs).toISOString(),
  needle: NEEDLE, needleCount: needles, timeoutWord: 'timeout', timeoutCount: timeouts,
  token, readKey, tcpPort, webPort, files,
};
writeFileSync(join(dir, 'bench-store.json'), JSON.stringify(meta, null, 2) + '\n');
const secs = (performance.now() - t0) / 1000;
console.log(`${dir}/store/${APP}: ${N} events (${Object.keys(files).length} day files, ${(totalBytes / 1e6).toFixed(0)} MB, ${(totalBytes / N).toFixed(0)} bytes/line) ${meta.first} → ${meta.last}; ${needles} × ${NEEDLE}, ${timeouts} × timeout; ${secs.toFixed(1)} s`);
console.log(`config ${dir}/receiver.yaml (tcp 127.0.0.1:${tcpPort}, web http://127.0.0.1:${webPort}), facts ${dir}/bench-store.json`);

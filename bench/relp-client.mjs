#!/usr/bin/env node
// relp-client.mjs HOST PORT N [WINDOW] [OUT.json] — a minimal RELP client that measures ack latency on the wire.
// Sends `open`, then N `syslog` frames (RFC 3164, 200 bytes, like mkcorpus.mjs 3164) keeping at most WINDOW
// (default 128, librelp's default window) frames sent but not yet answered, then `close`. For every frame it
// times send → its `rsp`: the send time is when the frame was handed to the socket (frames that fit in the
// window go out in one write), the ack time is when the chunk holding its `rsp` was read.
// Prints one line:  sent=N acked=A failed=F secs=S msg_per_s=R p50_ms= p90_ms= p99_ms= p999_ms= max_ms= mean_ms=
// (secs: open answered → last rsp read) and, with OUT.json, writes the same as JSON plus a latency histogram.
// Exit 0 when every frame got `rsp 200`, 1 otherwise; gives up after TIMEOUT_S (env, default 300) or when the
// server sends nothing for STALL_S (env, default 30) seconds while frames are outstanding.
import net from 'node:net';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const [host, portStr, nStr, windowStr = '128', outPath] = process.argv.slice(2);
if (!host || !portStr || !nStr) {
  console.error('usage: relp-client.mjs HOST PORT N [WINDOW] [OUT.json]');
  process.exit(2);
}
const port = Number(portStr), n = Number(nStr), win = Number(windowStr);
const timeoutMs = Number(process.env.TIMEOUT_S ?? 300) * 1000;
const stallMs = Number(process.env.STALL_S ?? 30) * 1000;
if (!(n > 0) || !(win > 0)) { console.error('N and WINDOW must be positive'); process.exit(2); }

const pad = (i, w) => String(i).padStart(w, '0');
function message(i) {
  const head = `<38>Nov 21 18:36:42 localhost prg00000[1234]: seq: ${pad(i, 10)}, thread: 0000, runid: 1795286202, stamp: 2026-11-21T18:36:42 `;
  return head + 'PADD'.repeat(50).slice(0, 199 - head.length);
}

const sentAt = new Float64Array(n + 2);   // by txnr (1 = open, 2..n+1 = syslog frames)
const latency = new Float64Array(n);      // ms, by frame index
let nextTxnr = 2, acked = 0, failed = 0, opened = false, tOpen = 0, tLast = 0, lastRead = performance.now();
let closing = false, done = false;
const failures = [];

const sock = net.connect({ host, port, noDelay: true });
sock.on('error', (err) => finish(`socket error: ${err.message}`));
sock.on('close', () => { if (!done) finish('connection closed by the server'); });
sock.on('connect', () => {
  const offer = 'relp_version=0\nrelp_software=relp-client.mjs,bench\ncommands=syslog';
  sentAt[1] = performance.now();
  sock.write(`1 open ${Buffer.byteLength(offer)} ${offer}\n`);
});

function pump() {
  if (!opened || closing) return;
  const parts = [];
  while (nextTxnr <= n + 1 && nextTxnr - 2 - acked - failed < win) {
    const m = message(nextTxnr - 2);
    parts.push(`${nextTxnr} syslog ${Buffer.byteLength(m)} ${m}\n`);
    nextTxnr++;
  }
  if (parts.length > 0) {
    const t = performance.now();
    for (let k = nextTxnr - parts.length; k < nextTxnr; k++) sentAt[k] = t;
    sock.write(parts.join(''));
  }
}

// response parser: "TXNR SP COMMAND SP DATALEN [SP DATA] LF", across chunk boundaries
let pending = Buffer.alloc(0);
sock.on('data', (chunk) => {
  const now = performance.now();
  lastRead = now;
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let pos = 0;
  for (;;) {
    const s1 = pending.indexOf(32, pos); if (s1 < 0) break;
    const s2 = pending.indexOf(32, s1 + 1); if (s2 < 0) break;
    // DATALEN ends at SP (data follows) or LF (no data)
    let e = s2 + 1;
    while (e < pending.length && pending[e] >= 48 && pending[e] <= 57) e++;
    if (e >= pending.length) break;
    const txnr = Number(pending.toString('latin1', pos, s1));
    const cmd = pending.toString('latin1', s1 + 1, s2);
    const len = Number(pending.toString('latin1', s2 + 1, e));
    let dataStart = e, frameEnd;
    if (len > 0) { dataStart = e + 1; frameEnd = dataStart + len; } else frameEnd = e;
    if (frameEnd >= pending.length) break;               // need the trailer LF too
    if (pending[frameEnd] !== 10) return finish(`malformed response near "${pending.toString('latin1', pos, Math.min(pos + 60, pending.length))}"`);
    const data = pending.toString('utf8', dataStart, frameEnd);
    pos = frameEnd + 1;
    onResponse(txnr, cmd, data, now);
    if (done) return;
  }
  pending = pos >= pending.length ? Buffer.alloc(0) : pending.subarray(pos);
  pump();
});

function onResponse(txnr, cmd, data, now) {
  if (cmd === 'serverclose') return finish('server sent serverclose');
  if (cmd !== 'rsp') return finish(`unexpected command "${cmd}" from the server`);
  if (txnr === 1) {
    if (!data.startsWith('200')) return finish(`open refused: ${data}`);
    opened = true; tOpen = now; return;
  }
  if (closing && txnr === n + 2) { tLast = tLast || now; return finish(null); }
  if (txnr < 2 || txnr > n + 1) return finish(`rsp for unknown txnr ${txnr}`);
  latency[txnr - 2] = now - sentAt[txnr];
  if (data.startsWith('200')) acked++;
  else { failed++; if (failures.length < 5) failures.push(`${txnr}: ${data}`); }
  if (acked + failed === n) {
    tLast = now;
    closing = true;
    sock.write(`${n + 2} close 0\n`);
  }
}

const watchdog = setInterval(() => {
  const now = performance.now();
  if (now - lastRead > stallMs) finish(`no response for ${stallMs / 1000} s`);
  else if (now > timeoutMs) finish(`timeout after ${timeoutMs / 1000} s`);
}, 250);

function pct(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function finish(error) {
  if (done) return;
  done = true;
  clearInterval(watchdog);
  sock.destroy();
  const got = acked + failed;
  const lat = latency.subarray(0, got).slice().sort();
  let sum = 0; for (const v of lat) sum += v;
  const secs = got > 0 && tLast > tOpen ? (tLast - tOpen) / 1000 : 0;
  const r = {
    sent: nextTxnr - 2, acked, failed, secs: +secs.toFixed(3), msg_per_s: secs > 0 ? Math.round(got / secs) : 0,
    p50_ms: +pct(lat, 50).toFixed(2), p90_ms: +pct(lat, 90).toFixed(2), p99_ms: +pct(lat, 99).toFixed(2),
    p999_ms: +pct(lat, 99.9).toFixed(2), max_ms: +(lat.length ? lat[lat.length - 1] : 0).toFixed(2),
    mean_ms: +(got ? sum / got : 0).toFixed(2), window: win,
  };
  console.log(Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' ') + (error ? ` error="${error}"` : ''));
  if (failures.length) console.error(`non-200 responses, first ones: ${failures.join(' | ')}`);
  if (outPath) {
    // histogram: log2 buckets of ms (≤0.125, ≤0.25, … ≤ 2^k)
    const hist = {};
    for (const v of lat) { let b = 0.125; while (v > b) b *= 2; hist[b] = (hist[b] ?? 0) + 1; }
    fs.writeFileSync(outPath, JSON.stringify({ ...r, error, failures, histogram_ms_le: hist }, null, 1));
  }
  process.exit(error === null && failed === 0 && acked === n ? 0 : 1);
}

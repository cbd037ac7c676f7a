#!/usr/bin/env node
// bench/jetstream-e2e.mjs [N] — a first end-to-end figure for storage.type: jetstream (not the
// scale-out issue's full benchmark yet): starts a local nats-server (JetStream, R1) and the
// receiver (dist/cli.js) with the JetStream sink, sends N (default 300,000) 200-byte RFC 3164
// lines over one TCP connection and waits until the stream holds them all.
// Prints msg/s (first send → last message in the stream) and the CPU seconds of the receiver and
// of nats-server. Needs `npm run build` and nats-server on PATH. Scratch dir: /tmp/srx-js-bench.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const N = Number(process.argv[2] ?? 300_000);
const DIR = '/tmp/srx-js-bench';
const NATS_PORT = 14_222;
const TCP_PORT = 25_600;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** user + system CPU seconds of a process (/proc/PID/stat, clock ticks of 1/100 s). */
const cpuS = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };

rmSync(DIR, { recursive: true, force: true });
mkdirSync(`${DIR}/data`, { recursive: true });
writeFileSync(`${DIR}/r.yaml`, `listen:\n  tcp: { address: 127.0.0.1, port: ${TCP_PORT} }\napps:\n  - { name: bench, allowedSources: [127.0.0.0/8] }\nstorage: { dir: ${DIR}/data, type: jetstream, jetstream: { servers: [nats://127.0.0.1:${NATS_PORT}] } }\n`);
const nats = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(NATS_PORT), '-sd', `${DIR}/js`], { stdio: 'ignore' });
await sleep(1000);
const rx = spawn(process.execPath, [new URL('../dist/cli.js', import.meta.url).pathname, 'start', '--config', `${DIR}/r.yaml`], { stdio: 'ignore' });
await sleep(2000);
try {
  const lines = Array.from({ length: 1000 }, (_, i) => `<13>Jun 12 09:15:02 web-01 app[123]: bench message number ${i} `.padEnd(199, 'x') + '\n');
  const chunk = Buffer.from(lines.join(''));
  const nc = await connect({ servers: `nats://127.0.0.1:${NATS_PORT}` });
  const jsm = await jetstreamManager(nc);
  const cpu0 = [cpuS(rx.pid), cpuS(nats.pid)];
  const t0 = Date.now();
  const s = tcp(TCP_PORT, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  for (let k = 0; k < N / 1000; k++) if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  s.end();
  let n = 0;
  while (n < N && Date.now() - t0 < 120_000) {
    n = (await jsm.streams.info('SYSLOG')).state.messages;
    if (n < N) await sleep(50);
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`jetstream R1, TCP 3164, 1 connection: ${n}/${N} in ${secs.toFixed(2)} s = ${Math.round(n / secs)} msg/s; CPU s: receiver ${(cpuS(rx.pid) - cpu0[0]).toFixed(2)}, nats-server ${(cpuS(nats.pid) - cpu0[1]).toFixed(2)}`);
  await nc.close();
} finally {
  rx.kill('SIGTERM');
  await sleep(500);
  nats.kill('SIGTERM');
}

#!/usr/bin/env node
// bench/jetstream/waitlines.mjs TARGET N [IDLE_MS] [TIMEOUT_S] [SENDER_PID] — ../shared/bench/waitlines.mjs
// for a JetStream stream: TARGET `nats://HOST:PORT/STREAM` is polled (stream info, every 20 ms) until the
// stream holds N messages, or nothing arrived for IDLE_MS after the sender exited, or TIMEOUT_S.
// Prints "MESSAGES END_MS" like the original (END_MS = epoch ms of the poll that saw the last growth).
// Any other TARGET (a file) is handed to the shared script unchanged.
import { spawnSync } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const [target, nStr, idleStr = '3000', timeoutStr = '600', senderPid] = process.argv.slice(2);
if (!target.startsWith('nats://')) {
  const r = spawnSync(process.execPath, [`${process.env.SHARED_BENCH}/waitlines.mjs`, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const url = new URL(target);
const stream = url.pathname.slice(1);
const n = Number(nStr), idleMs = Number(idleStr), deadline = Date.now() + Number(timeoutStr) * 1000;
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const nc = await connect({ servers: `nats://${url.host}` });
const jsm = await jetstreamManager(nc);
let count = 0, lastGrowth = 0, senderGone = 0;
for (;;) {
  const now = Date.now();
  const m = await jsm.streams.info(stream).then((i) => i.state.messages, () => count);
  if (m > count) { count = m; lastGrowth = now; }
  if (senderPid && !senderGone && !alive(Number(senderPid))) senderGone = now;
  const since = Math.max(lastGrowth, senderGone);
  if (count >= n || (since > 0 && now - since > idleMs) || now > deadline) break;
  await new Promise((r) => setTimeout(r, 20));
}
console.log(`${count} ${lastGrowth}`);
await nc.close();

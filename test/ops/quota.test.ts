/**
 * Per-app quotas: over maxEventsPerSecond / maxBytesPerDay, TCP and UDP records are dropped and
 * counted, RELP waits (acks are delayed, nothing lost); and one tenant at its cap does not slow
 * another tenant's throughput by more than 10 % (two senders, same offered load, same run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { readStore, startTestReceiver } from '../helpers/receiver.js';
import { spawnReceiver } from '../helpers/process.js';
import { sendTcp, sendUdp } from '../helpers/net.js';
import { RelpTestClient } from '../helpers/relp-client.js';
import { lf, rfc3164 } from '../helpers/frames.js';
import { sleep, waitFor } from '../helpers/wait.js';

const CAPPED = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const FREE = 'c0ffee00-1111-4222-8333-444455556666';
const line = (token: string, i: number): string => lf(rfc3164('h', token, `seq ${i} ${'x'.repeat(100)}`));

test('maxEventsPerSecond: TCP/UDP over the limit dropped and counted; RELP waits and loses nothing', async () => {
  const rx = await startTestReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, udp: { address: '127.0.0.1', port: 0 }, relp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'capped', token: CAPPED, maxEventsPerSecond: 100, burstEvents: 50 }],
  });
  try {
    await sendTcp(rx.tcpPort, Array.from({ length: 400 }, (_, i) => line(CAPPED, i)));
    await sendUdp(rx.udpPort, Array.from({ length: 50 }, (_, i) => line(CAPPED, 1000 + i)));
    type Stats = { rejected: { rate_limited: number }; receivedEvents: { udp: number } };
    await waitFor(() => (rx.receiver.stats() as Stats).receivedEvents.udp >= 50, { timeoutMs: 2000, intervalMs: 20, onTimeout: 'return' });
    const stored = (await rx.records('capped')).length;
    const st = rx.receiver.stats() as Stats;
    assert.ok(stored >= 50 && stored < 200, `about the burst is stored at once (${stored})`);
    assert.equal(stored + st.rejected.rate_limited, 450, `every frame is stored or counted as rate_limited: ${stored} + ${JSON.stringify(rx.receiver.stats())}`);

    // RELP: 150 frames at 100/s → takes ≥ ~1 s, all acked and stored
    await sleep(1000); // let the bucket refill
    const before = (await rx.records('capped')).length;
    const c = await RelpTestClient.connect(rx.receiver.addresses.relp!.port);
    c.open();
    const t0 = Date.now();
    for (let i = 0; i < 150; i++) c.send('syslog', line(CAPPED, 5000 + i).trimEnd());
    await c.until(() => c.responses.length === 151, 20_000);
    const took = Date.now() - t0;
    assert.ok(c.responses.slice(1).every((r) => r.data === '200 OK'));
    assert.ok(took >= 900, `RELP was slowed to the rate (${took} ms for 150 frames at 100/s, burst 50)`);
    assert.equal((await rx.records('capped')).length - before, 150, 'nothing lost over RELP');
    assert.equal((rx.receiver.stats() as { rejected: { rate_limited: number } }).rejected.rate_limited, st.rejected.rate_limited, 'no RELP frame counted as dropped');
  } finally {
    await rx.stop();
  }
});

test('maxBytesPerDay: the daily volume cap drops what exceeds it', async () => {
  const rx = await startTestReceiver({ apps: [{ name: 'capped', token: CAPPED, maxBytesPerDay: 10_000 }] });
  try {
    await sendTcp(rx.tcpPort, Array.from({ length: 200 }, (_, i) => line(CAPPED, i)));
    const stored = await rx.records('capped');
    const frameBytes = (i: number): number => line(CAPPED, i).length - 1; // the LF is framing
    let bytes = 0;
    for (let i = 0; i < stored.length; i++) bytes += frameBytes(i);
    assert.ok(bytes <= 10_000 && bytes + frameBytes(stored.length) > 10_000, `stored ${stored.length} records, ${bytes} bytes: as many as fit in 10 kB`);
    assert.equal((rx.receiver.stats() as { rejected: { over_daily_volume: number } }).rejected.over_daily_volume, 200 - stored.length);
  } finally {
    await rx.stop();
  }
});

/** Sends `n` lines at `perSec` (in 10 ms steps); resolves when all are written. */
function paced(sock: Socket, token: string, n: number, perSec: number): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const step = Math.max(1, Math.round(perSec / 100));
    const t = setInterval(() => {
      for (let k = 0; k < step && i < n; k++) sock.write(line(token, i++));
      if (i >= n) { clearInterval(t); resolve(); }
    }, 10);
  });
}

/**
 * The free tenant's throughput (records/s by receive time) while it sends 15,000 lines at
 * 10,000/s, alone or next to a capped tenant sending the same — the receiver runs as its own
 * process, so the senders' pacing does not share its event loop.
 */
async function measureFree(withCappedFlood: boolean): Promise<number> {
  const rx = await spawnReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'capped', token: CAPPED, maxEventsPerSecond: 50 }, { name: 'free', token: FREE }],
    storage: { flushIntervalMs: 5 },
  });
  const open = (): Promise<Socket> => new Promise((r) => { const s = connect({ port: rx.ports.tcp, host: '127.0.0.1' }, () => r(s)); });
  const free = await open();
  const capped = withCappedFlood ? await open() : null;
  const sending = [paced(free, FREE, 15000, 10000)];
  if (capped) sending.push(paced(capped, CAPPED, 15000, 10000));
  await Promise.all(sending);
  free.end();
  capped?.end();
  const dir = join(rx.dir, 'data');
  await waitFor(() => readStore(dir, 'free').length >= 15000, { timeoutMs: 10_000, intervalMs: 50, onTimeout: 'return' });
  const { stats } = await rx.stop();
  const recs = readStore(join(rx.dir, 'data'), 'free');
  assert.equal(recs.length, 15000);
  if (capped) assert.ok(stats!.rejected.rate_limited > 14000, `the capped tenant was held to its cap (${stats!.rejected.rate_limited} dropped)`);
  const secs = (Date.parse(recs.at(-1)!.receivedAt) - Date.parse(recs[0].receivedAt)) / 1000;
  return recs.length / secs;
}

test("a tenant at its cap does not slow another tenant's throughput by more than 10 %", async () => {
  // alternate three rounds and compare medians: this 2-core machine is noisy
  const alone: number[] = [];
  const shared: number[] = [];
  for (let i = 0; i < 3; i++) {
    alone.push(await measureFree(false));
    shared.push(await measureFree(true));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1];
  const ratio = median(shared) / median(alone);
  console.log(`# free tenant msg/s: alone ${alone.map(Math.round).join('/')}, next to a capped tenant flooding at the same rate ${shared.map(Math.round).join('/')}; median ratio ${ratio.toFixed(3)}`);
  assert.ok(ratio >= 0.9, `median ratio ${ratio.toFixed(3)} ≥ 0.9`);
});

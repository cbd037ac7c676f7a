/**
 * Bad input against the real CLI process: random bytes, a 10 MB line without LF, half-open
 * connections, 2,000 concurrent connections. The process stays up, its memory stays
 * bounded, another tenant's data is unaffected, and the rejections are counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { spawnReceiver } from '../helpers/process.js';
import { readStore, startTestReceiver } from '../helpers/receiver.js';
import { sendTcp, sendUdp } from '../helpers/net.js';
import { lf, rfc3164 } from '../helpers/frames.js';
import { sleep, waitFor } from '../helpers/wait.js';

const GOOD = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const NOISY = 'c0ffee00-1111-4222-8333-444455556666';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.on('error', reject);
  });
}

test('abuse: random bytes, 10 MB line, 2,000 half-open connections; good tenant unaffected', async () => {
  const rx = await spawnReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, udp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'good', token: GOOD }, { name: 'noisy', token: NOISY }],
    limits: { maxConnections: 5000, idleTimeoutMs: 600000 },
  });
  const tcp = rx.ports.tcp;
  const held: Socket[] = [];
  let peakKb = rx.rssKb();
  const sample = setInterval(() => { try { peakKb = Math.max(peakKb, rx.rssKb()); } catch { /* exited */ } }, 25);
  try {
    // 2,000 concurrent connections, each left half-open with a partial line
    for (let i = 0; i < 2000; i++) {
      const s = await open(tcp);
      s.on('error', () => undefined);
      s.write(`partial line ${i} with no end`);
      held.push(s);
    }
    // random bytes over TCP and UDP, plus a noisy tenant's 10 MB line without LF
    const junk = Array.from({ length: 50 }, () => randomBytes(64 * 1024));
    await Promise.all(junk.map((j) => sendTcp(tcp, j).catch(() => undefined)));
    await sendUdp(rx.ports.udp, Array.from({ length: 200 }, () => randomBytes(1 + Math.floor(Math.random() * 1400))));
    const big = Buffer.alloc(10 * 1024 * 1024, 0x41);
    big.write(`${NOISY} `, 0);
    await sendTcp(tcp, [big, '\n']);
    // the good tenant, meanwhile and after
    const lines = Array.from({ length: 100 }, (_, i) => lf(rfc3164('host', GOOD, `good ${i}`)));
    await sendTcp(tcp, lines);
    await sendUdp(rx.ports.udp, [lf(rfc3164('host', GOOD, 'good udp'))]);
    const dataDir = join(rx.dir, 'data');
    await waitFor(() => readStore(dataDir, 'good').length >= 101 && readStore(dataDir, 'noisy').length >= 1, { timeoutMs: 15_000, intervalMs: 50, what: 'the good lines' });
    assert.equal(rx.child.exitCode, null, 'the receiver is still up');
  } finally {
    clearInterval(sample);
    for (const s of held) s.destroy();
  }
  const { code, stats } = await rx.stop();
  assert.equal(code, 0, 'clean exit on SIGTERM');
  const good = readStore(join(rx.dir, 'data'), 'good');
  assert.equal(good.length, 101);
  assert.deepEqual(good.slice(0, 100).map((r) => r.message), Array.from({ length: 100 }, (_, i) => `good ${i}`));
  const noisy = readStore(join(rx.dir, 'data'), 'noisy');
  assert.equal(noisy.length, 1);
  assert.equal(noisy[0].syslog.truncated, true);
  assert.equal(noisy[0].message!.length, 65536 - 37, 'cut to maxMessageBytes, token removed');
  assert.ok(stats, 'final stats logged');
  assert.ok(stats.rejected.unauthorized >= 200, `random input rejected and counted: ${JSON.stringify(stats.rejected)}`);
  assert.ok(stats.truncated >= 1);
  console.log(`# peak RSS ${Math.round(peakKb / 1024)} MB; rejected ${JSON.stringify(stats.rejected)}; truncated ${stats.truncated}`);
  assert.ok(peakKb < 400 * 1024, `peak RSS ${peakKb} kB stays bounded`);
});

test('maxConnections refuses extra connections; idle connections are closed; both counted', async () => {
  const rx = await startTestReceiver({
    apps: [{ name: 'good', token: GOOD }],
    limits: { maxConnections: 5, idleTimeoutMs: 300 },
  });
  const socks: Socket[] = [];
  try {
    const closed: Array<Promise<void>> = [];
    for (let i = 0; i < 8; i++) {
      const s = connect({ port: rx.tcpPort, host: '127.0.0.1' });
      s.on('error', () => undefined);
      closed.push(new Promise<void>((r) => s.once('close', () => r())));
      socks.push(s);
      await sleep(20);
    }
    await Promise.all(closed);
    const open = (): number => (rx.receiver.stats() as { openConnections: { tcp: number } }).openConnections.tcp;
    await waitFor(() => open() === 0, { timeoutMs: 2000, intervalMs: 50, what: 'the server side to close' });
    const st = rx.receiver.stats() as { refusedConnections: { tcp: number }; idleClosed: { tcp: number }; openConnections: { tcp: number } };
    assert.equal(st.refusedConnections.tcp, 3);
    assert.equal(st.idleClosed.tcp, 5);
    assert.equal(st.openConnections.tcp, 0);
  } finally {
    for (const s of socks) s.destroy();
    await rx.stop();
  }
});

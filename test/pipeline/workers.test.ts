/**
 * The parse worker pool (`pipeline.workers`) against real sockets and the real file store: the
 * records of one connection keep their order whichever worker parsed them, many connections and
 * apps interleave without loss, UDP datagrams from many sources get their own `source`, RELP acks
 * stay in txnr order and follow the durable write, and reject/quota counting matches one thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { startTestReceiver } from '../helpers/receiver.js';
import { RelpTestClient } from '../helpers/relp-client.js';
import { waitFor } from '../helpers/wait.js';

const A = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const B = 'c0ffee00-1111-4222-8333-444455556666';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `lines` in chunks of `per` lines, waiting for drain (bounded memory on both sides). */
async function writeLines(s: Socket, lines: string[], per = 500): Promise<void> {
  for (let i = 0; i < lines.length; i += per) {
    if (!s.write(lines.slice(i, i + per).join(''))) await new Promise((r) => s.once('drain', r));
  }
  await new Promise<void>((r) => s.end(() => r()));
}

test('one TCP connection, 100,000 numbered lines, 2 workers: stored in exactly that order', async () => {
  const rx = await startTestReceiver({ pipeline: { workers: 2 }, apps: [{ name: 'a', allowedSources: ['127.0.0.1'] }] });
  try {
    const N = 100_000;
    const lines = Array.from({ length: N }, (_, i) => `<13>Jun 12 09:15:02 web-01 app[7]: seq ${i} ${'x'.repeat(i % 97)}\n`);
    await writeLines(await open(rx.tcpPort), lines);
    const recs = await rx.waitFor('a', N, 60_000);
    assert.equal(recs.length, N);
    for (let i = 0; i < N; i++) {
      if (recs[i].message !== `seq ${i} ${'x'.repeat(i % 97)}`) assert.fail(`record ${i} is ${JSON.stringify(recs[i].message)}`);
    }
    assert.equal(recs[0].hostname, 'web-01');
    assert.equal(recs[0].appName, 'app');
    const stats = rx.receiver.stats() as { receivedEvents: { tcp: number }; durableEvents: number };
    assert.equal(stats.receivedEvents.tcp, N);
    assert.equal(stats.durableEvents, N);
  } finally {
    await rx.stop();
  }
});

test('8 connections, 2 apps by token, unauthorized lines between: each connection in order, rejects counted, no token stored', async () => {
  const rx = await startTestReceiver({ pipeline: { workers: 3 }, apps: [{ name: 'a', token: A }, { name: 'b', token: B }] });
  try {
    const PER = 5000;
    const conns = await Promise.all(Array.from({ length: 8 }, () => open(rx.tcpPort)));
    await Promise.all(conns.map((s, c) => {
      const lines: string[] = [];
      for (let i = 0; i < PER; i++) {
        const token = c % 2 === 0 ? A : B;
        lines.push(i % 10 === 9 ? `<14>host nobody: conn ${c} seq ${i}\n` : `<14>Jun 12 09:15:02 host ${token}: conn ${c} seq ${i}\n`);
      }
      return writeLines(s, lines, 137);
    }));
    const expected = 4 * PER * 0.9;
    const a = await rx.waitFor('a', expected, 30_000);
    const b = await rx.waitFor('b', expected, 30_000);
    assert.equal(a.length, expected);
    assert.equal(b.length, expected);
    for (const [recs, parity] of [[a, 0], [b, 1]] as const) {
      const next = new Map<number, number>();
      for (const r of recs) {
        assert.ok(!JSON.stringify(r).includes(parity === 0 ? A : B), 'the token never reaches the store');
        const m = /^conn (\d+) seq (\d+)$/.exec(r.message!);
        assert.ok(m, r.message!);
        const c = Number(m[1]), i = Number(m[2]);
        assert.equal(c % 2, parity);
        let want = next.get(c) ?? 0;
        if (want % 10 === 9) want++;
        assert.equal(i, want, `connection ${c}: seq ${i} after ${want - 1}`);
        next.set(c, i + 1);
      }
    }
    await waitFor(() => (rx.receiver.stats() as { rejected: { unauthorized: number } }).rejected.unauthorized === 8 * PER / 10, { timeoutMs: 5000, what: 'unauthorized count' });
  } finally {
    await rx.stop();
  }
});

test('UDP through 2 workers: every datagram stored once, with its own source port', async () => {
  const rx = await startTestReceiver({ pipeline: { workers: 2 }, apps: [{ name: 'a', allowedSources: ['127.0.0.0/8'] }] });
  const socks = Array.from({ length: 4 }, () => createSocket('udp4'));
  try {
    await Promise.all(socks.map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
    const sent = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const s = socks[i % 4];
      const msg = `<13>Jun 12 09:15:02 h app: d ${i}`;
      sent.set(`d ${i}`, s.address().port);
      await new Promise<void>((r, j) => s.send(msg, rx.udpPort, '127.0.0.1', (e) => (e ? j(e) : r())));
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5)); // bounded burst: no kernel drops
    }
    const recs = await rx.waitFor('a', 400, 10_000);
    assert.equal(recs.length, 400);
    for (const r of recs) assert.equal(r.source.port, sent.get(r.message!), r.message!);
    assert.equal(new Set(recs.map((r) => r.message)).size, 400);
  } finally {
    for (const s of socks) s.close();
    await rx.stop();
  }
});

test('RELP with 2 workers: 3,000 frames acked in txnr order, each ack after its record is durable', async () => {
  const rx = await startTestReceiver({
    pipeline: { workers: 2 },
    listen: { relp: { address: '127.0.0.1', port: 0 }, tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: A }],
  });
  const c = await RelpTestClient.connect(rx.receiver.addresses.relp!.port);
  try {
    c.open();
    await c.until(() => c.rsp(1) !== undefined);
    const N = 3000;
    // TCP traffic through the workers at the same time must not disturb RELP's order
    const tcp = open(rx.tcpPort).then((s) => writeLines(s, Array.from({ length: 20_000 }, (_, i) => `<13>h ${A}: tcp ${i}\n`)));
    for (let i = 0; i < N; i++) c.send('syslog', `<13>Jun 12 09:15:02 h ${A}: relp ${i}`);
    await c.until(() => c.responses.length >= N + 1, 30_000);
    await tcp;
    const acks = c.responses.slice(1);
    assert.deepEqual(acks.map((r) => r.txnr), Array.from({ length: N }, (_, i) => i + 2), 'acks in txnr order');
    assert.ok(acks.every((r) => r.command === 'rsp' && r.data === '200 OK'));
    const durable = (rx.receiver.stats() as { durableEvents: number }).durableEvents;
    assert.ok(durable >= N, `acked frames are durable (${durable})`);
    const recs = await rx.waitFor('a', N + 20_000, 30_000);
    const relpSeqs = recs.filter((r) => r.message!.startsWith('relp ')).map((r) => Number(r.message!.slice(5)));
    assert.deepEqual(relpSeqs, Array.from({ length: N }, (_, i) => i));
    const tcpSeqs = recs.filter((r) => r.message!.startsWith('tcp ')).map((r) => Number(r.message!.slice(4)));
    assert.deepEqual(tcpSeqs, Array.from({ length: 20_000 }, (_, i) => i));
  } finally {
    c.destroy();
    await rx.stop();
  }
});

test('rate limit with workers: what is over the quota is counted rate_limited, the rest stored', async () => {
  const rx = await startTestReceiver({ pipeline: { workers: 2 }, apps: [{ name: 'a', allowedSources: ['127.0.0.1'], maxEventsPerSecond: 100, burstEvents: 1000 }] });
  try {
    await writeLines(await open(rx.tcpPort), Array.from({ length: 3000 }, (_, i) => `<13>h app: q ${i}\n`));
    await waitFor(() => {
      const s = rx.receiver.stats() as { rejected: { rate_limited: number }; durableEvents: number };
      return s.rejected.rate_limited + s.durableEvents === 3000;
    }, { timeoutMs: 10_000, what: 'every frame stored or rate limited' });
    const recs = await rx.records('a');
    assert.ok(recs.length >= 1000 && recs.length < 1500, `stored ${recs.length}: the burst plus what the rate refilled`);
    const seqs = recs.map((r) => Number(r.message!.slice(2)));
    assert.deepEqual(seqs.slice(0, 1000), Array.from({ length: 1000 }, (_, i) => i), 'the first burst is stored in order');
  } finally {
    await rx.stop();
  }
});

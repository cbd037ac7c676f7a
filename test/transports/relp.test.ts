/** RELP sessions over real sockets: protocol, acks only after durability, errors, flow control, shutdown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readStore, startReceiver } from '../helpers/receiver.js';
import { RelpTestClient } from '../helpers/relp-client.js';
import { withFaults } from '../helpers/fault-sink.js';
import { rfc3164 } from '../helpers/frames.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/wait.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';

async function start(extra: { relp?: Record<string, unknown>; syncDelayMs?: number; before?: (dir: string) => void } = {}) {
  const dir = tmpDir('srx-relp-').path; // removed when the test process exits
  extra.before?.(dir);
  const { rx, config } = await startReceiver({
    listen: { relp: { address: '127.0.0.1', port: 0, ...extra.relp } },
    apps: [{ name: 'a', token: TOKEN }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5 },
    certsDir: join(dir, 'certs'),
  }, { sinks: withFaults({ delayMs: extra.syncDelayMs }) });
  return { rx, dir, port: rx.addresses.relp!.port, store: () => readStore(config.storage.dir, 'a') };
}

const line = (i: number): string => rfc3164('host', TOKEN, `msg ${i}`);

test('open → offers; syslog frames acked in order once stored; close → rsp 0 and the connection ends', async () => {
  const { rx, port, store } = await start();
  try {
    const c = await RelpTestClient.connect(port);
    c.open();
    await c.until(() => c.responses.length === 1);
    const open = c.responses[0];
    assert.equal(open.txnr, 1);
    assert.match(open.data, /^200 OK\nrelp_version=0\nrelp_software=syslog-receiver,[^\n]+\ncommands=syslog$/);
    const txnrs = Array.from({ length: 50 }, (_, i) => c.send('syslog', line(i)));
    const unauthorized = c.send('syslog', rfc3164('host', 'tag', 'no token here'));
    await c.until(() => c.responses.length === 52);
    assert.deepEqual(c.responses.slice(1).map((r) => r.txnr), [...txnrs, unauthorized], 'in txnr order');
    assert.ok(c.responses.slice(1).every((r) => r.command === 'rsp' && r.data === '200 OK'));
    assert.deepEqual(store().map((r) => r.message), Array.from({ length: 50 }, (_, i) => `msg ${i}`));
    assert.ok(store().every((r) => r.source.transport === 'relp'));
    const close = c.send('close');
    await c.until(() => c.closed);
    assert.deepEqual(c.responses.at(-1), { ...c.responses.at(-1)!, txnr: close, command: 'rsp', data: '' });
    const st = rx.stats() as { relpAcked: number; rejected: { unauthorized: number } };
    assert.equal(st.relpAcked, 51);
    assert.equal(st.rejected.unauthorized, 1);
  } finally {
    await rx.stop();
  }
});

test('no rsp 200 leaves before the sync: each ack finds its record on disk, after the (slow) fsync', async () => {
  const delay = 250;
  const { rx, port, dir } = await start({ syncDelayMs: delay });
  try {
    const c = await RelpTestClient.connect(port);
    c.open();
    await c.until(() => c.responses.length === 1);
    const sentAt = new Map<number, number>();
    const seenOnDisk = new Map<number, boolean>();
    c.socket.on('data', () => {
      // at the moment each rsp arrives, its record must already be in the file
      const file = join(dir, 'data', 'a');
      const text = existsSync(file) ? readdirSync(file).map((f) => readFileSync(join(file, f), 'utf8')).join('') : '';
      for (const r of c.responses) if (!seenOnDisk.has(r.txnr) && r.txnr > 1) seenOnDisk.set(r.txnr, text.includes(`"msg ${r.txnr - 2}"`));
    });
    for (let i = 0; i < 20; i++) sentAt.set(c.send('syslog', line(i)), Date.now());
    await c.until(() => c.responses.length === 21);
    for (const r of c.responses.slice(1)) {
      assert.equal(r.data, '200 OK');
      assert.ok(r.atMs - sentAt.get(r.txnr)! >= delay - 5, `txnr ${r.txnr} acked ${r.atMs - sentAt.get(r.txnr)!} ms after sending (sync takes ${delay} ms)`);
    }
    assert.ok([...seenOnDisk.values()].every(Boolean), `every acked record was on disk when its rsp arrived: ${JSON.stringify([...seenOnDisk])}`);
  } finally {
    await rx.stop();
  }
});

test('a failed write is answered rsp 500', async () => {
  // the app's directory is a file: every write of app "a" fails (ENOTDIR / EEXIST)
  const { rx, port } = await start({ before: (dir) => { mkdirSync(join(dir, 'data')); writeFileSync(join(dir, 'data', 'a'), 'not a directory'); } });
  try {
    const c = await RelpTestClient.connect(port);
    c.open();
    const t = c.send('syslog', line(0));
    await c.until(() => c.rsp(t) !== undefined);
    assert.match(c.rsp(t)!.data, /^500 /);
    assert.equal((rx.stats() as { relpFailed: number }).relpFailed, 1);
  } finally {
    await rx.stop();
  }
});

test('onWriteError: close drops the session without answering the failed frame (the client resends it)', async () => {
  const { rx, port } = await start({ relp: { onWriteError: 'close' }, before: (dir) => { mkdirSync(join(dir, 'data')); writeFileSync(join(dir, 'data', 'a'), 'not a directory'); } });
  try {
    const c = await RelpTestClient.connect(port);
    c.open();
    await c.until(() => c.responses.length === 1);
    const t = c.send('syslog', line(0));
    await c.until(() => c.closed);
    assert.equal(c.rsp(t), undefined, 'no answer for the failed frame');
    assert.equal((rx.stats() as { relpFailed: number }).relpFailed, 1);
  } finally {
    await rx.stop();
  }
});

test('protocol violations are answered 500, counted, and close the session', async () => {
  const { rx, port } = await start();
  try {
    const cases: Array<[string, (c: RelpTestClient) => number]> = [
      ['syslog before open', (c) => c.send('syslog', line(0))],
      ['txnr out of sequence', (c) => { c.open(); return c.send('syslog', line(0), 5); }],
      ['client does not offer syslog', (c) => c.open('relp_version=0\ncommands=foo')],
      ['offer without value', (c) => c.open('relp_version')],
      ['malformed frame', (c) => { c.open(); c.socket.write('2 syslog 3 abcX'); return 2; }],
    ];
    for (const [what, act] of cases) {
      const c = await RelpTestClient.connect(port);
      const t = act(c);
      await c.until(() => c.closed);
      const r = c.rsp(t) ?? c.responses.at(-1);
      assert.ok(r && r.data.startsWith('500 '), `${what}: ${JSON.stringify(c.responses)}`);
    }
    assert.equal((rx.stats() as { relpProtocolErrors: number }).relpProtocolErrors, cases.length);
    // an unknown command is answered 500 but the session goes on
    const c = await RelpTestClient.connect(port);
    c.open();
    const u = c.send('foo');
    const s = c.send('syslog', line(1));
    await c.until(() => c.rsp(s) !== undefined);
    assert.match(c.rsp(u)!.data, /^500 /);
    assert.equal(c.rsp(s)!.data, '200 OK');
  } finally {
    await rx.stop();
  }
});

test('flow control: never more than maxUnackedFrames in flight per session', async () => {
  const { rx, port, store } = await start({ relp: { maxUnackedFrames: 5 }, syncDelayMs: 20 });
  try {
    const c = await RelpTestClient.connect(port);
    c.open();
    for (let i = 0; i < 200; i++) c.send('syslog', line(i));
    await c.until(() => c.responses.length === 201, 30_000);
    assert.equal(store().length, 200);
    const batches = (rx.stats() as { storeBatches: number }).storeBatches;
    assert.ok(batches >= 200 / 5, `at most 5 frames per batch: ${batches} batches for 200 frames`);
  } finally {
    await rx.stop();
  }
});

test('graceful shutdown: pending frames are stored and acked, then 0 serverclose 0', async () => {
  const { rx, port, store } = await start({ syncDelayMs: 100 });
  const c = await RelpTestClient.connect(port);
  c.open();
  await c.until(() => c.responses.length === 1);
  for (let i = 0; i < 30; i++) c.send('syslog', line(i));
  await sleep(50);
  assert.equal((rx.stats() as { receivedEvents: { relp: number } }).receivedEvents.relp, 30, 'all read before the shutdown');
  await rx.stop();
  await c.until(() => c.closed);
  const last = c.responses.at(-1)!;
  assert.deepEqual([last.txnr, last.command], [0, 'serverclose']);
  const acked = c.responses.filter((r) => r.command === 'rsp' && r.data === '200 OK').length;
  assert.equal(acked, 30, 'every frame read before the shutdown was stored, then acked');
  assert.equal(store().length, 30);
});

test('RELP over TLS with the generated certificate set', async () => {
  const { rx, port, store } = await start({ relp: { tls: true } });
  try {
    const ca = readFileSync(rx.generatedCerts!.caCert);
    const c = await RelpTestClient.connect(port, { ca, servername: 'localhost' });
    c.open();
    const t = c.send('syslog', line(7));
    await c.until(() => c.rsp(t) !== undefined);
    assert.equal(c.rsp(t)!.data, '200 OK');
    assert.equal(store()[0].message, 'msg 7');
    assert.equal(store()[0].source.transport, 'relp');
  } finally {
    await rx.stop();
  }
});

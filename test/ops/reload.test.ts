/**
 * Live reload against the real CLI process: a token revoked while a client is sending is
 * rejected from the next message on, nothing sent before the reload is lost; a broken config
 * is refused and the old one stays; `syslog-receiver reload` signals the running process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { CLI, spawnReceiver, TSX } from '../helpers/process.js';
import { readStore } from '../helpers/receiver.js';
import { sleep, waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const A = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const B = 'c0ffee00-1111-4222-8333-444455556666';

async function waitLog(logs: Array<Record<string, unknown>>, msg: string, after: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => logs.slice(after).some((l) => l.msg === msg), { timeoutMs, intervalMs: 20, what: `a "${msg}" log line` });
}

for (const workers of [1, 2]) test(`revoking a token while a client sends: later messages rejected, earlier ones all stored (pipeline.workers ${workers})`, async () => {
  const rx = await spawnReceiver({
    pipeline: { workers },
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: A }, { name: 'b', token: B }],
    storage: { flushIntervalMs: 5 },
  });
  const sock = connect({ port: rx.ports.tcp, host: '127.0.0.1' });
  await new Promise((r) => sock.once('connect', r));
  let n = 0;
  let sentBefore = 0;
  const sendBatch = (k: number): void => { for (let i = 0; i < k; i++) sock.write(`h ${A}: seq ${n++}\n`); };
  try {
    sendBatch(500);
    // the client keeps sending while the config is rewritten without app "a" and reloaded
    const cfg = parse(readFileSync(rx.configPath, 'utf8'));
    cfg.apps = cfg.apps.filter((x: { name: string }) => x.name !== 'a');
    cfg.listen.tcp.port = 5999; // a listener change: reported as needing a restart, not applied
    writeFileSync(rx.configPath, stringify(cfg));
    const mark = rx.logs.length;
    const ticker = setInterval(() => sendBatch(20), 5);
    const r = await run(process.execPath, ['--import', TSX, CLI, 'reload', '--config', rx.configPath], { timeout: 20_000 });
    assert.match(r.stdout, /sent SIGHUP to receiver pid \d+/);
    await waitLog(rx.logs, 'config reloaded', mark);
    const restart = rx.logs.slice(mark).find((l) => l.msg === 'config reloaded; these changes need a restart and were not applied');
    assert.deepEqual(restart?.keys, ['listen.tcp'], 'the port change is reported as needing a restart');
    // what the receiver has read by now was read before or during the reload; wait for it to drain
    await sleep(300);
    clearInterval(ticker);
    sentBefore = n;
    sendBatch(300);
    await new Promise<void>((res) => sock.end(() => res()));
    await sleep(300);

    // a broken config is refused; the previous one stays in force
    writeFileSync(rx.configPath, 'apps: [ { name: "x", token: "not-a-uuid" } ]\nlisten: { tcp: { port: 99999 } }\n');
    const mark2 = rx.logs.length;
    rx.child.kill('SIGHUP');
    await waitLog(rx.logs, 'config reload refused; the previous config stays in force', mark2);
    const refused = rx.logs.slice(mark2).find((l) => l.msg === 'config reload refused; the previous config stays in force')!;
    assert.ok((refused.errors as string[]).some((e) => e.startsWith('apps[0].token')), JSON.stringify(refused.errors));
    const s2 = connect({ port: rx.ports.tcp, host: '127.0.0.1' });
    await new Promise((r) => s2.once('connect', r));
    s2.end(`h ${B}: b still works\nh ${A}: a still revoked\n`);
    await new Promise((r) => s2.once('close', r));
  } finally {
    sock.destroy();
  }
  const { code, stats } = await rx.stop();
  assert.equal(code, 0);
  const seqs = readStore(join(rx.dir, 'data'), 'a').map((r) => Number(r.message!.slice(4)));
  // nothing lost before the reload: a gap-free prefix 0..k-1, k ≥ 500 (all sent before the reload began)
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i), 'stored seqs are a gap-free prefix');
  assert.ok(seqs.length >= 500, `everything sent before the reload is stored (${seqs.length})`);
  assert.ok(seqs.length <= sentBefore, `nothing sent after the reload is stored (${seqs.length} > ${sentBefore})`);
  assert.ok(stats!.rejected.unauthorized >= 301, `revoked-token messages rejected: ${stats!.rejected.unauthorized}`);
  assert.deepEqual(readStore(join(rx.dir, 'data'), 'b').map((r) => r.message), ['b still works']);
});

test('reload with no running receiver fails clearly', async () => {
  const rx = await spawnReceiver({ listen: { tcp: { address: '127.0.0.1', port: 0 } }, apps: [{ name: 'a', token: A }] });
  await rx.stop();
  const r = await run(process.execPath, ['--import', TSX, CLI, 'reload', '--config', rx.configPath], { timeout: 20_000 }).then(() => null, (e) => e);
  assert.ok(r, 'exits non-zero');
  assert.match(r.stderr, /no running receiver/);
});

/** The CLI as an operator runs it: first start, check-config, token new, bind errors, SIGTERM flush, the heap re-exec. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { CLI, spawnReceiver, TSX } from '../helpers/process.js';
import { readStore } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/wait.js';

const run = promisify(execFile);

/** Runs the CLI to completion; never throws on a non-zero exit. */
async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', TSX, CLI, ...args], { cwd, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A fresh working directory, removed when the test process exits. */
const tmp = (): string => tmpDir('srx-cli-').path;

test('first start writes a config with app "default" and a fresh token, prints it and a test line', async () => {
  const dir = tmp();
  // the default config binds 514; rewrite it to free ports before starting for real
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'start'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stderr.resume();
  const code = await new Promise<number | null>((r) => {
    const t = setTimeout(() => child.kill('SIGTERM'), 15_000);
    child.on('exit', (c) => { clearTimeout(t); r(c); });
    const poll = setInterval(() => { if (out.includes('nc -N')) { clearInterval(poll); setTimeout(() => child.kill('SIGTERM'), 200); } }, 50);
  });
  const cfgPath = join(dir, 'syslog-receiver.yaml');
  assert.ok(existsSync(cfgPath));
  const cfg = parse(readFileSync(cfgPath, 'utf8'));
  assert.equal(cfg.apps.length, 1);
  assert.equal(cfg.apps[0].name, 'default');
  assert.match(cfg.apps[0].token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(out.includes(cfg.apps[0].token), 'prints the token');
  assert.ok(out.includes(`echo 'my-host ${cfg.apps[0].token}:hello world!' | nc -N 127.0.0.1 514`), out);
  assert.ok(code === 0 || code === 1, `exits cleanly (0) or with a bind error (1) when 514 is taken/forbidden: ${code}`);
  // a second start must not overwrite it
  const again = await cli(['check-config'], dir);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(parse(readFileSync(cfgPath, 'utf8')).apps[0].token, cfg.apps[0].token);
});

test('check-config reports every error with its path and exits 2', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'bad.yaml'), 'listen:\n  tcp: { port: 99999 }\napps:\n  - name: a\n    token: nope\nstorage: { fsync: maybe }\n');
  const r = await cli(['check-config', '--config', 'bad.yaml'], dir);
  assert.equal(r.code, 2);
  for (const p of ['listen.tcp.port', 'apps[0].token', 'storage.fsync']) assert.ok(r.stderr.includes(p), `${p} in: ${r.stderr}`);
  const missing = await cli(['check-config', '--config', 'nope.yaml'], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read config nope\.yaml/);
});

test('token new adds an app with a fresh UUID and keeps the rest of the file', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'c.yaml'), '# my comment\nlisten:\n  tcp: { port: 5514 }\napps:\n  - name: first\n    token: 2bfbea1e-10c3-4419-bdad-7e6435882e1f\n');
  const r = await cli(['token', 'new', 'billing', '--config', 'c.yaml'], dir);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  assert.match(token, /^[0-9a-f-]{36}$/);
  const text = readFileSync(join(dir, 'c.yaml'), 'utf8');
  assert.ok(text.includes('# my comment'));
  assert.deepEqual(parse(text).apps.map((a: { name: string }) => a.name), ['first', 'billing']);
  assert.equal(parse(text).apps[1].token, token);
  const dup = await cli(['token', 'new', 'billing', '--config', 'c.yaml'], dir);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /already exists/);
});

test('EADDRINUSE exits 1 naming the port and the config key to change', async () => {
  const dir = tmp();
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  try {
    writeFileSync(join(dir, 'c.yaml'), `listen:\n  tcp: { address: 127.0.0.1, port: ${port} }\napps:\n  - { name: a, token: 2bfbea1e-10c3-4419-bdad-7e6435882e1f }\nstorage: { dir: data }\n`);
    const r = await cli(['start', '--config', 'c.yaml'], dir);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`port ${port}`) && r.stderr.includes('listen.tcp.port'), r.stderr);
    assert.match(r.stderr, /SYSLOG_ERR_LISTEN_IN_USE/);
  } finally {
    blocker.close();
  }
});

test('SIGTERM flushes everything received before exit', async () => {
  const rx = await spawnReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: '2bfbea1e-10c3-4419-bdad-7e6435882e1f' }],
    storage: { flushIntervalMs: 60000 },
  });
  const lines = Array.from({ length: 500 }, (_, i) => `my-host 2bfbea1e-10c3-4419-bdad-7e6435882e1f:line ${i}\n`);
  await sendTcp(rx.ports.tcp, lines);
  await sleep(300);
  assert.equal(readStore(join(rx.dir, 'data'), 'a').length, 0, 'nothing written yet (60 s flush interval)');
  const { code } = await rx.stop('SIGTERM');
  assert.equal(code, 0);
  const recs = readStore(join(rx.dir, 'data'), 'a');
  assert.deepEqual(recs.map((r) => r.message), lines.map((_, i) => `line ${i}`));
});

test('start re-executes node in place with --max-semi-space-size (same PID), unless the flag is given', { skip: process.platform !== 'linux' ? 'reads /proc' : false }, async () => {
  const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const rx = await spawnReceiver({ listen: { tcp: { address: '127.0.0.1', port: 0 } }, apps: [{ name: 'a', allowedSources: ['127.0.0.0/8'] }] });
  try {
    const args = cmdline(rx.child.pid!);
    assert.ok(args.some((a) => /^--max-semi-space-size=\d+$/.test(a)), args.join(' ')); // src/heap.ts (not imported here: it would re-exec the test)
    assert.ok(args.includes('--import') && args.includes(CLI) && args.at(-1) === rx.configPath, 'every original argument kept');
    await sendTcp(rx.ports.tcp, ['<13>Jun 12 09:15:02 h app: after the re-exec\n']);
  } finally {
    const { code, stats } = await rx.stop();
    assert.equal(code, 0, 'SIGTERM reaches the re-executed process');
    assert.equal(stats?.durableEvents, 1, 'its stderr is the pipe the log lines come through');
  }
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ?? ''} --max-semi-space-size=8`;
  try {
    const rx2 = await spawnReceiver({ listen: { tcp: { address: '127.0.0.1', port: 0 } }, apps: [{ name: 'a', allowedSources: ['127.0.0.0/8'] }] });
    const args = cmdline(rx2.child.pid!);
    await rx2.stop();
    assert.ok(!args.some((a) => a.startsWith('--max-semi-space-size')), `not re-executed: ${args.join(' ')}`);
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  }
});

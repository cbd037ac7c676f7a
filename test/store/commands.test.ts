/** `tail` and `search` as commands: output, exit codes, messages, EPIPE, progress, commander wiring, SIGINT. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerStoreCommands, runSearch, runTail } from '../../src/store/commands.js';
import { ALL, BrokenPipe, L, makeStore, rec, Sink, until } from './helpers.js';

const TSX = import.meta.resolve('tsx');
const STORE_CLI = new URL('./store-cli.ts', import.meta.url).pathname;

async function search(f: { config: string }, extra: Partial<Parameters<typeof runSearch>[0]> = {}, outTTY = false, errTTY = false) {
  const out = new Sink(outTTY);
  const err = new Sink(errTTY);
  const code = await runSearch({ config: f.config, app: 'billing', json: true, out, err, ...extra });
  return { code, out, err };
}

test('tail -n: human lines across days, the torn line never shown; --json prints the stored lines', async () => {
  const f = makeStore();
  const out = new Sink();
  const err = new Sink();
  assert.equal(await runTail({ config: f.config, app: 'billing', lines: 3, follow: false, json: false, out, err }), 0);
  assert.deepEqual(out.lines(), [
    '2026-11-19T12:00:00.000Z 10.0.0.7 - debug   -',
    '2026-11-20T01:00:00.000Z web3 api crit    crit thing',
    '2026-11-20T02:00:00.000Z web1 api info    last complete',
  ]);
  assert.equal(err.text, '');
  const j = new Sink();
  assert.equal(await runTail({ config: f.config, app: 'billing', lines: '100', follow: false, json: true, out: j, err }), 0);
  assert.equal(j.text, ALL.join('\n') + '\n');
  const h = new Sink();
  assert.equal(await runTail({ config: f.config, app: 'billing', lines: 5, follow: false, json: false, out: h, err }), 0);
  assert.equal(h.lines().length, 5, 'the LF inside a message does not split the record');
  assert.ok(h.lines().includes('? ? ? ? this is not json'));
  assert.ok(!h.text.includes('\x1b'), 'no colour on a non-TTY');
  const c = new Sink(true);
  await runTail({ config: f.config, app: 'billing', lines: 2, follow: false, json: false, out: c, err });
  if (!process.env.NO_COLOR) assert.match(c.text, /\x1b\[1;31mcrit\x1b\[0m/, 'colour on a TTY');
});

test('tail: exit 1 naming the paths for an unknown app or a missing config; 2 for a bad --lines; a configured app without records', async () => {
  const f = makeStore();
  const out = new Sink();
  let err = new Sink();
  assert.equal(await runTail({ config: f.config, app: 'nope', lines: 10, follow: false, json: false, out, err }), 1);
  assert.match(err.text, /no such app "nope"/);
  assert.ok(err.text.includes(join(f.store, 'nope')), err.text);
  assert.ok(err.text.includes('billing, quiet'), err.text);

  err = new Sink();
  assert.equal(await runTail({ config: join(f.dir, 'missing.yaml'), app: 'billing', lines: 10, follow: false, json: false, out, err }), 1);
  assert.match(err.text, /missing\.yaml/);

  for (const bad of ['x', '-1', '1.5', '']) {
    err = new Sink();
    assert.equal(await runTail({ config: f.config, app: 'billing', lines: bad, follow: false, json: false, out, err }), 2, bad);
    assert.match(err.text, /invalid --lines/);
  }
  err = new Sink();
  assert.equal(await runTail({ config: f.config, app: '../billing', lines: 1, follow: false, json: false, out, err }), 2);
  assert.match(err.text, /invalid app name/);

  err = new Sink();
  assert.equal(await runTail({ config: f.config, app: 'quiet', lines: 10, follow: false, json: false, out, err }), 0);
  assert.match(err.text, /no records stored yet for app "quiet"/);
  assert.equal(out.text, '');
});

test('tail: an unreadable app directory exits 1 naming it', { skip: process.getuid?.() === 0 ? 'root reads everything' : false }, async () => {
  const f = makeStore();
  const dir = join(f.store, 'billing');
  chmodSync(dir, 0o000);
  try {
    const err = new Sink();
    assert.equal(await runTail({ config: f.config, app: 'billing', lines: 1, follow: false, json: false, out: new Sink(), err }), 1);
    assert.ok(err.text.includes(dir), err.text);
  } finally {
    chmodSync(dir, 0o755);
  }
});

test('tail -f: prints the last lines, then appended ones and a new day; stops cleanly on abort', async () => {
  const f = makeStore();
  const out = new Sink();
  const err = new Sink();
  const ac = new AbortController();
  const p = runTail({ config: f.config, app: 'billing', lines: 2, follow: true, json: true, out, err, signal: ac.signal });
  await until(() => out.lines().length === 2, 5000, 'the last 2 lines');
  assert.deepEqual(out.lines(), [L.c1, L.c2]);
  // the torn line gets completed by the writer, then a new day begins
  appendFileSync(join(f.store, 'billing', '2026-11-20.ndjson'), '"}\n');
  const next = rec({ '@timestamp': '2026-11-21T00:00:01.000Z', message: 'tomorrow' });
  writeFileSync(join(f.store, 'billing', '2026-11-21.ndjson'), next + '\n');
  await until(() => out.lines().length === 4, 5000, 'the appended lines');
  assert.deepEqual(out.lines().slice(2), [L.torn + '"}', next]);
  ac.abort();
  assert.equal(await p, 0);
  assert.equal(err.text, '');
});

test('search: since/until/severity/host/grep filters', async () => {
  const f = makeStore();
  const lines = async (o: Record<string, string>) => {
    const r = await search(f, o);
    assert.equal(r.code, 0, r.err.text);
    return r.out.lines();
  };
  assert.deepEqual(await lines({}), ALL);
  assert.deepEqual(await lines({ since: '2026-11-19', until: '2026-11-20' }), [L.a3, L.b1, L.b2, L.b3]);
  assert.deepEqual(await lines({ since: '2026-11-20T01:30:00Z' }), [L.c2]);
  assert.deepEqual(await lines({ until: '2026-11-18T12:00:00Z' }), [L.a1]);
  assert.deepEqual(await lines({ severity: 'warning' }), [L.a2, L.a3, L.c1]);
  assert.deepEqual(await lines({ severity: '3' }), [L.a2, L.c1]);
  assert.deepEqual(await lines({ host: 'web1' }), [L.a1, L.a3, L.b1, L.c2]);
  assert.deepEqual(await lines({ host: '10.0.0.7' }), [L.b3]);
  assert.deepEqual(await lines({ grep: 'alpha' }), [L.a1, L.a2]);
  assert.deepEqual(await lines({ grep: 'Alpha' }), []);
  assert.deepEqual(await lines({ grep: 'not json' }), [L.b2]);
  assert.deepEqual(await lines({ grep: 'line1\nline2' }), [L.b1]);
  assert.deepEqual(await lines({ grep: 'e', host: 'WEB1', severity: 'notice', since: '2026-11-19' }), [L.a3, L.b1]);
});

test('search: relative --since against the current time', async () => {
  const f = makeStore();
  const dir = join(f.store, 'billing');
  const now = Date.now();
  const day = new Date(now).toISOString().slice(0, 10);
  const recent = rec({ '@timestamp': new Date(now - 10 * 60_000).toISOString(), message: 'ten minutes ago' });
  const older = rec({ '@timestamp': new Date(now - 3 * 3_600_000).toISOString(), message: 'three hours ago' });
  appendFileSync(join(dir, `${day}.ndjson`), older + '\n' + recent + '\n');
  assert.deepEqual((await search(f, { since: '1h' })).out.lines(), [recent]);
  assert.deepEqual((await search(f, { since: '4h', until: '30m' })).out.lines(), [older]);
  assert.deepEqual((await search(f, { since: '90s' })).out.lines(), []);
});

test('search: human output; exit 2 with a clear message for bad values; exit 1 for an unknown app', async () => {
  const f = makeStore();
  const h = await search(f, { json: false, grep: 'line1' });
  assert.deepEqual(h.out.lines(), ['2026-11-19T08:00:00.000Z web1 api notice  line1\\nline2\\x1b[31m red']);

  let r = await search(f, { since: '5x' });
  assert.equal(r.code, 2);
  assert.match(r.err.text, /--since: invalid time "5x": use a duration like 90s, 30m, 1h/);
  assert.equal(r.out.text, '');
  r = await search(f, { until: 'tomorrow' });
  assert.equal(r.code, 2);
  assert.match(r.err.text, /--until: invalid time "tomorrow"/);
  r = await search(f, { severity: 'loud' });
  assert.equal(r.code, 2);
  assert.match(r.err.text, /--severity: invalid severity "loud": use 0-7 or one of emerg/);
  r = await search(f, { since: '2026-11-20', until: '2026-11-19' });
  assert.equal(r.code, 2);
  assert.match(r.err.text, /is not before --until/);
  r = await search(f, { app: 'nope' });
  assert.equal(r.code, 1);
  assert.match(r.err.text, /no such app "nope"/);
  assert.ok(r.err.text.includes(join(f.store, 'nope')));
  r = await search(f, { app: 'quiet' });
  assert.equal(r.code, 0);
  assert.match(r.err.text, /no records stored yet/);
  // a bad config is reported like the other commands do (exit 2)
  const bad = join(f.dir, 'bad.yaml');
  writeFileSync(bad, 'storage: { dir: 5 }\n');
  r = await search({ config: bad });
  assert.equal(r.code, 2);
  assert.match(r.err.text, /bad\.yaml is invalid/);
});

test('search: progress on a TTY stderr over several days, overwritten with \\r and cleared; none otherwise', async () => {
  const f = makeStore();
  const tty = await search(f, {}, false, true);
  assert.equal(tty.code, 0);
  assert.ok(tty.err.text.includes('\rsearching day 1/3: 2026-11-18 …'), JSON.stringify(tty.err.text));
  assert.ok(tty.err.text.includes('\rsearching day 3/3: 2026-11-20 …'));
  assert.ok(tty.err.text.endsWith('\r\x1b[K'), 'the progress line is cleared at the end');
  assert.ok(!tty.err.text.includes('\n'));
  assert.equal((await search(f, {}, false, false)).err.text, '', 'no progress when stderr is not a TTY');
  mkdirSync(join(f.store, 'one'));
  writeFileSync(join(f.store, 'one', '2026-11-20.ndjson'), L.c1 + '\n');
  assert.equal((await search(f, { app: 'one' }, false, true)).err.text, '', 'no progress for a single day file');
  // stdout on the same terminal: the progress line is cleared before results are printed
  const both = await search(f, { grep: 'alpha' }, true, true);
  assert.equal(both.out.lines().length, 2);
});

test('EPIPE on the output: search and tail -f return 0 quietly', async () => {
  const f = makeStore();
  const many = Array.from({ length: 20000 }, (_, i) => rec({ message: `m${i}` })).join('\n') + '\n';
  writeFileSync(join(f.store, 'billing', '2026-11-17.ndjson'), many);
  const err = new Sink();
  const out = new BrokenPipe();
  assert.equal(await runSearch({ config: f.config, app: 'billing', json: true, out, err }), 0);
  assert.equal(err.text, '');
  assert.ok(out.writes <= 2, `stopped writing after the EPIPE (${out.writes} writes)`);

  const out2 = new BrokenPipe();
  const started = Date.now();
  // no signal: only the broken pipe can end the follow
  assert.equal(await runTail({ config: f.config, app: 'billing', lines: 5, follow: true, json: false, out: out2, err }), 0);
  assert.ok(Date.now() - started < 5000);
  assert.equal(err.text, '');
});

test('real pipe: `search | head -c` exits 0 without an error', async () => {
  const f = makeStore();
  writeFileSync(join(f.store, 'billing', '2026-11-17.ndjson'), Array.from({ length: 50000 }, (_, i) => rec({ message: `m${i}` })).join('\n') + '\n');
  const child = spawn(process.execPath, ['--import', TSX, STORE_CLI, 'search', 'billing', '--json', '-c', f.config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy(); // the reader goes away, like `head` exiting
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
});

test('CLI: tail -f stops cleanly with exit 0 on SIGINT; bad --since exits 2', async () => {
  const f = makeStore();
  const child = spawn(process.execPath, ['--import', TSX, STORE_CLI, 'tail', 'billing', '-n', '1', '-f', '-c', f.config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  await until(() => stdout.includes('last complete'), 20_000, 'the tail line');
  appendFileSync(join(f.store, 'billing', '2026-11-20.ndjson'), '"}\n' + rec({ '@timestamp': '2026-11-20T04:00:00.000Z', message: 'live one' }) + '\n');
  await until(() => stdout.includes('live one'), 10_000, 'the followed line');
  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.equal(stdout.trim().split('\n').length, 3);

  const bad = spawn(process.execPath, ['--import', TSX, STORE_CLI, 'search', 'billing', '--since', '5x', '-c', f.config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let badErr = '';
  bad.stderr.setEncoding('utf8').on('data', (d) => { badErr += d; });
  bad.stdout.resume();
  assert.equal(await new Promise<number | null>((resolve) => bad.on('exit', (c) => resolve(c))), 2);
  assert.match(badErr, /invalid time "5x"/);
});

test('registerStoreCommands: options, defaults and descriptions', () => {
  const program = new Command();
  registerStoreCommands(program);
  const tail = program.commands.find((c) => c.name() === 'tail')!;
  const search = program.commands.find((c) => c.name() === 'search')!;
  assert.ok(tail.description().length > 20);
  assert.ok(search.description().length > 20);
  const flags = (c: Command) => c.options.map((o) => o.flags);
  assert.deepEqual(flags(tail), ['-n, --lines <n>', '-f, --follow', '--json', '-c, --config <file>']);
  assert.deepEqual(flags(search), ['--since <time>', '--until <time>', '--severity <level>', '--host <host>', '--grep <text>', '--json', '-c, --config <file>']);
  assert.equal(tail.options.find((o) => o.long === '--lines')!.defaultValue, '10');
  assert.equal(tail.options.find((o) => o.long === '--config')!.defaultValue, 'syslog-receiver.yaml');
  assert.equal(search.registeredArguments[0].name(), 'app');
  assert.ok(search.registeredArguments[0].required);
});

test('CLI: default -n 10 and the config default path relative to the working directory', async () => {
  const f = makeStore();
  mkdirSync(join(f.dir, 'sub'));
  writeFileSync(join(f.dir, 'syslog-receiver.yaml'), (await import('node:fs')).readFileSync(f.config));
  const child = spawn(process.execPath, ['--import', TSX, STORE_CLI, 'tail', 'billing', '--json'], { cwd: f.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.resume();
  assert.equal(await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))), 0);
  assert.deepEqual(stdout.trim().split('\n'), ALL);
});

#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test through tsx (Node 20 has no glob for --test),
// twice (see below).
// Extra arguments are passed to `node --test` (e.g. --test-name-pattern=...); a path
// argument (test/foo or test/foo.test.ts) limits the run to those files.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const walk = (p) => (statSync(p).isDirectory() ? readdirSync(p).sort().flatMap((f) => walk(join(p, f))) : p.endsWith('.test.ts') ? [p] : []);
const files = (paths.length ? paths : ['test']).flatMap(walk);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// a test may take at most 5 min; a file that leaves a handle open must not hang the run
// (--test-force-exit exists from Node 20.14; older 20.x run without it)
const [major, minor] = process.versions.node.split('.').map(Number);
const forceExit = major > 20 || (major === 20 && minor >= 14) ? ['--test-force-exit'] : [];
// The whole suite runs twice: with pipeline.workers at its default (auto) and on one thread
// (TEST_WORKERS=1, read by test/helpers/receiver.ts). A chosen TEST_WORKERS or a subset of files: once.
const passes = paths.length > 0 || process.env.TEST_WORKERS !== undefined ? [null] : ['', '1'];
for (const workers of passes) {
  if (workers !== null) console.log(`\n# test pass: pipeline.workers ${workers === '' ? 'default (auto)' : workers}\n`);
  const env = workers === null ? process.env : { ...process.env, TEST_WORKERS: workers };
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=300000', ...forceExit, ...flags, ...files], { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

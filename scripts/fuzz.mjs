#!/usr/bin/env node
// Long fuzz run: the property tests of test/fuzz/*.test.ts with many cases and a random seed.
//
//   node scripts/fuzz.mjs [--runs N] [--time SECONDS] [--seed S] [--path P] [framer|relp|parse|ingest|known-bugs ...]
//
// --runs N      base cases per property (default 200000; each property scales it by its weight)
// --time S      stop each property after S seconds instead (not a failure), e.g. --time 180
// --seed S      replay a seed (default: random, printed at start); with --path P replay one case
// names         limit the run to those test files (default: all of test/fuzz)
// The bounded run inside `npm test` uses the same files with FUZZ_RUNS small and a fixed seed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const args = process.argv.slice(2);
const opts = { runs: '200000', time: undefined, seed: undefined, path: undefined };
const names = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const m = /^--(runs|time|seed|path)(?:=(.*))?$/.exec(a);
  if (m) {
    const v = m[2] ?? args[++i];
    if (v === undefined) { console.error(`${a} needs a value`); process.exit(2); }
    opts[m[1]] = v;
  } else if (a === '-h' || a === '--help') {
    console.log('usage: node scripts/fuzz.mjs [--runs N] [--time SECONDS] [--seed S] [--path P] [framer|relp|parse|ingest|known-bugs ...]');
    process.exit(0);
  } else names.push(a.replace(/^test\/fuzz\//, '').replace(/\.test\.ts$/, ''));
}

const dir = 'test/fuzz';
const all = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort();
const files = (names.length ? all.filter((f) => names.includes(f.replace(/\.test\.ts$/, ''))) : all).map((f) => join(dir, f));
if (files.length === 0) {
  console.error(`no fuzz test files match ${names.join(', ')} (have: ${all.join(', ')})`);
  process.exit(2);
}

const seed = opts.seed ?? String(randomInt(0, 2 ** 31 - 1));
const env = { ...process.env, FUZZ_RUNS: opts.time !== undefined && opts.runs === '200000' ? '1000000000' : opts.runs, FUZZ_SEED: seed };
if (opts.time !== undefined) env.FUZZ_TIME_MS = String(Math.round(Number(opts.time) * 1000));
if (opts.path !== undefined) env.FUZZ_PATH = opts.path;
console.log(`fuzz: seed ${seed}, ${opts.time !== undefined ? `${opts.time} s per property` : `runs ${opts.runs} per unit weight`}, files ${files.join(' ')}`);
console.log(`replay: FUZZ_SEED=${seed} node --import tsx --test ${files.join(' ')}  (add FUZZ_PATH=... from a failure)`);

const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
process.exit(r.status ?? 1);

/**
 * Micro-benchmark runner (`npm run bench:micro`): times every stage of bench/micro/stages with
 * tinybench and prints, per stage, ns per message (iteration time / messages per iteration),
 * messages per second, ±rme (95% relative margin of error of the mean), p50/p99 ns per message,
 * the number of samples (timed iterations) and the CPU share the process got while timing.
 *
 *   npm run bench:micro                          # every stage (~40 s)
 *   npm run bench:micro -- parse auth/ip         # stages whose name contains one of the words
 *   npm run bench:micro -- --json out.json       # also write the results as JSON
 *   npm run bench:micro -- --compare base.json   # add a column: change against an earlier --json
 *   npm run bench:micro -- --time 500 --list     # per-stage time budget (ms); list stages only
 *
 * Each stage runs in its own Bench, after its own setup and a verification pass (see stage.ts),
 * with a GC in between when node runs with --expose-gc (the npm script passes it). Single
 * threaded, synchronous: nothing else of this process runs while a stage is timed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Bench } from 'tinybench';
import { consumeSink, type Stage } from './stage.js';
import { STAGES } from './stages/index.js';

interface Options {
  filters: string[];
  json: string | null;
  compare: string | null;
  timeMs: number;
  warmupMs: number;
  list: boolean;
}

/** One row of the table and of the JSON file. */
export interface StageResult {
  name: string;
  msgsPerCall: number;
  /** Mean iteration time / msgsPerCall, ns. */
  nsPerMsg: number;
  /** 95% relative margin of error of the mean, %. */
  rmePct: number;
  /** msgsPerCall / mean iteration time. */
  msgsPerSec: number;
  p50NsPerMsg: number;
  p99NsPerMsg: number;
  /** Timed iterations. */
  samples: number;
  /**
   * CPU time this process got during the stage's run (warm-up + timed), % of wall time. Well
   * under 100 means other processes took the core: the figures are inflated.
   */
  cpuPct: number;
}

export interface ResultFile {
  version: 1;
  date: string;
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  loadavg1AtStart: number;
  gitHead: string | null;
  timeMs: number;
  warmupMs: number;
  filters: string[];
  results: StageResult[];
}

const USAGE = `usage: npm run bench:micro -- [FILTER...] [--json FILE] [--compare FILE] [--time MS] [--warmup MS] [--list]
  FILTER        run only stages whose name contains it (case-insensitive; several = any)
  --json FILE   write the results as JSON (for before/after comparisons)
  --compare F   add a column with the change in ns/msg against an earlier --json file
  --time MS     timed budget per stage (default 1500); --warmup MS (default 300)
  --list        print the stages and exit`;

function parseArgs(argv: string[]): Options {
  const o: Options = { filters: [], json: null, compare: null, timeMs: 1500, warmupMs: 300, list: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = value(++i, a);
    else if (a === '--compare') o.compare = value(++i, a);
    else if (a === '--time') o.timeMs = Number(value(++i, a));
    else if (a === '--warmup') o.warmupMs = Number(value(++i, a));
    else if (a === '--list') o.list = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else o.filters.push(a.toLowerCase());
  }
  if (!(o.timeMs > 0) || !(o.warmupMs >= 0)) throw new Error(`--time must be > 0 and --warmup >= 0\n${USAGE}`);
  return o;
}

function gitHead(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

/** Runs one stage: setup, one verified call, then the timed run. */
function runStage(stage: Stage, o: Options): StageResult {
  const run = stage.setup();
  run.beforeEach?.();
  run.fn();
  run.verify?.();
  const bench = new Bench({
    name: stage.name,
    time: o.timeMs,
    warmupTime: o.warmupMs,
    iterations: 32,
    warmupIterations: 8,
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
  bench.add(stage.name, run.fn, run.beforeEach === undefined ? {} : { beforeEach: run.beforeEach });
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const [task] = bench.runSync();
  const cpu = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - wall0) / 1000;
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${stage.name}: ${r.state}${r.state === 'errored' ? `: ${r.error.stack}` : ''}`);
  const perMsg = 1e6 / stage.msgsPerCall; // ms per call → ns per message
  consumeSink();
  return {
    name: stage.name,
    msgsPerCall: stage.msgsPerCall,
    nsPerMsg: r.latency.mean * perMsg,
    rmePct: r.latency.rme,
    msgsPerSec: (stage.msgsPerCall * 1000) / r.latency.mean,
    p50NsPerMsg: r.latency.p50 * perMsg,
    p99NsPerMsg: r.latency.p99 * perMsg,
    samples: r.latency.samplesCount,
    cpuPct: (100 * (cpu.user + cpu.system)) / wallUs,
  };
}

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const msgsS = (n: number): string => (n >= 1e6 ? `${fmt(n / 1e6, 2)} M` : `${fmt(n / 1e3, 0)} k`);

interface Column { title: string; width: number; left?: boolean; cell: (r: StageResult) => string }

function columns(names: string[], base: Map<string, StageResult> | null): Column[] {
  const cols: Column[] = [
    { title: 'stage', width: Math.max(5, ...names.map((n) => n.length)), left: true, cell: (r) => r.name },
    { title: 'ns/msg', width: 9, cell: (r) => fmt(r.nsPerMsg) },
    { title: '±rme', width: 7, cell: (r) => `±${fmt(r.rmePct, 2)}%` },
    { title: 'msgs/s', width: 9, cell: (r) => msgsS(r.msgsPerSec) },
    { title: 'p50 ns', width: 9, cell: (r) => fmt(r.p50NsPerMsg) },
    { title: 'p99 ns', width: 9, cell: (r) => fmt(r.p99NsPerMsg) },
    { title: 'samples', width: 7, cell: (r) => String(r.samples) },
    { title: 'cpu', width: 5, cell: (r) => `${Math.round(r.cpuPct)}%` },
  ];
  if (base !== null) {
    cols.push({
      title: 'vs base', width: 8, cell: (r) => {
        const b = base.get(r.name);
        if (b === undefined) return '-';
        const d = (r.nsPerMsg / b.nsPerMsg - 1) * 100;
        return `${d >= 0 ? '+' : ''}${fmt(d)}%`;
      },
    });
  }
  return cols;
}

const row = (cols: Column[], cells: string[]): string =>
  cells.map((c, i) => (cols[i].left ? c.padEnd(cols[i].width) : c.padStart(cols[i].width))).join('  ');

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const selected = STAGES.filter((s) => o.filters.length === 0 || o.filters.some((f) => s.name.toLowerCase().includes(f)));
  if (o.list) {
    for (const s of STAGES) console.log(`${s.name.padEnd(22)} ${String(s.msgsPerCall).padStart(5)} msgs/call  ${s.describe}`);
    return;
  }
  if (selected.length === 0) throw new Error(`no stage matches ${o.filters.join(' ')} (see --list)`);
  const base = o.compare === null ? null
    : new Map((JSON.parse(readFileSync(o.compare, 'utf8')) as ResultFile).results.map((r) => [r.name, r] as const));
  const gc = (globalThis as { gc?: () => void }).gc;
  const load = os.loadavg()[0];
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const head = gitHead();
  console.log(`bench:micro — node ${process.version}, ${cpu} ×${os.cpus().length}, git ${head ?? '?'}, ${o.timeMs} ms/stage (+${o.warmupMs} ms warm-up)`);
  if (load > 0.5) console.log(`warning: load average ${load.toFixed(2)} — something else is running; figures will be noisy`);
  if (gc === undefined) console.log('note: run node with --expose-gc to collect garbage between stages');
  console.log('');
  const cols = columns(selected.map((s) => s.name), base);
  console.log(row(cols, cols.map((c) => c.title)));
  console.log(row(cols, cols.map((c) => '-'.repeat(c.width))));
  const results: StageResult[] = [];
  const t0 = Date.now();
  for (const stage of selected) {
    gc?.();
    const r = runStage(stage, o);
    results.push(r);
    console.log(row(cols, cols.map((c) => c.cell(r))));
  }
  console.log('');
  console.log(`${results.length} stages in ${((Date.now() - t0) / 1000).toFixed(1)} s; ns/msg = mean iteration time / msgs per iteration; ±rme = 95% CI of the mean`);
  const starved = results.filter((r) => r.cpuPct < 90).map((r) => r.name);
  if (starved.length > 0) console.log(`warning: the process got < 90% of a core during ${starved.join(', ')} (column cpu): other load, figures inflated`);
  if (o.json !== null) {
    const file: ResultFile = {
      version: 1,
      date: new Date().toISOString(),
      node: process.version,
      v8: process.versions.v8,
      cpu,
      cores: os.cpus().length,
      loadavg1AtStart: load,
      gitHead: head,
      timeMs: o.timeMs,
      warmupMs: o.warmupMs,
      filters: o.filters,
      results,
    };
    writeFileSync(o.json, JSON.stringify(file, null, 2) + '\n');
    console.log(`results written to ${o.json}`);
  }
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}

/**
 * Micro-benchmark runner (`npm run bench:micro`): times every stage of bench/micro/stages with
 * tinybench and prints, per stage, ns per message (mean iteration time / messages per
 * iteration), messages per second, ±rme (95% relative margin of error of the mean), p50/p99 ns
 * per message, the number of samples (timed iterations), the CPU share this process got and
 * how much CPU other processes used meanwhile.
 *
 *   npm run bench:micro                          # every stage (~25 s)
 *   npm run bench:micro -- parse auth/ip         # stages whose name contains one of the words
 *   npm run bench:micro -- --json out.json       # also write the results as JSON
 *   npm run bench:micro -- --compare base.json   # add a column: change against an earlier --json
 *   npm run bench:micro -- --runs 3              # 3 fresh processes, median per stage
 *   npm run bench:micro -- --time 500 --list     # per-stage time budget (ms); list stages only
 *
 * Each stage runs in its own Bench, after its own setup and a verification pass (see stage.ts),
 * with a GC in between when node runs with --expose-gc (the npm script passes it). Single
 * threaded, synchronous: nothing else of this process runs while a stage is timed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';
import { consumeSink, type Stage } from './stage.js';
import { STAGES } from './stages/index.js';

interface Options {
  filters: string[];
  json: string | null;
  compare: string | null;
  timeMs: number;
  warmupMs: number;
  runs: number;
  list: boolean;
}

/** One row of the table and of the JSON file. */
export interface StageResult {
  name: string;
  msgsPerCall: number;
  /** Mean iteration time / msgsPerCall, ns (with --runs: the median of the runs' means). */
  nsPerMsg: number;
  /** 95% relative margin of error of the mean, % (with --runs: the median). */
  rmePct: number;
  /** 1e9 / nsPerMsg. */
  msgsPerSec: number;
  p50NsPerMsg: number;
  p99NsPerMsg: number;
  /** Timed iterations (with --runs: summed). */
  samples: number;
  /**
   * CPU time this process got during the stage's run (warm-up + timed), % of wall time
   * (with --runs: the lowest). Well under 100: the stage waited for a core; figures inflated.
   */
  cpuPct: number;
  /**
   * CPU used by other processes meanwhile, % of one core, from /proc/stat (null elsewhere;
   * with --runs: the highest). On a 2-core machine anything above ~30 disturbs the figures
   * (shared caches, hypervisor steal) even when `cpuPct` stays at 100.
   */
  otherPct: number | null;
  /** With --runs: each run's nsPerMsg, and (max − min) / median, %. */
  runsNsPerMsg?: number[];
  spreadPct?: number;
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
  runs: number;
  filters: string[];
  results: StageResult[];
}

const USAGE = `usage: npm run bench:micro -- [FILTER...] [--json FILE] [--compare FILE] [--runs N] [--time MS] [--warmup MS] [--list]
  FILTER        run only stages whose name contains it (case-insensitive; several = any)
  --json FILE   write the results as JSON (for before/after comparisons)
  --compare F   add a column with the change in ns/msg against an earlier --json file
  --runs N      run the set N times, each in a fresh process; print per-stage medians (default 1)
  --time MS     timed budget per stage (default 1500); --warmup MS (default 300)
  --list        print the stages and exit`;

function parseArgs(argv: string[]): Options {
  const o: Options = { filters: [], json: null, compare: null, timeMs: 1500, warmupMs: 300, runs: 1, list: false };
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
    else if (a === '--runs') o.runs = Number(value(++i, a));
    else if (a === '--list') o.list = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else o.filters.push(a.toLowerCase());
  }
  if (!(o.timeMs > 0) || !(o.warmupMs >= 0)) throw new Error(`--time must be > 0 and --warmup >= 0\n${USAGE}`);
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error(`--runs must be a positive integer\n${USAGE}`);
  return o;
}

function gitHead(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

/** Busy and total ticks of all CPUs from /proc/stat (Linux), or null. */
function cpuTicks(): { busy: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'latin1');
    const v = f.slice(0, f.indexOf('\n')).trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
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
  const ticks0 = cpuTicks();
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const [task] = bench.runSync();
  const cpu = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - wall0) / 1000;
  const ticks1 = cpuTicks();
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${stage.name}: ${r.state}${r.state === 'errored' ? `: ${r.error.stack}` : ''}`);
  const perMsg = 1e6 / stage.msgsPerCall; // ms per call → ns per message
  consumeSink();
  const ownCores = (cpu.user + cpu.system) / wallUs;
  let otherPct: number | null = null;
  if (ticks0 !== null && ticks1 !== null && ticks1.total > ticks0.total) {
    const allCores = ((ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)) * os.cpus().length;
    otherPct = Math.max(0, 100 * (allCores - ownCores));
  }
  return {
    name: stage.name,
    msgsPerCall: stage.msgsPerCall,
    nsPerMsg: r.latency.mean * perMsg,
    rmePct: r.latency.rme,
    msgsPerSec: (stage.msgsPerCall * 1000) / r.latency.mean,
    p50NsPerMsg: r.latency.p50 * perMsg,
    p99NsPerMsg: r.latency.p99 * perMsg,
    samples: r.latency.samplesCount,
    cpuPct: 100 * ownCores,
    otherPct,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Per-stage medians of several runs' results. */
function combine(runs: StageResult[][]): StageResult[] {
  return runs[0].map((first) => {
    const rs = runs.map((run) => run.find((r) => r.name === first.name)).filter((r): r is StageResult => r !== undefined);
    const ns = rs.map((r) => r.nsPerMsg);
    const mid = median(ns);
    const others = rs.map((r) => r.otherPct).filter((v): v is number => v !== null);
    return {
      name: first.name,
      msgsPerCall: first.msgsPerCall,
      nsPerMsg: mid,
      rmePct: median(rs.map((r) => r.rmePct)),
      msgsPerSec: 1e9 / mid,
      p50NsPerMsg: median(rs.map((r) => r.p50NsPerMsg)),
      p99NsPerMsg: median(rs.map((r) => r.p99NsPerMsg)),
      samples: rs.reduce((a, r) => a + r.samples, 0),
      cpuPct: Math.min(...rs.map((r) => r.cpuPct)),
      otherPct: others.length === 0 ? null : Math.max(...others),
      runsNsPerMsg: ns,
      spreadPct: (100 * (Math.max(...ns) - Math.min(...ns))) / mid,
    };
  });
}

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const msgsS = (n: number): string => (n >= 1e6 ? `${fmt(n / 1e6, 2)} M` : `${fmt(n / 1e3, 0)} k`);

interface Column { title: string; width: number; left?: boolean; cell: (r: StageResult) => string }

function columns(names: string[], o: Options, base: Map<string, StageResult> | null): Column[] {
  const cols: Column[] = [
    { title: 'stage', width: Math.max(5, ...names.map((n) => n.length)), left: true, cell: (r) => r.name },
    { title: 'ns/msg', width: 9, cell: (r) => fmt(r.nsPerMsg) },
    { title: '±rme', width: 7, cell: (r) => `±${fmt(r.rmePct, 2)}%` },
    { title: 'msgs/s', width: 9, cell: (r) => msgsS(r.msgsPerSec) },
    { title: 'p50 ns', width: 9, cell: (r) => fmt(r.p50NsPerMsg) },
    { title: 'p99 ns', width: 9, cell: (r) => fmt(r.p99NsPerMsg) },
    { title: 'samples', width: 7, cell: (r) => String(r.samples) },
    { title: 'cpu', width: 5, cell: (r) => `${Math.round(r.cpuPct)}%` },
    { title: 'other', width: 5, cell: (r) => (r.otherPct === null ? '-' : `${Math.round(r.otherPct)}%`) },
  ];
  if (o.runs > 1) cols.push({ title: 'spread', width: 7, cell: (r) => `${fmt(r.spreadPct ?? 0)}%` });
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

/** --runs N: this script N times in fresh processes (JIT decisions differ per process). */
function runChildren(o: Options): StageResult[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-micro-'));
  const runs: StageResult[][] = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      const file = path.join(dir, `run-${i}.json`);
      const args = [...process.execArgv, process.argv[1], ...o.filters, '--time', String(o.timeMs), '--warmup', String(o.warmupMs), '--json', file];
      const t0 = Date.now();
      const c = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      if (c.status !== 0) throw new Error(`run ${i + 1} failed (exit ${c.status ?? c.signal}):\n${c.stdout}`);
      runs.push((JSON.parse(readFileSync(file, 'utf8')) as ResultFile).results);
      console.log(`run ${i + 1}/${o.runs} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  return combine(runs);
}

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
  console.log(`bench:micro — node ${process.version}, ${cpu} ×${os.cpus().length}, git ${head ?? '?'}, ${o.timeMs} ms/stage (+${o.warmupMs} ms warm-up)${o.runs > 1 ? `, median of ${o.runs} runs` : ''}`);
  if (load > 0.5) console.log(`warning: load average ${load.toFixed(2)} — something else is running; figures will be noisy`);
  if (gc === undefined) console.log('note: run node with --expose-gc to collect garbage between stages');
  console.log('');
  const cols = columns(selected.map((s) => s.name), o, base);
  const t0 = Date.now();
  let results: StageResult[];
  if (o.runs > 1) {
    results = runChildren(o);
    console.log(row(cols, cols.map((c) => c.title)));
    console.log(row(cols, cols.map((c) => '-'.repeat(c.width))));
    for (const r of results) console.log(row(cols, cols.map((c) => c.cell(r))));
  } else {
    console.log(row(cols, cols.map((c) => c.title)));
    console.log(row(cols, cols.map((c) => '-'.repeat(c.width))));
    results = [];
    for (const stage of selected) {
      gc?.();
      const r = runStage(stage, o);
      results.push(r);
      console.log(row(cols, cols.map((c) => c.cell(r))));
    }
  }
  console.log('');
  console.log(`${results.length} stages in ${((Date.now() - t0) / 1000).toFixed(1)} s; ns/msg = mean iteration time / msgs per iteration; ±rme = 95% CI of the mean`);
  const starved = results.filter((r) => r.cpuPct < 90 || (r.otherPct ?? 0) > 30).map((r) => r.name);
  if (starved.length > 0) console.log(`warning: other processes competed for the CPU during ${starved.join(', ')} (columns cpu/other): figures inflated`);
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
      runs: o.runs,
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

/**
 * Runs the real CLI (`src/cli.ts` through tsx) as a child process, the way an operator runs
 * it, and reads its pino log lines from stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { withTestWorkers } from './receiver.js';
import { tmpDir } from './tmp.js';

export const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
/** tsx's loader by absolute URL, so the CLI can run from any working directory. */
export const TSX = import.meta.resolve('tsx');

export interface ChildReceiver {
  child: ChildProcess;
  dir: string;
  configPath: string;
  /** listener name → bound port (from the "receiver started" log line). */
  ports: Record<string, number>;
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown>>;
  /** Resident set size now, kB (VmRSS). */
  rssKb(): number;
  /** SIGTERM, wait for exit; returns the exit code and the final stats logged. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stats: Record<string, any> | undefined }>;
}

/** A CLI child process and its JSON log lines (stderr). */
interface CliChild {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose `msg` is `readyMsg`; rejects when the child exits first or after 20 s. */
  ready: Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Spawns `node --import tsx src/cli.ts ...args`, reaped when the test process exits. */
function spawnCli(args: string[], readyMsg: string): CliChild {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // a failed assertion must not leave the child running after the test process ends
  const reap = (): void => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const logs: Array<Record<string, unknown>> = [];
  let buf = '';
  let stderrText = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderrText += d;
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try { logs.push(JSON.parse(line)); } catch { /* not a log line */ }
    }
  });
  child.stdout!.resume();
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${args[0]} did not start: ${stderrText}`)), 20_000);
    const check = setInterval(() => {
      const line = logs.find((l) => l.msg === readyMsg);
      if (line) { clearInterval(check); clearTimeout(t); resolve(line); }
    }, 20);
    child.once('exit', (code) => { clearInterval(check); clearTimeout(t); reject(new Error(`${args[0]} exited ${code}: ${stderrText}`)); });
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, logs, ready, exited };
}

/** Resident set size of process `pid` now, kB (VmRSS). */
function rssKbOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/**
 * Spawns `syslog-receiver start --config <tmp>/c.yaml` with `config` (storage.dir defaults into
 * the temp dir; the default temp dir is removed when the test process exits).
 */
export async function spawnReceiver(config: Record<string, unknown>, dir = tmpDir('srx-child-').path): Promise<ChildReceiver> {
  const configPath = join(dir, 'c.yaml');
  writeFileSync(configPath, stringify(withTestWorkers({ storage: { dir: join(dir, 'data') }, logLevel: 'info', ...config })));
  const { child, logs, ready, exited } = spawnCli(['start', '--config', configPath], 'receiver started');
  const started = await ready;
  const ports: Record<string, number> = {};
  for (const [k, v] of Object.entries(started.listen as Record<string, string>)) ports[k] = Number(v.slice(v.lastIndexOf(':') + 1));
  return {
    child, dir, configPath, ports, logs,
    rssKb: () => rssKbOf(child.pid),
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      const code = await exited;
      const stopped = logs.find((l) => l.msg === 'receiver stopped');
      return { code, stats: stopped?.stats as Record<string, any> | undefined };
    },
  };
}

export interface ChildArchiver {
  child: ChildProcess;
  configPath: string;
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown>>;
  /** The "archiver started" log line (durable, stream, filterSubject, seq: the last stream sequence already archived). */
  started: Record<string, unknown>;
  /** Sends `signal` (SIGTERM: drain and exit 0), waits for exit; returns the exit code and the final stats logged. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stats: Record<string, any> | undefined }>;
}

/** Spawns `syslog-receiver archive --config <configPath>` and waits for "archiver started". */
export async function spawnArchiver(configPath: string): Promise<ChildArchiver> {
  const { child, logs, ready, exited } = spawnCli(['archive', '--config', configPath], 'archiver started');
  const started = await ready;
  return {
    child, configPath, logs, started,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      const code = await exited;
      const stopped = logs.find((l) => l.msg === 'archiver stopped');
      return { code, stats: stopped?.stats as Record<string, any> | undefined };
    },
  };
}

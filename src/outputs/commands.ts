/**
 * `syslog-receiver outputs`: each configured output's state, read from what it keeps in the
 * store (`<storage.dir>/.outputs/<name>/`: the cursor, the dead-letter file, the status the
 * running process writes every few seconds) and from the day files themselves (the lag). Works
 * whether the receiver runs or not.
 *
 * Exit codes: 0 ok (every output healthy), 3 an output lags beyond its maxLagSeconds or has
 * not written its status for a minute while the store still has unshipped records
 * (scriptable, like `/healthz`), 1 unreadable config or store, 2 an invalid config.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import type { Config, OutputConfig } from '../config/schema.js';
import { listDayFiles } from '../store/layout.js';
import { countLines, displayUrl, receivedAtOf, type OutputStatus } from './runner.js';
import { outputDir, readCursorLog, type OutputTotals } from './state.js';

/** One output's state as the command reports it. */
export interface OutputReport {
  name: string;
  type: OutputConfig['type'];
  url: string;
  /** `ok`, `lagging` (beyond maxLagSeconds), `retrying` (the running output's last attempt failed), `not running` (no fresh status). */
  state: 'ok' | 'lagging' | 'retrying' | 'not running';
  totals: OutputTotals;
  /** From the day files after the cursor. */
  lagRecords: number;
  lagBytes: number;
  lagSeconds: number;
  /** Day files with unshipped records. */
  filesBehind: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastShippedAt: string | null;
  /** When the running output last wrote its status (ISO); null = never. */
  statusAt: string | null;
  deadLetterFile: string;
}

/** A status older than this means the process that ships is not running, ms. */
const STALE_MS = 60_000;

/**
 * Computes every output's report from the store.
 * @throws the read error of the store or of an output's state (EACCES …)
 */
export async function outputReports(cfg: Config, nowMs: number = Date.now()): Promise<OutputReport[]> {
  const files = await listDayFiles(cfg.storage.dir);
  const out: OutputReport[] = [];
  for (const o of cfg.outputs) {
    const dir = outputDir(cfg.storage.dir, o.name);
    const cursor = await readCursorLog(join(dir, 'cursor.log'));
    const status = await readFile(join(dir, 'status.json'), 'utf8').then((t) => JSON.parse(t) as OutputStatus, () => null);
    let lagRecords = 0, lagBytes = 0, filesBehind = 0, oldest = Infinity;
    for (const f of files) {
      if (o.apps === null ? f.app.startsWith('.') : !o.apps.includes(f.app)) continue;
      const shipped = cursor.files.get(`${f.app}/${f.day}`) ?? 0;
      if (shipped >= f.bytes) continue;
      filesBehind++;
      lagBytes += f.bytes - shipped;
      lagRecords += await countLines(f.path, shipped, f.bytes);
      const at = await receivedAtOf(f.path, shipped);
      if (at < oldest) oldest = at;
    }
    const lagSeconds = oldest === Infinity ? 0 : Math.max(0, Math.round((nowMs - oldest) / 100) / 10);
    const fresh = status !== null && nowMs - Date.parse(status.updatedAt) < STALE_MS && status.state !== 'stopped';
    const state: OutputReport['state'] = lagSeconds > o.maxLagSeconds ? 'lagging'
      : fresh && status.state === 'retrying' ? 'retrying'
      : !fresh && lagRecords > 0 ? 'not running' : 'ok';
    out.push({
      name: o.name, type: o.type, url: displayUrl(o.url), state,
      totals: cursor.totals, lagRecords, lagBytes, lagSeconds, filesBehind,
      lastError: status?.lastError ?? null, lastErrorAt: status?.lastErrorAt ?? null, lastShippedAt: status?.lastShippedAt ?? null,
      statusAt: status?.updatedAt ?? null,
      deadLetterFile: join(dir, 'dead-letter.ndjson'),
    });
  }
  return out;
}

/** The human form: one block per output. */
export function formatReports(reports: readonly OutputReport[]): string {
  if (reports.length === 0) return 'no outputs configured (outputs: in the config)\n';
  return reports.map((r) => [
    `${r.name} (${r.type} ${r.url}): ${r.state}`,
    `  shipped ${r.totals.shipped}, retried ${r.totals.retried}, dead-lettered ${r.totals.deadLettered}, lost ${r.totals.lost}`,
    `  behind: ${r.lagRecords} records (${r.lagBytes} bytes in ${r.filesBehind} day files), oldest ${r.lagSeconds} s`,
    ...(r.lastError === null ? [] : [`  last error ${r.lastErrorAt ?? ''}: ${r.lastError}`]),
    `  last shipped: ${r.lastShippedAt ?? 'never'}; status written: ${r.statusAt ?? 'never'}`,
    ...(r.totals.deadLettered > 0 ? [`  dead letters: ${r.deadLetterFile}`] : []),
  ].join('\n')).join('\n\n') + '\n';
}

/** Adds `outputs` to the CLI. `fail` prints an operator error and exits (cli.ts). */
export function registerOutputsCommand(program: Command, fail: (err: unknown) => never): void {
  program
    .command('outputs')
    .description('print each output\'s state: shipped, retried, dead-lettered, lost, lag (records, seconds), last error; exit 3 when one lags beyond its maxLagSeconds')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .option('--json', 'one JSON array of the reports')
    .action(async (opts: { config: string; json?: boolean }) => {
      let reports: OutputReport[];
      try {
        reports = await outputReports(loadConfigFile(opts.config, { listenersOptional: true }));
      } catch (err) {
        fail(err);
      }
      process.stdout.write(opts.json === true ? `${JSON.stringify(reports, null, 2)}\n` : formatReports(reports));
      process.exitCode = reports.some((r) => r.state === 'lagging' || r.state === 'not running') ? 3 : 0;
    });
}

/**
 * The `tail` and `search` commands over the file store: option checking, output (human or
 * `--json`), progress, exit codes. `registerStoreCommands` adds them to the CLI's commander
 * program; `runTail`/`runSearch` are the same commands callable from code and tests.
 *
 * Exit codes: 0 ok (also when the reader of stdout went away: `| head`); 1 no such app, unreadable
 * config or store (the message names the path), or an output error; 2 a bad option value (or an
 * invalid config, as for the other commands).
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../config/load.js';
import { ConfigError, type Config } from '../config/schema.js';
import { ErrorCodes, ReceiverError } from '../errors.js';
import { matches, parseSeverity, parseSince, rawPrefilter, StoreOptionError, type RecordFilter } from './filter.js';
import { formatLine } from './format.js';
import { appDir, parseDayFileName } from './layout.js';
import { follow, listDays, readRecords, tailLast, type StoredLine } from './reader.js';

/** Options of {@link runTail}. */
export interface TailOptions {
  /** Config file path (its `storage.dir` is the store). */
  config: string;
  app: string;
  /** Lines to print: an integer ≥ 0 (a string is parsed; anything else exits 2). */
  lines: number | string;
  /** Keep printing new records until `signal` aborts. */
  follow: boolean;
  /** Print stored lines unchanged instead of `TIME HOST APP SEVERITY MESSAGE`. */
  json: boolean;
  /** Default `process.stdout`; colour is used only when it is a TTY (and NO_COLOR is unset). */
  out?: NodeJS.WritableStream;
  /** Default `process.stderr`: error messages. */
  err?: NodeJS.WritableStream;
  /** Stops `--follow` (SIGINT in the CLI); the command then returns 0. */
  signal?: AbortSignal;
}

/** Options of {@link runSearch}. */
export interface SearchOptions {
  config: string;
  app: string;
  /** Start of the range (inclusive) on `@timestamp`: `1h`, `30m`, `2d`, `90s`, `1w` or an ISO date/time (UTC unless an offset is given). */
  since?: string;
  /** End of the range (exclusive), same forms. */
  until?: string;
  /** Keep severity ≤ this: `0`–`7` or a name (`warning` keeps warning, err, crit, alert, emerg). */
  severity?: string;
  /** Exact hostname, case-insensitive. */
  host?: string;
  /** Case-sensitive substring of the message. */
  grep?: string;
  json: boolean;
  out?: NodeJS.WritableStream;
  /** Errors, and a progress line (`searching day 3/14: 2026-11-19 …`) when it is a TTY and several days are read. */
  err?: NodeJS.WritableStream;
  /** Aborting it stops the search early; the command then returns 0. */
  signal?: AbortSignal;
}

/**
 * `tail <app> [-n N] [-f] [--json]`: prints the last N records stored for `app` (newest last),
 * across day files; with `follow`, keeps printing records as they are stored (switching to each
 * new day's file) until `signal` aborts.
 * @returns the exit code: 0 ok; 1 no such app / unreadable config or store / output error; 2 bad option
 */
export async function runTail(opts: TailOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const lines = typeof opts.lines === 'number' ? opts.lines : /^\s*\d+\s*$/.test(opts.lines) ? Number(opts.lines) : NaN;
  if (!Number.isSafeInteger(lines) || lines < 0) return usage(err, `invalid --lines "${opts.lines}": use a whole number ≥ 0`);
  const ctx = openStore(opts.config, opts.app, err);
  if (typeof ctx === 'number') return ctx;
  if (!ctx.exists && !opts.follow) {
    err.write(`syslog-receiver: no records stored yet for app "${opts.app}" (${ctx.appDir} does not exist)\n`);
    return 0;
  }
  const ac = linkedAbort(opts.signal);
  const output = new Output(out, ac);
  const color = isTTY(out) && !process.env.NO_COLOR;
  const render = (l: StoredLine): string => (opts.json ? l.raw : formatLine(l.record, l.raw, color)) + '\n';
  try {
    if (opts.follow) {
      if (!ctx.exists) err.write(`syslog-receiver: no records stored yet for app "${opts.app}"; waiting for ${ctx.appDir}\n`);
      await follow(ctx.storeDir, opts.app, async (l) => {
        output.write(render(l));
        await output.flush();
      }, ac.signal, { lines });
    } else {
      for (const l of await tailLast(ctx.storeDir, opts.app, lines)) output.write(render(l));
      await output.flush();
    }
  } catch (e) {
    output.dispose();
    return storeError(err, ctx.appDir, e);
  } finally {
    ac.dispose();
  }
  return output.finish(err);
}

/**
 * `search <app> [--since …] [--until …] [--severity N] [--host H] [--grep TEXT] [--json]`:
 * prints the stored records of `app` that pass every filter, in stored (receipt) order. The time
 * range applies to `@timestamp` (see `readRecords` for the day-file slack).
 * @returns the exit code: 0 ok (also with no match); 1 no such app / unreadable config or store /
 *   output error; 2 bad option value (`--since 5x`, `--severity loud`, since after until)
 */
export async function runSearch(opts: SearchOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  let since: Date | undefined;
  let until: Date | undefined;
  const filter: RecordFilter = {};
  try {
    const now = new Date();
    if (opts.since !== undefined) since = parseOpt('--since', opts.since, (v) => parseSince(v, now));
    if (opts.until !== undefined) until = parseOpt('--until', opts.until, (v) => parseSince(v, now));
    if (opts.severity !== undefined) filter.severityMax = parseOpt('--severity', opts.severity, parseSeverity);
  } catch (e) {
    if (e instanceof StoreOptionError) return usage(err, e.message);
    throw e;
  }
  if (since && until && since.getTime() >= until.getTime()) {
    return usage(err, `--since ${opts.since} (${since.toISOString()}) is not before --until ${opts.until} (${until.toISOString()})`);
  }
  if (opts.host !== undefined) filter.host = opts.host;
  if (opts.grep !== undefined) filter.grep = opts.grep;

  const ctx = openStore(opts.config, opts.app, err);
  if (typeof ctx === 'number') return ctx;
  if (!ctx.exists) {
    err.write(`syslog-receiver: no records stored yet for app "${opts.app}" (${ctx.appDir} does not exist)\n`);
    return 0;
  }
  const ac = linkedAbort(opts.signal);
  const output = new Output(out, ac);
  const color = isTTY(out) && !process.env.NO_COLOR;
  const progress = new Progress(err);
  if (isTTY(out)) output.beforeWrite = () => progress.clear();
  try {
    const records = readRecords(ctx.storeDir, opts.app, {
      since,
      until,
      rawFilter: rawPrefilter(filter),
      onFile: (file, i, total) => {
        if (total > 1 && isTTY(err)) progress.show(`searching day ${i}/${total}: ${parseDayFileName(basename(file))} …`);
      },
    });
    for await (const l of records) {
      if (ac.signal.aborted) break;
      if (!matches(l.record, filter, l.raw)) continue;
      output.write((opts.json ? l.raw : formatLine(l.record, l.raw, color)) + '\n');
      if (output.pending >= 64 * 1024) await output.flush();
    }
    await output.flush();
  } catch (e) {
    progress.clear();
    output.dispose();
    return storeError(err, ctx.appDir, e);
  } finally {
    ac.dispose();
  }
  progress.clear();
  return output.finish(err);
}

/**
 * Adds `tail` and `search` to a commander (v14) program. Each action runs
 * {@link runTail}/{@link runSearch} on stdout/stderr and sets `process.exitCode`; SIGINT and
 * SIGTERM stop `tail -f` (and a long search) cleanly with exit code 0.
 */
export function registerStoreCommands(program: Command): void {
  program
    .command('tail')
    .description('print the last records stored for an app (oldest first, newest last), across day files; with -f keep printing new records as they are stored, until Ctrl-C')
    .argument('<app>', 'app name, as in the config\'s apps: list')
    .option('-n, --lines <n>', 'number of records to print', '10')
    .option('-f, --follow', 'keep printing records as they are stored, switching to each new day\'s file')
    .option('--json', 'print the stored JSON lines unchanged (one record per line)')
    .option('-c, --config <file>', 'config file (its storage.dir is the store)', DEFAULT_CONFIG_FILE)
    .action(async (app: string, o: { lines: string; follow?: boolean; json?: boolean; config: string }) => {
      process.exitCode = await withSignals((signal) => runTail({
        config: o.config, app, lines: o.lines, follow: o.follow === true, json: o.json === true, signal,
      }));
    });
  program
    .command('search')
    .description('print the stored records of an app that match every filter given, in the order they were received; ' +
      'times are the records\' @timestamp (UTC)')
    .argument('<app>', 'app name, as in the config\'s apps: list')
    .option('--since <time>', 'records at or after: a duration back from now (90s, 30m, 1h, 2d, 1w) or an ISO date/time (2026-11-19, 2026-11-19T10:30:00Z; UTC unless an offset is given)')
    .option('--until <time>', 'records before: same forms as --since')
    .option('--severity <level>', 'records with severity ≤ level: 0-7 or a name (emerg, alert, crit, err, warning, notice, info, debug); "warning" keeps warning and worse')
    .option('--host <host>', 'records whose hostname is exactly this (case-insensitive)')
    .option('--grep <text>', 'records whose message contains this text (case-sensitive)')
    .option('--json', 'print the stored JSON lines unchanged (one record per line)')
    .option('-c, --config <file>', 'config file (its storage.dir is the store)', DEFAULT_CONFIG_FILE)
    .action(async (app: string, o: { since?: string; until?: string; severity?: string; host?: string; grep?: string; json?: boolean; config: string }) => {
      process.exitCode = await withSignals((signal) => runSearch({
        config: o.config, app, since: o.since, until: o.until, severity: o.severity, host: o.host, grep: o.grep, json: o.json === true, signal,
      }));
    });
}

// ---------------------------------------------------------------------------------------------

/** Runs `fn` with a signal aborted by SIGINT/SIGTERM; restores the default handlers after. */
async function withSignals(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function isTTY(s: NodeJS.WritableStream): boolean {
  return (s as { isTTY?: boolean }).isTTY === true;
}

function usage(err: NodeJS.WritableStream, msg: string): number {
  err.write(`syslog-receiver: ${msg} [${ErrorCodes.STORE_OPTION}]\n`);
  return 2;
}

function parseOpt<T>(name: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (e) {
    if (e instanceof StoreOptionError) throw new StoreOptionError(`${name}: ${e.message}`);
    throw e;
  }
}

/** An AbortController that also aborts when `parent` does. */
function linkedAbort(parent?: AbortSignal): AbortController & { dispose(): void } {
  const ac = new AbortController() as AbortController & { dispose(): void };
  const onAbort = (): void => ac.abort();
  if (parent?.aborted) ac.abort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  ac.dispose = () => parent?.removeEventListener('abort', onAbort);
  return ac;
}

/**
 * Loads the config and checks the app's directory.
 * @returns the exit code to return, or where the app's files are (`exists` false: a configured
 *   app with no records yet)
 */
function openStore(configPath: string, app: string, err: NodeJS.WritableStream): number | { storeDir: string; appDir: string; exists: boolean } {
  if (app === '' || app === '.' || app === '..' || /[/\\\0]/.test(app)) {
    return usage(err, `invalid app name "${app}": an app name is one path segment`);
  }
  let config: Config;
  try {
    config = loadConfigFile(configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`syslog-receiver: ${e.message}\n[${e.code}]\n`);
      return 2;
    }
    if (e instanceof ReceiverError) {
      err.write(`syslog-receiver: ${e.message} [${e.code}]\n`);
      return 1;
    }
    throw e;
  }
  const storeDir = config.storage.dir;
  const dir = appDir(storeDir, app);
  const known = config.apps.some((a) => a.name === app);
  try {
    if (!statSync(dir).isDirectory()) {
      err.write(`syslog-receiver: cannot read the store for app "${app}": ${dir} is not a directory [${ErrorCodes.STORE_READ}]\n`);
      return 1;
    }
    listDays(storeDir, app); // readable?
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (known) return { storeDir, appDir: dir, exists: false };
      const names = config.apps.map((a) => a.name).join(', ') || 'none';
      err.write(`syslog-receiver: no such app "${app}": it is not in ${configPath} (apps: ${names}) and ${dir} does not exist [${ErrorCodes.STORE_NO_APP}]\n`);
      return 1;
    }
    err.write(`syslog-receiver: cannot read the store for app "${app}": ${dir}: ${(e as Error).message} [${ErrorCodes.STORE_READ}]\n`);
    return 1;
  }
  return { storeDir, appDir: dir, exists: true };
}

/** Reports a read error from the store (naming the path) and returns exit code 1. */
function storeError(err: NodeJS.WritableStream, appDir: string, e: unknown): number {
  const ne = e as NodeJS.ErrnoException;
  const where = typeof ne?.path === 'string' ? ne.path : appDir;
  err.write(`syslog-receiver: cannot read the store at ${where}: ${ne?.message ?? String(e)} [${ErrorCodes.STORE_READ}]\n`);
  return 1;
}

/**
 * Buffered output with backpressure and broken-pipe handling: EPIPE (the reader went away, as
 * with `| head`) aborts the command quietly; any other write error aborts it and is reported.
 */
class Output {
  private buf = '';
  private broken = false;
  private error: Error | null = null;
  /** Called before each write to the stream (clears the progress line on a shared terminal). */
  beforeWrite: (() => void) | null = null;

  constructor(private readonly out: NodeJS.WritableStream, private readonly ac: AbortController) {
    out.on('error', this.onError);
  }

  /** Characters buffered and not yet written. */
  get pending(): number {
    return this.buf.length;
  }

  private readonly onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.broken = true;
    else this.error ??= e;
    this.buf = '';
    this.ac.abort();
  };

  write(s: string): void {
    if (!this.broken && this.error === null) this.buf += s;
  }

  /** Writes the buffer; resolves when the stream can take more (or failed, or the command was aborted). */
  async flush(): Promise<void> {
    if (this.buf === '' || this.broken || this.error !== null) return;
    const s = this.buf;
    this.buf = '';
    this.beforeWrite?.();
    let ok: boolean;
    try {
      ok = this.out.write(s);
    } catch (e) {
      this.onError(e as NodeJS.ErrnoException);
      return;
    }
    if (ok) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.ac.signal.removeEventListener('abort', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
      this.ac.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops listening for errors; a stream that already failed keeps a no-op listener so a late error cannot crash the process. */
  dispose(): void {
    this.out.off('error', this.onError);
    if (this.broken || this.error !== null) this.out.on('error', () => undefined);
  }

  /** Disposes and returns the exit code: 1 after a write error (reported on `err`), else 0. */
  finish(err: NodeJS.WritableStream): number {
    this.dispose();
    if (this.error !== null) {
      err.write(`syslog-receiver: cannot write the output: ${this.error.message} [${ErrorCodes.STORE_OUTPUT}]\n`);
      return 1;
    }
    return 0;
  }
}

/** The `\r`-overwritten progress line on a terminal. */
class Progress {
  private shown = false;
  constructor(private readonly err: NodeJS.WritableStream) {}

  show(text: string): void {
    this.err.write(`\r${text}\x1b[K`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.err.write('\r\x1b[K');
    this.shown = false;
  }
}

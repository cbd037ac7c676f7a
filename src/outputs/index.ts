/**
 * Every configured output (`outputs:`, the forwarding issue), as one unit the process that
 * writes the store drives: the receiver with `storage.type: file`, `syslog-receiver archive`
 * with JetStream. It is the store's {@link RetentionGuard} and takes the store's append
 * notices; see outputs/runner.ts for how one output ships.
 */
import type { OutputConfig } from '../config/schema.js';
import { ErrorCodes, ReceiverError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { DayFile } from '../store/layout.js';
import { ElasticsearchDestination } from './elasticsearch.js';
import { HttpDestination } from './http.js';
import { OutputRunner, type OutputStatus } from './runner.js';
import { SyslogDestination } from './syslog.js';
import type { Destination } from './types.js';

export type { OutputStatus } from './runner.js';

const USER_AGENT = 'syslog-receiver/0.1.0';
const LAG_MS = 2000;
const STATUS_MS = 5000;

/**
 * The destination of one output.
 * @throws Error when a TLS file of the output cannot be read
 */
export function createDestination(cfg: OutputConfig): Destination {
  switch (cfg.type) {
    case 'elasticsearch': return new ElasticsearchDestination(cfg, USER_AGENT);
    case 'http': return new HttpDestination(cfg, USER_AGENT);
    case 'syslog': return new SyslogDestination(cfg);
  }
}

/** Every output; also the store's retention guard (sinks/retention.ts `RetentionGuard`, by shape). */
export class Outputs {
  private readonly runners: OutputRunner[];
  private timers: NodeJS.Timeout[] = [];

  /**
   * @param storeDir the store the outputs read (`storage.dir`)
   * @throws ReceiverError SYSLOG_ERR_OUTPUT_START when an output cannot be set up (a TLS file)
   */
  constructor(configs: readonly OutputConfig[], private readonly storeDir: string, private readonly log: Logger) {
    this.runners = configs.map((c) => {
      let dest: Destination;
      try {
        dest = createDestination(c);
      } catch (err) {
        throw new ReceiverError(ErrorCodes.OUTPUT_START, `outputs: "${c.name}" cannot start: ${(err as Error).message}. Check its tls: files.`, { cause: err });
      }
      return new OutputRunner(c, storeDir, dest, log.child({ output: c.name, type: c.type }));
    });
  }

  /**
   * Loads every output's cursor and dead letters; call before the store's retention runs.
   * @throws ReceiverError SYSLOG_ERR_OUTPUT_START when a state directory is unusable
   */
  async open(): Promise<void> {
    for (const r of this.runners) {
      await r.open().catch((err: unknown) => {
        throw new ReceiverError(ErrorCodes.OUTPUT_START, `outputs: "${r.name}" cannot open its state under ${this.storeDir}/.outputs: ${(err as Error).message}`, { cause: err });
      });
    }
  }

  /** Scans the store and starts shipping; lag and `status.json` are refreshed in the background. */
  async start(): Promise<void> {
    for (const r of this.runners) await r.start();
    if (this.runners.length === 0) return;
    const lag = setInterval(() => { for (const r of this.runners) void r.refreshLag(); }, LAG_MS);
    const status = setInterval(() => { for (const r of this.runners) void r.writeStatus(); }, STATUS_MS);
    lag.unref();
    status.unref();
    this.timers = [lag, status];
    for (const r of this.runners) void r.refreshLag(); // counting a long backlog must not hold up the start
    this.log.info({ outputs: this.runners.map((r) => r.name) }, 'outputs started');
  }

  /** The store made `app`'s file of `day` durable up to `size` bytes (FileSink's append notice). */
  appended(app: string, day: string, size: number): void {
    for (const r of this.runners) r.appended(app, day, size);
  }

  /** Whether some output has not shipped all of `f`. */
  unshipped(f: DayFile): boolean {
    return this.runners.some((r) => r.unshipped(f));
  }

  /** Retention deletes `f` anyway (storage.maxBytes): each output that had not shipped it counts the loss. */
  async lost(f: DayFile): Promise<void> {
    for (const r of this.runners) if (r.unshipped(f)) await r.lose(f);
  }

  /** What is wrong, for `/healthz`: outputs whose oldest unshipped record is older than their maxLagSeconds. */
  health(): string[] {
    return this.stats().filter((s) => !s.healthy).map((s) =>
      `output ${s.name} is ${Math.round(s.lagSeconds)} s behind (maxLagSeconds ${s.maxLagSeconds}; ${s.lagRecords} records not shipped${s.lastError === null ? '' : `; last error: ${s.lastError}`})`);
  }

  /** Each output's status (see {@link OutputStatus}). */
  stats(): OutputStatus[] {
    return this.runners.map((r) => r.status());
  }

  /** Recomputes every output's lag now (tests, `syslog-receiver outputs`). */
  async refreshLag(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.refreshLag()));
  }

  /** Stops every output (requests in flight are aborted; their batches are resent at the next start). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.runners.map((r) => r.stop()));
  }
}

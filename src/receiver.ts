/**
 * The receiver: the composition root (DESIGN §1, §9). It builds the sinks and the {@link Intake}
 * from the config, the front-ends from the registry (`frontends.ts`), and drives them in loops:
 * bind, health, describe, reload, stop (stop reading, drain, sync, close).
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { createPrometheusRegistry } from './admin/prometheus.js';
import { TlsFileResolver, type GeneratedCerts } from './certs/listener-files.js';
import { restartNeeded } from './config/diff.js';
import type { Config } from './config/schema.js';
import { bindError, ErrorCodes } from './errors.js';
import { createFrontEnd, listenerEntries, type FrontEndContext } from './frontends.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { Outputs } from './outputs/index.js';
import { Intake } from './pipeline/intake.js';
import { FileSink } from './sinks/file.js';
import { AppendFeed } from './store/append-feed.js';
import { JetStreamSink } from './sinks/jetstream.js';
import type { SinkEntry } from './sinks/types.js';
import { LiveLimits } from './transports/connection.js';
import type { FrontEnd } from './transports/types.js';

export type { GeneratedCerts } from './certs/listener-files.js';

export interface ReceiverOptions {
  /** Defaults to a pino logger at `config.logLevel` on stderr. */
  log?: Logger;
  /**
   * Test and embedding hook: the sinks to use, given the ones the config asks for (today the
   * file store, required). Return them wrapped (fault injection), replaced or extended.
   */
  sinks?: (configured: readonly SinkEntry[]) => SinkEntry[];
}

/** Bound addresses of the started listeners (port 0 in the config → the real port here). */
export interface ReceiverAddresses {
  udp?: AddressInfo;
  tcp?: AddressInfo;
  /** In `listen.tls` order. */
  tls?: AddressInfo[];
  relp?: AddressInfo;
  /** In `listen.http` order. */
  http?: AddressInfo[];
  admin?: AddressInfo;
  web?: AddressInfo;
}

/** A front-end of this receiver, its label in logs and, once bound, its address. */
interface StartedFrontEnd {
  fe: FrontEnd;
  label: string;
  address?: AddressInfo;
}

const HOUSEKEEPING_MS = 10_000;
const STATS_LOG_MS = 60_000;

export class Receiver {
  readonly metrics = new Metrics();
  readonly addresses: ReceiverAddresses = {};
  readonly log: Logger;
  private readonly intake: Intake;
  private readonly limits: LiveLimits;
  private readonly tlsFiles: TlsFileResolver;
  /** Started front-ends with their log label, in config order. */
  private readonly frontEnds: StartedFrontEnd[] = [];
  private timer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  /** The config in force (replaced by {@link reload}). */
  get config(): Config { return this.cfg; }

  /** Set when a TLS listener uses the generated certificate set. */
  get generatedCerts(): GeneratedCerts | null { return this.tlsFiles.generated; }

  /** Parse threads in use (`pipeline.workers`, `auto` resolved). */
  readonly workers: number;

  /** The JetStream sink with `storage.type: jetstream` (its counters feed the metrics), else null. */
  readonly jetstream: JetStreamSink | null = null;

  /** The outputs (`outputs:`) with `storage.type: file`; null without outputs or with JetStream (the archiver runs them). */
  readonly outputs: Outputs | null = null;

  /** Each write of the file store (outputs and the web page's tails read new lines from it at once). */
  private readonly appends = new AppendFeed();

  private constructor(private cfg: Config, opts: ReceiverOptions) {
    this.workers = cfg.pipeline.workers === 'auto' ? availableParallelism() : cfg.pipeline.workers;
    this.log = opts.log ?? createLogger(cfg.logLevel);
    const s = cfg.storage;
    const j = s.jetstream;
    const outputs = s.type === 'file' && cfg.outputs.length > 0 ? new Outputs(cfg.outputs, s.dir, this.log.child({ component: 'outputs' })) : null;
    if (outputs !== null) {
      this.outputs = outputs;
      this.metrics.outputs = () => outputs.stats();
      this.appends.on((app, day, size) => outputs.appended(app, day, size));
    }
    const store = s.type === 'jetstream' && j !== null
      // ids restart at 0 with each start: the random part keeps them unique within the duplicate window
      ? new JetStreamSink({ ...j, instanceId: `${j.instanceId ?? hostname()}-${randomBytes(4).toString('hex')}`, log: this.log.child({ component: 'jetstream' }) })
      : new FileSink({
        dir: s.dir, fsync: s.fsync, retentionDays: s.retentionDays, maxBytes: s.maxBytes, log: this.log.child({ component: 'store' }),
        onAppend: (app: string, day: string, size: number) => this.appends.emit(app, day, size),
        ...(outputs === null ? {} : { retentionGuard: outputs }),
      });
    if (store instanceof JetStreamSink) {
      this.jetstream = store;
      this.metrics.jetstream = () => store.stats();
    }
    const configured: SinkEntry[] = [{ sink: store, required: true }];
    this.limits = new LiveLimits(cfg.limits);
    this.tlsFiles = new TlsFileResolver(cfg.certsDir, this.log);
    this.intake = new Intake({
      apps: cfg.apps,
      tokenFields: cfg.auth.tokenFields,
      sinks: opts.sinks ? opts.sinks(configured) : configured,
      batching: { flushIntervalMs: s.flushIntervalMs, highWaterBytes: s.highWaterBytes },
      workers: this.workers,
      metrics: this.metrics,
      log: this.log.child({ component: 'intake' }),
    });
  }

  /**
   * Opens the sinks (store recovery, retention), then binds every configured listener.
   * @throws ReceiverError: the store cannot be opened, a certificate is unusable, or a bind
   *   failed (naming the port and config key); nothing stays bound
   */
  static async start(config: Config, opts: ReceiverOptions = {}): Promise<Receiver> {
    const r = new Receiver(config, opts);
    try {
      await r.outputs?.open(); // before the store's retention, which asks them what is unshipped
      await r.intake.start();
      await r.outputs?.start();
      await r.bind();
    } catch (err) {
      await r.stop(false);
      throw err;
    }
    r.timer = setInterval(() => void r.housekeeping(), HOUSEKEEPING_MS);
    r.timer.unref();
    if (config.storage.type === 'jetstream' && config.outputs.length > 0) r.log.warn({ outputs: config.outputs.map((o) => o.name) }, 'outputs: are run by `syslog-receiver archive` with storage.type jetstream (it writes the store they read), not by the receiver');
    r.log.info({ listen: r.describe(), storage: config.storage.dir, apps: config.apps.length, workers: r.workers }, 'receiver started');
    return r;
  }

  private async bind(): Promise<void> {
    const deps = { intake: this.intake, metrics: this.metrics, limits: this.limits, log: this.log };
    const ctx: FrontEndContext = {
      deps,
      tlsFiles: this.tlsFiles,
      prometheus: () => createPrometheusRegistry(this.metrics, { storeHealthy: () => this.intake.healthy }),
      health: () => this.health(),
      web: { storeDir: this.config.storage.dir, config: () => this.cfg, appends: this.appends },
    };
    for (const e of listenerEntries(this.config.listen)) {
      const log = this.log.child({ component: e.kind, listener: e.name });
      const entry: StartedFrontEnd = { fe: await createFrontEnd({ ...ctx, deps: { ...deps, log } }, e), label: e.label };
      this.frontEnds.push(entry);
      const a = await entry.fe.start().catch((err) => { throw bindError(err, e.name, e.cfg.address, e.cfg.port); });
      entry.address = a;
      if (e.kind === 'tls' || e.kind === 'http') (this.addresses[e.kind] ??= []).push(a);
      else this.addresses[e.kind] = a;
    }
  }

  /**
   * What is wrong right now, for `/healthz`: listeners not bound, a sink that cannot write, an
   * output lagging beyond its maxLagSeconds.
   * @returns an empty list when healthy
   */
  health(): string[] {
    const reasons = this.frontEnds.filter(({ fe }) => !fe.listening).map(({ label }) => `${label} listener is not bound`);
    reasons.push(...this.intake.health());
    if (this.outputs !== null) reasons.push(...this.outputs.health());
    if (this.stopping) reasons.push('shutting down');
    return reasons;
  }

  /**
   * Applies a new config without a restart (SIGHUP, `syslog-receiver reload`): apps, tokens,
   * allowedSources, certFingerprints/certSubjects, quotas, `auth`, `limits` (new connections)
   * and `logLevel` take effect for the next message; a revoked token is rejected from then on.
   * Listener, storage and certsDir changes need a restart: they are reported and ignored.
   * TLS certificates are re-read too.
   * @returns the config paths that changed but need a restart
   */
  reload(next: Config): string[] {
    const prev = this.cfg;
    const needRestart = restartNeeded(prev, next);
    this.cfg = { ...next, listen: prev.listen, storage: prev.storage, pipeline: prev.pipeline, outputs: prev.outputs, certsDir: prev.certsDir };
    this.intake.configure(next.apps, next.auth.tokenFields);
    this.limits.update(next.limits);
    this.log.level = next.logLevel;
    this.reloadTls();
    if (needRestart.length > 0) this.log.warn({ keys: needRestart }, 'config reloaded; these changes need a restart and were not applied');
    this.log.info({ apps: next.apps.length }, 'config reloaded');
    return needRestart;
  }

  /**
   * Re-reads every TLS listener's certificate files (SIGHUP). New connections get the new
   * certificate; open ones keep theirs; a bad certificate is refused and logged.
   * @returns true when every listener reloaded
   */
  reloadTls(): boolean {
    return this.frontEnds.map(({ fe }) => fe.reload?.() ?? true).every(Boolean);
  }

  private describe(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { label, address } of this.frontEnds) if (address) out[label] = `${address.address}:${address.port}`;
    return out;
  }

  private lastStats = '';
  private lastStatsMs = 0;

  /** Sink upkeep (idle files, hourly retention); logs the counters once a minute when they changed. */
  private async housekeeping(): Promise<void> {
    const now = Date.now();
    await this.intake.housekeeping(now).catch((err) => this.log.error({ err, code: ErrorCodes.SINK_HOUSEKEEPING }, 'sink housekeeping failed'));
    if (now - this.lastStatsMs >= STATS_LOG_MS) {
      const stats = this.metrics.snapshot();
      const text = JSON.stringify(stats);
      if (text !== this.lastStats) this.log.info({ stats }, 'counters');
      this.lastStats = text;
      this.lastStatsMs = now;
    }
  }

  /** Counters snapshot (see {@link Metrics}). */
  stats(): Record<string, unknown> {
    return this.metrics.snapshot();
  }

  /** Writes everything received so far to every sink (and syncs it). */
  flush(): Promise<void> {
    return this.intake.drain();
  }

  /** Stops the front-ends (the admin endpoint last), drains and closes the sinks. Idempotent. */
  stop(logStats = true): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      // a sink that retries (JetStream) keeps at it for half the shutdown budget, then gives up
      this.intake.beginShutdown(this.cfg.shutdownTimeoutMs / 2);
      await Promise.all([...this.frontEnds.filter(({ fe }) => fe.kind !== 'admin').map(({ fe }) => fe.stop()), this.outputs?.stop()]);
      await Promise.all(this.frontEnds.filter(({ fe }) => fe.kind === 'admin').map(({ fe }) => fe.stop()));
      await this.intake.close();
      if (logStats) this.log.info({ stats: this.metrics.snapshot() }, 'receiver stopped');
    })();
    return this.stopping;
  }
}

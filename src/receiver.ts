/**
 * The receiver: wires config → registry, store, batcher, ingest and the front-ends, and
 * shuts them down in order (stop reading, flush, sync, close). DESIGN §1.
 */
import type { AddressInfo } from 'node:net';
import { AppRegistry } from './auth/registry.js';
import type { Config, TlsListenerConfig } from './config/schema.js';
import { bindError, ErrorCodes, ReceiverError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { Batcher } from './pipeline/batcher.js';
import { Ingest } from './pipeline/ingest.js';
import { Quotas } from './pipeline/quota.js';
import { FileSink } from './sinks/file.js';
import { enforceRetention, type RetentionResult } from './sinks/retention.js';
import { TcpListener } from './transports/tcp.js';
import { LiveLimits } from './transports/connection.js';
import { UdpListener } from './transports/udp.js';
import { TlsListener, TlsServer, type TlsFiles } from './transports/tls.js';
import { RelpListener, RelpSessions } from './transports/relp.js';
import { AdminServer } from './admin/server.js';
import { createPrometheusRegistry } from './admin/prometheus.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certFingerprint, generateCertSet } from './certs/index.js';

export interface ReceiverOptions {
  /** Defaults to a pino logger at `config.logLevel` on stderr. */
  log?: Logger;
  /** Test hook: delay before each fdatasync, ms. */
  syncDelayMs?: number;
  /** Test hook: an error to fail store writes with (see FileSink). */
  storeFault?: () => NodeJS.ErrnoException | null;
}

/** Bound addresses of the started listeners (port 0 in the config → the real port here). */
export interface ReceiverAddresses {
  udp?: AddressInfo;
  tcp?: AddressInfo;
  /** In `listen.tls` order. */
  tls?: AddressInfo[];
  relp?: AddressInfo;
  admin?: AddressInfo;
}

/** The certificate set generated at start for TLS listeners without cert/key. */
export interface GeneratedCerts {
  /** Path of the CA certificate senders must trust (rsyslog StreamDriver.CAFile, syslog-ng ca-file). */
  caCert: string;
  /** SHA-256 fingerprint of the CA certificate, `AB:CD:…`. */
  caFingerprint: string;
  /** True when the set was created by this start (false: an earlier one was reused). */
  created: boolean;
}

const HOUSEKEEPING_MS = 10_000;
const STATS_LOG_MS = 60_000;
const RETENTION_MS = 3_600_000;

export class Receiver {
  readonly metrics = new Metrics();
  readonly addresses: ReceiverAddresses = {};
  readonly log: Logger;
  private readonly sink: FileSink;
  private readonly batcher: Batcher;
  private readonly ingest: Ingest;
  private readonly limits: LiveLimits;
  private readonly quotas: Quotas;
  private udp: UdpListener | null = null;
  private tcp: TcpListener | null = null;
  /** TLS listeners, in `listen.tls` order. */
  readonly tls: TlsListener[] = [];
  private relp: { stop(): Promise<void>; readonly listening: boolean } | null = null;
  private relpSessions: RelpSessions | null = null;
  private admin: AdminServer | null = null;
  /** RELP over TLS: its secure server (for certificate reload). */
  private relpTls: TlsServer | null = null;
  /** Set when a TLS listener uses the generated certificate set. */
  generatedCerts: GeneratedCerts | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  /** The config in force (replaced by {@link reload}). */
  get config(): Config { return this.cfg; }

  private constructor(private cfg: Config, opts: ReceiverOptions) {
    const config = cfg;
    this.log = opts.log ?? createLogger(config.logLevel);
    const s = config.storage;
    this.sink = new FileSink(s.dir, s.fsync, this.log.child({ component: 'store' }), opts.syncDelayMs ?? 0, opts.storeFault ?? null);
    this.batcher = new Batcher(this.sink, s.flushIntervalMs, s.highWaterBytes, this.metrics, this.log.child({ component: 'batcher' }));
    this.limits = new LiveLimits(config.limits);
    this.quotas = new Quotas(config.apps);
    this.ingest = new Ingest({
      registry: new AppRegistry(config.apps),
      batcher: this.batcher,
      metrics: this.metrics,
      log: this.log.child({ component: 'ingest' }),
      tokenFields: config.auth.tokenFields,
      quotas: this.quotas,
    });
  }

  /**
   * Recovers the store, then binds every configured listener.
   * @throws ReceiverError naming the port and config key when a bind fails (nothing stays bound)
   */
  static async start(config: Config, opts: ReceiverOptions = {}): Promise<Receiver> {
    const r = new Receiver(config, opts);
    try {
      await r.sink.recover().catch((e: NodeJS.ErrnoException) => {
        throw new ReceiverError(ErrorCodes.STORE_OPEN, `cannot open the store at ${config.storage.dir}: ${e.message}. Check storage.dir and its permissions.`, { cause: e });
      });
      await r.enforceRetention();
      await r.bind();
    } catch (err) {
      await r.stop(false);
      throw err;
    }
    r.timer = setInterval(() => void r.housekeeping(), HOUSEKEEPING_MS);
    r.timer.unref();
    r.log.info({ listen: r.describe(), storage: config.storage.dir, apps: config.apps.length }, 'receiver started');
    return r;
  }

  private async bind(): Promise<void> {
    const { listen } = this.config;
    const common = { ingest: this.ingest, batcher: this.batcher, metrics: this.metrics, limits: this.limits };
    if (listen.udp) {
      const { address, port } = listen.udp;
      this.udp = new UdpListener({ ...common, log: this.log.child({ component: 'udp' }) });
      this.addresses.udp = await this.udp.start(address, port).catch((e) => { throw bindError(e, 'listen.udp', address, port); });
    }
    if (listen.tcp) {
      const { address, port } = listen.tcp;
      this.tcp = new TcpListener({
        ...common, log: this.log.child({ component: 'tcp' }),
      });
      this.addresses.tcp = await this.tcp.start(address, port).catch((e) => { throw bindError(e, 'listen.tcp', address, port); });
    }
    const tlsList = listen.tls ?? [];
    for (let i = 0; i < tlsList.length; i++) {
      const t = tlsList[i];
      const key = tlsList.length === 1 ? 'listen.tls' : `listen.tls[${i}]`;
      const files = await this.tlsFiles(t);
      let l: TlsListener;
      try {
        l = new TlsListener(key, t, files, {
          ...common, log: this.log.child({ component: 'tls', listener: key }),
        });
      } catch (e) {
        throw new ReceiverError(ErrorCodes.TLS_CERT, `${key}: ${(e as Error).message}. Fix ${key}.cert/key/ca, or remove cert and key to use a generated set.`, { cause: e });
      }
      this.tls.push(l);
      const a = await l.start().catch((e) => { throw bindError(e, key, t.address, t.port); });
      (this.addresses.tls ??= []).push(a);
    }
    await this.bindRelp();
    if (listen.admin) {
      const { address, port } = listen.admin;
      const registry = createPrometheusRegistry(this.metrics, {
        relpSessions: () => this.relpSessions?.sessions.size ?? 0,
        storeHealthy: () => this.batcher.healthy,
      });
      this.admin = new AdminServer(registry, () => this.health(), this.log.child({ component: 'admin' }));
      this.addresses.admin = await this.admin.start(address, port).catch((e) => { throw bindError(e, 'listen.admin', address, port); });
    }
  }

  /**
   * What is wrong right now, for `/healthz`: listeners not bound, the store failing.
   * @returns an empty list when healthy
   */
  health(): string[] {
    const reasons: string[] = [];
    const check = (name: string, l: { listening: boolean } | null | undefined): void => {
      if (l && !l.listening) reasons.push(`${name} listener is not bound`);
    };
    check('udp', this.udp);
    check('tcp', this.tcp);
    this.tls.forEach((l) => check(l.name, l));
    check('relp', this.relp);
    if (!this.batcher.healthy) reasons.push(`store cannot write: ${this.batcher.lastError ?? 'unknown error'}`);
    if (this.stopping) reasons.push('shutting down');
    return reasons;
  }

  private async bindRelp(): Promise<void> {
    const r = this.config.listen.relp;
    if (!r) return;
    const log = this.log.child({ component: 'relp' });
    const sessions = new RelpSessions({
      ingest: this.ingest, batcher: this.batcher, metrics: this.metrics, log,
      limits: this.limits, maxUnackedFrames: r.maxUnackedFrames, onWriteError: r.onWriteError,
    });
    this.relpSessions = sessions;
    if (!r.tls) {
      const l = new RelpListener(sessions, log);
      this.relp = l;
      this.addresses.relp = await l.start(r.address, r.port).catch((e) => { throw bindError(e, 'listen.relp', r.address, r.port); });
      return;
    }
    const files = await this.tlsFiles(r);
    let secure: TlsServer;
    try {
      secure = new TlsServer('listen.relp', r, files, {
        transport: 'relp', metrics: this.metrics, log,
        onConnection: (socket, source) => sessions.accept(socket, source),
        limit: (server) => sessions.limit(server),
      });
    } catch (e) {
      throw new ReceiverError(ErrorCodes.TLS_CERT, `listen.relp: ${(e as Error).message}. Fix listen.relp.cert/key/ca, or remove cert and key to use a generated set.`, { cause: e });
    }
    this.relpTls = secure;
    this.relp = {
      // stop accepting; the sessions flush, ack, send serverclose and close their sockets
      stop: () => secure.close(() => sessions.shutdown()),
      get listening() { return secure.listening; },
    };
    this.addresses.relp = await secure.start().catch((e) => { throw bindError(e, 'listen.relp', r.address, r.port); });
  }

  /** The listener's files; without cert/key, the set in certsDir (generated on first use). */
  private async tlsFiles(t: TlsListenerConfig): Promise<TlsFiles> {
    if (t.cert !== null && t.key !== null) return { cert: t.cert, key: t.key, ca: t.clientAuth === 'none' ? null : t.ca };
    const dir = this.config.certsDir;
    const files = { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), caCert: join(dir, 'ca.crt') };
    if (this.generatedCerts === null) {
      let created = false;
      if (!existsSync(files.cert) || !existsSync(files.key) || !existsSync(files.caCert)) {
        try {
          await generateCertSet({ outDir: dir });
        } catch (e) {
          throw new ReceiverError(ErrorCodes.TLS_CERT, `cannot generate TLS certificates in ${dir}: ${(e as Error).message}. Check certsDir.`, { cause: e });
        }
        created = true;
      }
      this.generatedCerts = { caCert: files.caCert, caFingerprint: certFingerprint(readFileSync(files.caCert)), created };
      this.log.info({ ...this.generatedCerts }, created ? 'generated a CA and server certificate for TLS' : 'using the generated TLS certificate set');
    }
    return { cert: files.cert, key: files.key, ca: t.clientAuth === 'none' ? null : (t.ca ?? files.caCert) };
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
    const needRestart: string[] = [];
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const k of ['udp', 'tcp', 'tls', 'relp', 'admin'] as const) {
      if (!same(prev.listen[k], next.listen[k])) needRestart.push(`listen.${k}`);
    }
    if (!same(prev.storage, next.storage)) needRestart.push('storage');
    if (prev.certsDir !== next.certsDir) needRestart.push('certsDir');
    this.cfg = { ...next, listen: prev.listen, storage: prev.storage, certsDir: prev.certsDir };
    this.ingest.registry = new AppRegistry(next.apps);
    this.ingest.tokenFields = next.auth.tokenFields;
    this.quotas.configure(next.apps);
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
    const results = this.tls.map((l) => l.reload());
    if (this.relpTls) results.push(this.relpTls.reload());
    return results.every(Boolean);
  }

  private describe(): Record<string, string> {
    const out: Record<string, string> = {};
    const put = (k: string, a: AddressInfo): void => { out[k] = `${a.address}:${a.port}`; };
    if (this.addresses.udp) put('udp', this.addresses.udp);
    if (this.addresses.tcp) put('tcp', this.addresses.tcp);
    this.addresses.tls?.forEach((a, i) => put(i === 0 ? 'tls' : `tls[${i}]`, a));
    if (this.addresses.relp) put('relp', this.addresses.relp);
    if (this.addresses.admin) put('admin', this.addresses.admin);
    return out;
  }

  private lastStats = '';
  private lastStatsMs = 0;

  /** Deletes expired and over-cap day files (storage.retentionDays, storage.maxBytes). */
  async enforceRetention(nowMs = Date.now()): Promise<RetentionResult> {
    const { dir, retentionDays, maxBytes } = this.cfg.storage;
    const res = await enforceRetention(dir, retentionDays, maxBytes, nowMs, (f) => this.sink.closeFile(f.app, f.day));
    this.lastRetentionMs = nowMs;
    if (res.deletedFiles > 0) this.log.info({ ...res }, 'retention: deleted old day files');
    if (maxBytes > 0 && res.totalBytes > maxBytes) this.log.warn({ totalBytes: res.totalBytes, maxBytes }, "store is over storage.maxBytes with only today's files left");
    return res;
  }

  private lastRetentionMs = 0;

  /** Closes idle files; hourly retention; logs the counters once a minute when they changed. */
  private async housekeeping(): Promise<void> {
    await this.sink.closeIdle();
    const now = Date.now();
    if (now - this.lastRetentionMs >= RETENTION_MS) await this.enforceRetention(now).catch((err) => this.log.error({ err }, 'retention failed'));
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

  /** Writes and syncs everything received so far. */
  flush(): Promise<void> {
    return this.batcher.flush();
  }

  /** Stops the listeners, flushes and syncs the store, closes files. Idempotent. */
  stop(logStats = true): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      await Promise.all([this.udp?.stop(), this.tcp?.stop(), ...this.tls.map((l) => l.stop()), this.relp?.stop()]);
      await this.admin?.stop();
      await this.batcher.close();
      await this.sink.close();
      if (logStats) this.log.info({ stats: this.metrics.snapshot() }, 'receiver stopped');
    })();
    return this.stopping;
  }
}

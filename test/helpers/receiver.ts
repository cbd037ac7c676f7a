/**
 * Test harness: starts a real Receiver on ephemeral 127.0.0.1 ports with a temp store, and
 * reads back what it stored. Used by integration and interop tests.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Receiver, type ReceiverOptions } from '../../src/receiver.js';
import { validateConfig, type Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import type { SyslogRecord } from '../../src/record.js';
import { tmpDir } from './tmp.js';
import { waitFor } from './wait.js';

/**
 * `pipeline:` for test receivers: `TEST_WORKERS` (`1`, `auto`, N) when set and the test does not
 * choose itself, so the whole suite runs once with the default worker pool and once on one thread
 * (scripts/run-tests.mjs).
 */
export function withTestWorkers(raw: Record<string, unknown>): Record<string, unknown> {
  const w = process.env.TEST_WORKERS;
  if (w === undefined || w === '' || raw.pipeline !== undefined) return raw;
  return { ...raw, pipeline: { workers: w === 'auto' ? 'auto' : Number(w) } };
}

export interface TestReceiver {
  receiver: Receiver;
  config: Config;
  dir: string;
  tcpPort: number;
  udpPort: number;
  /** Every record stored for `app` (flushes first), in file order. */
  records(app: string): Promise<SyslogRecord[]>;
  /** GET /metrics of this receiver (Prometheus text). */
  metrics(): Promise<string>;
  /** Polls until `app` has at least `n` records or `timeoutMs` passes; returns what is there. */
  waitFor(app: string, n: number, timeoutMs?: number): Promise<SyslogRecord[]>;
  stop(): Promise<void>;
}

/**
 * Raw config overrides (YAML-shaped object); `listen` defaults to udp+tcp on `host`:0, and an
 * admin listener (/metrics, /healthz) on 127.0.0.1:0 is always added.
 */
export async function startTestReceiver(overrides: Record<string, unknown> = {}, host = '127.0.0.1'): Promise<TestReceiver> {
  const tmp = tmpDir('srx-test-');
  const dir = tmp.path;
  const raw = {
    certsDir: join(dir, 'certs'),
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
    // every test receiver also serves /metrics and /healthz on an ephemeral port
    listen: { ...((overrides.listen as object | undefined) ?? { udp: { address: host, port: 0 }, tcp: { address: host, port: 0 } }), admin: { address: '127.0.0.1', port: 0 } },
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5, ...(overrides.storage as object | undefined) },
  };
  const config = validateConfig(withTestWorkers(raw));
  const receiver = await Receiver.start(config, { log: createLogger(config.logLevel) });
  const records = async (app: string): Promise<SyslogRecord[]> => {
    await receiver.flush();
    return readStore(config.storage.dir, app);
  };
  return {
    receiver,
    config,
    dir,
    tcpPort: receiver.addresses.tcp?.port ?? 0,
    udpPort: receiver.addresses.udp?.port ?? 0,
    records,
    async metrics() {
      return (await fetch(`http://127.0.0.1:${receiver.addresses.admin!.port}/metrics`)).text();
    },
    async waitFor(app, n, timeoutMs = 10_000) {
      let recs: SyslogRecord[] = [];
      // no throw on timeout: callers assert on what is there
      await waitFor(async () => (recs = await records(app)).length >= n, { timeoutMs, intervalMs: 50, onTimeout: 'return' });
      return recs;
    },
    async stop() {
      await receiver.stop();
      tmp.cleanup();
    },
  };
}

/**
 * The bare `validateConfig(raw)` + `Receiver.start` with a silent logger, for tests that spell
 * out their whole config (no defaults added, unlike {@link startTestReceiver}) or need
 * `ReceiverOptions` such as fault-injecting sinks.
 */
export async function startReceiver(raw: Record<string, unknown>, opts: ReceiverOptions = {}): Promise<{ rx: Receiver; config: Config }> {
  const config = validateConfig(withTestWorkers(raw));
  const rx = await Receiver.start(config, { log: createLogger('silent'), ...opts });
  return { rx, config };
}

/** Reads every `<dir>/<app>/*.ndjson` line as a record; asserts no torn line. */
export function readStore(storeDir: string, app: string): SyslogRecord[] {
  const appDir = join(storeDir, app);
  if (!existsSync(appDir)) return [];
  const out: SyslogRecord[] = [];
  for (const f of readdirSync(appDir).sort()) {
    if (!f.endsWith('.ndjson')) continue;
    const text = readFileSync(join(appDir, f), 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${f}: torn last line`);
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as SyslogRecord);
  }
  return out;
}

/** Lists the app directories present in the store. */
export function storedApps(storeDir: string): string[] {
  return existsSync(storeDir) ? readdirSync(storeDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
}

/** Every byte under the store root (all apps, all files, the journal too), as latin1: for "no token anywhere" checks. */
export function storeBytes(storeDir: string): string {
  if (!existsSync(storeDir)) return '';
  let out = '';
  for (const e of readdirSync(storeDir)) {
    const p = join(storeDir, e);
    out += statSync(p).isDirectory() ? storeBytes(p) : readFileSync(p, 'latin1');
  }
  return out;
}

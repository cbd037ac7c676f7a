/**
 * Real `nats-server` processes for the JetStream tests: JetStream on, an ephemeral loopback
 * port, a store directory of its own; stopped (and the directory removed) by `stop()`.
 * `startNatsCluster(n)`: n such servers routed into one JetStream cluster (for the R3 fault tests).
 * A missing nats-server fails under REQUIRE_INTEROP=1 and skips otherwise (see `natsMissing`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from './net.js';
import { tmpDir } from './tmp.js';
import { sleep, waitFor } from './wait.js';

/** Why the nats-server tests cannot run here, or false. */
export function natsMissing(): string | false {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return false;
  if (process.env.REQUIRE_INTEROP === '1') throw new Error('nats-server not found (REQUIRE_INTEROP=1): run scripts/install-interop-clients.sh');
  return 'nats-server not installed';
}

export interface NatsServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGTERM, wait for exit, remove the store. */
  stop(): Promise<void>;
}

/** Starts one JetStream server on 127.0.0.1 and waits until it accepts connections. */
export async function startNatsServer(): Promise<NatsServer> {
  const dir = tmpDir('srx-nats-');
  const port = await freePort();
  const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir.path], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { log += d; });
  const reap = (): void => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', reap);
  await waitFor(() => log.includes('Server is ready'), { timeoutMs: 10_000, what: `nats-server ready: ${log}` });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      process.off('exit', reap);
      dir.cleanup();
    },
  };
}

// ------------------------------------------------------------------------------- clusters

/** One log line of a cluster node: when the test process read it (epoch ms), which start of the node (0 = first), the text. */
export interface NatsLogLine { atMs: number; start: number; line: string }

export interface ClusterNode {
  /** `server_name` (n1, n2, …): what `StreamInfo.cluster.leader` and `replicas[].name` say. */
  name: string;
  url: string;
  port: number;
  /** The route (cluster) port. */
  clusterPort: number;
  /** The config file it runs with (`nats-server -c`). */
  configPath: string;
  storeDir: string;
  /** The process of the current start (a new one after `restart()`). */
  child: ChildProcess;
  /** Every stderr line of every start of this node. */
  logs: NatsLogLine[];
  /** The node's process is running (not exited; a SIGSTOPped one counts as running). */
  running(): boolean;
  /** Sends `signal` to the current process (SIGKILL, SIGSTOP, SIGCONT …); waits for the exit after SIGKILL/SIGTERM. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGCONT (in case it is stopped), SIGTERM, wait for exit (SIGKILL after 10 s). The store stays (see `restart`). */
  stop(): Promise<void>;
  /** Starts the node again with the same config file, ports and store dir (after a kill or a stop); waits for "Server is ready". */
  restart(): Promise<void>;
}

export interface NatsCluster {
  /** The client URLs of all nodes (what `storage.jetstream.servers` gets). */
  urls: string[];
  servers: ClusterNode[];
  /** The node with this `server_name`. */
  byName(name: string): ClusterNode | undefined;
  /** Stops every node and removes the store dirs. */
  stop(): Promise<void>;
}

/** nats-server's own config syntax for node `i` of the cluster. */
function nodeConfig(o: { name: string; port: number; clusterPort: number; routes: number[]; storeDir: string }): string {
  return [
    `# node ${o.name} of the test cluster (written by test/helpers/nats.ts startNatsCluster)`,
    `server_name: ${o.name}`,
    `listen: 127.0.0.1:${o.port}`,
    'jetstream {',
    `  store_dir: ${JSON.stringify(o.storeDir)}`,
    '  max_memory_store: 256MB',
    '  max_file_store: 2GB',
    '}',
    'cluster {',
    '  name: srx',
    `  listen: 127.0.0.1:${o.clusterPort}`,
    `  routes: [${o.routes.map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}]`,
    '}',
    '',
  ].join('\n');
}

/**
 * Starts `n` nats-server processes on 127.0.0.1 (ephemeral client and route ports), routed into
 * cluster `srx` with JetStream on, each with its own config file and store dir, and waits until
 * the JetStream meta leader is elected (an account info request succeeds), at most ~20 s.
 */
export async function startNatsCluster(n = 3): Promise<NatsCluster> {
  const base = tmpDir('srx-natsc-');
  const ports: number[] = [];
  const clusterPorts: number[] = [];
  // distinct ports (freePort may hand out a port twice when asked in a row)
  while (ports.length < n || clusterPorts.length < n) {
    const p = await freePort();
    if (ports.includes(p) || clusterPorts.includes(p)) continue;
    (ports.length < n ? ports : clusterPorts).push(p);
  }
  const servers: ClusterNode[] = [];
  const reaps: Array<() => void> = [];
  for (let i = 0; i < n; i++) {
    const name = `n${i + 1}`;
    const storeDir = join(base.path, name, 'store');
    const configPath = join(base.path, `${name}.conf`);
    spawnSync('mkdir', ['-p', storeDir]);
    writeFileSync(configPath, nodeConfig({ name, port: ports[i], clusterPort: clusterPorts[i], routes: clusterPorts.filter((_, j) => j !== i), storeDir }));
    const logs: NatsLogLine[] = [];
    let starts = 0;
    let child!: ChildProcess;
    let exited!: Promise<void>;
    const spawnNode = (): void => {
      const start = starts++;
      const c = spawn('nats-server', ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      let buf = '';
      c.stderr!.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          logs.push({ atMs: Date.now(), start, line: buf.slice(0, nl) });
          buf = buf.slice(nl + 1);
        }
      });
      child = c;
      exited = new Promise<void>((r) => { if (c.exitCode !== null || c.signalCode !== null) r(); else c.once('exit', () => r()); });
    };
    const ready = async (): Promise<void> => {
      const start = starts - 1;
      const c = child;
      await waitFor(() => logs.some((l) => l.start === start && l.line.includes('Server is ready')) || c.exitCode !== null, {
        timeoutMs: 15_000, what: `nats-server ${name} ready: ${logs.filter((l) => l.start === start).map((l) => l.line).join('\n')}`,
      });
      if (c.exitCode !== null) throw new Error(`nats-server ${name} exited ${c.exitCode}: ${logs.filter((l) => l.start === start).map((l) => l.line).join('\n')}`);
    };
    const running = (): boolean => child.exitCode === null && child.signalCode === null;
    const stopNode = async (): Promise<void> => {
      if (!running()) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    };
    spawnNode();
    reaps.push(() => { if (running()) child.kill('SIGKILL'); });
    servers.push({
      name, url: `nats://127.0.0.1:${ports[i]}`, port: ports[i], clusterPort: clusterPorts[i], configPath, storeDir, logs,
      get child() { return child; },
      running,
      async kill(signal) {
        if (!running()) return;
        child.kill(signal);
        if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
      },
      stop: stopNode,
      async restart() {
        await stopNode();
        spawnNode();
        await ready();
      },
    });
  }
  const reapAll = (): void => { for (const r of reaps) r(); };
  process.once('exit', reapAll);
  const cluster: NatsCluster = {
    urls: servers.map((s) => s.url),
    servers,
    byName: (name) => servers.find((s) => s.name === name),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      process.off('exit', reapAll);
      base.cleanup();
    },
  };
  try {
    // each node is ready for clients; then JetStream needs its meta leader (a RAFT election among all nodes)
    await Promise.all(servers.map(async (s, i) => {
      await waitFor(() => s.logs.some((l) => l.line.includes('Server is ready')) || !s.running(), { timeoutMs: 15_000, what: `nats-server n${i + 1} ready` });
      if (!s.running()) throw new Error(`nats-server ${s.name} exited: ${s.logs.map((l) => l.line).join('\n')}`);
    }));
    await waitForJetStream(cluster.urls, 20_000);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

/** Retries a JetStream account info request until it succeeds (the meta leader is elected), at most `timeoutMs`. */
export async function waitForJetStream(urls: string[], timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const nc = await connect({ servers: urls, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 1000, checkAPI: false });
    let last: unknown = null;
    while (Date.now() < end) {
      try {
        await jsm.getAccountInfo();
        return;
      } catch (e) {
        last = e;
        await sleep(200);
      }
    }
    throw new Error(`JetStream meta leader not elected within ${timeoutMs} ms: ${(last as Error)?.message}`);
  } finally {
    await nc.close();
  }
}

/**
 * The time a nats-server log line was written, epoch ms (its own `YYYY/MM/DD hh:mm:ss.uuuuuu`
 * stamp, local time, microseconds kept as a fraction), or NaN when the line has none.
 */
export function natsLogTimeMs(line: string): number {
  const m = /(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,6})/.exec(line);
  if (!m) return NaN;
  const frac = Number(`0.${m[7]}`) * 1000;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() + frac;
}

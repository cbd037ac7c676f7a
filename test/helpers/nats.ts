/**
 * Real `nats-server` processes for the JetStream tests: JetStream on, an ephemeral loopback
 * port, a store directory of its own; stopped (and the directory removed) by `stop()`.
 * A missing nats-server fails under REQUIRE_INTEROP=1 and skips otherwise (see `natsMissing`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './net.js';
import { tmpDir } from './tmp.js';
import { waitFor } from './wait.js';

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

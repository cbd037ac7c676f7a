/** Builds throwaway stores and configs for the store-reader tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { tmpDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

/** A stored record line (JSON, no LF) with every fixed field; `over` replaces fields. */
export function rec(over: Record<string, unknown>): string {
  const ts = (over['@timestamp'] as string | undefined) ?? '2026-11-20T00:00:00.000Z';
  return JSON.stringify({
    '@timestamp': ts, receivedAt: ts, app: 'billing', facility: 1, severity: 6, hostname: 'web1', appName: 'api',
    procId: null, msgId: null, structuredData: null, message: 'hello',
    source: { address: '127.0.0.1', port: 50000, transport: 'tcp' }, syslog: { format: 'rfc3164', tokenSource: 'tag' },
    ...over,
  });
}

/** The fixture lines of app "billing", by day file. The last day ends with a torn line (no LF). */
export const L = {
  a1: rec({ '@timestamp': '2026-11-18T10:00:00.000Z', hostname: 'web1', severity: 6, message: 'alpha one' }),
  a2: rec({ '@timestamp': '2026-11-18T23:59:59.000Z', hostname: 'WEB2', severity: 3, message: 'alpha two error' }),
  // event time a day ahead of its receipt (stored in the 18th's file)
  a3: rec({ '@timestamp': '2026-11-19T00:30:00.000Z', receivedAt: '2026-11-18T23:59:59.500Z', hostname: 'WEB1', severity: 4, message: 'early clock' }),
  b1: rec({ '@timestamp': '2026-11-19T08:00:00.000Z', hostname: 'web1', severity: 5, message: 'line1\nline2\x1b[31m red' }),
  b2: 'this is not json',
  b3: rec({ '@timestamp': '2026-11-19T12:00:00.000Z', hostname: null, appName: null, severity: 7, message: null, source: { address: '10.0.0.7', port: 514, transport: 'udp' } }),
  c1: rec({ '@timestamp': '2026-11-20T01:00:00.000Z', hostname: 'web3', severity: 2, message: 'crit thing' }),
  c2: rec({ '@timestamp': '2026-11-20T02:00:00.000Z', hostname: 'web1', severity: 6, message: 'last complete' }),
  torn: '{"@timestamp":"2026-11-20T03:00:00.000Z","receivedAt":"2026-11-20T03:0',
};
/** Every complete line of "billing", in stored order. */
export const ALL = [L.a1, L.a2, L.a3, L.b1, L.b2, L.b3, L.c1, L.c2];

export interface Fixture {
  dir: string;
  config: string;
  store: string;
}

/**
 * A temp dir with `c.yaml` (apps billing and quiet; storage.dir data) and `data/billing/` holding
 * three day files, a blank line, a non-JSON line, a torn last line and a stray non-day file.
 */
export function makeStore(): Fixture {
  const dir = tmpDir('srx-store-').path; // removed when the test process exits
  const store = join(dir, 'data');
  const app = join(store, 'billing');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, '2026-11-18.ndjson'), [L.a1, L.a2, L.a3].join('\n') + '\n');
  writeFileSync(join(app, '2026-11-19.ndjson'), [L.b1, '', L.b2, L.b3].join('\n') + '\n');
  writeFileSync(join(app, '2026-11-20.ndjson'), [L.c1, L.c2].join('\n') + '\n' + L.torn);
  writeFileSync(join(app, 'notes.txt'), 'not a day file\n');
  const config = join(dir, 'c.yaml');
  writeFileSync(config, [
    'listen:', '  tcp: { address: 127.0.0.1, port: 5514 }',
    'apps:',
    '  - name: billing', '    token: 2bfbea1e-10c3-4419-bdad-7e6435882e1f',
    '  - name: quiet', '    token: 3bfbea1e-10c3-4419-bdad-7e6435882e1f',
    'storage: { dir: data }', '',
  ].join('\n'));
  return { dir, config, store };
}

/** A writable that collects what is written; `isTTY` as given. */
export class Sink extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
}

/** A writable whose every write fails with EPIPE, as stdout does once `| head` has exited. */
export class BrokenPipe extends Writable {
  writes = 0;
  override _write(_c: unknown, _e: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.writes++;
    cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  }
}

/** Resolves once `cond()` is true; rejects after `ms` ({@link waitFor}, checked every 10 ms). */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  await waitFor(cond, { timeoutMs: ms, intervalMs: 10, what });
}

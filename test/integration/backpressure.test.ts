/** A slow disk pauses TCP senders instead of growing memory; nothing received is lost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Receiver } from '../../src/receiver.js';
import { validateConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStore } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { withFaults } from '../helpers/fault-sink.js';

test('slow fsync: sockets are paused above the high-water mark, every line is stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'srx-bp-'));
  const config = validateConfig({
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', allowedSources: ['127.0.0.1'] }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5, highWaterBytes: 65536 },
    logLevel: 'silent',
  });
  const rx = await Receiver.start(config, { log: createLogger('silent'), sinks: withFaults({ delayMs: 100 }) });
  try {
    const n = 5000;
    const body = 'x'.repeat(150);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`<13>Nov 21 10:00:00 host tag: ${i} ${body}\n`);
    const t0 = Date.now();
    await sendTcp(rx.addresses.tcp!.port, lines.join(''), '127.0.0.1', 60_000);
    await rx.flush();
    const recs = readStore(config.storage.dir, 'a');
    assert.equal(recs.length, n);
    assert.deepEqual(recs.map((r) => Number(r.message!.split(' ')[0])), Array.from({ length: n }, (_, i) => i));
    const st = rx.stats() as { backpressurePauses: number; storeBatches: number };
    assert.ok(st.backpressurePauses >= 2, `paused ${st.backpressurePauses} times`);
    assert.ok(Date.now() - t0 >= 100 * Math.floor(st.storeBatches / 2), 'the sender was slowed by the disk');
  } finally {
    await rx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A slow disk pauses TCP senders instead of growing memory; nothing received is lost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readStore, startReceiver } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { withFaults } from '../helpers/fault-sink.js';
import { lf, rfc3164 } from '../helpers/frames.js';
import { tmpDir } from '../helpers/tmp.js';

test('slow fsync: sockets are paused above the high-water mark, every line is stored', async () => {
  const tmp = tmpDir('srx-bp-');
  const { rx, config } = await startReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', allowedSources: ['127.0.0.1'] }],
    storage: { dir: join(tmp.path, 'data'), flushIntervalMs: 5, highWaterBytes: 65536 },
    logLevel: 'silent',
  }, { sinks: withFaults({ delayMs: 100 }) });
  try {
    const n = 5000;
    const body = 'x'.repeat(150);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(lf(rfc3164('host', 'tag', `${i} ${body}`)));
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
    tmp.cleanup();
  }
});

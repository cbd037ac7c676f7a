/** Admin HTTP: /metrics scraped and checked against what the test sent; /healthz 200 and 503. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestReceiver } from '../helpers/receiver.js';
import { sendTcp, sendUdp } from '../helpers/net.js';
import { lf, rfc3164 } from '../helpers/frames.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const BROKEN = 'c0ffee00-1111-4222-8333-444455556666';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** The value of one sample line of the exposition, e.g. `x_total{reason="unauthorized"}`. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  assert.ok(line, `metric ${name} present`);
  return Number(line.slice(name.length + 1));
}

test('/metrics counts what was sent; /healthz is 200, then 503 while the store cannot write', async () => {
  const rx = await startTestReceiver({
    listen: { udp: { address: '127.0.0.1', port: 0 }, tcp: { address: '127.0.0.1', port: 0 }, admin: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'good', token: TOKEN }, { name: 'broken', token: BROKEN }],
  });
  try {
    const admin = rx.receiver.addresses.admin!.port;
    assert.deepEqual(await get(admin, '/healthz'), { status: 200, body: '{"status":"ok"}\n' });
    const lines = Array.from({ length: 25 }, (_, i) => lf(rfc3164('h', TOKEN, `tcp ${i}`)));
    await sendTcp(rx.tcpPort, [...lines, 'no token here\n', 'nor here\n']);
    await sendUdp(rx.udpPort, [rfc3164('h', TOKEN, 'udp 1'), 'junk']);
    await rx.waitFor('good', 26);
    const m = (await get(admin, '/metrics')).body;
    assert.equal(sample(m, 'syslog_receiver_stored_events_total{app="good"}'), 26);
    assert.equal(sample(m, 'syslog_receiver_received_events_total{transport="tcp"}'), 27);
    assert.equal(sample(m, 'syslog_receiver_received_events_total{transport="udp"}'), 2);
    assert.equal(sample(m, 'syslog_receiver_rejected_events_total{reason="unauthorized"}'), 3);
    assert.ok(sample(m, 'syslog_receiver_received_bytes_total{transport="tcp"}') > 25 * 40);
    assert.ok(sample(m, 'syslog_receiver_store_batches_total') >= 1);
    assert.ok(sample(m, 'syslog_receiver_store_sync_seconds_count') >= 1);
    assert.ok(m.includes('process_resident_memory_bytes'), 'process metrics');
    assert.equal(sample(m, 'syslog_receiver_store_healthy'), 1);

    // make app "broken" unwritable: its directory is a file
    mkdirSync(rx.config.storage.dir, { recursive: true });
    writeFileSync(join(rx.config.storage.dir, 'broken'), 'x');
    await sendTcp(rx.tcpPort, `h ${BROKEN}:will fail\n`);
    await rx.receiver.flush();
    const h = await get(admin, '/healthz');
    assert.equal(h.status, 503);
    assert.match(JSON.parse(h.body).reasons[0], /^store cannot write/);
    const m2 = (await get(admin, '/metrics')).body;
    assert.equal(sample(m2, 'syslog_receiver_rejected_events_total{reason="write_error"}'), 1);
    assert.equal(sample(m2, 'syslog_receiver_store_healthy'), 0);
    // intake pauses, resumes once the store has free space (probed every second); the next good write heals it
    await sendTcp(rx.tcpPort, `h ${TOKEN}:ok again\n`);
    const healed = await rx.waitFor('good', 27);
    assert.equal(healed.at(-1)!.message, 'ok again');
    assert.equal((await get(admin, '/healthz')).status, 200);
    assert.equal((await get(admin, '/nope')).status, 404);
  } finally {
    await rx.stop();
  }
});

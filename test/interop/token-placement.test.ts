/**
 * Token placement and hygiene end to end (issue 14 §4, §5): OpenBSD `nc -N` sends, over TCP to a
 * real receiver, the shapes forwarders and Docker's `logentries` driver write — a token before
 * the PRI, Docker's line-only (two spaces) and default Go-map (three spaces) forms, tokens next to
 * Unicode whitespace — and lines holding other apps' tokens. The stored files must hold no known
 * token at all, each record must have the fields asked for, and `tokens_scrubbed_total` must
 * count exactly the tokens removed beyond the authorizing ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sample } from '../helpers/http.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { requireClient } from './lib/scenario.js';

const A = '3f0c6b6e-5a0e-4c55-9f39-1a2b3c4d5e6f';
const B = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';

/** One `nc -N 127.0.0.1 port` with `data` on stdin (bounded: 20 s). */
function nc(port: number, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('nc', ['-N', '127.0.0.1', String(port)], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`nc exited ${code}: ${err}`));
    });
    child.stdin.end(data);
  });
}

test('nc: token before the PRI, Docker logentries forms, Unicode whitespace; no known token stored; scrubs counted', { timeout: 60_000 }, async (t) => {
  if (!requireClient(t, 'nc')) return;
  const rx = await startTestReceiver({ apps: [{ name: 'a', token: A }, { name: 'b', token: B }] });
  try {
    const lines = [
      `${A} <13>Jun 12 09:15:02 web-01 app[42]: pre-pri probe-1`,
      `${A}  probe-2 line-only from docker`,
      `${A}   2024-05-01 10:00:00.123456789 +0000 UTC map[container_id:3f4e5d6c7b8a container_name:web-1 log:probe-3 GET / 200 source:stdout]`,
      `<13>Jun 12 09:15:02 h app: probe-4\u00a0${A}\u00a0nbsp`,
      `<13>Jun 12 09:15:02 h app: probe-5 ${A} carries b's ${B} and ${B.toUpperCase()}`,
      `<13>Jun 12 09:15:02 h ${B}: probe-6 @cee-less with a's ${A}`,
      `<13>Jun 12 09:15:02 h app: @cee: {"logsene-app-token":"${B}","message":"probe-7","deep":{"x":["${A}"]}}`,
    ];
    await nc(rx.tcpPort, lines.join('\n') + '\n');
    const a = await rx.waitFor('a', 5, 15_000);
    const b = await rx.waitFor('b', 2, 15_000);
    const byProbe = new Map([...a, ...b].map((r) => [String(r.message ?? '').match(/probe-\d/)?.[0], r]));
    const get = (p: string): Record<string, any> => {
      const r = byProbe.get(p);
      assert.ok(r, `${p} stored: ${JSON.stringify([...a, ...b].map((x) => x.message))}`);
      return r as Record<string, any>;
    };
    assert.equal(get('probe-1').hostname, 'web-01');
    assert.equal(get('probe-1').appName, 'app');
    assert.equal(get('probe-1').message, 'pre-pri probe-1');
    assert.equal(get('probe-2').message, 'probe-2 line-only from docker');
    assert.equal(get('probe-3').message, 'probe-3 GET / 200');
    assert.deepEqual(get('probe-3').docker, { container_id: '3f4e5d6c7b8a', container_name: 'web-1', source: 'stdout' });
    assert.equal(get('probe-3')['@timestamp'], '2024-05-01T10:00:00.123Z');
    assert.equal(get('probe-4').message, 'probe-4\u00a0\u00a0nbsp');
    assert.equal(get('probe-5').message, "probe-5 carries b's and");
    assert.equal(get('probe-5').app, 'a');
    assert.equal(get('probe-6').app, 'b');
    assert.equal(get('probe-6').message, "probe-6 @cee-less with a's");
    assert.equal(get('probe-7').app, 'b');
    assert.deepEqual(get('probe-7').deep, { x: [null] });
    // the files themselves, byte for byte: no known token in any case
    const data = join(rx.config.storage.dir);
    for (const app of ['a', 'b']) {
      for (const f of readdirSync(join(data, app)).filter((x) => x.endsWith('.ndjson'))) {
        const text = readFileSync(join(data, app, f), 'utf8').toLowerCase();
        assert.ok(!text.includes(A) && !text.includes(B), `${app}/${f} holds a token`);
      }
    }
    // removed beyond the authorizing ones: probe-5 two of b's, probe-6 one of a's, probe-7 one of a's
    assert.equal(sample(await rx.metrics(), 'syslog_receiver_tokens_scrubbed_total'), 4);
  } finally {
    await rx.stop();
  }
});

/**
 * Fuzz of the web API's request parsing on a live receiver: random query strings, times,
 * limits, intervals, cursors, event ids, Last-Event-ID values, cookies and Authorization
 * headers. Every answer is one of the documented statuses (never a 500), a 400 names its
 * parameter, and the receiver keeps answering and storing afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { startTestReceiver } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { web } from '../helpers/web.js';
import { SEED } from './common.js';

const KEY = randomUUID();
const TOKEN = randomUUID();
const piece = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('now', 'now-15m', 'now-99999999w', '2026-12-01', '2026-02-30T10:00Z', '-1', '0', '1000', '1001', 'auto', '1m', '1d', '20261202-0', '99999999-99999999999999999', '"', '(', ')', 'OR', 'host:', 'severity:<=x', 'sd.a.b:c', '%', '%zz', '\u0000'),
);

test('random API requests: documented statuses only, never a 500; the receiver keeps working', async () => {
  const r = await startTestReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, web: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'f', token: TOKEN, readKeys: [KEY] }],
  });
  try {
    const port = r.receiver.addresses.web!.port;
    await sendTcp(r.tcpPort, Array.from({ length: 50 }, (_, i) => `<13>h p: ${TOKEN} fuzz line ${i} timeout\n`));
    await r.waitFor('f', 50);
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('events', 'histogram', 'export', 'events/20261202-0/context', 'events/%E0%A4%A/context', 'tail'),
      fc.dictionary(fc.constantFrom('q', 'from', 'to', 'limit', 'interval', 'before', 'after', 'lastEventId'), piece, { maxKeys: 4 }),
      fc.constantFrom('key', 'none', 'garbage', 'cookie'),
      async (what, params, auth) => {
        const qs = new URLSearchParams(params as Record<string, string>).toString();
        const headers: Record<string, string> = {};
        if (auth === 'garbage') headers.authorization = 'Bearer \u00ffx';
        if (auth === 'cookie') headers.cookie = 'sr_session=%%%; a=b; =;';
        const path = `/api/v1/apps/f/${what}?${qs}`;
        const res = await web(port, path, { key: auth === 'key' ? KEY : undefined, headers });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok([200, 400, 401, 404].includes(res.status), `${path} (${auth}) → ${res.status} ${res.text}`);
      },
    ), { numRuns: 300, seed: SEED });
    assert.ok((statuses.get(200) ?? 0) > 10 && (statuses.get(400) ?? 0) > 10, `a mix of answers: ${JSON.stringify([...statuses])}`);
    await sendTcp(r.tcpPort, `<13>h p: ${TOKEN} still alive\n`);
    assert.equal((await r.waitFor('f', 51)).length, 51);
    const ok = await web(port, '/api/v1/apps/f/events?q=alive', { key: KEY });
    assert.equal(ok.json.events.length, 1);
  } finally {
    await r.stop();
  }
});

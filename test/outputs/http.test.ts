/**
 * The `http` output (src/outputs/http.ts) against the fake API over real HTTP
 * (test/helpers/fake-api.ts): records sent over TCP to a real in-process receiver are POSTed as
 * NDJSON (the stored lines, byte for byte) to a Loggly-style URL template, one path per app
 * (`{token}` = the output's secret for the app); headers, bearer credentials and gzip bodies;
 * 503 with `Retry-After`, a hanging API (`timeoutMs`) and a reset connection are retried until
 * delivered, nothing lost and nothing twice; a permanent 400 dead-letters the whole batch, which
 * is never sent again while later records still ship; `/healthz` reports a lagging output and
 * recovers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeApi, type ApiRequest, type FakeApi } from '../helpers/fake-api.js';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const TOKEN_API = '7d0c6a2e-58a4-4c1e-9c43-2f1f0b8f5a11';
/** The output's own per-app secrets (Loggly customer tokens), not the intake tokens; one needs URL-encoding. */
const SECRET_WEB = 'loggly-web-0f3b';
const SECRET_API = 'loggly api/ü+1';
/** Fast retries for every case. */
const FAST = { batchDelayMs: 0, minBackoffMs: 20, maxBackoffMs: 100 } as const;

/** `n` RFC 3164 lines with the token in the TAG, messages `<tag>-0` … `<tag>-(n-1)`. */
const lines = (n: number, tag: string, token = TOKEN): string =>
  Array.from({ length: n }, (_, i) => `<13>Dec  2 10:00:00 host ${token}: ${tag}-${i}\n`).join('');

/** Every stored line of `app` (raw, without LF), in file order. */
function storedLines(r: TestReceiver, app: string): string[] {
  const dir = join(r.config.storage.dir, app);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
}

/** Non-empty NDJSON lines of one request body. */
const bodyLines = (q: ApiRequest): string[] => q.text().split('\n').filter((l) => l !== '');
const messageOf = (line: string): string => (JSON.parse(line) as { message: string }).message;

/** How often each message arrived in a 2xx-answered request (api.lines holds only those). */
function arrivals(api: FakeApi, path?: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of api.lines) if (path === undefined || l.path === path) m.set(messageOf(l.line), (m.get(messageOf(l.line)) ?? 0) + 1);
  return m;
}

/** Asserts that each of `want` arrived exactly once, and nothing else. */
function assertOnce(api: FakeApi, want: string[], path?: string): void {
  const got = arrivals(api, path);
  const twice = [...got].filter(([, n]) => n > 1).map(([m]) => m);
  assert.deepEqual(twice, [], 'no record delivered twice');
  assert.deepEqual([...got.keys()].sort(), [...want].sort(), 'every record delivered, nothing else');
}

const names = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

/** One line of an output's dead-letter file (src/outputs/dead-letter.ts). */
interface DeadLetter { at: string; output: string; app: string; day: string; offset: number; error: string; record: { message: string } }

async function healthz(r: TestReceiver): Promise<{ status: number; body: { status: string; reasons?: string[] } }> {
  const res = await fetch(`http://127.0.0.1:${r.receiver.addresses.admin!.port}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string; reasons?: string[] } };
}

test('http output: Loggly-style {token} URL, one path per app, NDJSON of the stored lines, headers, bearer token, gzip', async () => {
  const api = await startFakeApi();
  const r = await startTestReceiver({
    apps: [{ name: 'web', token: TOKEN }, { name: 'api', token: TOKEN_API }],
    outputs: [{
      name: 'loggly', type: 'http', url: `${api.url}/bulk/{token}/tag/syslog/`,
      tokens: { web: SECRET_WEB, api: SECRET_API },
      headers: { 'X-Custom-Header': 'custom-value' }, bearerToken: 'bearer-secret-123', gzip: true,
      batchMaxRecords: 40, ...FAST,
    }],
  });
  try {
    await sendTcp(r.tcpPort, lines(100, 'web') + lines(30, 'api', TOKEN_API));
    assert.equal((await r.waitFor('web', 100)).length, 100);
    assert.equal((await r.waitFor('api', 30)).length, 30);
    const webPath = `/bulk/${SECRET_WEB}/tag/syslog/`;
    const apiPath = `/bulk/${encodeURIComponent(SECRET_API)}/tag/syslog/`;
    assert.equal(apiPath, '/bulk/loggly%20api%2F%C3%BC%2B1/tag/syslog/');
    const count = (p: string): number => api.lines.filter((l) => l.path === p).length;
    assert.ok(await api.waitFor(() => count(webPath) >= 100 && count(apiPath) >= 30, 10_000), `web ${count(webPath)}/100, api ${count(apiPath)}/30`);
    await waitFor(() => r.receiver.outputs!.stats()[0].totals.shipped === 130, { timeoutMs: 5000, what: 'shipped 130' });

    // each app at its own path, the lines byte for byte as stored, in store order
    assert.deepEqual(api.lines.filter((l) => l.path === webPath).map((l) => l.line), storedLines(r, 'web'));
    assert.deepEqual(api.lines.filter((l) => l.path === apiPath).map((l) => l.line), storedLines(r, 'api'));
    assert.deepEqual(new Set(api.lines.map((l) => l.path)), new Set([webPath, apiPath]), 'no other path');
    assertOnce(api, names('web', 100), webPath);
    assertOnce(api, names('api', 30), apiPath);
    for (const line of api.lines) assert.ok(!line.line.includes(TOKEN) && !line.line.includes(TOKEN_API), 'no intake token in a shipped line');

    for (const q of api.requests) {
      assert.equal(q.method, 'POST');
      assert.equal(q.headers['content-encoding'], 'gzip');
      assert.equal(q.decodeError, undefined, 'the gzip body decodes');
      assert.equal(q.headers['content-type'], 'application/x-ndjson');
      assert.equal(q.headers['x-custom-header'], 'custom-value');
      assert.equal(q.headers.authorization, 'Bearer bearer-secret-123');
      assert.match(String(q.headers['user-agent']), /^syslog-receiver\//);
      assert.ok(q.text().endsWith('\n'), 'NDJSON: an LF after every line');
      assert.ok(bodyLines(q).length <= 40, 'batchMaxRecords');
    }
    assert.ok(api.requests.filter((q) => q.path === webPath).length >= 3, 'web: batches of at most 40');
    const s = r.receiver.outputs!.stats()[0];
    assert.equal(s.totals.retried, 0);
    assert.equal(s.totals.deadLettered, 0);
    assert.equal(s.lastError, null);
  } finally {
    await r.stop();
    await api.close();
  }
});

test('http output: 503 with Retry-After: 1 is retried no sooner than 1 s later; everything arrives once', async () => {
  const api = await startFakeApi();
  api.script = (q) => (q.n === 1 ? { status: 503, headers: { 'retry-after': '1' }, body: 'busy' } : 'default');
  const r = await startTestReceiver({
    apps: [{ name: 'web', token: TOKEN }],
    outputs: [{ name: 'h', type: 'http', url: `${api.url}/ingest/{app}`, ...FAST }],
  });
  try {
    await sendTcp(r.tcpPort, lines(50, 'ra'));
    await r.waitFor('web', 50);
    assert.ok(await api.waitFor(() => api.lines.length >= 50, 10_000), `${api.lines.length} of 50 lines`);
    await waitFor(() => r.receiver.outputs!.stats()[0].totals.shipped === 50, { timeoutMs: 5000, what: 'shipped 50' });
    const [first, retry] = api.requests;
    assert.equal(first.path, '/ingest/web');
    assert.equal(retry.text(), first.text(), 'the refused batch is what is sent again');
    const gap = retry.at - first.at;
    assert.ok(gap >= 990, `Retry-After: 1 honoured (retry after ${gap} ms, backoff alone would be ≤ 100 ms)`);
    assert.ok(gap < 5000, `retried promptly (${gap} ms)`);
    assertOnce(api, names('ra', 50));
    const s = r.receiver.outputs!.stats()[0];
    assert.ok(s.totals.retried >= bodyLines(first).length);
    assert.match(s.lastError ?? '', /HTTP 503: busy/);
    assert.equal(s.attempts, 0);
  } finally {
    await r.stop();
    await api.close();
  }
});

test('http output: an API that never answers is timed out (timeoutMs) and retried; nothing lost', async () => {
  const api = await startFakeApi();
  api.script = (q) => (q.n === 1 ? 'hang' : 'default');
  const r = await startTestReceiver({
    apps: [{ name: 'web', token: TOKEN }],
    outputs: [{ name: 'h', type: 'http', url: `${api.url}/ingest`, timeoutMs: 300, ...FAST }],
  });
  try {
    await sendTcp(r.tcpPort, lines(40, 'hang'));
    await r.waitFor('web', 40);
    assert.ok(await api.waitFor(() => api.lines.length >= 40, 10_000), `${api.lines.length} of 40 lines`);
    await waitFor(() => r.receiver.outputs!.stats()[0].totals.shipped === 40, { timeoutMs: 5000, what: 'shipped 40' });
    const [first, retry] = api.requests;
    assert.equal(retry.text(), first.text(), 'the timed-out batch is sent again');
    const gap = retry.at - first.at;
    assert.ok(gap >= 200, `retry after the 300 ms timeout (${gap} ms)`);
    assertOnce(api, names('hang', 40));
    const s = r.receiver.outputs!.stats()[0];
    assert.match(s.lastError ?? '', /timeoutMs \(300 ms\)/);
    assert.ok(s.totals.retried >= bodyLines(first).length);
    assert.equal(s.totals.deadLettered, 0);
  } finally {
    await r.stop();
    await api.close();
  }
});

test('http output: a connection reset without an answer is retried; delivered once', async () => {
  const api = await startFakeApi();
  api.script = (q) => (q.n === 1 ? 'reset' : 'default');
  const r = await startTestReceiver({
    apps: [{ name: 'web', token: TOKEN }],
    outputs: [{ name: 'h', type: 'http', url: `${api.url}/ingest`, ...FAST }],
  });
  try {
    await sendTcp(r.tcpPort, lines(30, 'rst'));
    await r.waitFor('web', 30);
    assert.ok(await api.waitFor(() => api.lines.length >= 30, 10_000), `${api.lines.length} of 30 lines`);
    await waitFor(() => r.receiver.outputs!.stats()[0].totals.shipped === 30, { timeoutMs: 5000, what: 'shipped 30' });
    assert.ok(api.requests.length >= 2);
    assert.equal(api.requests[1].text(), api.requests[0].text(), 'the batch of the reset request is sent again');
    assertOnce(api, names('rst', 30));
    const s = r.receiver.outputs!.stats()[0];
    assert.ok(s.lastError !== null, 'the reset is recorded as the last error');
    assert.ok(s.totals.retried >= bodyLines(api.requests[0]).length);
  } finally {
    await r.stop();
    await api.close();
  }
});

test('http output: a permanent 400 dead-letters the whole batch (with the answer), never resent; later records still ship', async (t) => {
  const api = await startFakeApi();
  // any request that carries the poison record is refused for good
  api.script = (q) => (q.text().includes('"poison"') ? { status: 400, body: { error: 'invalid event: poison' } } : 'default');
  const r = await startTestReceiver({
    apps: [{ name: 'web', token: TOKEN }],
    // a 300 ms batch delay gathers the 10 lines of the first write into one batch
    outputs: [{ name: 'h', type: 'http', url: `${api.url}/ingest`, ...FAST, batchDelayMs: 300 }],
  });
  const dlPath = join(r.config.storage.dir, '.outputs', 'h', 'dead-letter.ndjson');
  const deadLetters = (): DeadLetter[] =>
    existsSync(dlPath) ? readFileSync(dlPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeadLetter) : [];
  try {
    const batch = [...names('b', 4), 'poison', ...names('b', 9).slice(4)];
    await sendTcp(r.tcpPort, batch.map((m) => `<13>Dec  2 10:00:00 host ${TOKEN}: ${m}\n`).join(''));
    await r.waitFor('web', batch.length);
    const refused = (await waitFor(() => api.requests.find((q) => q.text().includes('"poison"')), { timeoutMs: 5000, what: 'the request with the poison record' }))!;
    const refusedLines = bodyLines(refused);
    // normally all 10 (the batch delay gathers them); at least the poison and an innocent neighbour
    assert.ok(refusedLines.length >= 2, `the refused request was a batch (${refusedLines.length} records)`);
    if (refusedLines.length !== batch.length) t.diagnostic(`the first write came in more than one batch: ${refusedLines.length} of ${batch.length} in the refused one`);
    await waitFor(() => deadLetters().length >= refusedLines.length, { timeoutMs: 5000, what: 'the batch in the dead-letter file' });

    // the whole batch is in the dead-letter file, each record with the answer
    const dead = deadLetters();
    assert.deepEqual(dead.map((d) => d.record.message), refusedLines.map(messageOf), 'every record of the refused batch, in order');
    const stored = storedLines(r, 'web');
    const today = new Date().toISOString().slice(0, 10);
    const offsets = stored.map((_, i) => stored.slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0));
    for (const d of dead) {
      const i = stored.findIndex((l) => messageOf(l) === d.record.message);
      assert.equal(d.output, 'h');
      assert.equal(d.app, 'web');
      assert.equal(d.day, today);
      assert.equal(d.offset, offsets[i], 'the byte offset of the record in its day file');
      assert.match(d.error, /^HTTP 400: /);
      assert.ok(d.error.includes('invalid event: poison'), `the response body in the error: ${d.error}`);
      assert.deepEqual(d.record, JSON.parse(stored[i]), 'the stored record itself');
    }
    const deadMessages = dead.map((d) => d.record.message);
    const innocent = batch.filter((m) => !deadMessages.includes(m)); // in another batch (not normally)

    // later records ship; the dead-lettered ones are never sent again
    await sendTcp(r.tcpPort, lines(25, 'later'));
    await r.waitFor('web', batch.length + 25);
    const delivered = 25 + innocent.length;
    assert.ok(await api.waitFor(() => api.lines.length >= delivered, 10_000), `${api.lines.length} of ${delivered} lines`);
    await waitFor(() => r.receiver.outputs!.stats()[0].totals.shipped === delivered, { timeoutMs: 5000, what: `shipped ${delivered}` });
    await new Promise((res) => setTimeout(res, 300)); // a resend of the refused batch would show by now
    assertOnce(api, [...innocent, ...names('later', 25)]);
    const sentAgain = api.requests.filter((q) => q !== refused && deadMessages.some((m) => q.text().includes(`"message":"${m}"`)));
    assert.deepEqual(sentAgain.map((q) => q.n), [], 'no dead-lettered record sent again');
    assert.equal(deadLetters().length, dead.length, 'nothing else dead-lettered');
    const s = r.receiver.outputs!.stats()[0];
    assert.equal(s.totals.deadLettered, dead.length);
    assert.equal(s.totals.shipped, delivered);
    assert.equal(s.totals.retried, 0, 'a permanent 4xx is not retried');
  } finally {
    await r.stop();
    await api.close();
  }
});

test('http output: /healthz reports the output while it lags past maxLagSeconds (API 503), and is healthy again after recovery', async () => {
  const api = await startFakeApi();
  let failing = true;
  api.script = () => (failing ? { status: 503, body: 'maintenance' } : 'default');
  const r = await startTestReceiver({
    apps: [{ name: 'web', token: TOKEN }],
    outputs: [{ name: 'lagging', type: 'http', url: `${api.url}/ingest`, maxLagSeconds: 1, ...FAST, minBackoffMs: 50, maxBackoffMs: 200 }],
  });
  try {
    const before = await healthz(r);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    await sendTcp(r.tcpPort, lines(20, 'lag'));
    const [oldest] = await r.waitFor('web', 20);
    // lag is refreshed every 2 s: unhealthy within 1 s (maxLagSeconds) + 2 s (+ slack)
    const sick = (await waitFor(async () => { const h = await healthz(r); return h.status === 503 ? h : null; }, { timeoutMs: 8000, intervalMs: 100, what: '/healthz 503' }))!;
    const reason = (sick.body.reasons ?? []).find((x) => x.includes('output lagging'));
    assert.equal(sick.body.status, 'unhealthy');
    assert.ok(reason !== undefined, `a reason names the output: ${JSON.stringify(sick.body.reasons)}`);
    assert.match(reason, /output lagging is \d+ s behind \(maxLagSeconds 1; 20 records not shipped; last error: HTTP 503: maintenance\)/);
    assert.ok(Date.now() - Date.parse(oldest.receivedAt) > 1000, 'not reported before maxLagSeconds passed');
    const s = r.receiver.outputs!.stats()[0];
    assert.equal(s.healthy, false);
    assert.equal(s.state, 'retrying');
    assert.equal(api.lines.length, 0);

    failing = false; // the API recovers
    const well = (await waitFor(async () => { const h = await healthz(r); return h.status === 200 ? h : null; }, { timeoutMs: 8000, intervalMs: 100, what: '/healthz 200 again' }))!;
    assert.deepEqual(well.body, { status: 'ok' });
    assertOnce(api, names('lag', 20));
    const after = r.receiver.outputs!.stats()[0];
    assert.equal(after.healthy, true);
    assert.equal(after.lagRecords, 0);
    assert.equal(after.totals.shipped, 20);
  } finally {
    await r.stop();
    await api.close();
  }
});

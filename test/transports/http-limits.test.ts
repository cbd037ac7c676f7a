/**
 * HTTP intake under bad input and at its limits, over real sockets: unknown and missing tokens
 * (401, nothing stored), bodies over limits.maxHttpBodyBytes (413: declared, chunked, a gzip
 * bomb), corrupt or unknown encodings, a client that sends its headers (or its body) one byte per
 * second (closed by the timeout), 1,000 concurrent keep-alive connections against a receiver
 * child process (all answered, all stored, its RSS bounded), pipelined requests (answers in
 * order), maxConcurrentRequests, app quotas (429 with Retry-After, nothing of the request
 * stored) and a store that cannot write (503, per item in a bulk).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readStore, startReceiver, startTestReceiver, storedApps, type TestReceiver } from '../helpers/receiver.js';
import { withFaults } from '../helpers/fault-sink.js';
import { spawnReceiver } from '../helpers/process.js';
import { RawHttpClient, ndjson, rawRequest, request, type HttpResponse, type RequestOptions } from '../helpers/http.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/wait.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const TOKEN_B = 'c0ffee00-1111-4222-8333-444455556666';
const UNKNOWN = '99999999-8888-4777-8666-555544443333';
const MiB = 1024 * 1024;

async function start(overrides: Record<string, unknown> = {}, http: Record<string, unknown> = {}): Promise<{ rx: TestReceiver; port: number; req: (m: string, p: string, o?: RequestOptions) => Promise<HttpResponse> }> {
  const rx = await startTestReceiver({
    apps: [{ name: 'a', token: TOKEN }, { name: 'b', token: TOKEN_B }],
    ...overrides,
    listen: { http: { address: '127.0.0.1', port: 0, ...http } },
  });
  const port = rx.receiver.addresses.http![0].port;
  return { rx, port, req: (m, p, o) => request(port, m, p, o) };
}

/** An Elasticsearch error answer: `{"error":{"type",…},"status"}` with the HTTP status. */
function assertEsError(r: HttpResponse, status: number, type?: string): void {
  assert.equal(r.status, status, `${status} expected: ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(r.headers['x-elastic-product'], 'Elasticsearch');
  const j = r.json as { error?: { type?: unknown; reason?: unknown }; status?: unknown };
  assert.equal(j?.status, status, r.text);
  assert.equal(typeof j.error?.type, 'string', r.text);
  assert.equal(typeof j.error?.reason, 'string', r.text);
  if (type !== undefined) assert.equal(j.error!.type, type);
}

const stats = (rx: TestReceiver) => rx.receiver.stats() as { rejected: Record<string, number>; receivedEvents: Record<string, number>; httpAborted: number };

const bulkOf = (n: number, prefix: string, meta: Record<string, unknown> = {}): string => ndjson(...Array.from({ length: n }, (_, i) => [{ index: meta }, { message: `${prefix} ${i}` }]).flat());

test('unknown token → 401 security_exception on every endpoint, nothing stored, items counted as unauthorized', async () => {
  const { rx, req } = await start();
  try {
    const doc = JSON.stringify({ message: 'never stored' });
    const cases: Array<[string, string, string, Record<string, string>?]> = [
      ['POST', `/${UNKNOWN}/_bulk`, bulkOf(3, 'never stored')],
      ['POST', '/_bulk', bulkOf(3, 'never stored', { _index: UNKNOWN })],
      ['POST', `/${UNKNOWN}/_doc`, doc],
      ['PUT', `/${UNKNOWN}/_doc/1`, doc],
      ['PUT', `/${UNKNOWN}/_create/1`, doc],
      ['POST', `/${UNKNOWN}/logs`, doc],
      ['POST', `/inputs/${UNKNOWN}`, doc],
      ['POST', `/bulk/${UNKNOWN}/tag/x`, 'never stored\nnever stored\n'],
      ['POST', `/v1/noformat/${UNKNOWN}`, 'never stored\n'],
      ['POST', '/_bulk', bulkOf(2, 'never stored'), { authorization: `Bearer ${UNKNOWN}` }],
      // a token's neighbour: one character off
      ['POST', `/${TOKEN.slice(0, -1)}0/_doc`, doc],
    ];
    for (const [method, path, body, headers] of cases) assertEsError(await req(method, path, { body, headers }), 401, 'security_exception');
    assert.deepEqual(storedApps(rx.config.storage.dir), [], 'nothing stored');
    assert.ok(stats(rx).rejected.unauthorized >= 3 + 3 + 2, `bulk items counted as unauthorized: ${JSON.stringify(stats(rx).rejected)}`);
    // the receiver still takes a good request afterwards
    assert.equal((await req('POST', `/${TOKEN}/_doc`, { body: '{"message":"ok"}' })).status, 201);
  } finally {
    await rx.stop();
  }
});

test('no token → 401: /_bulk without _index or header, an index that is no token, empty Authorization, Loggly without token', async () => {
  const { rx, req } = await start();
  try {
    const cases: Array<[string, string, string, Record<string, string>?]> = [
      ['POST', '/_bulk', bulkOf(2, 'never stored')],
      ['POST', '/_bulk', ndjson({ index: { _index: 'logs-2026.01.01' } }, { message: 'never stored' })],
      ['POST', '/logs/_doc', '{"message":"never stored"}'],
      ['POST', '/logs/_doc', '{"message":"never stored"}', { authorization: 'Bearer ' }],
      ['POST', '/logs/_doc', '{"message":"never stored"}', { authorization: `Basic ${Buffer.from(':').toString('base64')}` }],
    ];
    for (const [method, path, body, headers] of cases) assertEsError(await req(method, path, { body, headers }), 401, 'security_exception');
    const le = await req('POST', '/v1/noformat/', { body: 'never stored' });
    assert.ok(le.status === 401 || le.status === 404, `/v1/noformat/: ${le.status}`);
    assert.deepEqual(storedApps(rx.config.storage.dir), []);
  } finally {
    await rx.stop();
  }
});

test('events sent where nothing is stored are not answered 2xx: Loggly with an empty token (/inputs/, /bulk/), POST /<token> with a body', async () => {
  const { rx, req } = await start();
  try {
    for (const path of ['/inputs/', '/inputs', '/bulk/', `/${TOKEN}`, `/${TOKEN}/`]) {
      const r = await req('POST', path, { body: '{"message":"an event that is dropped"}\n' });
      assert.ok(r.status >= 400, `POST ${path} with events → ${r.status} ${r.text}: the client thinks they were taken; nothing is stored`);
    }
    assert.deepEqual(storedApps(rx.config.storage.dir), []);
  } finally {
    await rx.stop();
  }
});

test('bodies over limits.maxHttpBodyBytes → 413 (declared, chunked, a gzip bomb); corrupt gzip 400; unknown encoding 415; nothing stored', async () => {
  const { rx, req } = await start();
  try {
    // 12 MB of valid bulk lines (over the default 10 MiB)
    const line = ndjson({ index: {} }, { message: 'x'.repeat(1000) });
    const big = Buffer.from(line.repeat(Math.ceil((12 * MiB) / line.length)));
    assert.ok(big.length >= 12 * MiB);
    assertEsError(await req('POST', `/${TOKEN}/_bulk`, { body: big, timeoutMs: 30_000 }), 413, 'content_too_long_exception');
    assertEsError(await req('POST', `/${TOKEN}/_bulk`, { body: big, chunked: 256 * 1024, timeoutMs: 30_000 }), 413, 'content_too_long_exception');
    assertEsError(await req('POST', `/inputs/${TOKEN}`, { body: Buffer.alloc(11 * MiB, 0x61), timeoutMs: 30_000 }), 413, 'content_too_long_exception');

    // a gzip bomb: ~60 KB on the wire, 64 MiB inflated
    const bomb = gzipSync(Buffer.alloc(64 * MiB, 0x20), { level: 9 });
    assert.ok(bomb.length < 200 * 1024, `bomb is small on the wire (${bomb.length} bytes)`);
    const rssBefore = process.memoryUsage().rss;
    assertEsError(await req('POST', `/${TOKEN}/_bulk`, { body: bomb, headers: { 'content-encoding': 'gzip' } }), 413, 'content_too_long_exception');
    // a bomb of valid NDJSON (every line a stored event if it were inflated)
    const ndBomb = gzipSync(Buffer.from(ndjson({ index: {} }, { message: 'bomb' }).repeat(Math.ceil((11 * MiB) / 35))));
    assertEsError(await req('POST', `/v1/noformat/${TOKEN}`, { body: ndBomb, headers: { 'content-encoding': 'gzip' } }), 413, 'content_too_long_exception');
    assert.ok(process.memoryUsage().rss - rssBefore < 200 * MiB, 'the bombs did not inflate into memory');

    // corrupt and unknown encodings
    const r1 = await req('POST', `/${TOKEN}/_bulk`, { body: bulkOf(2, 'never stored'), headers: { 'content-encoding': 'gzip' } });
    assertEsError(r1, 400);
    const truncated = gzipSync(bulkOf(50, 'never stored')).subarray(0, 40);
    const r2 = await req('POST', `/${TOKEN}/_bulk`, { body: truncated, headers: { 'content-encoding': 'gzip' } });
    assert.ok(r2.status === 400, `a truncated gzip body: ${r2.status} ${r2.text}`);
    const r3 = await req('POST', `/${TOKEN}/_bulk`, { body: bulkOf(2, 'never stored'), headers: { 'content-encoding': 'br' } });
    assertEsError(r3, 415);

    assert.deepEqual(storedApps(rx.config.storage.dir), [], 'nothing of a refused body is stored');
    // still serving, on a fresh connection
    assert.equal((await req('POST', `/${TOKEN}/_doc`, { body: '{"message":"after the limits"}' })).status, 201);
    assert.deepEqual((await rx.records('a')).map((r) => r.message), ['after the limits']);
  } finally {
    await rx.stop();
  }
});

test('limits.maxHttpBodyBytes is honoured: a body one byte over → 413, at the limit → stored', async () => {
  const limit = 64 * 1024;
  const { rx, req } = await start({ limits: { maxHttpBodyBytes: limit } });
  try {
    const head = '{"message":"';
    const tail = '"}';
    const exact = head + 'y'.repeat(limit - head.length - tail.length) + tail;
    assert.equal(Buffer.byteLength(exact), limit);
    assert.equal((await req('POST', `/inputs/${TOKEN}`, { body: exact })).status, 200);
    assertEsError(await req('POST', `/inputs/${TOKEN}`, { body: exact + ' ' }), 413, 'content_too_long_exception');
    assertEsError(await req('POST', `/inputs/${TOKEN}`, { body: gzipSync(exact + ' '), headers: { 'content-encoding': 'gzip' } }), 413, 'content_too_long_exception');
    assert.equal((await rx.records('a')).length, 1);
  } finally {
    await rx.stop();
  }
});

test('headers one byte per second: the connection is closed by headerTimeoutMs (2 s), nothing stored', async () => {
  const { rx, port } = await start({}, { headerTimeoutMs: 2000 });
  try {
    const c = await RawHttpClient.connect(port);
    const wire = rawRequest('POST', `/${TOKEN}/_bulk`, bulkOf(1, 'slow headers'), { 'user-agent': 'slowloris/1.0 '.repeat(4), 'content-type': 'application/x-ndjson' });
    const t = c.trickle(wire, 1000);
    const closed = await c.waitClosed(8000);
    t.stop();
    const written = await t.done;
    const after = c.closedAtMs - c.connectedAtMs;
    assert.ok(closed, 'the server closed the connection');
    assert.ok(after >= 1800 && after <= 5000, `closed ${after} ms after the first byte (headerTimeoutMs 2000)`);
    assert.ok(written < wire.indexOf('\r\n\r\n'), `closed before the headers were complete (${written} bytes written)`);
    if (c.data.length > 0) assert.match(c.data.toString('latin1'), /^HTTP\/1\.1 408 /, 'if anything is answered, 408');
    assert.ok(stats(rx).httpAborted >= 1, 'counted as aborted');
    assert.deepEqual(storedApps(rx.config.storage.dir), []);
  } finally {
    await rx.stop();
  }
});

test('a body one byte per second: closed by bodyTimeoutMs (2 s), nothing stored, the receiver serves on', async () => {
  const { rx, port, req } = await start({}, { headerTimeoutMs: 1000, bodyTimeoutMs: 2000 });
  try {
    const c = await RawHttpClient.connect(port);
    const body = Buffer.from(bulkOf(2, 'slow body'));
    c.write(rawRequest('POST', `/${TOKEN}/_bulk`, Buffer.alloc(0), { 'content-length': String(body.length) }));
    const t = c.trickle(body, 1000);
    const closed = await c.waitClosed(8000);
    t.stop();
    const written = await t.done;
    const after = c.closedAtMs - c.connectedAtMs;
    assert.ok(closed, 'the server closed the connection');
    assert.ok(after >= 1800 && after <= 5000, `closed ${after} ms after the request started (bodyTimeoutMs 2000)`);
    assert.ok(written < body.length, `closed before the body was complete (${written} of ${body.length})`);
    if (c.data.length > 0) assert.match(c.data.toString('latin1'), /^HTTP\/1\.1 (408|400) /);
    assert.deepEqual(storedApps(rx.config.storage.dir), []);
    assert.equal((await req('POST', `/${TOKEN}/_doc`, { body: '{"message":"after"}' })).status, 201);
  } finally {
    await rx.stop();
  }
});

test('pipelining: requests written in one socket write are answered in order on the same connection', async () => {
  const { rx, port } = await start();
  try {
    const c = await RawHttpClient.connect(port);
    // two bulks, the first much larger (its sync takes longer): the answers still come in order
    c.write(Buffer.concat([rawRequest('POST', `/${TOKEN}/_bulk`, bulkOf(500, 'first')), rawRequest('POST', `/${TOKEN}/_bulk`, bulkOf(1, 'second'))]));
    assert.ok(await c.until(() => c.responses().responses.length >= 2, 10_000), `two answers: ${c.data.toString('latin1').slice(0, 500)}`);
    const [r1, r2] = c.responses().responses;
    assert.equal(r1.status, 200);
    assert.equal(r2.status, 200);
    assert.equal((JSON.parse(r1.body.toString()) as { items: unknown[] }).items.length, 500, 'the first answer is the first request\'s');
    assert.equal((JSON.parse(r2.body.toString()) as { items: unknown[] }).items.length, 1);

    // three different requests in one write, the middle one a probe
    const c2 = await RawHttpClient.connect(port);
    c2.write(Buffer.concat([
      rawRequest('POST', `/${TOKEN}/_doc/p1`, '{"message":"pipelined 1"}'),
      rawRequest('GET', '/'),
      rawRequest('POST', `/v1/noformat/${TOKEN}`, 'pipelined 3\n'),
    ]));
    const methods = ['POST', 'GET', 'POST'];
    assert.ok(await c2.until(() => c2.responses(methods).responses.length >= 3, 10_000), c2.data.toString('latin1').slice(0, 500));
    const rs = c2.responses(methods);
    assert.equal(rs.error, undefined);
    assert.deepEqual(rs.responses.map((r) => r.status), [201, 200, 204]);
    assert.equal((JSON.parse(rs.responses[0].body.toString()) as { _id: string })._id, 'p1');
    assert.equal((JSON.parse(rs.responses[1].body.toString()) as { tagline: string }).tagline, 'You Know, for Search');
    // the connection is still usable
    c2.write(rawRequest('POST', `/${TOKEN}/_doc`, '{"message":"later on the same connection"}'));
    assert.ok(await c2.until(() => c2.responses([...methods, 'POST']).responses.length >= 4, 10_000));
    assert.equal(c2.responses([...methods, 'POST']).responses[3].status, 201);
    assert.equal(c2.closed, false);
    c.destroy();
    c2.destroy();
    const msgs = (await rx.records('a')).map((r) => r.message);
    assert.deepEqual(msgs.slice(0, 501), [...Array.from({ length: 500 }, (_, i) => `first ${i}`), 'second 0']);
    assert.deepEqual(msgs.slice(501), ['pipelined 1', 'pipelined 3', 'later on the same connection']);
  } finally {
    await rx.stop();
  }
});

test('a valid request pipelined with a malformed one: the valid one gets its own answer, not the parse error\'s 400', async () => {
  const { rx, port } = await start();
  try {
    const c = await RawHttpClient.connect(port);
    c.write(Buffer.concat([rawRequest('POST', `/${TOKEN}/_doc/v1`, '{"message":"valid, first"}'), Buffer.from('\u0001 garbage that is no HTTP\r\n\r\n')]));
    await c.waitClosed(5000);
    const stored = (await rx.records('a')).map((r) => r.message);
    const first = c.responses(['POST']).responses[0];
    assert.ok(first !== undefined, 'an answer');
    assert.equal(first.status, 201, `the first answer on the connection is the valid request's (its event is ${stored.length === 1 ? 'stored' : 'not stored'}): ${first.statusLine}`);
  } finally {
    await rx.stop();
  }
});

test('1,000 concurrent keep-alive connections, each a small _bulk, twice: all answered 200, all stored, receiver RSS bounded', async () => {
  const N = 1000;
  const PER = 5;
  const child = await spawnReceiver({
    listen: { http: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: TOKEN }],
    storage: { flushIntervalMs: 5 },
  });
  const port = child.ports.http;
  assert.ok(port > 0, `http port from the start line: ${JSON.stringify(child.ports)}`);
  const agent = new Agent({ keepAlive: true, maxSockets: N, maxFreeSockets: N, keepAliveMsecs: 1000 });
  let connections = 0;
  const a = agent as unknown as { createConnection: (...args: unknown[]) => unknown };
  const create = a.createConnection.bind(agent);
  a.createConnection = (...args: unknown[]) => { connections++; return create(...args); };
  let peakKb = 0;
  const sampler = setInterval(() => { peakKb = Math.max(peakKb, child.rssKb()); }, 25);
  try {
    assert.equal((await request(port, 'POST', `/${TOKEN}/_bulk`, { body: bulkOf(1, 'warm-up') })).status, 200);
    await sleep(200);
    const baseKb = child.rssKb();
    for (const round of [0, 1]) {
      const results = await Promise.all(Array.from({ length: N }, (_, i) =>
        request(port, 'POST', `/${TOKEN}/_bulk`, { agent, body: bulkOf(PER, `r${round} c${i}`), timeoutMs: 60_000 })));
      const bad = results.filter((r) => r.status !== 200 || (r.json as { errors: boolean }).errors);
      assert.equal(bad.length, 0, `round ${round}: ${bad.length} not all-201: ${bad.slice(0, 3).map((r) => r.text.slice(0, 200)).join(' | ')}`);
      const free = Object.values(agent.freeSockets).reduce((n, l) => n + (l?.length ?? 0), 0);
      assert.equal(free, N, `round ${round}: ${N} keep-alive connections open and idle after the round`);
    }
    assert.equal(connections, N, `${N} connections made, all reused for the second round`);
    const growthMb = (peakKb - baseKb) / 1024;
    console.log(`# 1000 keep-alive connections: receiver RSS ${Math.round(baseKb / 1024)} MB → peak ${Math.round(peakKb / 1024)} MB (+${growthMb.toFixed(0)} MB)`);
    assert.ok(growthMb < 300, `receiver RSS grew ${growthMb.toFixed(0)} MB (< 300 MB)`);
    agent.destroy();
    const { code } = await child.stop();
    assert.equal(code, 0);
    const recs = readStore(join(child.dir, 'data'), 'a');
    assert.equal(recs.length, 1 + 2 * N * PER, 'every event stored');
    const seen = new Set(recs.map((r) => r.message));
    assert.equal(seen.size, recs.length, 'each exactly once');
    assert.ok(seen.has(`r1 c${N - 1} ${PER - 1}`));
  } finally {
    clearInterval(sampler);
    agent.destroy();
    if (child.child.exitCode === null) await child.stop();
  }
});

test('maxConcurrentRequests: 1 → requests wait (unread) and are answered one sync after another', async () => {
  const delay = 150;
  const dir = tmpDir('srx-http-conc-').path;
  const { rx, config } = await startReceiver({
    listen: { http: { address: '127.0.0.1', port: 0, maxConcurrentRequests: 1 } },
    apps: [{ name: 'a', token: TOKEN }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5 },
    certsDir: join(dir, 'certs'),
  }, { sinks: withFaults({ delayMs: delay }) });
  const port = rx.addresses.http![0].port;
  try {
    const t0 = Date.now();
    const rs = await Promise.all(Array.from({ length: 4 }, (_, i) => request(port, 'POST', `/${TOKEN}/_doc`, { body: JSON.stringify({ message: `c${i}` }) })));
    assert.deepEqual(rs.map((r) => r.status), [201, 201, 201, 201]);
    const at = rs.map((r) => r.atMs - t0).sort((x, y) => x - y);
    assert.ok(at[3] >= 4 * delay - 20, `one request at a time: the last answered at ${at[3]} ms (4 syncs of ${delay} ms)`);
    for (let i = 1; i < 4; i++) assert.ok(at[i] - at[i - 1] >= delay - 20, `answers one sync apart: ${JSON.stringify(at)}`);
    assert.equal(readStore(config.storage.dir, 'a').length, 4);
  } finally {
    await rx.stop();
  }
});

test('quota: over maxEventsPerSecond → 429 with Retry-After, nothing of the request stored; after Retry-After it is taken', async () => {
  const { rx, req } = await start({ apps: [{ name: 'q', token: TOKEN, maxEventsPerSecond: 5, burstEvents: 5 }] });
  try {
    const first = await req('POST', `/${TOKEN}/_bulk`, { body: bulkOf(5, 'burst') });
    assert.equal(first.status, 200, first.text);
    // the bucket is empty now: a bulk of 10 is refused whole
    const over = await req('POST', `/${TOKEN}/_bulk`, { body: bulkOf(10, 'over') });
    assertEsError(over, 429);
    const retry = Number(over.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 2, `Retry-After in seconds: ${over.headers['retry-after']}`);
    for (const [path, body] of [[`/inputs/${TOKEN}`, 'over'], [`/bulk/${TOKEN}`, 'over\nover\n'], [`/v1/noformat/${TOKEN}`, 'over\n'], [`/${TOKEN}/_doc`, '{"message":"over"}']]) {
      const r = await req('POST', path, { body });
      assertEsError(r, 429);
      assert.ok(Number(r.headers['retry-after']) >= 1, `${path}: Retry-After ${r.headers['retry-after']}`);
    }
    assert.deepEqual((await rx.records('q')).map((r) => r.message), Array.from({ length: 5 }, (_, i) => `burst ${i}`), 'nothing of a refused request stored');
    assert.ok(stats(rx).rejected.rate_limited >= 10 + 5, JSON.stringify(stats(rx).rejected));

    await sleep(retry * 1000 + 100);
    const again = await req('POST', `/${TOKEN}/_bulk`, { body: bulkOf(10, 'over') });
    assert.equal(again.status, 200, `resent after Retry-After: ${again.status} ${again.text.slice(0, 200)}`);
    assert.equal((await rx.records('q')).length, 15);
  } finally {
    await rx.stop();
  }
});

test('quota: over maxBytesPerDay → 429 with Retry-After, nothing stored', async () => {
  const { rx, req } = await start({ apps: [{ name: 'd', token: TOKEN, maxBytesPerDay: 2000 }] });
  try {
    const r = await req('POST', `/${TOKEN}/_bulk`, { body: ndjson({ index: {} }, { message: 'z'.repeat(3000) }) });
    assertEsError(r, 429);
    const retry = Number(r.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 86_400, `Retry-After until the next UTC day: ${r.headers['retry-after']}`);
    assert.deepEqual(storedApps(rx.config.storage.dir), []);
    assert.equal((await req('POST', `/${TOKEN}/_doc`, { body: '{"message":"small"}' })).status, 201);
    assert.equal((await rx.records('d')).length, 1);
  } finally {
    await rx.stop();
  }
});

test('a failed write is answered 503: per item in a bulk (the other app\'s items stored), whole for _doc, Loggly, Logentries', async () => {
  const dir = tmpDir('srx-http-503-').path;
  // the app's directory is a file: every write of app "a" fails (ENOTDIR / EEXIST)
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'a'), 'not a directory');
  const { rx, config } = await startReceiver({
    listen: { http: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: TOKEN }, { name: 'b', token: TOKEN_B }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5 },
    certsDir: join(dir, 'certs'),
  });
  const port = rx.addresses.http![0].port;
  try {
    const bulk = await request(port, 'POST', '/_bulk', { body: ndjson({ index: { _index: TOKEN } }, { message: 'a1' }, { index: { _index: TOKEN_B } }, { message: 'b1' }, { create: { _index: TOKEN } }, { message: 'a2' }) });
    assert.equal(bulk.status, 200, bulk.text);
    const j = bulk.json as { errors: boolean; items: Array<Record<string, { status: number; error?: { type: string } }>> };
    assert.equal(j.errors, true);
    assert.deepEqual(j.items.map((it) => Object.values(it)[0].status), [503, 201, 503]);
    assert.equal(typeof Object.values(j.items[0])[0].error?.type, 'string');
    assert.deepEqual(readStore(config.storage.dir, 'b').map((r) => r.message), ['b1']);

    for (const [path, body] of [[`/${TOKEN}/_doc`, '{"message":"a3"}'], [`/inputs/${TOKEN}`, 'a4'], [`/v1/noformat/${TOKEN}`, 'a5\n'], [`/${TOKEN}/_bulk`, bulkOf(2, 'a6')]]) {
      const r = await request(port, 'POST', path, { body, timeoutMs: 8000 });
      if (path.endsWith('_bulk') && r.status === 200) {
        // taken while the store was up again: every item failed
        assert.ok((r.json as { items: Array<Record<string, { status: number }>> }).items.every((it) => Object.values(it)[0].status === 503), r.text);
      } else assertEsError(r, 503);
    }
    assert.ok(statSync(join(config.storage.dir, 'a')).isFile(), 'nothing written for app a');
    assert.equal((rx.stats() as { storeWriteErrors: number }).storeWriteErrors >= 1, true);
  } finally {
    await rx.stop();
  }
});

test('a required sink down: a request that arrives while it is down is answered 503 with Retry-After (not left waiting)', async () => {
  const dir = tmpDir('srx-http-down-').path;
  let broken = true;
  const eio = (): NodeJS.ErrnoException => Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
  const { rx, config } = await startReceiver({
    listen: { http: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: TOKEN }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5 },
    certsDir: join(dir, 'certs'),
  }, { sinks: withFaults({ fault: () => (broken ? eio() : null), probeMs: 50 }) });
  const port = rx.addresses.http![0].port;
  try {
    const first = await request(port, 'POST', `/${TOKEN}/_doc`, { body: '{"message":"fails"}' });
    assertEsError(first, 503);
    // the sink is down now (and stays down while broken)
    const t0 = Date.now();
    const pending = request(port, 'POST', `/${TOKEN}/_doc`, { body: '{"message":"while down"}', timeoutMs: 15_000 });
    const answered = await Promise.race([pending.then(() => true, () => true), sleep(3000).then(() => false)]);
    const waited = Date.now() - t0;
    broken = false; // heal, so a request left waiting ends
    const r = await pending;
    assert.ok(answered, `no answer within 3 s while the sink was down (answered ${r.status} only after the sink came back, ${Date.now() - t0} ms)`);
    assertEsError(r, 503);
    assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After: ${r.headers['retry-after']}`);
    assert.ok(waited < 3000);
    assert.deepEqual(readStore(config.storage.dir, 'a'), []);
  } finally {
    broken = false;
    await rx.stop();
  }
});

test('listen.http bodyTimeoutMs below headerTimeoutMs: refused by the config check naming the keys, or started (not a certificate error)', async () => {
  const dir = tmpDir('srx-http-cfg-').path;
  let started: Awaited<ReturnType<typeof startReceiver>> | null = null;
  try {
    started = await startReceiver({
      listen: { http: { address: '127.0.0.1', port: 0, bodyTimeoutMs: 1000 } },
      apps: [{ name: 'a', token: TOKEN }],
      storage: { dir: join(dir, 'data') },
      certsDir: join(dir, 'certs'),
    });
  } catch (e) {
    const msg = (e as Error).message;
    assert.match(msg, /bodyTimeoutMs|headerTimeoutMs/, `the error names the keys: ${msg}`);
    assert.doesNotMatch(msg, /cert/i, `not a certificate problem: ${msg}`);
  } finally {
    await started?.rx.stop();
  }
  assert.ok(!existsSync(join(dir, 'data')) || readdirSync(join(dir, 'data')).length === 0);
});

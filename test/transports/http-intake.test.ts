/**
 * HTTP(S) intake over real sockets: every endpoint and the record it stores, tokens from the
 * index, the URL and the Authorization header, bad input (401, 413, malformed bulk items), slow
 * clients (header timeout), 1,000 concurrent keep-alive connections, pipelining, quotas (429),
 * a store that cannot write (503), acks only after the (slowed) sync, metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { readStore, startReceiver, storeBytes } from '../helpers/receiver.js';
import { ndjson, request } from '../helpers/http.js';
import { withFaults } from '../helpers/fault-sink.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import type { Receiver } from '../../src/receiver.js';
import { validateConfig } from '../../src/config/schema.js';
import type { SyslogRecord } from '../../src/record.js';

const TA = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const TB = '7c0a4a3e-5b1d-4f7e-9a2c-3d4e5f607182';
const TQ = '9d8e7f60-1a2b-4c3d-8e4f-506172839405';

interface Started { rx: Receiver; port: number; dir: string; store: (app: string) => SyslogRecord[]; stop: () => Promise<void> }

async function start(extra: { http?: Record<string, unknown>; limits?: Record<string, unknown>; faults?: Parameters<typeof withFaults>[0]; before?: (dir: string) => void } = {}): Promise<Started> {
  const dir = tmpDir('srx-http-').path;
  extra.before?.(dir);
  const { rx, config } = await startReceiver({
    listen: { http: { address: '127.0.0.1', port: 0, ...extra.http }, admin: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: TA }, { name: 'b', token: TB }, { name: 'q', token: TQ, maxEventsPerSecond: 5, burstEvents: 5 }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5 },
    certsDir: join(dir, 'certs'),
    ...(extra.limits ? { limits: extra.limits } : {}),
  }, extra.faults ? { sinks: withFaults(extra.faults) } : {});
  return { rx, port: rx.addresses.http![0].port, dir, store: (app) => readStore(config.storage.dir, app), stop: () => rx.stop() };
}

interface Res { status: number; headers: IncomingHttpHeaders; text: string; json: () => Record<string, unknown> }

/** One request through the shared test client (helpers/http.ts), its JSON read on demand. */
async function call(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, agent?: Agent): Promise<Res> {
  const r = await request(port, method, path, { body, headers, agent: agent ?? false, timeoutMs: 20_000 });
  return { status: r.status, headers: r.headers, text: r.text, json: () => r.json as Record<string, unknown> };
}


test('Elasticsearch: _bulk (path index, item _index, header), _doc, _doc/<id>, _create/<id>, typed path; the stored records; no token in the store', async () => {
  const s = await start();
  try {
    const bulk = await call(s.port, 'POST', '/_bulk', ndjson(
      { index: { _index: TA, _id: 'id-1', _type: 'events' } }, { '@timestamp': '2026-12-01T10:00:00.000Z', message: `one ${TA}`, nested: { k: [1, 2] } },
      { create: { _index: TB } }, { message: 'two', 'logsene-app-token': TB, app: 'spoofed', severity: 0, source: 'x' },
      { update: { _index: TA, _id: 'u' } }, { doc: { a: 1 } },
      { delete: { _index: TA, _id: 'd' } },
      { index: { _index: TA } }, 'this is not json',
      { index: { _index: '00000000-0000-4000-8000-000000000000' } }, { message: 'unknown token' },
    ), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(bulk.status, 200);
    assert.equal(bulk.headers['x-elastic-product'], 'Elasticsearch');
    const b = bulk.json() as { errors: boolean; items: Array<Record<string, { status: number; _id: string; error?: { type: string } }>> };
    assert.equal(b.errors, true);
    assert.deepEqual(b.items.map((it) => Object.keys(it)[0]), ['index', 'create', 'update', 'delete', 'index', 'index']);
    assert.deepEqual(b.items.map((it) => Object.values(it)[0].status), [201, 201, 400, 400, 400, 401]);
    assert.equal(b.items[0].index._id, 'id-1');
    assert.equal(b.items[4].index.error?.type, 'mapper_parsing_exception');

    assert.equal((await call(s.port, 'POST', `/${TA}/_bulk?refresh=false`, ndjson({ index: {} }, { message: 'path index' }))).status, 200);
    assert.equal((await call(s.port, 'POST', '/logs-2026.12.01/_bulk', ndjson({ index: {} }, { message: 'by header' }), { authorization: `Bearer ${TB}` })).status, 200);
    const doc = await call(s.port, 'POST', `/${TA}/_doc/`, '{"message":"Hello World!"}');
    assert.equal(doc.status, 201);
    assert.equal(doc.json().result, 'created');
    assert.equal((await call(s.port, 'PUT', `/${TA}/_doc/d-7`, '{"message":"with id"}')).status, 201);
    assert.equal((await call(s.port, 'PUT', `/${TA}/_create/c-8`, '{"message":"create"}')).status, 201);
    assert.equal((await call(s.port, 'POST', `/${TA}/mytype/`, '{"message":"typed"}')).status, 201);
    // Basic: the token as user, then as password
    assert.equal((await call(s.port, 'POST', '/logs/_doc', '{"message":"basic user"}', { authorization: `Basic ${Buffer.from(`${TB}:x`).toString('base64')}` })).status, 201);
    assert.equal((await call(s.port, 'POST', '/logs/_doc', '{"message":"basic pass"}', { authorization: `Basic ${Buffer.from(`elastic:${TB}`).toString('base64')}` })).status, 201);

    await s.rx.flush();
    const a = s.store('a');
    assert.deepEqual(a.map((r) => r.message), ['one', 'path index', 'Hello World!', 'with id', 'create', 'typed']);
    assert.equal(a[0]['@timestamp'], '2026-12-01T10:00:00.000Z');
    assert.deepEqual(a[0].nested, { k: [1, 2] });
    assert.equal(a[0].id, 'id-1');
    assert.deepEqual([a[3].id, a[4].id], ['d-7', 'c-8']);
    for (const r of a) {
      assert.deepEqual([r.facility, r.severity, r.hostname, r.appName, r.source.transport, r.syslog.format, r.syslog.tokenSource], [1, 5, null, null, 'http', 'json', 'index']);
      assert.equal(r.source.address, '127.0.0.1');
    }
    const bRecs = s.store('b');
    assert.deepEqual(bRecs.map((r) => [r.message, r.syslog.tokenSource]), [['two', 'index'], ['by header', 'header'], ['basic user', 'header'], ['basic pass', 'header']]);
    // receiver-owned and typed keys from the event are dropped (and counted), the token field removed
    assert.equal(bRecs[0].app, 'b');
    assert.deepEqual(bRecs[0].source, { ...bRecs[0].source, transport: 'http' });
    assert.equal(bRecs[0].severity, 5);
    assert.ok(!('logsene-app-token' in bRecs[0]));
    const st = s.rx.stats() as { ceeKeysDropped: number; rejected: Record<string, number>; receivedEvents: Record<string, number> };
    assert.equal(st.ceeKeysDropped, 3);
    assert.equal(st.rejected.invalid, 3);
    assert.equal(st.rejected.unauthorized, 1);
    const bytes = storeBytes(join(s.dir, 'data'));
    for (const t of [TA, TB]) assert.ok(!bytes.includes(t) && !bytes.includes(t.toUpperCase()), 'no token in the store');
  } finally {
    await s.stop();
  }
});

test('Loggly inputs and bulk with tags (path and X-LOGGLY-TAG), Logentries noformat; gzip and deflate bodies; the shape read from the body', async () => {
  const s = await start();
  try {
    const one = await call(s.port, 'POST', `/inputs/${TA}/tag/web,prod/`, 'a text event\n', { 'content-type': 'text/plain' });
    assert.equal(one.status, 200);
    assert.deepEqual(one.json(), { response: 'ok' });
    assert.equal((await call(s.port, 'POST', `/inputs/${TA}`, '{"message":"json event","tags":["own"]}', { 'x-loggly-tag': 'h1' })).status, 200);
    assert.equal((await call(s.port, 'POST', `/bulk/${TA}/tag/bulk`, gzipSync('{"message":"l1"}\nline two\r\n\n'), { 'content-encoding': 'gzip' })).status, 200);
    const le = await call(s.port, 'POST', `/v1/noformat/${TB}`, deflateSync(`first ${TB} line\n{"not":"parsed"}\n`), { 'content-encoding': 'deflate' });
    assert.equal(le.status, 204);
    assert.equal(le.text, '');
    await s.rx.flush();
    const a = s.store('a');
    assert.deepEqual(a.map((r) => [r.message, r.syslog.format, r.tags]), [
      ['a text event', 'raw', ['web', 'prod']], ['json event', 'json', ['own', 'h1']], ['l1', 'json', ['bulk']], ['line two', 'raw', ['bulk']],
    ]);
    assert.ok(a.every((r) => r.syslog.tokenSource === 'url'));
    assert.deepEqual(s.store('b').map((r) => [r.message, r.syslog.format]), [['first line', 'raw'], ['{"not":"parsed"}', 'raw']]);
  } finally {
    await s.stop();
  }
});

test('probes and setup calls are answered; unknown paths 404, wrong methods 405; every response says X-Elastic-Product', async () => {
  const s = await start();
  try {
    const root = await call(s.port, 'GET', '/');
    assert.equal(root.status, 200);
    assert.match(String((root.json().version as { number: string }).number), /^8\./);
    assert.equal((await call(s.port, 'HEAD', '/')).status, 200);
    assert.match((await call(s.port, 'GET', '/_cat/health')).text, /green/);
    assert.equal((await call(s.port, 'GET', '/_nodes/http')).status, 200);
    for (const p of ['/_template/logs', '/_index_template/logs']) assert.deepEqual((await call(s.port, 'PUT', p, '{"index_patterns":["*"]}')).json(), { acknowledged: true });
    const nf = await call(s.port, 'GET', '/_search');
    assert.equal(nf.status, 404);
    assert.equal((nf.json().error as { type: string }).type, 'no_handler_found_exception');
    const na = await call(s.port, 'GET', '/_bulk');
    assert.equal(na.status, 405);
    assert.equal(na.headers.allow, 'POST, PUT');
    for (const r of [root, nf, na]) assert.equal(r.headers['x-elastic-product'], 'Elasticsearch');
  } finally {
    await s.stop();
  }
});

test('bad input: unknown or missing token 401 and nothing stored; a 12 MB body and a gzip bomb 413; a malformed action line 400; a bad item fails alone', async () => {
  const s = await start();
  try {
    const unknown = await call(s.port, 'POST', '/00000000-0000-4000-8000-000000000000/_doc', '{"message":"x"}');
    assert.equal(unknown.status, 401);
    assert.equal((unknown.json().error as { type: string }).type, 'security_exception');
    assert.equal((await call(s.port, 'POST', '/_bulk', ndjson({ index: {} }, { message: 'no token' }))).status, 401);
    assert.equal((await call(s.port, 'POST', '/logs/_doc', '{"message":"no token"}', { authorization: 'Bearer not-a-token' })).status, 401);
    assert.equal((await call(s.port, 'POST', '/inputs/nope', 'x')).status, 401);
    assert.equal((await call(s.port, 'POST', '/v1/noformat/00000000-0000-4000-8000-000000000000', 'x')).status, 401);
    const big = Buffer.alloc(12 * 1024 * 1024, 'a');
    // answered once the client has sent it all (read and dropped), so it sees the 413, not a reset
    for (let k = 0; k < 3; k++) assert.equal((await call(s.port, 'POST', `/${TA}/_doc`, big)).status, 413);
    const bomb = await call(s.port, 'POST', `/bulk/${TA}`, gzipSync(Buffer.alloc(64 << 20, 0x61)), { 'content-encoding': 'gzip' });
    assert.equal(bomb.status, 413);
    assert.equal((bomb.json().error as { type: string }).type, 'content_too_long_exception');
    const malformed = await call(s.port, 'POST', `/${TA}/_bulk`, ndjson({ index: {} }, { message: 'first' }, 'garbage', { message: 'x' }));
    assert.equal(malformed.status, 400);
    const mixed = await call(s.port, 'POST', `/${TA}/_bulk`, ndjson({ index: {} }, '{"message": broken', { index: {} }, { message: 'kept' }));
    assert.deepEqual((mixed.json().items as Array<{ index: { status: number } }>).map((i) => i.index.status), [400, 201]);
    assert.equal((await call(s.port, 'POST', `/${TA}/_doc`, 'plain text is no document')).status, 400);
    await s.rx.flush();
    assert.deepEqual(s.store('a').map((r) => r.message), ['kept']);
    assert.ok((s.rx.stats() as { rejected: { unauthorized: number } }).rejected.unauthorized >= 1);
  } finally {
    await s.stop();
  }
});

test('a client that sends its headers one byte per second is closed by the header timeout; others are served meanwhile', async () => {
  const s = await start({ http: { headerTimeoutMs: 1500 } });
  try {
    const sock = connect(s.port, '127.0.0.1');
    const seen = { closedAt: 0 };
    let got = '';
    sock.on('data', (d) => { got += d.toString(); });
    sock.on('close', () => { seen.closedAt = Date.now(); });
    sock.on('error', () => undefined);
    const t0 = Date.now();
    const head = `POST /${TA}/_doc HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`;
    for (let i = 0; i < head.length && seen.closedAt === 0 && Date.now() - t0 < 10_000; i++) {
      sock.write(head[i]);
      await sleep(i === 0 ? 10 : 1000);
      if (i === 1) assert.equal((await call(s.port, 'GET', '/')).status, 200, 'another client is served');
    }
    await waitFor(() => seen.closedAt > 0, { timeoutMs: 5000, what: 'the slow client closed' });
    assert.ok(seen.closedAt - t0 < 6000, `closed after ${seen.closedAt - t0} ms`);
    assert.match(got, /^HTTP\/1\.1 408/);
    assert.ok((s.rx.stats() as { httpAborted: number }).httpAborted >= 1);
    await s.rx.flush();
    assert.deepEqual(s.store('a'), []);
  } finally {
    await s.stop();
  }
});

test('1,000 concurrent keep-alive connections: all answered, everything stored once, memory bounded; 2 pipelined requests answered in order', async () => {
  const s = await start({ http: { maxConcurrentRequests: 32 } });
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 1000 });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const watch = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const N = 1000;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => call(s.port, 'POST', `/${TA}/_bulk`, ndjson({ index: {} }, { message: `c${i} a` }, { index: {} }, { message: `c${i} b` }), {}, agent)));
    clearInterval(watch);
    assert.ok(results.every((r) => r.status === 200 && r.json().errors === false), 'every request answered 200');
    assert.ok(peak - rss0 < 300 * 1024 * 1024, `rss grew ${Math.round((peak - rss0) / 1048576)} MB`);
    // the connections stay open for reuse: a second round over the same sockets
    const again = await Promise.all(Array.from({ length: 50 }, (_, i) => call(s.port, 'POST', `/${TA}/_doc`, `{"message":"again ${i}"}`, {}, agent)));
    assert.ok(again.every((r) => r.status === 201));
    agent.destroy();
    await s.rx.flush();
    const msgs = s.store('a').map((r) => r.message as string);
    assert.equal(msgs.length, 2 * N + 50);
    assert.equal(new Set(msgs).size, msgs.length, 'each stored once');

    // pipelining: two requests in one write, two responses in order
    const sock = connect(s.port, '127.0.0.1');
    let text = '';
    sock.on('data', (d) => { text += d.toString(); });
    const req = (m: string): string => `POST /${TA}/_doc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(m)}\r\n\r\n${m}`;
    sock.write(req('{"message":"pipelined 1"}') + req('{"message":"pipelined 2"}'));
    await waitFor(() => (text.match(/HTTP\/1\.1 201/g) ?? []).length === 2, { timeoutMs: 5000, what: 'two pipelined responses' });
    sock.destroy();
    await s.rx.flush();
    assert.deepEqual(s.store('a').slice(-2).map((r) => r.message), ['pipelined 1', 'pipelined 2']);
  } finally {
    await s.stop();
  }
});

test('quotas: over maxEventsPerSecond the whole request gets 429 with Retry-After and nothing is stored; within it, stored', async () => {
  const s = await start();
  try {
    const ten = ndjson(...Array.from({ length: 10 }, (_, i) => [{ index: {} }, { message: `e${i}` }]).flat());
    assert.equal((await call(s.port, 'POST', `/${TQ}/_bulk`, ten)).status, 200, 'a full bucket lets a larger request through');
    const r = await call(s.port, 'POST', `/${TQ}/_bulk`, ten);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After ${r.headers['retry-after']}`);
    assert.equal((r.json().error as { type: string }).type, 'es_rejected_execution_exception');
    assert.equal((await call(s.port, 'POST', `/inputs/${TQ}`, 'one more')).status, 429);
    await s.rx.flush();
    assert.equal(s.store('q').length, 10);
    assert.ok((s.rx.stats() as { rejected: { rate_limited: number } }).rejected.rate_limited >= 11);
  } finally {
    await s.stop();
  }
});

test('a store that cannot write: the failed request answers 503 (bulk: per item), then 503 while the store is down', async () => {
  let broken = true;
  const s = await start({ faults: { fault: () => (broken ? Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }) : null), probeMs: 50 } });
  try {
    const bulk = await call(s.port, 'POST', `/${TA}/_bulk`, ndjson({ index: {} }, { message: 'x' }));
    assert.equal(bulk.status, 200);
    assert.equal((bulk.json().items as Array<{ index: { status: number } }>)[0].index.status, 503);
    const down = await call(s.port, 'POST', `/${TA}/_doc`, '{"message":"y"}');
    assert.equal(down.status, 503);
    broken = false;
    await waitFor(async () => (await call(s.port, 'POST', `/${TA}/_doc`, '{"message":"after"}')).status === 201, { timeoutMs: 5000, what: 'stored again once the store is back' });
    await s.rx.flush();
    assert.ok(s.store('a').some((r) => r.message === 'after'));
  } finally {
    await s.stop();
  }
});

test('no 2xx leaves before the sync: every answered request finds its records on disk, after the (slow) fsync', async () => {
  const delay = 250;
  const s = await start({ faults: { delayMs: delay } });
  try {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const file = (): string => { const d = join(s.dir, 'data', 'a'); return existsSync(d) ? readdirSync(d).map((f) => readFileSync(join(d, f), 'utf8')).join('') : ''; };
    const checks = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const t0 = Date.now();
      const r = i % 2 === 0
        ? await call(s.port, 'POST', `/${TA}/_bulk`, ndjson({ index: {} }, { message: `ack ${i} a` }, { index: {} }, { message: `ack ${i} b` }), {}, agent)
        : await call(s.port, 'POST', `/v1/noformat/${TA}`, `ack ${i} a\nack ${i} b\n`, {}, agent);
      const text = file(); // at the moment the answer arrived
      return { i, status: r.status, ms: Date.now() - t0, onDisk: text.includes(`"ack ${i} a"`) && text.includes(`"ack ${i} b"`) };
    }));
    agent.destroy();
    for (const c of checks) {
      assert.ok(c.status === 200 || c.status === 204, `request ${c.i}: ${c.status}`);
      assert.ok(c.ms >= delay - 5, `request ${c.i} answered after ${c.ms} ms (sync takes ${delay} ms)`);
      assert.ok(c.onDisk, `request ${c.i}: its records were on disk when the answer arrived`);
    }
  } finally {
    await s.stop();
  }
});

test('HTTPS with the generated certificate set; metrics count requests by status and events by transport; /healthz lists the listener', async () => {
  const s = await start({ http: { tls: true } });
  try {
    const ca = readFileSync(s.rx.generatedCerts!.caCert);
    const { request: httpsRequest } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: s.port, method: 'POST', path: `/${TA}/_doc`, ca, servername: 'localhost', agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', reject);
      req.end('{"message":"over tls"}');
    });
    assert.equal(status, 201);
    await s.rx.flush();
    const r = s.store('a');
    assert.deepEqual(r.map((x) => [x.message, x.source.transport]), [['over tls', 'https']]);
    const metrics = await (await fetch(`http://127.0.0.1:${s.rx.addresses.admin!.port}/metrics`)).text();
    assert.match(metrics, /syslog_receiver_http_requests_total\{status="201"\} 1\b/);
    assert.match(metrics, /syslog_receiver_received_events_total\{transport="https"\} 1\b/);
    const health = await (await fetch(`http://127.0.0.1:${s.rx.addresses.admin!.port}/healthz`)).json() as { status: string };
    assert.equal(health.status, 'ok');
  } finally {
    await s.stop();
  }
});

test("one app's failing writes fail only its items of a bulk request; the other app's are stored", async () => {
  // app "b"'s directory is a file: its writes fail, app "a"'s succeed in the same bulk request
  const s = await start({ before: (dir) => { mkdirSync(join(dir, 'data'), { recursive: true }); writeFileSync(join(dir, 'data', 'b'), 'not a directory'); } });
  try {
    const r = await call(s.port, 'POST', '/_bulk', ndjson({ index: { _index: TA } }, { message: 'fine' }, { index: { _index: TB } }, { message: 'fails' }));
    assert.deepEqual((r.json().items as Array<{ index: { status: number } }>).map((i) => i.index.status), [201, 503]);
    await s.rx.flush();
    assert.deepEqual(s.store('a').map((x) => x.message), ['fine']);
  } finally {
    await s.stop();
  }
});

test('live reload: a revoked token is refused (401) from the next request; a graceful stop answers the request in flight first', async () => {
  const s = await start({ faults: { delayMs: 300 } });
  try {
    assert.equal((await call(s.port, 'POST', `/${TB}/_doc`, '{"message":"before"}')).status, 201);
    const next = validateConfig({ ...s.rx.config, logLevel: 'silent', apps: s.rx.config.apps.filter((a) => a.name !== 'b') });
    s.rx.reload(next);
    assert.equal((await call(s.port, 'POST', `/${TB}/_doc`, '{"message":"after"}')).status, 401);
    // in flight while the receiver stops: answered once durable, then the listener closes
    const inFlight = call(s.port, 'POST', `/${TA}/_doc`, '{"message":"in flight"}');
    await sleep(50);
    const stopping = s.rx.stop();
    assert.equal((await inFlight).status, 201);
    await stopping;
    assert.deepEqual(s.store('a').map((r) => r.message), ['in flight']);
    assert.deepEqual(s.store('b').map((r) => r.message), ['before']);
  } finally {
    await s.stop();
  }
});

/** The scripted fake ES / HTTP API of test/helpers/fake-api.ts, exercised over real HTTP(S). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { createCa, issueCert } from '../../src/certs/index.js';
import { request } from '../helpers/http.js';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';

/** An NDJSON bulk body: one `action` per doc, `_id` from `ids`. */
function bulkBody(ids: string[], action: 'create' | 'index' = 'create', index = 'logs-a'): string {
  return ids.map((id) => `${JSON.stringify({ [action]: { _index: index, _id: id } })}\n${JSON.stringify({ message: `m-${id}` })}\n`).join('');
}

async function postBulk(api: FakeApi, body: string | Buffer, headers: Record<string, string> = {}, path = '/_bulk'): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...headers },
    body,
    signal: AbortSignal.timeout(2000),
  });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

test('GET / answers an ES 8.x info document with x-elastic-product', async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${api.url}/`, { signal: AbortSignal.timeout(2000) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-elastic-product'), 'Elasticsearch');
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const info = (await res.json()) as any;
  assert.match(info.version.number, /^8\./);
  assert.equal(info.tagline, 'You Know, for Search');
  assert.equal(api.requests.length, 1);
  assert.equal(api.requests[0].n, 1);
  assert.equal(api.requests[0].method, 'GET');
  assert.equal(api.requests[0].path, '/');
});

test('bulk create stores docs (201); re-sending the same ids gives 409 items and received counts 2', async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());

  const first = await postBulk(api, bulkBody(['a', 'b', 'c']));
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-elastic-product'), 'Elasticsearch');
  assert.equal(first.json.errors, false);
  assert.deepEqual(first.json.items.map((i: any) => [i.create._id, i.create.status, i.create.result]), [['a', 201, 'created'], ['b', 201, 'created'], ['c', 201, 'created']]);
  assert.equal(api.docs.size, 3);
  assert.deepEqual(api.docs.get('logs-a/b'), { index: 'logs-a', id: 'b', doc: { message: 'm-b' }, raw: '{"message":"m-b"}' });

  const again = await postBulk(api, bulkBody(['a', 'b', 'c']));
  assert.equal(again.json.errors, true);
  for (const item of again.json.items) {
    assert.equal(item.create.status, 409);
    assert.equal(item.create.error.type, 'version_conflict_engine_exception');
  }
  assert.equal(api.docs.size, 3);
  assert.deepEqual([...api.received], [['a', 2], ['b', 2], ['c', 2]]);

  // `index` overwrites (200 updated); `_index` from the path; a missing `_id` is generated.
  const body = `{"index":{"_id":"a"}}\n{"message":"new"}\n{"create":{}}\n{"message":"auto"}\n`;
  const idx = await postBulk(api, body, {}, '/logs-a/_bulk?refresh=false');
  assert.equal(idx.json.errors, false);
  assert.equal(idx.json.items[0].index.status, 200);
  assert.equal(idx.json.items[0].index.result, 'updated');
  assert.equal(idx.json.items[0].index._version, 2);
  assert.equal(idx.json.items[1].create.status, 201);
  assert.equal(idx.json.items[1].create._index, 'logs-a');
  assert.match(idx.json.items[1].create._id, /^[A-Za-z0-9_-]{20}$/);
  assert.deepEqual(api.docs.get('logs-a/a')?.doc, { message: 'new' });
  assert.equal(api.docs.size, 4);
  assert.equal(api.requests[2].path, '/logs-a/_bulk?refresh=false');
});

test('itemStatus overrides: 400 / 429 items are errors and not stored', async (t) => {
  const api = await startFakeApi({
    itemStatus: (item) => (item.id === 'bad' ? 400 : item.id === 'busy' ? 429 : undefined),
  });
  t.after(() => api.close());
  const res = await postBulk(api, bulkBody(['ok1', 'bad', 'busy', 'ok2']));
  assert.equal(res.status, 200);
  assert.equal(res.json.errors, true);
  const byId = new Map<string, any>(res.json.items.map((i: any) => [i.create._id, i.create]));
  assert.equal(byId.get('ok1').status, 201);
  assert.equal(byId.get('ok2').status, 201);
  assert.equal(byId.get('bad').status, 400);
  assert.equal(byId.get('bad').error.type, 'mapper_parsing_exception');
  assert.equal(byId.get('busy').status, 429);
  assert.equal(byId.get('busy').error.type, 'es_rejected_execution_exception');
  assert.deepEqual([...api.docs.keys()].sort(), ['logs-a/ok1', 'logs-a/ok2']);
  assert.equal(api.received.get('bad'), 1);
  assert.equal(api.received.get('busy'), 1);
});

test('a malformed bulk body is a 400 illegal_argument_exception and stores nothing', async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  const res = await postBulk(api, `${bulkBody(['x'])}{"create":{"_index":"logs-a","_id":"y"}}\n{not json\n`);
  assert.equal(res.status, 400);
  assert.equal(res.json.status, 400);
  assert.equal(res.json.error.type, 'illegal_argument_exception');
  assert.equal(api.docs.size, 0);
  assert.equal(api.received.size, 0);
  const noNewline = await postBulk(api, bulkBody(['x']).trimEnd());
  assert.equal(noNewline.status, 400);
  assert.match(noNewline.json.error.reason, /terminated by a newline/);
});

test('scripted 503 with Retry-After, then the default behaviour', async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  api.script = (req) => (req.n === 1 ? { status: 503, headers: { 'Retry-After': '2' }, body: { error: 'overloaded' } } : 'default');
  const first = await postBulk(api, bulkBody(['r1']));
  assert.equal(first.status, 503);
  assert.equal(first.headers.get('retry-after'), '2');
  assert.deepEqual(first.json, { error: 'overloaded' });
  assert.equal(api.docs.size, 0);
  const second = await postBulk(api, bulkBody(['r1']));
  assert.equal(second.status, 200);
  assert.equal(second.json.items[0].create.status, 201);
  assert.deepEqual(api.requests.map((r) => r.n), [1, 2]);
  // The scripted request was recorded (body included) but did not count as received.
  assert.equal(api.requests[0].text(), bulkBody(['r1']));
  assert.equal(api.received.get('r1'), 1);
  // A string body is sent as is.
  api.script = async () => ({ status: 502, body: 'bad gateway' });
  const text = await fetch(`${api.url}/`, { signal: AbortSignal.timeout(2000) });
  assert.equal(text.status, 502);
  assert.equal(await text.text(), 'bad gateway');
});

test("'hang' never answers: the client's AbortSignal.timeout fires, and close() still ends promptly", async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  api.script = () => 'hang';
  const started = Date.now();
  await assert.rejects(
    fetch(`${api.url}/_bulk`, { method: 'POST', body: bulkBody(['h']), headers: { 'content-type': 'application/x-ndjson' }, signal: AbortSignal.timeout(300) }),
    (err: any) => err.name === 'TimeoutError' || err.name === 'AbortError',
  );
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 1500, `aborted after ${took} ms`);
  // The body was read and recorded even though no answer was sent.
  assert.equal(api.requests.length, 1);
  assert.equal(api.requests[0].text(), bulkBody(['h']));

  // A hanging request whose client does not give up is ended by close().
  const pending = request(api.port, 'GET', '/', { timeoutMs: 5000 }).then(() => 'answered', () => 'failed');
  assert.equal(await api.waitFor(() => api.requests.length === 2, 1000), true);
  const t0 = Date.now();
  await api.close();
  assert.equal(await pending, 'failed');
  assert.ok(Date.now() - t0 < 1000);
});

test("'reset' destroys the socket without an answer", async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  api.script = () => 'reset';
  await assert.rejects(fetch(`${api.url}/_bulk`, { method: 'POST', body: bulkBody(['z']), signal: AbortSignal.timeout(2000) }), TypeError);
  assert.equal(api.requests.length, 1);
  api.script = () => 'default';
  const ok = await postBulk(api, bulkBody(['z']));
  assert.equal(ok.status, 200);
});

test('a gzip body is decoded before it is recorded and indexed', async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  const plain = bulkBody(['g1', 'g2']);
  const res = await postBulk(api, gzipSync(plain), { 'content-encoding': 'gzip' });
  assert.equal(res.status, 200);
  assert.equal(res.json.errors, false);
  assert.equal(api.requests[0].headers['content-encoding'], 'gzip');
  assert.equal(api.requests[0].text(), plain);
  assert.deepEqual(api.docs.get('logs-a/g2')?.doc, { message: 'm-g2' });
  // A body that is not gzip at all: recorded raw with decodeError, answered 400.
  const bad = await postBulk(api, 'not gzip', { 'content-encoding': 'gzip' });
  assert.equal(bad.status, 400);
  assert.equal(api.requests[1].text(), 'not gzip');
  assert.match(api.requests[1].decodeError ?? '', /gzip/);
});

test('POST to a generic path: 200 {"response":"ok"}, non-empty lines recorded with the path', async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  const path = '/bulk/TOKEN123/tag/x/';
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
    body: gzipSync('{"a":1}\n\n{"a":2}\n'),
    signal: AbortSignal.timeout(2000),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { response: 'ok' });
  assert.deepEqual(api.lines, [{ path, line: '{"a":1}' }, { path, line: '{"a":2}' }]);
  assert.equal(api.docs.size, 0);
  // Not a POST and not an ES endpoint: 404.
  const nf = await fetch(`${api.url}/nothing`, { signal: AbortSignal.timeout(2000) });
  assert.equal(nf.status, 404);
  await nf.arrayBuffer();
});

test('waitFor is bounded: true once the predicate holds, false after the timeout', async (t) => {
  const api = await startFakeApi();
  t.after(() => api.close());
  const t0 = Date.now();
  assert.equal(await api.waitFor(() => false, 100), false);
  assert.ok(Date.now() - t0 >= 90 && Date.now() - t0 < 600);
  setTimeout(() => { void fetch(`${api.url}/`).then((r) => r.arrayBuffer()).catch(() => undefined); }, 50);
  assert.equal(await api.waitFor(() => api.requests.length === 1, 1500), true);
});

test('tls: serves https with the given key and certificate', async (t) => {
  const ca = createCa('fake-api test CA');
  const leaf = issueCert({ ca, commonName: '127.0.0.1', sans: ['127.0.0.1', 'localhost'], usage: 'server' });
  const api = await startFakeApi({ tls: { key: leaf.keyPem, cert: leaf.certPem } });
  t.after(() => api.close());
  assert.match(api.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const res = await request(api.port, 'POST', '/_bulk', {
    tls: { ca: ca.certPem },
    headers: { 'content-type': 'application/x-ndjson' },
    body: bulkBody(['s1']),
    timeoutMs: 2000,
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.items[0].create.status, 201);
  assert.equal(api.docs.size, 1);
});

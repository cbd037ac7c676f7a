/**
 * HTTP intake behaviour over real sockets (listen.http on 127.0.0.1:0, a real receiver and file
 * store per test): every endpoint of the contract — Elasticsearch/OpenSearch `_bulk`, `_doc`,
 * `_create`, the typed legacy paths, the probes and template calls, Loggly `inputs`/`bulk` with
 * tags, Logentries `noformat` —, tokens from the index, the URL and Authorization (Bearer, Basic
 * user or password), form-encoded and compressed bodies, the stored record's fields, the token
 * nowhere in the store, the acks only after the (slowed) sync, and the metrics.
 * Bad input, limits, quotas and a failing store: http-limits.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { readStore, startReceiver, startTestReceiver, storeBytes, type TestReceiver } from '../helpers/receiver.js';
import { withFaults } from '../helpers/fault-sink.js';
import { ndjson, request, sample, type HttpResponse, type RequestOptions } from '../helpers/http.js';
import { tmpDir } from '../helpers/tmp.js';
import type { SyslogRecord } from '../../src/record.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const TOKEN_B = 'c0ffee00-1111-4222-8333-444455556666';
const UNKNOWN = '99999999-8888-4777-8666-555544443333';

interface Http {
  rx: TestReceiver;
  port: number;
  /** One request; asserts `X-Elastic-Product: Elasticsearch` on the answer. */
  req(method: string, path: string, opts?: RequestOptions): Promise<HttpResponse>;
}

async function start(overrides: Record<string, unknown> = {}): Promise<Http> {
  const rx = await startTestReceiver({
    apps: [{ name: 'a', token: TOKEN }, { name: 'b', token: TOKEN_B }],
    ...overrides,
    listen: { http: { address: '127.0.0.1', port: 0 } },
  });
  const port = rx.receiver.addresses.http![0].port;
  return {
    rx,
    port,
    async req(method, path, opts = {}) {
      const r = await request(port, method, path, opts);
      assert.equal(r.headers['x-elastic-product'], 'Elasticsearch', `${method} ${path} → ${r.status}: X-Elastic-Product missing`);
      return r;
    },
  };
}

function assertNoToken(rx: TestReceiver, ...tokens: string[]): void {
  const all = storeBytes(rx.config.storage.dir).toLowerCase();
  for (const t of tokens) assert.ok(!all.includes(t.toLowerCase()), `token ${t} found in the store`);
}

const stats = (rx: TestReceiver) => rx.receiver.stats() as { ceeKeysDropped: number; rejected: Record<string, number>; receivedEvents: Record<string, number> };

type Item = Record<string, { _index: string; _id: string; status: number; result?: string; error?: { type: string; reason: string }; _version?: number }>;

/** The single-key items of a bulk answer as [action, item]. */
function items(r: HttpResponse): Array<[string, Item[string]]> {
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const j = r.json as { took: unknown; errors: unknown; items: Item[] };
  assert.equal(typeof j.took, 'number');
  assert.ok((j.took as number) >= 0);
  assert.equal(typeof j.errors, 'boolean');
  assert.ok(Array.isArray(j.items));
  const out = j.items.map((it) => {
    const keys = Object.keys(it);
    assert.equal(keys.length, 1, `one action key per item: ${JSON.stringify(it)}`);
    return [keys[0], it[keys[0]]] as [string, Item[string]];
  });
  assert.equal(j.errors, out.some(([, v]) => v.status >= 300), `errors is true exactly when an item failed: ${r.text}`);
  return out;
}

test('_bulk on /<token>/_bulk: index and create stored, _type tolerated, _id → id; update, delete and a bad document fail alone (400)', async () => {
  const { rx, req } = await start();
  try {
    const body = ndjson(
      { index: { _type: '_doc', _id: 'id-1' } }, { message: 'one', n: 1 },
      { create: { _id: 'id-2', _type: 'logs' } }, { message: 'two' },
      { update: { _id: 'id-1' } }, { doc: { message: 'changed-by-update' } },
      { delete: { _id: 'id-2' } },
      { index: {} }, '{"message": "broken',
      { index: { _id: 7 } }, { message: 'three' },
      { create: {} }, { message: 'four' },
    );
    const r = await req('POST', `/${TOKEN}/_bulk`, { body, headers: { 'content-type': 'application/x-ndjson' } });
    const it = items(r);
    assert.deepEqual(it.map(([a, v]) => [a, v.status]), [['index', 201], ['create', 201], ['update', 400], ['delete', 400], ['index', 400], ['index', 201], ['create', 201]]);
    assert.equal((r.json as { errors: boolean }).errors, true);
    for (const [, v] of it) assert.equal(v._index, TOKEN, 'the index as sent (the path\'s)');
    assert.deepEqual(it.map(([, v]) => v._id).slice(0, 6), ['id-1', 'id-2', 'id-1', 'id-2', it[4][1]._id, '7']);
    const generated = [it[4][1]._id, it[6][1]._id];
    for (const g of generated) assert.ok(typeof g === 'string' && g.length > 0, 'an _id is generated when none is sent');
    assert.notEqual(generated[0], generated[1]);
    assert.equal(it[0][1].result, 'created');
    assert.equal(it[4][1].error?.type, 'mapper_parsing_exception');
    for (const k of [2, 3, 4]) assert.ok(it[k][1].error && typeof it[k][1].error.reason === 'string', `item ${k} carries an error`);

    const recs = await rx.records('a');
    assert.deepEqual(recs.map((x) => x.message), ['one', 'two', 'three', 'four']);
    assert.deepEqual(recs.map((x) => x.id), ['id-1', 'id-2', '7', undefined]);
    assert.equal(recs[0].n, 1);
    for (const x of recs) {
      assert.equal(x._type, undefined, '_type is not stored');
      assert.equal(x.app, 'a');
      assert.deepEqual(x.syslog, { format: 'json', tokenSource: 'index' });
    }
    assert.ok(!storeBytes(rx.config.storage.dir).includes('changed-by-update'), 'an update document is never stored');
    assert.equal(stats(rx).receivedEvents.http, 7);
    assertNoToken(rx, TOKEN);
  } finally {
    await rx.stop();
  }
});

test('_bulk on /_bulk: each item\'s _index names its app; an unknown _index fails only its item (401); PUT /<token>/_bulk/ with a query string', async () => {
  const { rx, req } = await start();
  try {
    const r = await req('POST', '/_bulk', {
      body: ndjson(
        { index: { _index: TOKEN } }, { message: 'to a' },
        { create: { _index: TOKEN_B, _id: 'b1' } }, { message: 'to b' },
        { index: { _index: UNKNOWN } }, { message: 'lost item' },
        { index: { _index: TOKEN, _type: 'syslog' } }, { message: 'to a again' },
      ),
    });
    const it = items(r);
    assert.deepEqual(it.map(([a, v]) => [a, v._index, v.status]), [['index', TOKEN, 201], ['create', TOKEN_B, 201], ['index', UNKNOWN, 401], ['index', TOKEN, 201]]);
    assert.equal(it[2][1].error?.type, 'security_exception');
    assert.deepEqual((await rx.records('a')).map((x) => x.message), ['to a', 'to a again']);
    const b = await rx.records('b');
    assert.deepEqual(b.map((x) => [x.message, x.id]), [['to b', 'b1']]);
    assert.equal(b[0].syslog.tokenSource, 'index');

    const p = await req('PUT', `/${TOKEN_B}/_bulk/?refresh=wait_for&pretty`, { body: ndjson({ index: {} }, { message: 'put to b' }) });
    assert.deepEqual(items(p).map(([a, v]) => [a, v.status]), [['index', 201]]);
    assert.deepEqual((await rx.records('b')).map((x) => x.message), ['to b', 'put to b']);
    assert.ok(!storeBytes(rx.config.storage.dir).includes('lost item'));
    assertNoToken(rx, TOKEN, TOKEN_B, UNKNOWN);
  } finally {
    await rx.stop();
  }
});

test('_doc, _doc/<id> (PUT, POST), _create/<id>, typed /<token>/<type>[/<id>]: 201 in Elasticsearch\'s shape; trailing slash and query string ignored', async () => {
  const { rx, req } = await start();
  try {
    const calls: Array<[string, string, string | null]> = [
      ['POST', `/${TOKEN}/_doc`, null],
      ['PUT', `/${TOKEN}/_doc/d-1`, 'd-1'],
      ['POST', `/${TOKEN}/_doc/d-2/?refresh=true`, 'd-2'],
      ['PUT', `/${TOKEN}/_create/c-1`, 'c-1'],
      ['POST', `/${TOKEN}/_create/c-2?pretty`, 'c-2'],
      ['POST', `/${TOKEN}/logs`, null],
      ['POST', `/${TOKEN}/logs/t-1/`, 't-1'],
    ];
    for (const [i, [method, path, id]] of calls.entries()) {
      const r = await req(method, path, { body: JSON.stringify({ message: `doc ${i}` }), headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 201, `${method} ${path}: ${r.text}`);
      const j = r.json as Record<string, unknown>;
      assert.equal(j._index, TOKEN);
      if (id !== null) assert.equal(j._id, id);
      else assert.ok(typeof j._id === 'string' && j._id.length > 0);
      assert.equal(j._version, 1);
      assert.equal(j.result, 'created');
      assert.deepEqual(j._shards, { total: 1, successful: 1, failed: 0 });
      assert.equal(j._seq_no, 0);
      assert.equal(j._primary_term, 1);
    }
    const recs = await rx.records('a');
    assert.deepEqual(recs.map((x) => x.message), calls.map((_, i) => `doc ${i}`));
    assert.deepEqual(recs.map((x) => x.id), calls.map(([, , id]) => id ?? undefined));
    for (const x of recs) assert.deepEqual(x.syslog, { format: 'json', tokenSource: 'index' });

    // a document that is not one JSON object is refused (nothing stored)
    for (const body of ['plain text, not json', '[1,2,3]', '{"message": "cut']) {
      const bad = await req('POST', `/${TOKEN}/_doc`, { body });
      assert.equal(bad.status, 400, `${body}: ${bad.status} ${bad.text}`);
      assert.equal((bad.json as { status: number }).status, 400);
    }
    assert.equal((await rx.records('a')).length, calls.length);
    assertNoToken(rx, TOKEN);
  } finally {
    await rx.stop();
  }
});

test('probes and setup calls: GET / and HEAD / (8.x version), _cat/health, _nodes/http, templates acknowledged, _license, _xpack; 404 and 405 as JSON; nothing stored', async () => {
  const { rx, req } = await start();
  try {
    const root = await req('GET', '/');
    assert.equal(root.status, 200);
    const j = root.json as { name: string; cluster_name: string; cluster_uuid: string; tagline: string; version: Record<string, unknown> };
    assert.equal(typeof j.name, 'string');
    assert.equal(typeof j.cluster_name, 'string');
    assert.equal(typeof j.cluster_uuid, 'string');
    assert.equal(j.tagline, 'You Know, for Search');
    assert.equal(j.version.number, '8.11.0');
    assert.equal(j.version.build_flavor, 'default');
    for (const k of ['lucene_version', 'minimum_wire_compatibility_version', 'minimum_index_compatibility_version']) assert.equal(typeof j.version[k], 'string', k);

    const head = await req('HEAD', '/');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0, 'HEAD has no body');

    const health = await req('GET', '/_cat/health');
    assert.equal(health.status, 200);
    assert.match(health.text, /green/);
    assert.equal((await req('HEAD', '/_cat/health')).status, 200);

    const nodes = await req('GET', '/_nodes/http');
    assert.equal(nodes.status, 200);
    assert.equal(typeof nodes.json, 'object');

    for (const path of ['/_template/x', '/_index_template/x']) {
      const t = await req('PUT', path, { body: JSON.stringify({ index_patterns: ['logs-*'], template: { settings: {} } }), headers: { 'content-type': 'application/json' } });
      assert.equal(t.status, 200, path);
      assert.deepEqual(t.json, { acknowledged: true }, path);
    }
    for (const path of ['/_license', '/_xpack']) {
      const l = await req('GET', path);
      assert.equal(l.status, 200, path);
      assert.equal(typeof l.json, 'object', `${path}: JSON`);
    }

    const nf = await req('GET', '/no/such/thing/here');
    assert.equal(nf.status, 404);
    assert.equal((nf.json as { status: number }).status, 404);
    assert.equal(typeof (nf.json as { error: { type: string } }).error.type, 'string');
    const na = await req('GET', '/_bulk');
    assert.equal(na.status, 405);
    assert.equal((na.json as { status: number }).status, 405);
    assert.equal((await req('DELETE', '/')).status, 405);

    assert.deepEqual(readdirSync(rx.config.storage.dir).filter((d) => statSync(join(rx.config.storage.dir, d)).isDirectory()), [], 'a probe stores nothing');
  } finally {
    await rx.stop();
  }
});

test('Loggly: inputs (a JSON object, else the body as text) and bulk (one event per line) answered {"response":"ok"}; /tag/a,b → tags', async () => {
  const { rx, req } = await start();
  try {
    const ok = (r: HttpResponse): void => {
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { response: 'ok' });
    };
    ok(await req('POST', `/inputs/${TOKEN}`, { body: JSON.stringify({ message: 'loggly json', level: 'info' }), headers: { 'content-type': 'application/json' } }));
    ok(await req('POST', `/inputs/${TOKEN}`, { body: 'loggly text\nsecond line of the same event\n', headers: { 'content-type': 'text/plain' } }));
    ok(await req('POST', `/inputs/${TOKEN}/tag/a,b/`, { body: JSON.stringify({ message: 'tagged json' }) }));
    ok(await req('POST', `/bulk/${TOKEN}/tag/a,b`, { body: `{"message":"bulk json 1"}\nbulk text 2\n\n{"message":"bulk json 3","tags":["own"]}\r\n` }));
    ok(await req('POST', `/bulk/${TOKEN}`, { body: 'untagged line' }));

    const recs = await rx.records('a');
    assert.deepEqual(recs.map((x) => [x.message, x.syslog.format, x.tags]), [
      ['loggly json', 'json', undefined],
      ['loggly text\nsecond line of the same event', 'raw', undefined],
      ['tagged json', 'json', ['a', 'b']],
      ['bulk json 1', 'json', ['a', 'b']],
      ['bulk text 2', 'raw', ['a', 'b']],
      ['bulk json 3', 'json', ['own', 'a', 'b']],
      ['untagged line', 'raw', undefined],
    ]);
    assert.equal(recs[0].level, 'info');
    for (const x of recs) {
      assert.equal(x.syslog.tokenSource, 'url');
      assert.equal(x.source.transport, 'http');
    }
    assertNoToken(rx, TOKEN);
  } finally {
    await rx.stop();
  }
});

test('Logentries: /v1/noformat/<token> → 204, one text event per line', async () => {
  const { rx, req } = await start();
  try {
    const r = await req('POST', `/v1/noformat/${TOKEN}`, { body: 'le one\r\nle two\n\nle {"not":"parsed"}\n' });
    assert.equal(r.status, 204);
    assert.equal(r.body.length, 0);
    const recs = await rx.records('a');
    assert.deepEqual(recs.map((x) => [x.message, x.syslog.format, x.syslog.tokenSource]), [
      ['le one', 'raw', 'url'], ['le two', 'raw', 'url'], ['le {"not":"parsed"}', 'raw', 'url'],
    ]);
    assertNoToken(rx, TOKEN);
  } finally {
    await rx.stop();
  }
});

test('Authorization: Bearer and Basic (token as user, as password) for paths without a token; the index in the path wins over the header', async () => {
  const { rx, req } = await start();
  try {
    const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const bulk = await req('POST', '/_bulk', { body: ndjson({ index: {} }, { message: 'bearer bulk' }), headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(items(bulk).map(([, v]) => v.status), [201]);
    const user = await req('POST', '/logs-2026/_doc', { body: JSON.stringify({ message: 'basic user' }), headers: { authorization: basic(TOKEN, '') } });
    assert.equal(user.status, 201, user.text);
    const pass = await req('POST', '/logs-2026/_doc', { body: JSON.stringify({ message: 'basic password' }), headers: { authorization: basic('elastic', TOKEN) } });
    assert.equal(pass.status, 201, pass.text);
    const bearerDoc = await req('PUT', '/logs/_doc/x9', { body: JSON.stringify({ message: 'bearer doc' }), headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearerDoc.status, 201, bearerDoc.text);
    // index in the path (a token) and another token in the header: the path's app
    const both = await req('POST', `/${TOKEN_B}/_doc`, { body: JSON.stringify({ message: 'path wins' }), headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(both.status, 201);

    // wrong credentials
    for (const authorization of [`Bearer ${UNKNOWN}`, basic('elastic', 'changeme'), basic(UNKNOWN, UNKNOWN), 'Basic !!!not-base64', `Token ${TOKEN}`]) {
      const r = await req('POST', '/logs/_doc', { body: JSON.stringify({ message: 'must not be stored' }), headers: { authorization } });
      assert.equal(r.status, 401, `${authorization}: ${r.status} ${r.text}`);
    }

    const a = await rx.records('a');
    assert.deepEqual(a.map((x) => [x.message, x.syslog.tokenSource]), [['bearer bulk', 'header'], ['basic user', 'header'], ['basic password', 'header'], ['bearer doc', 'header']]);
    assert.equal(a[3].id, 'x9');
    assert.deepEqual((await rx.records('b')).map((x) => [x.message, x.syslog.tokenSource]), [['path wins', 'index']]);
    assert.ok(!storeBytes(rx.config.storage.dir).includes('must not be stored'));
    assertNoToken(rx, TOKEN, TOKEN_B);
  } finally {
    await rx.stop();
  }
});

test('bodies: the shape is read from the body (form-encoded Content-Type with JSON, curl -d), gzip and deflate (zlib and raw) decoded', async () => {
  const { rx, req } = await start();
  try {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const d = await req('POST', `/${TOKEN}/_doc`, { body: '{"message":"curl form doc","level":"warn"}', headers: form });
    assert.equal(d.status, 201, d.text);
    const b = await req('POST', `/${TOKEN}/_bulk`, { body: ndjson({ index: {} }, { message: 'curl form bulk' }), headers: form });
    assert.deepEqual(items(b).map(([, v]) => v.status), [201]);

    const many = ndjson(...Array.from({ length: 200 }, (_, i) => [{ index: {} }, { message: `gz ${i}`, pad: 'x'.repeat(50) }]).flat());
    const gz = await req('POST', `/${TOKEN}/_bulk`, { body: gzipSync(many), headers: { 'content-encoding': 'gzip', 'content-type': 'application/x-ndjson' } });
    const gzItems = items(gz);
    assert.equal(gzItems.length, 200);
    assert.ok(gzItems.every(([, v]) => v.status === 201));
    const df = await req('POST', `/inputs/${TOKEN}`, { body: deflateSync(JSON.stringify({ message: 'deflate zlib' })), headers: { 'content-encoding': 'deflate' } });
    assert.equal(df.status, 200, df.text);
    const raw = await req('POST', `/v1/noformat/${TOKEN}`, { body: deflateRawSync('deflate raw 1\ndeflate raw 2\n'), headers: { 'content-encoding': 'deflate' } });
    assert.equal(raw.status, 204);
    const chunkedGz = await req('POST', `/${TOKEN}/_bulk`, { body: gzipSync(ndjson({ create: {} }, { message: 'chunked gzip' })), chunked: 7, headers: { 'content-encoding': 'gzip' } });
    assert.deepEqual(items(chunkedGz).map(([, v]) => v.status), [201]);

    const recs = await rx.records('a');
    assert.deepEqual(recs.map((x) => x.message), ['curl form doc', 'curl form bulk', ...Array.from({ length: 200 }, (_, i) => `gz ${i}`), 'deflate zlib', 'deflate raw 1', 'deflate raw 2', 'chunked gzip']);
    assert.equal(recs[0].level, 'warn');
    assert.equal(recs[0].syslog.format, 'json');
    assert.equal(recs[1].syslog.format, 'json');
    assertNoToken(rx, TOKEN);
  } finally {
    await rx.stop();
  }
});

test('the record: transport http, format json/raw, tokenSource, facility 1 severity 5, typed fields null, @timestamp honoured, receiver-owned and typed keys dropped and counted, the token nowhere', async () => {
  const { rx, req } = await start({ auth: { tokenFields: ['logsene-app-token', 'token'] } });
  try {
    const before = stats(rx).ceeKeysDropped;
    const ts = '2021-03-04T05:06:07.089Z';
    const doc = {
      message: `fields and the token ${TOKEN} inside`,
      '@timestamp': ts,
      custom: { k: 1, list: [1, 'two'] },
      'logsene-app-token': TOKEN,
      token: TOKEN,
      // receiver-owned keys (4) and typed keys (7): dropped and counted
      app: 'evil', source: 'spoofed', receivedAt: 'never', syslog: { format: 'rfc5424' },
      facility: 3, severity: 0, hostname: 'h', appName: 'an', procId: 'p', msgId: 'm', structuredData: { x: { y: 'z' } },
    };
    const t0 = Date.now();
    assert.equal((await req('POST', `/${TOKEN}/_doc/rec-1`, { body: JSON.stringify(doc) })).status, 201);
    assert.equal((await req('POST', '/_bulk', { body: ndjson({ index: { _index: TOKEN } }, { message: 'no timestamp' }) })).status, 200);
    assert.equal((await req('POST', `/v1/noformat/${TOKEN}`, { body: `text with ${TOKEN.toUpperCase()} in it\n` })).status, 204);
    const t1 = Date.now();

    const recs: SyslogRecord[] = await rx.records('a');
    assert.equal(recs.length, 3);
    const [j, nots, text] = recs;
    assert.equal(j['@timestamp'], ts, '@timestamp of the document honoured');
    assert.equal(j.app, 'a');
    assert.equal(j.facility, 1);
    assert.equal(j.severity, 5);
    for (const k of ['hostname', 'appName', 'procId', 'msgId', 'structuredData'] as const) assert.equal(j[k], null, k);
    assert.equal(j.source.transport, 'http');
    assert.equal(j.source.address, '127.0.0.1');
    assert.equal(typeof j.source.port, 'number');
    assert.deepEqual(j.syslog, { format: 'json', tokenSource: 'index' });
    assert.deepEqual(j.custom, { k: 1, list: [1, 'two'] });
    assert.equal(j.id, 'rec-1');
    assert.equal(j['logsene-app-token'], undefined);
    assert.equal(j.token, undefined);
    assert.ok(typeof j.message === 'string' && j.message.startsWith('fields and the token') && !j.message.includes(TOKEN), `token cut from the message: ${j.message}`);
    const rAt = Date.parse(j.receivedAt);
    assert.ok(rAt >= t0 - 5 && rAt <= t1 + 5, `receivedAt ${j.receivedAt} within the requests`);
    assert.equal(stats(rx).ceeKeysDropped - before, 11, 'app source receivedAt syslog + 7 typed keys dropped and counted');

    assert.equal(nots['@timestamp'], nots.receivedAt, 'no @timestamp in the document → the receive time');
    assert.deepEqual(nots.syslog, { format: 'json', tokenSource: 'index' });
    assert.deepEqual(text.syslog, { format: 'raw', tokenSource: 'url' });
    assert.equal(text.facility, 1);
    assert.equal(text.severity, 5);
    assert.ok(typeof text.message === 'string' && text.message.startsWith('text with') && !text.message.toLowerCase().includes(TOKEN), `token cut from a text event: ${text.message}`);
    assertNoToken(rx, TOKEN);
  } finally {
    await rx.stop();
  }
});

test('no 2xx leaves before the sync: each answer finds its records on disk, after the (slow) sync', async () => {
  const delay = 250;
  const dir = tmpDir('srx-http-ack-').path;
  const { rx, config } = await startReceiver({
    listen: { http: { address: '127.0.0.1', port: 0 } },
    apps: [{ name: 'a', token: TOKEN }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5 },
    certsDir: join(dir, 'certs'),
  }, { sinks: withFaults({ delayMs: delay }) });
  const port = rx.addresses.http![0].port;
  const appDir = join(config.storage.dir, 'a');
  const onDisk = (): string => (existsSync(appDir) ? readdirSync(appDir).map((f) => readFileSync(join(appDir, f), 'utf8')).join('') : '');
  try {
    // four kinds of request, three of each, all in flight at once; each carries its own markers
    const kinds: Array<(i: number) => [string, string, string[], number]> = [
      (i) => ['POST', `/${TOKEN}/_bulk`, [`ack-bulk-${i}-a`, `ack-bulk-${i}-b`], 200],
      (i) => ['POST', `/${TOKEN}/_doc`, [`ack-doc-${i}`], 201],
      (i) => ['POST', `/bulk/${TOKEN}`, [`ack-loggly-${i}-a`, `ack-loggly-${i}-b`], 200],
      (i) => ['POST', `/v1/noformat/${TOKEN}`, [`ack-le-${i}`], 204],
    ];
    const bodyOf = (path: string, marks: string[]): string =>
      path.endsWith('_bulk') ? ndjson(...marks.flatMap((m) => [{ index: {} }, { message: m }]))
        : path.endsWith('_doc') ? JSON.stringify({ message: marks[0] })
          : marks.join('\n') + '\n';
    const seen = new Map<string, boolean>();
    const runs = [];
    for (let i = 0; i < 3; i++) {
      for (const k of kinds) {
        const [method, path, marks, want] = k(i);
        runs.push(request(port, method, path, {
          body: bodyOf(path, marks),
          // at the moment the status line arrives, every record of the request must be in the file
          onResponse: () => { const text = onDisk(); seen.set(marks[0], marks.every((m) => text.includes(`"${m}"`))); },
        }).then((r) => ({ r, marks, want })));
      }
    }
    const done = await Promise.all(runs);
    for (const { r, marks, want } of done) {
      assert.equal(r.status, want, `${marks[0]}: ${r.text}`);
      assert.ok(r.atMs - r.sentAtMs >= delay - 5, `${marks[0]} answered ${r.atMs - r.sentAtMs} ms after sending (the sync takes ${delay} ms)`);
      assert.equal(seen.get(marks[0]), true, `${marks[0]}: answered before its records were on disk`);
    }
    assert.equal(readStore(config.storage.dir, 'a').length, 3 * 6);
  } finally {
    await rx.stop();
  }
});

test('metrics: http_requests_total by status, received_events_total{transport="http"}, stored_events_total', async () => {
  const { rx, req } = await start();
  try {
    for (let i = 0; i < 3; i++) assert.equal((await req('POST', `/${TOKEN}/_bulk`, { body: ndjson(...Array.from({ length: 4 }, (_, k) => [{ index: {} }, { message: `m ${i} ${k}` }]).flat()) })).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await req('POST', `/inputs/${TOKEN}`, { body: `loggly ${i}` })).status, 200);
    assert.equal((await req('GET', '/')).status, 200);
    assert.equal((await req('POST', `/v1/noformat/${TOKEN}`, { body: 'a\nb\nc\n' })).status, 204);
    assert.equal((await req('POST', `/${UNKNOWN}/_doc`, { body: '{"message":"x"}' })).status, 401);
    assert.equal((await req('GET', '/nothing/here/at/all')).status, 404);
    const m = await rx.metrics();
    assert.equal(sample(m, 'syslog_receiver_http_requests_total', 'status="200"'), 6, 'three bulks, two Loggly inputs, one probe');
    assert.equal(sample(m, 'syslog_receiver_http_requests_total', 'status="204"'), 1);
    assert.equal(sample(m, 'syslog_receiver_http_requests_total', 'status="401"'), 1);
    assert.equal(sample(m, 'syslog_receiver_http_requests_total', 'status="404"'), 1);
    assert.equal(sample(m, 'syslog_receiver_received_events_total', 'transport="http"'), 12 + 2 + 3);
    assert.equal(sample(m, 'syslog_receiver_received_events_total', 'transport="https"'), 0);
    assert.equal(sample(m, 'syslog_receiver_stored_events_total', 'app="a"'), 17);
    assert.ok(sample(m, 'syslog_receiver_received_bytes_total', 'transport="http"') > 0);
    assert.match(m, /^syslog_receiver_open_connections\{transport="http"\} \d+$/m);
  } finally {
    await rx.stop();
  }
});

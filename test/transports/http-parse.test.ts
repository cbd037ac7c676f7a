/**
 * HTTP intake units: the URL space (routes.ts), bodies → events (events.ts), and the body
 * reader's limits and decoding (body.ts) on a real HTTP server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { route } from '../../src/transports/http/routes.js';
import { lineEvents, oneEvent, parseBulk, type BulkItem } from '../../src/transports/http/events.js';
import { BodyError, readBody } from '../../src/transports/http/body.js';
import { bulkResponse } from '../../src/transports/http/elastic.js';

const T = '6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e';

test('routes: Elasticsearch, Loggly and Logentries paths; probes; 404, 405 with Allow, 400 for a bad escape', () => {
  assert.deepEqual(route('POST', '/_bulk'), { kind: 'bulk', index: null });
  assert.deepEqual(route('PUT', `/${T}/_bulk?refresh=true`), { kind: 'bulk', index: T });
  assert.deepEqual(route('POST', `/${T}/_doc/`), { kind: 'doc', index: T, id: null, create: false });
  assert.deepEqual(route('PUT', `/${T}/_doc/abc%20d`), { kind: 'doc', index: T, id: 'abc d', create: false });
  assert.deepEqual(route('POST', `/${T}/_create/x1`), { kind: 'doc', index: T, id: 'x1', create: true });
  assert.deepEqual(route('POST', `/${T}/mytype/`), { kind: 'doc', index: T, id: null, create: false });
  assert.deepEqual(route('POST', `/${T}/mytype/7`), { kind: 'doc', index: T, id: '7', create: false });
  assert.deepEqual(route('POST', `/${T}/mytype/_bulk`), { kind: 'bulk', index: T });
  assert.deepEqual(route('POST', `/inputs/${T}`), { kind: 'loggly', token: T, bulk: false, tags: [] });
  assert.deepEqual(route('POST', `/bulk/${T}/tag/a, b,,c/`), { kind: 'loggly', token: T, bulk: true, tags: ['a', 'b', 'c'] });
  assert.deepEqual(route('POST', `/v1/noformat/${T}`), { kind: 'logentries', token: T });
  // Loggly without a token is Loggly (401 later), not an index called "inputs"
  assert.deepEqual(route('POST', '/inputs/'), { kind: 'loggly', token: '', bulk: false, tags: [] });
  assert.deepEqual(route('POST', '/bulk'), { kind: 'loggly', token: '', bulk: true, tags: [] });
  assert.deepEqual(route('GET', '/'), { kind: 'probe', name: 'root' });
  assert.deepEqual(route('HEAD', '/'), { kind: 'probe', name: 'root' });
  assert.deepEqual(route('GET', '/_cat/health?v'), { kind: 'probe', name: 'health' });
  assert.deepEqual(route('GET', '/_nodes/http'), { kind: 'probe', name: 'nodes' });
  assert.deepEqual(route('PUT', '/_template/logs'), { kind: 'probe', name: 'acknowledged' });
  assert.deepEqual(route('PUT', '/_index_template/logs'), { kind: 'probe', name: 'acknowledged' });
  assert.deepEqual(route('HEAD', '/_index_template/logs'), { kind: 'probe', name: 'exists' });
  assert.deepEqual(route('PUT', `/${T}`), { kind: 'probe', name: 'acknowledged' });
  assert.deepEqual(route('POST', `/${T}`), { kind: 'error', status: 405, allow: 'GET, HEAD, PUT' });
  assert.deepEqual(route('GET', '/_search'), { kind: 'error', status: 404 });
  assert.deepEqual(route('GET', `/${T}/_search`), { kind: 'error', status: 404 });
  assert.deepEqual(route('GET', '/_bulk'), { kind: 'error', status: 405, allow: 'POST, PUT' });
  assert.deepEqual(route('DELETE', '/'), { kind: 'error', status: 405, allow: 'GET, HEAD' });
  assert.deepEqual(route('PUT', `/${T}/_doc`), { kind: 'error', status: 405, allow: 'POST' });
  assert.deepEqual(route('POST', '/%E0%A4%A/_bulk'), { kind: 'error', status: 400 });
});

const ndjson = (...lines: unknown[]): Buffer => Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');

test('bulk: index and create stored with _id as id, update and delete refused per item, a bad document fails only its item', () => {
  const items = parseBulk(ndjson(
    { index: { _index: T, _id: 'a1', _type: '_doc' } }, { message: 'one' },
    { create: {} }, { message: 'two', n: 2 },
    { update: { _id: 'x' } }, { doc: { a: 1 } },
    { delete: { _id: 'y' } },
    { index: { _id: 5 } }, 'not json {',
    { index: {} }, '[1,2]',
    '', '   ',
    { create: { _index: 'other' } }, { message: 'three' },
  )) as BulkItem[];
  assert.ok(Array.isArray(items));
  assert.deepEqual(items.map((i) => [i.action, i.index, i.id, i.error?.status ?? 0]), [
    ['index', T, 'a1', 0], ['create', null, null, 0], ['update', null, 'x', 400], ['delete', null, 'y', 400],
    ['index', null, '5', 400], ['index', null, null, 400], ['create', 'other', null, 0],
  ]);
  assert.deepEqual(items[0].ev?.json, { message: 'one', id: 'a1' });
  assert.deepEqual(items[1].ev?.json, { message: 'two', n: 2 });
  assert.equal(items[4].error?.type, 'mapper_parsing_exception');
  assert.equal(items[6].ev?.json?.message, 'three');
  // CRLF lines and a body without the final LF
  const crlf = parseBulk(Buffer.from(`{"index":{}}\r\n{"message":"m"}`)) as BulkItem[];
  assert.equal(crlf[0].ev?.json?.message, 'm');
});

test('bulk: a malformed action line or an empty body fails the request; a last action without document fails its item', () => {
  for (const body of ['{"index":{}}\n{"a":1}\nnope\n{"b":2}\n', '{"frobnicate":{}}\n{}\n', '{"index":{},"create":{}}\n{}\n', '"index"\n{}\n']) {
    const r = parseBulk(Buffer.from(body));
    assert.ok(!Array.isArray(r), body);
    assert.equal(r.status, 400);
    assert.match(r.reason, /Malformed action\/metadata line \[\d\]/);
  }
  const empty = parseBulk(Buffer.from('\n\n'));
  assert.ok(!Array.isArray(empty) && empty.type === 'action_request_validation_exception');
  const last = parseBulk(Buffer.from('{"index":{}}\n{"a":1}\n{"index":{}}\n')) as BulkItem[];
  assert.equal(last.length, 2);
  assert.equal(last[1].error?.status, 400);
});

test('one event: a JSON object or text without its trailing line break; line events skip blank lines', () => {
  assert.deepEqual(oneEvent(Buffer.from('{"message":"x","a":[1]}\n')), { json: { message: 'x', a: [1] }, text: null, extra: null, bytes: 24 });
  assert.deepEqual(oneEvent(Buffer.from('plain text\r\n')), { json: null, text: 'plain text', extra: null, bytes: 12 });
  assert.deepEqual(oneEvent(Buffer.from('[1,2]')).text, '[1,2]');
  assert.deepEqual(oneEvent(Buffer.from([0x61, 0xff, 0x62])).text, 'a\ufffdb');
  const loggly = lineEvents(Buffer.from('{"a":1}\r\n\nline two\n  \n{"b":'), true);
  assert.deepEqual(loggly.map((e) => e.json ?? e.text), [{ a: 1 }, 'line two', '{"b":']);
  const le = lineEvents(Buffer.from('{"a":1}\nx\n'), false);
  assert.deepEqual(le.map((e) => e.text), ['{"a":1}', 'x']);
});

/** Runs `readBody` on a real server for one request; resolves with its result or error. */
async function readOver(body: Buffer, headers: Record<string, string>, maxBytes: number): Promise<Buffer | Error> {
  let out: Buffer | Error = new Error('no request');
  const srv = createServer((req, res) => {
    readBody(req, maxBytes).then((r) => { out = r.body; }, (e: Error) => { out = e; }).finally(() => res.end('done'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: (srv.address() as AddressInfo).port, method: 'POST', path: '/', headers: { ...headers, 'content-length': String(body.length) } }, (res) => { res.resume(); res.on('end', resolve); });
      req.on('error', () => resolve()); // the server may close while we still send (413)
      req.end(body);
    });
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
  return out;
}

test('body: identity, gzip, zlib and raw deflate decoded; over the limit (declared, sent or inflated) 413; corrupt 400; unknown encoding 415', async () => {
  const text = Buffer.from('{"message":"hello"}\n'.repeat(100));
  assert.deepEqual(await readOver(text, {}, 1 << 20), text);
  assert.deepEqual(await readOver(gzipSync(text), { 'content-encoding': 'gzip' }, 1 << 20), text);
  assert.deepEqual(await readOver(deflateSync(text), { 'content-encoding': 'deflate' }, 1 << 20), text);
  assert.deepEqual(await readOver(deflateRawSync(text), { 'content-encoding': 'Deflate' }, 1 << 20), text);
  const status = (r: Buffer | Error): number => (r instanceof BodyError ? r.status : 0);
  assert.equal(status(await readOver(text, {}, 1000)), 413);
  // a gzip bomb: 20 KiB on the wire, 64 MiB inflated
  const bomb = gzipSync(Buffer.alloc(64 << 20));
  assert.ok(bomb.length < 100_000);
  assert.equal(status(await readOver(bomb, { 'content-encoding': 'gzip' }, 1 << 20)), 413);
  assert.equal(status(await readOver(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }, 1 << 20)), 400);
  assert.equal(status(await readOver(text, { 'content-encoding': 'br' }, 1 << 20)), 415);
});

test('bulk response: the Elasticsearch shape, the same JSON as built from objects (quoting of index, id and errors)', () => {
  const items = [
    { action: 'index', index: 'a"b', id: 'x1', status: 201 },
    { action: 'create', index: 'a"b', id: 'y', status: 400, error: { type: 't', reason: 'r "q"\n' } },
    { action: 'index', index: 'c\\', id: 'z\u2028', status: 201 },
  ];
  const shards = { total: 1, successful: 1, failed: 0 };
  const expected = JSON.stringify({
    took: 3, errors: true,
    items: items.map((r, i) => ({ [r.action]: r.error ? { _index: r.index, _id: r.id, status: r.status, error: r.error } : { _index: r.index, _id: r.id, _version: 1, result: 'created', _shards: shards, _seq_no: i, _primary_term: 1, status: r.status } })),
  });
  assert.equal(bulkResponse(items, 3), expected);
  assert.deepEqual(JSON.parse(bulkResponse([{ action: 'index', index: 'i', id: '1', status: 201 }], 0)).errors, false);
  assert.equal(bulkResponse([], 1), '{"took":1,"errors":false,"items":[]}');
});

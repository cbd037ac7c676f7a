/**
 * Fuzz: the HTTP intake's parsers (routes.ts, events.ts) on arbitrary and mutated input — they
 * never throw, a bulk body gives items each with an event or an error (or one request error),
 * line events never hold a line break — and a live receiver fed random requests (bodies,
 * paths, encodings, broken HTTP): it answers every parsable request with a JSON error or
 * success body, counts nothing wrongly as stored, and still serves a normal request after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { route } from '../../src/transports/http/routes.js';
import { lineEvents, oneEvent, parseBulk } from '../../src/transports/http/events.js';
import { readStore, startReceiver } from '../helpers/receiver.js';
import { tmpDir } from '../helpers/tmp.js';
import { bytesArb, check, checkAsync, mutate, mutatedArb } from './common.js';

const T = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';

/** Valid bulk bodies to mutate. */
const BULK_POOL = [
  `{"index":{"_index":"${T}","_id":"1"}}\n{"message":"a","n":1}\n{"create":{}}\n{"message":"b"}\n`,
  `{"delete":{"_id":"x"}}\n{"update":{"_id":"y"}}\n{"doc":{}}\n{"index":{}}\n{"deep":[[[[{"a":{"b":null}}]]]]}\n`,
  '{"index":{}}\r\n{"message":"\\u00e9\\ud83d\\ude00"}\r\n',
].map((s) => Buffer.from(s));

const bodyArb = fc.oneof(mutatedArb(BULK_POOL), bytesArb(512), fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)));

test('fuzz: route() and the body parsers never throw; bulk items carry an event or an error; line events hold no line break', () => {
  check('routes', fc.property(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'get', 'X'), fc.oneof(fc.string({ maxLength: 80 }), fc.webUrl().map((u) => new URL(u).pathname + new URL(u).search), fc.constantFrom('/_bulk', `/${T}/_doc/%`, '/inputs//tag/', '/v1/noformat/', '//', '/%00')), (m, url) => {
    const r = route(m, url);
    assert.ok(['bulk', 'doc', 'loggly', 'logentries', 'probe', 'error'].includes(r.kind));
  }));
  check('bodies', fc.property(bodyArb, (body) => {
    const items = parseBulk(body);
    if (Array.isArray(items)) {
      assert.ok(items.length > 0);
      for (const it of items) {
        assert.ok((it.ev === null) !== (it.error === null), 'an event or an error');
        if (it.ev !== null) assert.ok(it.ev.json !== null && typeof it.ev.json === 'object' && !Array.isArray(it.ev.json));
      }
    } else assert.equal(items.status, 400);
    for (const e of [...lineEvents(body, true), ...lineEvents(body, false)]) {
      assert.ok(e.json !== null || (e.text !== null && e.text.length > 0 && !/[\n]/.test(e.text)));
    }
    const one = oneEvent(body);
    assert.ok(one.json !== null || one.text !== null);
  }), 2);
});

interface Answer { status: number; type: string; body: string }

function send(port: number, method: string, path: string, body: Buffer, headers: Record<string, string>): Promise<Answer | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let b = '';
      res.on('data', (c) => { b += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: b }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end(body);
  });
}

test('fuzz: a live receiver answers random requests with well-formed JSON (or closes broken HTTP), stores only authorized events, and still serves after', async () => {
  const dir = tmpDir('srx-http-fuzz-').path;
  const { rx, config } = await startReceiver({
    listen: { http: { address: '127.0.0.1', port: 0, headerTimeoutMs: 2000 } },
    apps: [{ name: 'a', token: T }],
    storage: { dir: join(dir, 'data'), flushIntervalMs: 5 },
    limits: { maxHttpBodyBytes: 64 * 1024 },
    certsDir: join(dir, 'certs'),
  });
  const port = rx.addresses.http![0].port;
  try {
    const pathArb = fc.oneof(
      fc.constantFrom('/_bulk', `/${T}/_bulk`, `/${T}/_doc`, `/${T}/_doc/1`, `/inputs/${T}`, `/bulk/${T}/tag/x`, `/v1/noformat/${T}`, '/', '/_cat/health', '/nope/_doc'),
      fc.string({ maxLength: 40 }).map((s) => '/' + encodeURIComponent(s)),
    );
    const encArb = fc.constantFrom('none', 'gzip', 'bad-gzip', 'br');
    await checkAsync('live requests', fc.asyncProperty(fc.constantFrom('POST', 'PUT', 'GET', 'DELETE'), pathArb, bodyArb, encArb, fc.boolean(), async (method, path, body, enc, bearer) => {
      const headers: Record<string, string> = bearer ? { authorization: `Bearer ${T}` } : {};
      let b = body;
      if (enc === 'gzip') { b = gzipSync(body); headers['content-encoding'] = 'gzip'; }
      if (enc === 'bad-gzip') { b = mutate(gzipSync(body), [[10, 1, 0xff, 0], [3, 2, 0, 1]]); headers['content-encoding'] = 'gzip'; }
      if (enc === 'br') headers['content-encoding'] = 'br';
      const a = await send(port, method, path, b, headers);
      assert.ok(typeof a !== 'string', `${method} ${path}: connection error ${String(a)}`);
      assert.ok([200, 201, 204, 400, 401, 404, 405, 413, 415].includes(a.status), `${method} ${path}: status ${a.status} ${a.body.slice(0, 200)}`);
      if (a.status !== 204 && a.type.startsWith('application/json')) JSON.parse(a.body);
      if (a.status >= 400) assert.match(a.body, /"error"/);
    }), 0.3);
    // broken HTTP on raw sockets: answered 400 or closed, never a crash
    await checkAsync('raw sockets', fc.asyncProperty(fc.oneof(bytesArb(300), mutatedArb([Buffer.from(`POST /${T}/_doc HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n{"message":"r"}`), Buffer.from('GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')])), async (bytes) => {
      await new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1', () => s.end(bytes));
        s.on('data', () => undefined);
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.setTimeout(5000, () => { s.destroy(); resolve(); });
      });
    }), 0.1);
    const ok = await send(port, 'POST', `/${T}/_doc`, Buffer.from('{"message":"after the fuzz"}'), {});
    assert.equal(typeof ok === 'string' ? ok : ok.status, 201);
    await rx.flush();
    const recs = readStore(config.storage.dir, 'a');
    assert.ok(recs.some((r) => r.message === 'after the fuzz'));
    assert.ok(recs.every((r) => r.app === 'a' && (r.source.transport === 'http')));
  } finally {
    await rx.stop();
  }
});

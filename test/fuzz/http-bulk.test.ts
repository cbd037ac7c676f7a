/**
 * Fuzz: a live receiver's HTTP intake (listen.http on 127.0.0.1:0, real file store) fed a few
 * thousand generated requests (FUZZ_RUNS scales them, FUZZ_SEED picks them; see common.ts):
 * - Elasticsearch bulk bodies from a grammar (index/create/update/delete, `_index` a token of
 *   either app, an upper-case token, no token, a number, null; `_id` strings, numbers, objects;
 *   documents with receiver-owned keys, the token in `message` and `logsene-app-token`, invalid
 *   JSON, arrays, nesting up to 2,000 deep, lines up to 300 KB, invalid UTF-8), sent to `/_bulk`,
 *   `/<token>/_bulk` and paths without a token, with or without Authorization, plain, gzip or
 *   deflate, under a random Content-Type; a third of them mutated bytewise. Unmutated ones are
 *   checked against a model of the contract: the status of the request and of every item, the
 *   `_index` and `_id` of every item, and the records stored (app, id, tokenSource, no token in
 *   any case); mutated ones: the answer is well-formed and exactly the 201 items were stored.
 * - Loggly `inputs`/`bulk` (with tags) and Logentries `noformat` bodies: random text and JSON
 *   lines, CRLF, blank lines, invalid UTF-8, long lines; the answer and the stored events per line.
 * - Raw requests on plain sockets: malformed Content-Length (text, negative, huge, repeated,
 *   with Transfer-Encoding), bad chunking, bad request lines and header lines, oversized headers
 *   and URLs, NUL bytes, bad gzip, truncated and pipelined requests, byte mutations: every
 *   answer is a well-formed HTTP response (JSON where the content type says so, never 5xx) or
 *   the connection is closed, within the timeouts.
 * The receiver never crashes and serves a normal request afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readStore, startTestReceiver, type TestReceiver } from '../helpers/receiver.js';
import { RawHttpClient, rawRequest, request, type HttpResponse } from '../helpers/http.js';
import { RUNS, SEED, checkAsync, mutate, mutationsArb, type Mutation } from './common.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const TOKEN_B = 'c0ffee00-1111-4222-8333-444455556666';
const UNKNOWN = '99999999-8888-4777-8666-555544443333';
const APP_OF: Record<string, string> = { [TOKEN]: 'a', [TOKEN_B]: 'b' };
const LIMIT = 1024 * 1024;
const ALL_TOKENS = [TOKEN, TOKEN_B];

/** No mutation (2/3) or a few byte mutations (1/3). */
const MUTS_THIRD: fc.Arbitrary<Mutation[] | null> = fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: mutationsArb });

let rx: TestReceiver;
let port = 0;
let agent: Agent;
let seq = 0;
/** What the cases came to (logged per property: a generator that stops reaching a path shows here). */
const tally = new Map<string, number>();
const count = (k: string): void => { tally.set(k, (tally.get(k) ?? 0) + 1); };
const showTally = (prefix: string): void => {
  const parts = [...tally].filter(([k]) => k.startsWith(prefix)).sort().map(([k, v]) => `${k.slice(prefix.length)}=${v}`);
  console.log(`[fuzz] ${prefix.slice(0, -1)} outcomes: ${parts.join(' ')}`);
};

before(async () => {
  rx = await startTestReceiver({
    apps: [{ name: 'a', token: TOKEN }, { name: 'b', token: TOKEN_B }],
    limits: { maxHttpBodyBytes: LIMIT },
    listen: { http: { address: '127.0.0.1', port: 0, headerTimeoutMs: 1000, bodyTimeoutMs: 1500, keepAliveTimeoutMs: 1000 } },
  });
  port = rx.receiver.addresses.http![0].port;
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});

after(async () => {
  agent?.destroy();
  await rx?.stop();
});

// ---------------------------------------------------------------------------------------------
// the store, read as it grows

const offsets = new Map<string, number>();

/** Records appended to the store since the last call, per app (complete lines only). */
function newRecords(): Array<{ app: string; line: string; rec: Record<string, any> }> {
  const dir = rx.config.storage.dir;
  const out: Array<{ app: string; line: string; rec: Record<string, any> }> = [];
  if (!existsSync(dir)) return out;
  for (const app of readdirSync(dir).sort()) {
    const ad = join(dir, app);
    if (!statSync(ad).isDirectory()) continue;
    for (const f of readdirSync(ad).sort()) {
      const p = join(ad, f);
      const size = statSync(p).size;
      const off = offsets.get(p) ?? 0;
      if (size <= off) continue;
      const b = Buffer.alloc(size - off);
      const fd = openSync(p, 'r');
      try { readSync(fd, b, 0, b.length, off); } finally { closeSync(fd); }
      const text = b.toString('utf8');
      const last = text.lastIndexOf('\n');
      assert.ok(last === text.length - 1, `${p}: a torn line after an answered request`);
      offsets.set(p, size);
      for (const line of text.slice(0, last).split('\n')) out.push({ app, line, rec: JSON.parse(line) as Record<string, any> });
    }
  }
  return out;
}

const storedCount = (): number => Object.values((rx.receiver.stats() as { storedEvents: Record<string, number> }).storedEvents).reduce((a, b) => a + b, 0);

function assertNoTokenIn(text: string, ctx: string): void {
  const l = text.toLowerCase();
  for (const t of ALL_TOKENS) assert.ok(!l.includes(t), `token ${t} stored: ${ctx}`);
}

// ---------------------------------------------------------------------------------------------
// Elasticsearch bulk bodies

type IndexChoice = 'A' | 'B' | 'Aupper' | 'unknown' | 'num' | 'null' | 'logs' | 'absent';
type DocKind = 'object' | 'invalid' | 'array' | 'deep' | 'huge' | 'badutf8' | 'scalar';
interface GenDoc { kind: DocKind; obj: Record<string, unknown>; invalid: string; depth: number; size: number; tokenInMessage: boolean; tokenField: boolean }
interface GenItem { action: 'index' | 'create' | 'update' | 'delete'; index: IndexChoice; id: unknown; type: boolean; doc: GenDoc }
type PathChoice = 'bulk' | 'A' | 'B' | 'unknown' | 'logs';
type AuthChoice = 'none' | 'bearerA' | 'bearerB' | 'bearerUnknown' | 'basicA';
type Enc = 'none' | 'gzip' | 'deflate' | 'bad-gzip';
interface BulkCase { items: GenItem[]; crlf: boolean; finalLf: boolean; path: PathChoice; auth: AuthChoice; enc: Enc; contentType: string | null; muts: Mutation[] | null }

const keyArb = fc.constantFrom('message', 'level', '@timestamp', 'app', 'source', 'syslog', 'facility', 'severity', 'hostname', 'msgId', 'structuredData', 'receivedAt', 'nested', 'tags', 'n', 'ü', '', '__proto__', 'constructor', 'x.y', 'a b');
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
  fc.constantFrom('2021-03-04T05:06:07.089Z', 'not a date', '', 1_600_000_000_000, '2026-13-45T99:99:99Z', '1970-01-01T00:00:00Z'),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);
const docArb: fc.Arbitrary<GenDoc> = fc.record({
  kind: fc.oneof({ weight: 12, arbitrary: fc.constant<DocKind>('object') }, { weight: 1, arbitrary: fc.constantFrom<DocKind>('invalid', 'array', 'deep', 'huge', 'badutf8', 'scalar') }),
  obj: fc.dictionary(keyArb, valueArb, { maxKeys: 6 }),
  invalid: fc.constantFrom('{"message": "cut', 'not json at all', '{"a":1}}', "{'single':'quotes'}", '{"a":undefined}', '{"a":1,}', '\u0000', '{"a":"\\x41"}', 'nul\u0000l'),
  depth: fc.integer({ min: 1, max: 2000 }),
  size: fc.integer({ min: 1000, max: 300_000 }),
  tokenInMessage: fc.boolean(),
  tokenField: fc.boolean(),
});
const itemArb: fc.Arbitrary<GenItem> = fc.record({
  action: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('index' as const, 'create' as const) }, { weight: 1, arbitrary: fc.constantFrom('update' as const, 'delete' as const) }),
  index: fc.oneof({ weight: 3, arbitrary: fc.constant<IndexChoice>('absent') }, { weight: 4, arbitrary: fc.constantFrom<IndexChoice>('A', 'B', 'Aupper', 'unknown', 'num', 'null', 'logs') }),
  id: fc.oneof(fc.constant(undefined), fc.string({ minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 1e6 }), fc.constant({ nested: 1 }), fc.constant(true)),
  type: fc.boolean(),
  doc: docArb,
});
const bulkCaseArb: fc.Arbitrary<BulkCase> = fc.record({
  items: fc.array(itemArb, { minLength: 1, maxLength: 6 }),
  crlf: fc.boolean(),
  finalLf: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  path: fc.constantFrom<PathChoice>('bulk', 'bulk', 'A', 'B', 'unknown', 'logs'),
  auth: fc.constantFrom<AuthChoice>('none', 'none', 'bearerA', 'bearerB', 'bearerUnknown', 'basicA'),
  enc: fc.oneof({ weight: 6, arbitrary: fc.constant<Enc>('none') }, { weight: 1, arbitrary: fc.constantFrom<Enc>('gzip', 'deflate', 'bad-gzip') }),
  contentType: fc.constantFrom(null, 'application/json', 'application/x-ndjson', 'application/x-www-form-urlencoded', 'text/plain; charset=latin1', 'application/vnd.elasticsearch+x-ndjson; compatible-with=8', 'multipart/form-data; boundary=x'),
  muts: MUTS_THIRD,
});

const INDEX_VALUE: Record<IndexChoice, unknown> = { A: TOKEN, B: TOKEN_B, Aupper: TOKEN.toUpperCase(), unknown: UNKNOWN, num: 12345, null: null, logs: 'logs-2026.01.01', absent: undefined };
const PATH_INDEX: Record<PathChoice, string | null> = { bulk: null, A: TOKEN, B: TOKEN_B, unknown: UNKNOWN, logs: 'logs' };
const HEADER: Record<AuthChoice, string | null> = {
  none: null, bearerA: `Bearer ${TOKEN}`, bearerB: `Bearer ${TOKEN_B}`, bearerUnknown: `Bearer ${UNKNOWN}`, basicA: `Basic ${Buffer.from(`elastic:${TOKEN}`).toString('base64')}`,
};
const HEADER_TOKEN: Record<AuthChoice, string | null> = { none: null, bearerA: TOKEN, bearerB: TOKEN_B, bearerUnknown: null, basicA: TOKEN };

/** The token (as sent) that authorizes an item per the contract, its source, or null (401). */
function authorize(c: BulkCase, it: GenItem): { token: string; source: 'index' | 'header' } | null {
  const v = INDEX_VALUE[it.index];
  const itemIndex = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
  if (itemIndex !== null && APP_OF[itemIndex.toLowerCase()] !== undefined) return { token: itemIndex, source: 'index' };
  const pathIndex = PATH_INDEX[c.path];
  const req = pathIndex !== null && APP_OF[pathIndex] !== undefined ? { token: pathIndex, source: 'index' as const } : HEADER_TOKEN[c.auth] !== null ? { token: HEADER_TOKEN[c.auth]!, source: 'header' as const } : null;
  if (itemIndex === null) return req;
  // an _index that is no token: only the header's app takes it
  return req?.source === 'header' ? req : null;
}

function docLine(d: GenDoc, marker: string, token: string | null): Buffer {
  switch (d.kind) {
    case 'invalid': return Buffer.from(d.invalid);
    case 'array': return Buffer.from(`[{"seq":"${marker}"}]`);
    case 'scalar': return Buffer.from('"just a string"');
    case 'deep': return Buffer.from(`{"seq":"${marker}","deep":${'['.repeat(d.depth)}${']'.repeat(d.depth)}}`);
    case 'huge': return Buffer.from(`{"seq":"${marker}","message":"${'h'.repeat(d.size)}"}`);
    case 'badutf8': return Buffer.concat([Buffer.from(`{"seq":"${marker}","message":"bad `), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(' utf8"}')]);
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(d.obj)) if (k !== '__proto__') o[k] = v;
      if (d.tokenInMessage && token !== null) o.message = `before ${token.toLowerCase()} after ${token.toUpperCase()} end`;
      if (d.tokenField) o['logsene-app-token'] = token ?? TOKEN;
      o.seq = marker;
      let s = JSON.stringify(o);
      if (Object.prototype.hasOwnProperty.call(d.obj, '__proto__')) s = s.slice(0, -1) + `,"__proto__":${JSON.stringify(d.obj.__proto__ ?? null)}}`;
      return Buffer.from(s);
    }
  }
}

function bulkBody(c: BulkCase, markers: string[]): Buffer {
  const eol = Buffer.from(c.crlf ? '\r\n' : '\n');
  const parts: Buffer[] = [];
  c.items.forEach((it, i) => {
    const meta: Record<string, unknown> = {};
    if (it.index !== 'absent') meta._index = INDEX_VALUE[it.index];
    if (it.id !== undefined) meta._id = it.id;
    if (it.type) meta._type = '_doc';
    parts.push(Buffer.from(JSON.stringify({ [it.action]: meta })), eol);
    if (it.action !== 'delete') parts.push(docLine(it.doc, markers[i], authorize(c, it)?.token ?? null), eol);
  });
  if (!c.finalLf) parts.pop();
  return Buffer.concat(parts);
}

const DOC_OK = (d: GenDoc): boolean => d.kind === 'object' || d.kind === 'deep' || d.kind === 'huge' || d.kind === 'badutf8';

function encode(body: Buffer, enc: Enc, headers: Record<string, string>): Buffer {
  if (enc === 'gzip') { headers['content-encoding'] = 'gzip'; return gzipSync(body); }
  if (enc === 'deflate') { headers['content-encoding'] = 'deflate'; return deflateSync(body); }
  if (enc === 'bad-gzip') { headers['content-encoding'] = 'gzip'; const g = gzipSync(body); g[Math.floor(g.length / 2)] ^= 0x55; return Buffer.concat([g.subarray(0, g.length - 3)]); }
  return body;
}

/** A well-formed Elasticsearch error answer. */
function assertError(r: HttpResponse, ctx: string): void {
  const j = r.json as { error?: { type?: unknown }; status?: unknown } | undefined;
  assert.ok(j !== undefined && typeof j.error?.type === 'string' && j.status === r.status, `error body for ${r.status}: ${r.text.slice(0, 300)}; ${ctx}`);
}

type Item = { _index: unknown; _id: unknown; status: number; error?: { type?: unknown } };

async function runBulk(c: BulkCase): Promise<void> {
  const n = seq++;
  const markers = c.items.map((_, i) => `f${n}-${i}`);
  const body = bulkBody(c, markers);
  const headers: Record<string, string> = {};
  if (c.contentType !== null) headers['content-type'] = c.contentType;
  if (HEADER[c.auth] !== null) headers.authorization = HEADER[c.auth]!;
  const mutated = c.muts !== null ? mutate(body, c.muts) : body;
  const wire = encode(mutated, c.enc, headers);
  const path = c.path === 'bulk' ? '/_bulk' : `/${PATH_INDEX[c.path]}/_bulk${n % 3 === 0 ? '/?refresh=true' : ''}`;
  const ctx = `case ${n}: POST ${path} ${JSON.stringify(headers)} body ${JSON.stringify(mutated.toString('latin1').slice(0, 400))}`;
  const before = storedCount();
  const r = await request(port, 'POST', path, { body: wire, headers, agent, timeoutMs: 20_000 });
  assert.equal(r.headers['x-elastic-product'], 'Elasticsearch', ctx);
  assert.ok([200, 400, 401, 413, 415].includes(r.status), `status ${r.status} ${r.text.slice(0, 300)}; ${ctx}`);
  const recs = newRecords();
  count(`bulk/${c.muts !== null || c.enc === 'bad-gzip' ? 'mutated' : 'model'}-${r.status}`);
  let created = 0;
  if (r.status === 200) {
    const j = r.json as { took: unknown; errors: unknown; items: Array<Record<string, Item>> };
    assert.ok(typeof j.took === 'number' && typeof j.errors === 'boolean' && Array.isArray(j.items), ctx);
    for (const it of j.items) {
      const keys = Object.keys(it);
      assert.ok(keys.length === 1 && ['index', 'create', 'update', 'delete'].includes(keys[0]), `item ${JSON.stringify(it)}; ${ctx}`);
      const v = it[keys[0]];
      assert.ok([201, 400, 401].includes(v.status), `item status ${v.status}; ${ctx}`);
      assert.equal(typeof v._index, 'string', ctx);
      assert.ok(typeof v._id === 'string', ctx);
      if (v.status !== 201) assert.equal(typeof v.error?.type, 'string', ctx);
      if (v.status === 201) created++;
      count(`bulk/item-${v.status}`);
    }
    assert.equal(j.errors, j.items.some((it) => Object.values(it)[0].status !== 201), ctx);
  } else assertError(r, ctx);
  assert.equal(storedCount() - before, created, `stored events = 201 items; ${ctx}`);
  assert.equal(recs.length, created, `records appended = 201 items; ${ctx}`);
  for (const x of recs) {
    assert.ok(x.app === 'a' || x.app === 'b', ctx);
    assert.equal(x.rec.app, x.app, ctx);
    assert.equal(x.rec.source?.transport, 'http', ctx);
    assert.equal(x.rec.syslog?.format, 'json', ctx);
    assert.ok(typeof x.rec['@timestamp'] === 'string' && Number.isFinite(Date.parse(x.rec['@timestamp'])), `@timestamp ${x.rec['@timestamp']}; ${ctx}`);
    assert.equal(x.rec['logsene-app-token'], undefined, ctx);
  }
  if (c.muts !== null || c.enc === 'bad-gzip') return;

  // unmutated: the model of the contract
  const decoded = body.length;
  if (Math.max(decoded, wire.length) > LIMIT) {
    assert.equal(r.status, 413, ctx);
    return;
  }
  const model = c.items.map((it) => {
    if (it.action === 'delete' || it.action === 'update') return { status: 400, auth: null };
    if (!DOC_OK(it.doc)) return { status: 400, auth: null };
    const a = authorize(c, it);
    return { status: a === null ? 401 : 201, auth: a };
  });
  if (model.every((m) => m.status === 401)) {
    assert.equal(r.status, 401, `every item unauthorized → 401; ${ctx}`);
    return;
  }
  assert.equal(r.status, 200, `${r.text.slice(0, 300)}; ${ctx}`);
  const got = (r.json as { items: Array<Record<string, Item>> }).items;
  assert.equal(got.length, c.items.length, ctx);
  const byMarker = new Map(recs.map((x) => [x.rec.seq as string, x]));
  c.items.forEach((it, i) => {
    const [action, v] = Object.entries(got[i])[0];
    assert.equal(action, it.action, ctx);
    assert.equal(v.status, model[i].status, `item ${i} (${it.action} _index ${it.index}, doc ${it.doc.kind}): ${JSON.stringify(v)}; ${ctx}`);
    const iv = INDEX_VALUE[it.index];
    const sentIndex = typeof iv === 'string' ? iv : typeof iv === 'number' ? String(iv) : PATH_INDEX[c.path] ?? '';
    assert.equal(v._index, sentIndex, `item ${i} _index as sent; ${ctx}`);
    const sentId = typeof it.id === 'string' || typeof it.id === 'number' ? String(it.id) : null;
    if (sentId !== null) assert.equal(v._id, sentId, ctx);
    else assert.ok((v._id as string).length > 0, ctx);
    const stored = byMarker.get(markers[i]);
    if (model[i].status !== 201) {
      assert.equal(stored, undefined, `item ${i} not stored; ${ctx}`);
      return;
    }
    assert.ok(stored !== undefined, `item ${i} stored; ${ctx}`);
    const auth = model[i].auth!;
    assert.equal(stored.app, APP_OF[auth.token.toLowerCase()], `item ${i} in the app of ${auth.token}; ${ctx}`);
    assert.equal(stored.rec.syslog.tokenSource, auth.source, ctx);
    if (sentId !== null) assert.equal(String(stored.rec.id), sentId, ctx);
    assertNoTokenIn(stored.line, ctx);
  });
}

test('fuzz http bulk: generated and mutated _bulk requests against the contract model, on a live receiver', async () => {
  await checkAsync('http-bulk/bulk', fc.asyncProperty(bulkCaseArb, runBulk), 1.5);
  showTally('bulk/');
});

// ---------------------------------------------------------------------------------------------
// Loggly and Logentries

type LineKind = 'text' | 'json' | 'blank' | 'spaces' | 'badutf8' | 'long' | 'cr' | 'jsonArray' | 'token';
interface LogglyCase {
  endpoint: 'inputs' | 'bulk' | 'noformat';
  token: 'A' | 'B' | 'Aupper' | 'unknown';
  tags: string | null;
  lines: Array<{ kind: LineKind; text: string; obj: Record<string, unknown> }>;
  crlf: boolean;
  enc: Enc;
  muts: Mutation[] | null;
}
const TOKEN_VALUE = { A: TOKEN, B: TOKEN_B, Aupper: TOKEN.toUpperCase(), unknown: UNKNOWN };

const logglyArb: fc.Arbitrary<LogglyCase> = fc.record({
  endpoint: fc.constantFrom('inputs' as const, 'bulk' as const, 'noformat' as const),
  token: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('A' as const, 'B' as const, 'Aupper' as const) }, { weight: 1, arbitrary: fc.constant('unknown' as const) }),
  tags: fc.option(fc.stringMatching(/^[a-z0-9_,. -]{1,24}$/), { freq: 3 }),
  lines: fc.array(fc.record({
    kind: fc.constantFrom<LineKind>('text', 'text', 'json', 'json', 'blank', 'spaces', 'badutf8', 'long', 'cr', 'jsonArray', 'token'),
    text: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    obj: fc.dictionary(keyArb, valueArb, { maxKeys: 4 }),
  }), { minLength: 1, maxLength: 8 }),
  crlf: fc.boolean(),
  enc: fc.oneof({ weight: 6, arbitrary: fc.constant<Enc>('none') }, { weight: 1, arbitrary: fc.constantFrom<Enc>('gzip', 'deflate', 'bad-gzip') }),
  muts: MUTS_THIRD,
});

function logglyLine(l: LogglyCase['lines'][number], marker: string, token: string): Buffer {
  switch (l.kind) {
    case 'blank': return Buffer.alloc(0);
    case 'spaces': return Buffer.from(' \t ');
    case 'cr': return Buffer.from(`cr ${marker}\r`);
    case 'badutf8': return Buffer.concat([Buffer.from(`bad ${marker} `), Buffer.from([0xc3, 0x28, 0xff, 0x80])]);
    case 'long': return Buffer.from(`long ${marker} ${'L'.repeat(20_000)}`);
    case 'json': { const o: Record<string, unknown> = {}; for (const [k, v] of Object.entries(l.obj)) if (k !== '__proto__') o[k] = v; o.seq = marker; return Buffer.from(JSON.stringify(o)); }
    case 'jsonArray': return Buffer.from(`[${JSON.stringify(marker)}]`);
    case 'token': return Buffer.from(`tok ${marker} ${token.toLowerCase()} x${token.toUpperCase()}y`);
    default: return Buffer.from(`${marker} ${l.text}`);
  }
}

async function runLoggly(c: LogglyCase): Promise<void> {
  const n = seq++;
  const token = TOKEN_VALUE[c.token];
  const eol = Buffer.from(c.crlf ? '\r\n' : '\n');
  const lines = c.lines.map((l, i) => logglyLine(l, `l${n}-${i}`, token));
  const body = Buffer.concat(lines.flatMap((l) => [l, eol]));
  const headers: Record<string, string> = {};
  const mutated = c.muts !== null ? mutate(body, c.muts) : body;
  const wire = encode(mutated, c.enc, headers);
  const tagPath = c.tags !== null && c.endpoint !== 'noformat' ? `/tag/${encodeURIComponent(c.tags)}` : '';
  const path = c.endpoint === 'noformat' ? `/v1/noformat/${token}` : `/${c.endpoint}/${token}${tagPath}`;
  const ctx = `case ${n}: POST ${path} ${JSON.stringify(headers)} body ${JSON.stringify(mutated.toString('latin1').slice(0, 300))}`;
  const before = storedCount();
  const r = await request(port, 'POST', path, { body: wire, headers, agent, timeoutMs: 20_000 });
  assert.equal(r.headers['x-elastic-product'], 'Elasticsearch', ctx);
  const okStatus = c.endpoint === 'noformat' ? 204 : 200;
  assert.ok([okStatus, 400, 401, 413].includes(r.status), `status ${r.status} ${r.text.slice(0, 300)}; ${ctx}`);
  if (r.status === 200) assert.deepEqual(r.json, { response: 'ok' }, ctx);
  else if (r.status === 204) assert.equal(r.body.length, 0, ctx);
  else assertError(r, ctx);
  const recs = newRecords();
  count(`loggly/${c.endpoint}-${c.muts !== null || c.enc === 'bad-gzip' ? 'mutated' : 'model'}-${r.status}`);
  assert.equal(storedCount() - before, recs.length, ctx);
  if (r.status !== okStatus) assert.equal(recs.length, 0, `nothing stored for ${r.status}; ${ctx}`);
  for (const x of recs) {
    assert.equal(x.app, APP_OF[token.toLowerCase()], ctx);
    assert.deepEqual(x.rec.syslog?.tokenSource, 'url', ctx);
    assert.ok(x.rec.syslog?.format === 'json' || x.rec.syslog?.format === 'raw', ctx);
  }
  if (c.muts !== null || c.enc === 'bad-gzip') return;

  if (c.token === 'unknown') { assert.equal(r.status, 401, ctx); return; }
  assert.equal(r.status, okStatus, ctx);
  // the events the contract gives: one per line, the line break (LF, or CRLF) not part of it, blank lines skipped
  const events = c.lines.map((l, i) => {
    let t = lines[i];
    if (!c.crlf && t.length > 0 && t[t.length - 1] === 0x0d) t = t.subarray(0, t.length - 1);
    return { kind: l.kind, text: t, idx: i };
  }).filter((e) => !/^[ \t]*$/.test(e.text.toString('latin1')));
  if (c.endpoint === 'inputs') {
    assert.equal(recs.length, 1, `inputs: one event for the whole body; ${ctx}`);
  } else {
    assert.equal(recs.length, events.length, `one event per non-blank line (${events.length}); ${ctx}`);
    const expectedTags = c.tags === null || c.endpoint === 'noformat' ? [] : c.tags.split(',').map((t) => t.trim()).filter((t) => t !== '');
    recs.forEach((x, i) => {
      const e = events[i];
      if (c.endpoint === 'bulk' && e.kind === 'json') {
        assert.equal(x.rec.syslog.format, 'json', `line ${i}; ${ctx}`);
        assert.equal(x.rec.seq, `l${n}-${e.idx}`, `line ${i} in order; ${ctx}`);
        return;
      }
      assert.equal(x.rec.syslog.format, 'raw', `line ${i}; ${ctx}`);
      if (e.kind !== 'token') assert.equal(x.rec.message, e.text.toString('utf8'), `line ${i} stored as sent; ${ctx}`);
      if (expectedTags.length > 0) assert.deepEqual(x.rec.tags, expectedTags, `tags; ${ctx}`);
      else assert.equal(x.rec.tags, undefined, ctx);
    });
  }
  for (const x of recs) assertNoTokenIn(x.line, ctx);
}

test('fuzz http loggly/logentries: generated and mutated bodies, one event per line, tags, tokens, on a live receiver', async () => {
  await checkAsync('http-bulk/loggly', fc.asyncProperty(logglyArb, runLoggly), 0.75);
  showTally('loggly/');
});

// ---------------------------------------------------------------------------------------------
// raw requests

const BAD_HEADERS = [
  'Content-Length: abc', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length: 99999999999999999999', 'Content-Length: 0x10',
  'Content-Length: 5\r\nContent-Length: 6', 'Content-Length: 7, 7', 'Transfer-Encoding: chunked\r\nContent-Length: 5', 'Transfer-Encoding: gzip',
  'Transfer-Encoding: chunked, identity', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked', ' Leading-Space: x', 'NoColonHere', 'X-Folded: a\r\n folded',
  'X-Nul: a\u0000b', `X-Big: ${'x'.repeat(20_000)}`, 'Host: a\r\nHost: b', 'Content-Encoding: gzip', 'Content-Encoding: deflate', 'Content-Encoding: zstd',
  'Authorization: Basic %%%', `Authorization: Bearer ${TOKEN}`, `Authorization: Basic ${Buffer.from(`${TOKEN}`).toString('base64')}`, 'Expect: 100-continue',
  'Connection: close', 'Connection: keep-alive, Upgrade\r\nUpgrade: websocket', `Content-Type: ${'t'.repeat(3000)}`, 'X-Utf8: \u00ff\u00fe',
];
const REQUEST_LINES = [
  `POST /${TOKEN}/_bulk HTTP/1.1`, 'POST /_bulk HTTP/1.1', `post /${TOKEN}/_doc HTTP/1.1`, `POST /${TOKEN}/_doc HTTP/9.9`, `POST  /${TOKEN}/_doc HTTP/1.1`,
  `POST http://h:9200/${TOKEN}/_doc HTTP/1.1`, 'POST * HTTP/1.1', 'BREW /pot HTCPCP/1.0', `POST /${'a/'.repeat(5000)} HTTP/1.1`, 'GET /%ff%fe%00 HTTP/1.1',
  `POST /${TOKEN}/_doc\u00ff HTTP/1.1`, `POST /inputs/${TOKEN}?x=%00 HTTP/1.1`, 'GET / HTTP/1.1 extra', `POST /v1/noformat/${TOKEN} HTTP/1.0`, 'HEAD / HTTP/1.1',
  `PUT /${TOKEN}/_create/%zz HTTP/1.1`, 'GET', '', `POST /bulk/${TOKEN}/tag/%E2%82 HTTP/1.1`, 'OPTIONS * HTTP/1.1',
];
const BODIES = [
  Buffer.from(`{"index":{}}\n{"message":"raw fuzz"}\n`),
  Buffer.from('{"message":"raw doc"}'),
  Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xc3]),
  Buffer.from('5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n'),
  Buffer.from('zz\r\nnot chunked\r\n'),
  gzipSync('{"index":{}}\n{"message":"raw gz"}\n'),
  gzipSync('{"index":{}}\n{"message":"raw gz cut"}\n').subarray(0, 15),
  Buffer.from(`{"message":"${'m'.repeat(40_000)}"}`),
  Buffer.alloc(0),
];

interface RawCase { line: number; headers: number[]; body: number; declare: 'exact' | 'short' | 'long' | 'none'; muts: Mutation[] | null; pipelineValid: boolean }
/** The first VALID_LINES request lines are well-formed requests the receiver serves. */
const VALID_LINES = 2;
const rawArb: fc.Arbitrary<RawCase> = fc.record({
  line: fc.oneof({ weight: 2, arbitrary: fc.nat(VALID_LINES - 1) }, { weight: 3, arbitrary: fc.nat(REQUEST_LINES.length - 1) }),
  headers: fc.oneof({ weight: 1, arbitrary: fc.constant<number[]>([]) }, { weight: 1, arbitrary: fc.array(fc.nat(BAD_HEADERS.length - 1), { minLength: 1, maxLength: 2 }) }),
  body: fc.nat(BODIES.length - 1),
  declare: fc.constantFrom('exact' as const, 'exact' as const, 'exact' as const, 'short' as const, 'long' as const, 'none' as const),
  muts: MUTS_THIRD,
  pipelineValid: fc.boolean(),
});

function rawBytes(c: RawCase): Buffer {
  const body = BODIES[c.body];
  const hs = c.headers.map((i) => BAD_HEADERS[i]);
  const cl = c.declare === 'exact' ? body.length : c.declare === 'short' ? Math.max(0, body.length - 3) : c.declare === 'long' ? body.length + 10 : -1;
  const head = [REQUEST_LINES[c.line], 'Host: 127.0.0.1', ...hs, ...(cl >= 0 && !hs.some((h) => /^(Content-Length|Transfer-Encoding)/i.test(h)) ? [`Content-Length: ${cl}`] : [])].join('\r\n') + '\r\n\r\n';
  let b: Buffer = Buffer.concat([Buffer.from(head, 'latin1'), body]);
  if (c.muts !== null) b = mutate(b, c.muts);
  if (c.pipelineValid) b = Buffer.concat([b, rawRequest('POST', `/${TOKEN}/_doc`, '{"message":"pipelined after fuzz"}')]);
  return b;
}

/** Writes `bytes` on a fresh connection; waits for the close, or for complete answers and a quiet 200 ms. */
async function runRaw(bytes: Buffer, ctx: string): Promise<void> {
  const c = await RawHttpClient.connect(port);
  try {
    c.write(bytes);
    const limitMs = 6000;
    const t0 = Date.now();
    for (;;) {
      const p = c.responses();
      const quiet = c.dataAtMs.length > 0 && Date.now() - c.dataAtMs[c.dataAtMs.length - 1] >= 200;
      if (c.closed || (p.responses.length > 0 && p.rest.length === 0 && quiet && p.responses.some((r) => r.status >= 200))) break;
      assert.ok(Date.now() - t0 < limitMs, `neither answered nor closed within ${limitMs} ms; ${ctx}; got ${JSON.stringify(c.data.toString('latin1').slice(0, 300))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // a HEAD answer has no body: the framing below cannot tell
    if (/HEAD /.test(bytes.toString('latin1'))) return;
    const p = c.responses();
    count(`raw/${c.closed ? 'closed' : 'open'}-${p.responses.map((r) => r.status).join('+') || 'none'}`);
    assert.equal(p.error, undefined, `not a well-formed HTTP answer: ${p.error}; ${ctx}`);
    if (c.closed) assert.equal(p.rest.length, 0, `a partial answer before the close: ${JSON.stringify(p.rest.toString('latin1').slice(0, 200))}; ${ctx}`);
    for (const r of p.responses) {
      assert.ok(r.status < 500, `${r.statusLine}: ${r.body.toString().slice(0, 200)}; ${ctx}`);
      if (/json/.test(r.headers['content-type'] ?? '') && r.body.length > 0) {
        let j: { error?: { type?: unknown }; status?: unknown };
        try { j = JSON.parse(r.body.toString('utf8')) as typeof j; } catch (e) { assert.fail(`${r.statusLine}: the body is not JSON (${(e as Error).message}); ${ctx}`); }
        if (r.status >= 400) assert.ok(typeof j.error?.type === 'string' && j.status === r.status, `${r.statusLine}: ${r.body.toString().slice(0, 200)}; ${ctx}`);
      }
    }
  } finally {
    c.destroy();
  }
}

test('fuzz http raw: malformed request lines, headers, lengths, chunking and encodings are answered well-formed or closed; the receiver serves on', async () => {
  const n = Math.max(1, Math.round(RUNS * 1.5));
  const cases = fc.sample(rawArb, { seed: SEED, numRuns: n });
  const t0 = Date.now();
  const CONCURRENCY = 32;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      const bytes = rawBytes(cases[i]);
      await runRaw(bytes, `raw case ${i} (FUZZ_SEED=${SEED}) ${JSON.stringify(cases[i])}: ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  showTally('raw/');
  console.log(`[fuzz] http-bulk/raw: ${cases.length} cases in ${((Date.now() - t0) / 1000).toFixed(1)}s, seed ${SEED}`);
  newRecords(); // move the store offsets past what the raw cases stored
  // a normal request still works, on a fresh connection and on the keep-alive agent
  const r = await request(port, 'POST', `/${TOKEN}/_doc/after-fuzz`, { body: '{"message":"after the fuzz"}' });
  assert.equal(r.status, 201, r.text);
  const r2 = await request(port, 'POST', `/inputs/${TOKEN_B}`, { body: 'after the fuzz b', agent });
  assert.equal(r2.status, 200, r2.text);
  const recs = newRecords();
  assert.deepEqual(recs.map((x) => [x.app, x.rec.message]), [['a', 'after the fuzz'], ['b', 'after the fuzz b']]);
  const st = rx.receiver.stats() as { httpResponses: Record<string, number> };
  assert.equal(st.httpResponses['500'] ?? 0, 0, `no internal errors: ${JSON.stringify(st.httpResponses)}`);
  // every stored line is one complete JSON record of its app, from the HTTP intake
  for (const app of ['a', 'b']) {
    for (const r of readStore(rx.config.storage.dir, app)) {
      assert.equal(r.app, app);
      assert.equal(r.source.transport, 'http');
    }
  }
});

// ---------------------------------------------------------------------------------------------
// findings of this fuzz, kept as plain regression tests (fixed in d2676d4)

test('deeply nested JSON (5,000 and 100,000 levels) in _doc, _bulk and Loggly: a well-formed answer (stored or 400), never a dropped connection', async () => {
  for (const depth of [5000, 100_000]) {
    const deep = `{"message":"deep ${depth}","d":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const ctx = `depth ${depth}`;
    const doc = await request(port, 'POST', `/${TOKEN}/_doc`, { body: deep, timeoutMs: 20_000 }).catch((e: Error) => e);
    assert.ok(!(doc instanceof Error), `_doc ${ctx}: ${String(doc)}`);
    assert.ok(doc.status === 201 || doc.status === 400, `_doc ${ctx}: ${doc.status}`);
    const bulk = await request(port, 'POST', `/${TOKEN}/_bulk`, { body: `{"index":{}}\n{"message":"shallow ${depth}"}\n{"index":{}}\n${deep}\n`, timeoutMs: 20_000 }).catch((e: Error) => e);
    assert.ok(!(bulk instanceof Error), `_bulk ${ctx}: ${String(bulk)}`);
    assert.equal(bulk.status, 200);
    const st = (bulk.json as { items: Array<{ index: { status: number } }> }).items.map((i) => i.index.status);
    assert.equal(st[0], 201, 'the shallow item is stored');
    assert.ok(st[1] === 201 || st[1] === 400, `${ctx}: ${st[1]}`);
    const inputs = await request(port, 'POST', `/inputs/${TOKEN}`, { body: deep, timeoutMs: 20_000 }).catch((e: Error) => e);
    assert.ok(!(inputs instanceof Error), `inputs ${ctx}: ${String(inputs)}`);
    assert.ok(inputs.status === 200 || inputs.status === 400, `inputs ${ctx}: ${inputs.status}`);
  }
  newRecords();
});

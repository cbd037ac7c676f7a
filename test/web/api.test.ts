/**
 * The web API against a brute-force oracle: on a seeded 3-app store (two days of day files plus
 * live lines sent over TCP), for 20 queries and three time ranges, the histogram's bucket sum,
 * the number of events paged out of /events (odd page size, following `next`), /export, and a
 * full scan of the NDJSON files with a hand-written predicate all agree, event id for event id.
 * Plus context, cursors that stay valid while events arrive, and every 400.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { tmpDir } from '../helpers/tmp.js';
import { web } from '../helpers/web.js';
import { liveLines, scanStore, seedStore, type OracleLine } from './seed.js';

const APPS = ['alpha', 'beta', 'gamma'];
const TOKENS = Object.fromEntries(APPS.map((a) => [a, randomUUID()]));
const ADMIN = randomUUID();
const LIVE = 400;
const PER_DAY = 1500;
let r: TestReceiver;
let port: number;
let store: string;
let days: string[];
const tmp = tmpDir('srx-web-seed-');

before(async () => {
  store = join(tmp.path, 'data');
  days = seedStore(store, APPS, PER_DAY);
  r = await startTestReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, web: { address: '127.0.0.1', port: 0 } },
    storage: { dir: store },
    apps: APPS.map((name) => ({ name, token: TOKENS[name] })),
    web: { adminKeys: [ADMIN] },
  });
  port = r.receiver.addresses.web!.port;
  for (const a of APPS) await sendTcp(r.tcpPort, liveLines(TOKENS[a], LIVE, a.length));
  for (const a of APPS) {
    const got = await r.waitFor(a, 2 * PER_DAY + LIVE, 15_000);
    assert.equal(got.length, 2 * PER_DAY + LIVE, `${a}: every seeded and live record is stored`);
  }
});

after(async () => { await r?.stop(); tmp.cleanup(); });

/** ASCII-only lowercase: the API's case rule (ASCII letters fold, nothing else). */
const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const has = (v: unknown, w: string): boolean => typeof v === 'string' && fold(v).includes(fold(w));
const word = (l: OracleLine, w: string): boolean => has(l.record.message, w) || has(l.record.hostname, w) || has(l.record.appName, w);
const eq = (v: unknown, w: string): boolean => typeof v === 'string' && fold(v) === fold(w);
const host = (l: OracleLine): unknown => l.record.hostname ?? l.record.source?.address;

const QUERIES: Array<[string, (l: OracleLine) => boolean]> = [
  ['', () => true],
  ['timeout', (l) => word(l, 'timeout')],
  ['TIMEOUT', (l) => word(l, 'timeout')],
  ['"connection reset"', (l) => word(l, 'connection reset')],
  ['timeout -db', (l) => word(l, 'timeout') && !word(l, 'db')],
  ['timeout OR refused', (l) => word(l, 'timeout') || word(l, 'refused')],
  ['(timeout OR refused) host:web-1', (l) => (word(l, 'timeout') || word(l, 'refused')) && eq(host(l), 'web-1')],
  ['host:web-*', (l) => typeof host(l) === 'string' && fold(host(l) as string).startsWith('web-')],
  ['program:sshd', (l) => eq(l.record.appName, 'sshd')],
  ['severity:<=warning', (l) => l.record.severity <= 4],
  ['severity:err', (l) => l.record.severity === 3],
  ['facility:local0', (l) => l.record.facility === 16],
  ['msgid:ID47', (l) => eq(l.record.msgId, 'ID47')],
  ['sd.origin.ip:10.0.0.1', (l) => l.record.structuredData?.origin?.ip === '10.0.0.1'],
  ['user:ann', (l) => eq(l.record.user, 'ann')],
  ['durationMs:250', (l) => l.record.durationMs === 250],
  ['müller', (l) => word(l, 'müller')],
  ['"say \\"hi\\""', (l) => word(l, 'say "hi"')],
  ['-timeout -refused', (l) => !word(l, 'timeout') && !word(l, 'refused')],
  ['NOT severity:>=5 program:nginx', (l) => !(l.record.severity >= 5) && eq(l.record.appName, 'nginx')],
];

/** Every event of a query, paged out of /events with `next`. */
async function pageAll(app: string, qs: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const res = await web(port, `/api/v1/apps/${app}/events?${qs}&limit=${limit}${cursor === null ? '' : `&before=${cursor}`}`, { key: ADMIN });
    assert.equal(res.status, 200, res.text);
    for (const e of res.json.events) ids.push(e._id);
    cursor = res.json.next;
    if (cursor === null) return ids;
  }
  throw new Error('too many pages');
}

test('20 queries × 3 ranges: histogram sum = events paged out = export = a full scan, id for id, newest first', async () => {
  const now = Date.now();
  const d1 = Date.parse(`${days[1]}T00:00:00Z`);
  const ranges: Array<[string, number, number]> = [
    ['', -Infinity, Infinity],
    [`from=now-24h&to=${new Date(now + 60_000).toISOString()}`, now - 86_400_000, now + 60_000],
    // edges cut minutes (the histogram counts those minutes line by line)
    [`from=${new Date(d1 + 10 * 3_600_000 + 30_500).toISOString()}&to=${new Date(d1 + 13 * 3_600_000 + 17 * 60_000 + 10_000).toISOString()}`, d1 + 10 * 3_600_000 + 30_500, d1 + 13 * 3_600_000 + 17 * 60_000 + 10_000],
  ];
  let checked = 0;
  const selective = new Set<string>();
  for (const app of APPS) {
    const lines = scanStore(store, app);
    for (const [q, pred] of QUERIES) {
      // every app gets the whole-range check; the other ranges on alpha (bounded run time)
      for (const [rq, from, to] of app === 'alpha' ? ranges : ranges.slice(0, 1)) {
        const want = lines.filter((l) => l.receivedMs >= from && l.receivedMs < to && pred(l)).map((l) => l.id).reverse();
        if (want.length > 0 && want.length < lines.length) selective.add(q);
        const qs = `q=${encodeURIComponent(q)}${rq === '' ? '' : `&${rq}`}`;
        const h = await web(port, `/api/v1/apps/${app}/histogram?${qs}`, { key: ADMIN });
        assert.equal(h.status, 200, h.text);
        const sum = (h.json.buckets as Array<[string, number]>).reduce((s, [, n]) => s + n, 0);
        assert.equal(h.json.total, sum, `${app} ${qs}: total = bucket sum`);
        assert.equal(sum, want.length, `${app} ${qs}: histogram = full scan`);
        const got = await pageAll(app, qs, 137);
        assert.deepEqual(got, want, `${app} ${qs}: paged events = full scan, newest first`);
        checked++;
      }
    }
    // export of one query: the stored lines themselves, newest first
    const exp = await web(port, `/api/v1/apps/${app}/export?q=timeout`, { key: ADMIN });
    assert.equal(exp.status, 200);
    assert.match(String(exp.headers['content-disposition']), /attachment; filename="[^"]+\.ndjson"/);
    const wantText = lines.filter((l) => word(l, 'timeout')).map((l) => l.text).reverse();
    assert.deepEqual(exp.text.split('\n').filter((x) => x !== ''), wantText, `${app}: export = full scan`);
  }
  assert.equal(checked, APPS.length * QUERIES.length + 2 * QUERIES.length);
  assert.deepEqual(QUERIES.map(([q]) => q).filter((q) => q !== '' && !selective.has(q)), [], 'every query but the empty one selects some events and not all');
});

test('histogram buckets: UTC-aligned, every bucket present, interval auto and explicit', async () => {
  const from = `${days[0]}T00:00:00.000Z`;
  const to = `${days[1]}T00:00:00.000Z`;
  const h = await web(port, `/api/v1/apps/alpha/histogram?from=${from}&to=${to}`, { key: ADMIN });
  assert.equal(h.status, 200);
  assert.equal(h.json.interval, '10m'); // 144 buckets ≤ 200; 5m would be 288
  assert.equal(h.json.buckets.length, 144);
  assert.equal(h.json.buckets[0][0], from);
  assert.equal(h.json.total, PER_DAY);
  const h1 = await web(port, `/api/v1/apps/alpha/histogram?from=${from}&to=${to}&interval=1h`, { key: ADMIN });
  assert.equal(h1.json.buckets.length, 24);
  assert.equal(h1.json.buckets[23][0], `${days[0]}T23:00:00.000Z`);
  assert.equal(h1.json.total, PER_DAY);
  const big = await web(port, `/api/v1/apps/alpha/histogram?from=now-30d&interval=1m`, { key: ADMIN });
  assert.equal(big.status, 400);
  assert.match(big.json.error.message, /more than 10000 buckets/);
});

test('context: the events stored around one, in order, across a day boundary', async () => {
  const lines = scanStore(store, 'beta');
  const at = 2 * PER_DAY - 3; // three before the end of the second seeded day: the context reaches into today's file
  const res = await web(port, `/api/v1/apps/beta/events/${lines[at].id}/context?before=5&after=5`, { key: ADMIN });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.events.map((e: { _id: string }) => e._id), lines.slice(at - 5, at + 6).map((l) => l.id));
  assert.equal(res.json.index, 5);
  const first = await web(port, `/api/v1/apps/beta/events/${lines[0].id}/context?before=50&after=2`, { key: ADMIN });
  assert.equal(first.json.index, 0);
  assert.equal(first.json.events.length, 3);
  // not the start of a line, and a day with no file
  const [day, off] = lines[1].id.split('-');
  assert.equal((await web(port, `/api/v1/apps/beta/events/${day}-${Number(off) + 1}/context`, { key: ADMIN })).status, 404);
  assert.equal((await web(port, '/api/v1/apps/beta/events/19990101-0/context', { key: ADMIN })).status, 404);
});

test('a cursor stays valid while new events arrive: no gap, no repeat', async () => {
  const before = scanStore(store, 'gamma').map((l) => l.id).reverse();
  const p1 = await web(port, '/api/v1/apps/gamma/events?limit=300', { key: ADMIN });
  assert.deepEqual(p1.json.events.map((e: { _id: string }) => e._id), before.slice(0, 300));
  await sendTcp(r.tcpPort, liveLines(TOKENS.gamma, 50, 99));
  await r.waitFor('gamma', 2 * PER_DAY + LIVE + 50);
  const p2 = await web(port, `/api/v1/apps/gamma/events?limit=300&before=${p1.json.next}`, { key: ADMIN });
  assert.deepEqual(p2.json.events.map((e: { _id: string }) => e._id), before.slice(300, 600));
  const top = await web(port, '/api/v1/apps/gamma/events?limit=50', { key: ADMIN });
  assert.ok(top.json.events.every((e: { message: string }) => /live#/.test(e.message)), 'the new events come first');
});

test('records come back as stored plus _id; /apps counts today', async () => {
  const lines = scanStore(store, 'alpha');
  const res = await web(port, '/api/v1/apps/alpha/events?limit=3', { key: ADMIN });
  for (const [i, e] of (res.json.events as Array<Record<string, unknown>>).entries()) {
    const l = lines[lines.length - 1 - i];
    assert.deepEqual({ ...e, _id: undefined }, { ...l.record, _id: undefined });
    assert.equal(e._id, l.id);
  }
  const apps = await web(port, '/api/v1/apps', { key: ADMIN });
  assert.equal(apps.status, 200);
  assert.deepEqual(apps.json.apps.map((a: { name: string }) => a.name), APPS);
  const alpha = apps.json.apps[0];
  assert.equal(alpha.eventsToday, lines.filter((l) => l.receivedMs >= Math.floor(Date.now() / 86_400_000) * 86_400_000).length);
  assert.ok(alpha.bytesToday > 0);
  assert.equal(alpha.lastEventAt, lines[lines.length - 1].record.receivedAt);
  assert.deepEqual(alpha.dailyCap, { bytes: null });
});

test('bad parameters answer 400 with what is accepted; a query error has its position', async () => {
  const get = (p: string) => web(port, `/api/v1/apps/alpha/${p}`, { key: ADMIN });
  const q = await get(`events?q=${encodeURIComponent('timeout (refused')}`);
  assert.equal(q.status, 400);
  assert.equal(q.json.error.code, 'query_syntax');
  assert.equal(typeof q.json.error.position, 'number');
  assert.ok(q.json.error.position >= 8 && q.json.error.position <= 16, `position ${q.json.error.position}`);
  for (const [p, re] of [
    ['events?from=yesterday', /from="yesterday" is not a time/],
    ['events?limit=0', /limit="0": must be an integer from 1 to 1000/],
    ['events?limit=5000', /from 1 to 1000/],
    ['events?before=xyz', /is not an event id or cursor/],
    ['histogram?interval=2m', /use auto or one of 1m, 5m/],
    ['events?from=now&to=now-1h', /from must be before to/],
    ['events/not-an-id/context', /is not an event id/],
  ] as const) {
    const res = await get(p);
    assert.equal(res.status, 400, p);
    assert.equal(res.json.error.code, 'bad_request', p);
    assert.match(res.json.error.message, re, p);
  }
  assert.equal((await web(port, '/api/v1/nope', { key: ADMIN })).status, 404);
  assert.equal((await web(port, '/api/v1/apps/alpha/events', { key: ADMIN, method: 'POST' })).status, 405);
});

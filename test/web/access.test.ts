/**
 * Who may read what: app A's read key gets 403 on every app-B URL (tail included), no key 401, the
 * intake token and a revoked key are refused, admin keys read every app; the page's session
 * cookie (HttpOnly, SameSite=Strict, JSON-only login) works and ends on logout; a reload that
 * removes a key closes its open tail streams (`event: revoked`); the tail resumes with
 * Last-Event-ID without a gap or a repeat.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { validateConfig, ConfigError } from '../../src/config/schema.js';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';
import { sendTcp } from '../helpers/net.js';
import { sse, web } from '../helpers/web.js';

const TOKEN_A = randomUUID();
const TOKEN_B = randomUUID();
const KEY_A = randomUUID();
const KEY_A2 = randomUUID();
const KEY_B = randomUUID();
const ADMIN = randomUUID();
let r: TestReceiver;
let port: number;

const apps = (keysA: string[]) => [
  { name: 'a', token: TOKEN_A, readKeys: keysA },
  { name: 'b', token: TOKEN_B, readKeys: [KEY_B] },
];

before(async () => {
  r = await startTestReceiver({
    listen: { tcp: { address: '127.0.0.1', port: 0 }, web: { address: '127.0.0.1', port: 0 } },
    apps: apps([KEY_A, KEY_A2]),
    web: { adminKeys: [ADMIN] },
  });
  port = r.receiver.addresses.web!.port;
  await sendTcp(r.tcpPort, [`<13>host prog: ${TOKEN_A} hello a\n`, `<13>host prog: ${TOKEN_B} hello b\n`]);
  await r.waitFor('a', 1);
  await r.waitFor('b', 1);
});

after(async () => { await r?.stop(); });

const B_PATHS = ['events', 'histogram', 'export', 'tail', 'events/20261202-0/context'].map((p) => `/api/v1/apps/b/${p}`);

test('a key sees only its apps: 403 on every app-B URL, tail included; no key 401', async () => {
  for (const p of B_PATHS) {
    const res = await web(port, p, { key: KEY_A });
    assert.equal(res.status, 403, p);
    assert.equal(res.json.error.code, 'forbidden', p);
    assert.equal((await web(port, p)).status, 401, `${p} without a key`);
    assert.equal((await web(port, p, { key: 'not-a-key' })).status, 401, `${p} with a wrong key`);
  }
  // an app that does not exist is 403 too for an app key (no probing for names), 404 for an admin
  assert.equal((await web(port, '/api/v1/apps/zzz/events', { key: KEY_A })).status, 403);
  assert.equal((await web(port, '/api/v1/apps/zzz/events', { key: ADMIN })).status, 404);
  const own = await web(port, '/api/v1/apps/a/events', { key: KEY_A });
  assert.equal(own.status, 200);
  assert.equal(own.json.events.length, 1);
  assert.equal(own.json.events[0].message, 'hello a');
  const list = await web(port, '/api/v1/apps', { key: KEY_A });
  assert.deepEqual(list.json.apps.map((x: { name: string }) => x.name), ['a']);
  const all = await web(port, '/api/v1/apps', { key: ADMIN });
  assert.deepEqual(all.json.apps.map((x: { name: string }) => x.name), ['a', 'b']);
  assert.equal((await web(port, '/api/v1/apps/b/events', { key: ADMIN })).status, 200);
  assert.equal((await web(port, '/api/v1/apps')).status, 401);
});

test('the intake token is not a read key: refused at runtime and by the config check', async () => {
  for (const t of [TOKEN_A, TOKEN_A.toUpperCase()]) {
    assert.equal((await web(port, '/api/v1/apps/a/events', { key: t })).status, 401);
    const login = await web(port, '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: t }) });
    assert.equal(login.status, 401);
  }
  assert.throws(() => validateConfig({ listen: { tcp: {} }, apps: [{ name: 'a', token: TOKEN_A, readKeys: [TOKEN_A.toUpperCase()] }] }), (e: unknown) =>
    e instanceof ConfigError && /apps\[0\]\.readKeys\[0\]: is the intake token of app "a"/.test(e.message));
  assert.throws(() => validateConfig({ listen: { tcp: {} }, apps: [{ name: 'a', token: TOKEN_A }], web: { adminKeys: [TOKEN_A] } }), /web\.adminKeys\[0\]: is the intake token/);
  assert.throws(() => validateConfig({ listen: { tcp: {} }, apps: [{ name: 'a', token: TOKEN_A, readKeys: ['secret'] }] }), /apps\[0\]\.readKeys\[0\]: must be a UUID/);
});

test('page session: JSON login sets an HttpOnly SameSite=Strict cookie; it reads like the key; logout ends it', async () => {
  const form = await web(port, '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${KEY_A}` });
  assert.equal(form.status, 415, 'a form post (cross-site capable) is refused');
  const login = await web(port, '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: KEY_A }) });
  assert.equal(login.status, 204);
  const set = String(login.headers['set-cookie']);
  assert.match(set, /^sr_session=[A-Za-z0-9_-]{43}; Max-Age=43200; HttpOnly; SameSite=Strict; Path=\//);
  assert.ok(!set.includes(KEY_A), 'the cookie is not the key');
  const cookie = set.split(';')[0];
  const who = await web(port, '/api/v1/session', { headers: { cookie } });
  assert.deepEqual(who.json, { admin: false, apps: ['a'] });
  assert.equal((await web(port, '/api/v1/apps/a/events', { headers: { cookie } })).status, 200);
  assert.equal((await web(port, '/api/v1/apps/b/events', { headers: { cookie } })).status, 403);
  assert.equal((await web(port, '/api/v1/session', { method: 'DELETE', headers: { cookie } })).status, 204);
  assert.equal((await web(port, '/api/v1/apps/a/events', { headers: { cookie } })).status, 401);
  assert.equal((await web(port, '/api/v1/session', { method: 'GET' })).status, 401);
});

test('tail: new events as SSE with ids; Last-Event-ID resumes with no gap and no repeat', async () => {
  const s = await sse(port, '/api/v1/apps/a/tail?q=tailme', { key: KEY_A });
  assert.equal(s.status, 200);
  await sendTcp(r.tcpPort, [1, 2, 3].map((i) => `<13>host prog: ${TOKEN_A} tailme ${i}\n`).concat(`<13>host prog: ${TOKEN_A} other\n`));
  const got = await s.until((e) => e.filter((x) => x.event === 'message').length >= 3);
  const msgs = got.filter((x) => x.event === 'message');
  assert.deepEqual(msgs.map((x) => JSON.parse(x.data).message), ['tailme 1', 'tailme 2', 'tailme 3']);
  for (const m of msgs) assert.equal(m.id, JSON.parse(m.data)._id);
  s.close();
  // events while disconnected, then a resume after the 2nd
  await sendTcp(r.tcpPort, [4, 5].map((i) => `<13>host prog: ${TOKEN_A} tailme ${i}\n`));
  assert.equal((await r.waitFor('a', 7)).length, 7);
  const s2 = await sse(port, '/api/v1/apps/a/tail?q=tailme', { key: KEY_A, lastEventId: msgs[1].id! });
  const again = await s2.until((e) => e.filter((x) => x.event === 'message').length >= 3);
  assert.deepEqual(again.filter((x) => x.event === 'message').map((x) => JSON.parse(x.data).message), ['tailme 3', 'tailme 4', 'tailme 5']);
  s2.close();
  const bad = await web(port, '/api/v1/apps/a/tail', { key: KEY_A, headers: { 'last-event-id': 'garbage' } });
  assert.equal(bad.status, 400);
});

test('a reload that removes a key closes its open tails and refuses it from then on; other keys keep theirs', async () => {
  const gone = await sse(port, '/api/v1/apps/a/tail', { key: KEY_A2 });
  const kept = await sse(port, '/api/v1/apps/a/tail', { key: KEY_A });
  const login = await web(port, '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: KEY_A2 }) });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const viaCookie = await sse(port, '/api/v1/apps/a/tail', { headers: { cookie } });
  assert.equal(viaCookie.status, 200);
  r.receiver.reload(validateConfig({ ...r.config, apps: apps([KEY_A]), listen: r.config.listen }));
  await gone.until((e) => e.some((x) => x.event === 'revoked') && gone.ended(), 5000);
  assert.ok(gone.events.some((x) => x.event === 'revoked'), 'the stream was told');
  assert.ok(gone.ended(), 'and closed');
  await viaCookie.until(() => viaCookie.ended(), 5000);
  assert.ok(viaCookie.ended(), 'a session of the removed key is closed too');
  assert.equal((await web(port, '/api/v1/apps/a/events', { key: KEY_A2 })).status, 401);
  assert.equal((await web(port, '/api/v1/apps/a/events', { headers: { cookie } })).status, 401);
  await sendTcp(r.tcpPort, `<13>host prog: ${TOKEN_A} after reload\n`);
  await kept.until((e) => e.some((x) => x.event === 'message' && JSON.parse(x.data).message === 'after reload'));
  assert.ok(!kept.ended(), 'the other key\'s tail stays open');
  kept.close();
});

test('page and headers: / serves the page with a CSP; API answers are not cached', async () => {
  const api = await web(port, '/api/v1/apps', { key: KEY_A });
  assert.equal(api.headers['cache-control'], 'no-store');
  assert.match(String(api.headers['content-security-policy']), /default-src 'self'/);
  assert.equal(api.headers['x-frame-options'], 'DENY');
  const page = await web(port, '/');
  assert.equal(page.status, 200, 'the page is built (npm run build)');
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.match(page.text, /<script[^>]+src="\/assets\//);
  assert.equal((await web(port, '/../package.json')).status, 404);
  assert.equal((await web(port, '/assets/../../package.json')).status, 404);
});

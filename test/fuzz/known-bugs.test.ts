/**
 * Minimal counterexamples found by the fuzz properties in this directory (fixed in aa89388), kept
 * as plain regression tests. A new finding goes here too, marked `{ todo: '...' }` while open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer } from '../../src/framing/detect.js';
import { authorize } from '../../src/auth/index.js';
import { AppRegistry } from '../../src/auth/registry.js';
import { validateConfig } from '../../src/config/schema.js';
import { parseMessage } from '../../src/parse/index.js';
import { RecordMaker } from '../../src/pipeline/record-maker.js';

function frames(chunks: string[], max: number): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  const f = new StreamFramer(max, (b, s, e, t) => out.push([b.toString('latin1', s, e), t]));
  for (const c of chunks) f.push(Buffer.from(c, 'latin1'));
  f.end();
  return out;
}

test('framer: a CRLF line of exactly maxMessageBytes is not truncated, whatever the split', () => {
  // whole buffer: ["abc", false]. The accumulating path compares `term - pos` (which still
  // includes the CR) with the room left, and the no-terminator path compares the chunk's bytes
  // (ending with CR) with the limit, so the same line comes out flagged truncated.
  assert.deepEqual(frames(['abc\r\n'], 3), [['abc', false]]);
  assert.deepEqual(frames(['a', 'bc\r\n'], 3), [['abc', false]]);
  assert.deepEqual(frames(['abc\r', '\n'], 3), [['abc', false]]);
});

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';

const config = validateConfig({
  listen: { udp: { address: '127.0.0.1', port: 0 } },
  storage: { dir: '/nonexistent-fuzz-store' },
  certsDir: '/nonexistent-fuzz-certs',
  apps: [{ name: 'a', token: TOKEN }],
});
const registry = new AppRegistry(config.apps);

/** Parses and authorizes `line` as a UDP datagram from an address no app allows. */
function authFor(line: string): { app: string | undefined; pm: ReturnType<typeof parseMessage> } {
  const pm = parseMessage(Buffer.from(line), 0, Buffer.byteLength(line), Date.UTC(2026, 10, 21));
  const auth = authorize(pm, { record: { address: '192.0.2.1', port: 514, transport: 'udp' }, certFingerprint: null }, registry, ['logsene-app-token']);
  return { app: auth?.app, pm };
}

test('auth: a Logentries token as first word is found whatever the next word looks like', () => {
  // `TOKEN msg` works; these are rejected (and with an allowed source address the token would
  // be stored as hostname / appName):
  for (const line of [`${TOKEN} status:ok`, `<13>${TOKEN} error: disk full`, `<13>${TOKEN}\t[x]`, `<13>${TOKEN}\tcron[12]: x`]) {
    const { app, pm } = authFor(line);
    assert.equal(app, 'a', `${JSON.stringify(line)} → hostname ${pm.hostname}, appName ${JSON.stringify(pm.appName)}`);
  }
});

const maker = new RecordMaker(config.apps, ['logsene-app-token']);

/**
 * The record stored for `line` once authorized (which must succeed), as its NDJSON text: through
 * RecordMaker, i.e. authorization plus token hygiene (auth/hygiene.ts removes the copies).
 */
function storedAfterAuth(line: string): string {
  const b = Buffer.from(line);
  const source = { record: { address: '192.0.2.1', port: 514, transport: 'udp' as const }, certFingerprint: null };
  assert.ok(maker.authorize(b, 0, b.length, source, Date.UTC(2026, 10, 21)));
  assert.equal(maker.auth?.app, 'a');
  const out = Buffer.alloc(1 << 16);
  return out.toString('utf8', 0, maker.write(out, 0, false, source, Date.UTC(2026, 10, 21)));
}

test('auth: a token copy re-formed by scrubbing a copy nested inside it is scrubbed', () => {
  // MSG = T[0..20] + T + T[20..36]: removing the inner T leaves exactly T
  const msg = TOKEN.slice(0, 20) + TOKEN + TOKEN.slice(20);
  const out = storedAfterAuth(`<13>1 - host ${TOKEN} - - - ${msg}`);
  assert.ok(!out.toLowerCase().includes(TOKEN), out);
});

test('auth: token in APP-NAME, a copy in the CEE `message` field does not reach the record', () => {
  const out = storedAfterAuth(`<13>1 - host ${TOKEN} - - - @cee: {"message":"hello ${TOKEN}"}`);
  // the record's message comes from cee.message
  const rec = JSON.parse(out) as { message: string };
  assert.equal(rec.message, 'hello');
  assert.ok(!out.toLowerCase().includes(TOKEN), out);
});

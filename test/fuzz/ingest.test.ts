/**
 * Fuzz: the whole intake path without sockets — parseMessage → authorize → record → Batcher →
 * sinks (src/pipeline/intake.ts with a real FileSink in a temp dir, and a capturing sink beside
 * it that sees every record the batcher hands out). A token in a CEE field / APP-NAME / TAG / inline word (any case) authorizes the
 * right app and no case-insensitive copy of it reaches the stored line; a line without a token is
 * rejected unless its source address is allowed; what the sink wrote equals what was appended.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { FrameResult, Intake } from '../../src/pipeline/intake.js';
import type { FrameSource, Transport } from '../../src/record.js';
import { FileSink } from '../../src/sinks/file.js';
import type { RecordBatch, Sink, WriteResult } from '../../src/sinks/types.js';
import { SEED, bytesArb, checkAsync, corpus, mutatedArb, show } from './common.js';
import { tmpDir, type TmpDir } from '../helpers/tmp.js';

const TOKEN_FIELDS = ['logsene-app-token', 'token'];
/** Three token apps (tokens drawn from the run's seed) and one source-address app. */
const TOKENS = fc.sample(fc.uuid(), { seed: SEED, numRuns: 3 }).map((t) => t.toLowerCase());
const APPS = ['alpha', 'beta', 'gamma'];
const IP_APP = 'byip';
const RECEIVED_AT = Date.UTC(2026, 10, 21, 12, 0, 0);
const DAY = '2026-11-21';

const log = createLogger('silent');
let tmp: TmpDir | undefined;
let dir = '';
let intake: Intake;
/** SHA-256 of every line handed to the sinks, per app, in order (constant memory in long runs). */
const appended = new Map<string, Hash>();
let appendedCount = 0;
let lastLine: string | null = null;
let frames = 0;

/** Sees every record the batcher hands to the sinks. */
class CapturingSink implements Sink {
  readonly name = 'capture';
  readonly down = null;
  async open(): Promise<void> { /* nothing to open */ }
  onDownChange(): void { /* never down */ }
  async write(batch: RecordBatch): Promise<WriteResult> {
    for (const g of batch.groups) {
      let h = appended.get(g.app);
      if (h === undefined) appended.set(g.app, (h = createHash('sha256')));
      for (let i = 0; i < g.count; i++) {
        assert.equal(new Date(g.receivedAtMs[i]).toISOString().slice(0, 10), DAY);
        const rec = g.record(i);
        h.update(rec);
        appendedCount++;
        lastLine = rec.toString('utf8');
      }
    }
    return { status: new Uint8Array(batch.records), failure: null };
  }
  async close(): Promise<void> { /* nothing to close */ }
}

before(async () => {
  tmp = tmpDir('srx-fuzz-');
  dir = tmp.path;
  const config = validateConfig({
    listen: { udp: { address: '127.0.0.1', port: 0 } },
    storage: { dir: join(dir, 'data'), flushIntervalMs: 20 },
    certsDir: join(dir, 'certs'),
    logLevel: 'silent',
    auth: { tokenFields: TOKEN_FIELDS },
    apps: [
      ...APPS.map((name, i) => ({ name, token: TOKENS[i] })),
      { name: IP_APP, allowedSources: ['10.0.0.0/8', '2001:db8::/32'] },
    ],
  });
  intake = new Intake({
    workers: 1,
    apps: config.apps,
    tokenFields: config.auth.tokenFields,
    sinks: [
      { sink: new FileSink({ dir: config.storage.dir, fsync: false, retentionDays: 0, maxBytes: 0, log }), required: true },
      { sink: new CapturingSink(), required: true },
    ],
    batching: { flushIntervalMs: 20, highWaterBytes: 2 ** 30 },
    metrics: new Metrics(),
    log,
  });
  await intake.start();
});

after(async () => {
  try {
    await intake.close();
    // the store holds exactly the appended lines
    const store = join(dir, 'data');
    for (const app of readdirSync(store)) {
      const h = createHash('sha256');
      for (const f of readdirSync(join(store, app)).sort()) h.update(readFileSync(join(store, app, f)));
      assert.equal(h.digest('hex'), appended.get(app)?.digest('hex'), `store of ${app} differs from the appended lines`);
    }
    for (const app of appended.keys()) assert.ok(readdirSync(store).includes(app), `nothing stored for ${app}`);
    console.log(`[fuzz] ingest: ${frames} frames, ${appendedCount} stored lines verified in the file store`);
  } finally {
    tmp?.cleanup();
  }
});

/** Runs one frame through the Intake and drains it; returns the stored line or null when rejected. */
async function ingestOne(line: Buffer, address: string, transport: Transport): Promise<{ result: FrameResult; line: string | null }> {
  const source: FrameSource = { record: { address, port: 514, transport }, certFingerprint: null };
  const before = appendedCount;
  const pre = Buffer.from('xx');
  const buf = Buffer.concat([pre, line, Buffer.from('yy')]);
  const result = intake.frame(buf, pre.length, pre.length + line.length, false, source, RECEIVED_AT);
  frames++;
  await intake.drain(); // the sinks have seen the record (or nothing) before the checks
  const after = appendedCount;
  if (result !== FrameResult.Stored) {
    assert.equal(after, before, 'a rejected frame was appended');
    return { result, line: null };
  }
  assert.equal(after, before + 1, 'a stored frame appends exactly one line');
  return { result, line: lastLine };
}


/** Checks a stored line: one JSON object + LF, with the app, and none of the tokens in any case. */
function assertStored(line: string, app: string, tokenSource: string | null, ctx: string): Record<string, unknown> {
  assert.ok(line.endsWith('\n') && line.indexOf('\n') === line.length - 1, `stored line is not one line; ${ctx}`);
  const rec = JSON.parse(line) as Record<string, unknown>;
  assert.equal(rec.app, app, `app; ${ctx}`);
  if (tokenSource !== null) assert.equal((rec.syslog as { tokenSource: string }).tokenSource, tokenSource, `tokenSource; ${ctx}`);
  const lower = line.toLowerCase();
  for (const t of TOKENS) assert.ok(!lower.includes(t), `token ${t} leaked into the stored line ${line.trim()}; ${ctx}`);
  return rec;
}

// ---------------------------------------------------------------------------------------------
// generators

const caseArb = fc.array(fc.boolean(), { minLength: 36, maxLength: 36 });
const withCase = (t: string, upper: readonly boolean[]): string => [...t].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');

/** Message words: never a token, never CEE-shaped, no LF. */
const wordArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{1,8}$/),
  fc.constantFrom('-', 'x-y', '12345678-', 'a:b', '[x]', 'grüße', '日本語', '🙂', '0000-00', '123e4567-e89b-12d3-a456-426614174000'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).filter((s) => !/[\s{}@]/.test(s)),
);
const sepArb = fc.constantFrom(' ', ' ', ' ', '\t', '  ');

function joinWords(ws: readonly string[], seps: readonly string[]): string {
  return ws.map((w, i) => (i === 0 ? w : seps[i % seps.length] + w)).join('');
}

/** Plain message text (no token). */
const textArb = fc.tuple(fc.array(wordArb, { maxLength: 8 }), fc.array(sepArb, { minLength: 1, maxLength: 4 })).map(([ws, ss]) => joinWords(ws, ss));

type Extra = 'none' | 'copies' | 'nested';

/** Message text with extra copies of `token` (any case): whole words, glued to words, or nested inside another copy. */
function textWithCopies(token: string, extra: Extra): fc.Arbitrary<string> {
  if (extra === 'none') return textArb;
  const copy = caseArb.map((c) => withCase(token, c));
  const piece = extra === 'copies'
    ? fc.oneof(wordArb, copy, fc.tuple(wordArb, copy, wordArb).map(([a, t, b]) => a + t + b))
    : fc.oneof(wordArb, copy, fc.tuple(copy, copy, fc.integer({ min: 1, max: 35 })).map(([a, t, k]) => a.slice(0, k) + t + a.slice(k)));
  return fc.tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.array(sepArb, { minLength: 1, maxLength: 4 })).map(([ws, ss]) => joinWords(ws, ss));
}

const hostArb = fc.stringMatching(/^[a-z][a-z0-9.-]{0,15}$/);
const priArb = fc.integer({ min: 0, max: 191 }).map((p) => `<${p}>`);
const bsdTs = 'Nov 21 12:00:00';

type Kind = 'cee' | 'cee-bare' | 'cee-field2' | 'app-name' | 'tag' | 'inline' | 'app-name-cee' | 'inline-ambiguous';

interface TokenCase {
  kind: Kind;
  app: string;
  tokenSource: string;
  line: Buffer;
}

const ceeKeyArb = fc.stringMatching(/^[a-z]{1,6}$/);
const ceeExtraArb = fc.dictionary(ceeKeyArb, fc.oneof(fc.integer(), textArb, fc.boolean()), { maxKeys: 3 });

/** Lines with token `ai` (random case) placed per `kind`; message text per `extra`. */
function linesFor(kind: Kind, ai: number, extra: Extra): fc.Arbitrary<TokenCase> {
  const app = APPS[ai];
  const token = caseArb.map((c) => withCase(TOKENS[ai], c));
  const text = textWithCopies(TOKENS[ai], extra);
  const ceeObj = fc.tuple(ceeExtraArb, fc.option(text)).map(([o, m]) => (m === null ? o : { ...o, message: m }));
  const mk = (tokenSource: string, line: string): TokenCase => ({ kind, app, tokenSource, line: Buffer.from(line, 'utf8') });
  switch (kind) {
    case 'cee':
    case 'cee-field2':
    case 'cee-bare': {
      const field = kind === 'cee-field2' ? TOKEN_FIELDS[1] : TOKEN_FIELDS[0];
      return fc.tuple(token, priArb, hostArb, ceeObj, fc.nat(3)).map(([tok, pri, host, o, shape]) => {
        const json = JSON.stringify({ ...o, [field]: tok });
        const msg = kind === 'cee-bare' ? json : `@cee: ${json}`;
        const lines = [`${pri}1 - ${host} app - - - ${msg}`, `${pri}${bsdTs} ${host} prog[1]: ${msg}`, msg, `${pri}${msg}`];
        return mk('cee', lines[shape]);
      });
    }
    case 'app-name':
      return fc.tuple(token, priArb, hostArb, text, fc.boolean()).map(([tok, pri, host, t, ts]) =>
        mk('app-name', `${pri}1 ${ts ? '2026-11-21T12:00:00.123Z' : '-'} ${host} ${tok} 42 - -${t === '' ? '' : ' ' + t}`));
    case 'app-name-cee':
      // token in APP-NAME, CEE MSG whose `message` carries another copy
      return fc.tuple(token, priArb, hostArb, text).map(([tok, pri, host, t]) =>
        mk('app-name', `${pri}1 - ${host} ${tok} - - - @cee: ${JSON.stringify({ message: `${t} ${TOKENS[ai]}` })}`));
    case 'tag':
      return fc.tuple(token, priArb, hostArb, text, fc.nat(4)).map(([tok, pri, host, t, shape]) => {
        const lines = [
          `${pri}${bsdTs} ${host} ${tok}: ${t}`,
          `${pri}${bsdTs} ${host} ${tok}[123]: ${t}`,
          `${host} ${tok}:${t}`, // Sematext: echo 'my-host TOKEN:hello' | nc
          `${pri}${tok}: ${t}`,
          `${pri}${bsdTs} ${tok}: ${t}`,
        ];
        return mk('tag', lines[shape]);
      });
    case 'inline':
    case 'inline-ambiguous':
      return fc.tuple(token, priArb, hostArb, text, text, fc.nat(3), sepArb).map(([tok, pri, host, a, b, shape, sep]) => {
        if (kind === 'inline') {
          // copies in a header-less line may land in HOSTNAME/TAG, which are not scrubbed by design
          if (extra !== 'none' && (shape === 0 || shape === 3)) shape = 1;
          if (shape === 0 || shape === 3) {
            // Without a header the first words may be read as HOST/TAG: a first-word token
            // followed by `word:`, or TAB-separated words before a `word[..]` (TAB is no word
            // separator for RFC 3164 but is one for inline tokens). Those shapes are exercised
            // by 'inline-ambiguous'; keep these lines unambiguous: SP only, no token first.
            sep = ' ';
            a = a.replace(/\t/g, ' ');
            b = b.replace(/\t/g, ' ');
            if (a === '') b = b === '' ? 'msg' : `msg ${b}`;
          }
        } else if (shape === 1 || shape === 2) shape = shape === 1 ? 0 : 3;
        const t = [a, tok, b].filter((x) => x !== '').join(sep);
        const lines = [t, `${pri}1 - ${host} app - - - ${t}`, `${pri}${bsdTs} ${host} prog: ${t}`, `${pri}${t}`];
        return mk('inline', lines[shape]);
      });
  }
}

function tokenCaseArb(kinds: readonly Kind[], extra: Extra): fc.Arbitrary<TokenCase> {
  return fc.oneof(...kinds.flatMap((k) => [0, 1, 2].map((ai) => linesFor(k, ai, extra))));
}

const addressArb = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => ({ address: `10.${a}.${b}.${c}`, allowed: true })),
  fc.nat(255).map((a) => ({ address: `::ffff:10.0.0.${a}`, allowed: true })),
  fc.nat(0xffff).map((a) => ({ address: `2001:db8::${a.toString(16)}`, allowed: true })),
  fc.constantFrom('192.168.1.1', '127.0.0.1', '::1', '11.0.0.1', '::ffff:192.168.0.1', '2001:db9::1', 'fe80::1').map((address) => ({ address, allowed: false })),
);
const transportArb = fc.constantFrom<Transport>('udp', 'tcp', 'tls', 'relp');

function tokenProperty(kinds: readonly Kind[], extra: Extra) {
  return fc.asyncProperty(tokenCaseArb(kinds, extra), addressArb, transportArb, async (c, { address }, transport) => {
    const ctx = `${c.kind} line ${show(c.line)} from ${address}`;
    const r = await ingestOne(c.line, address, transport);
    assert.equal(r.result, FrameResult.Stored, `not stored; ${ctx}`);
    assertStored(r.line!, c.app, c.tokenSource, ctx);
  });
}

// ---------------------------------------------------------------------------------------------

test('fuzz ingest: a token in CEE / APP-NAME / TAG / inline position authorizes its app and is never stored', async () => {
  await checkAsync('ingest/token-positions', tokenProperty(['cee', 'cee-bare', 'cee-field2', 'app-name', 'tag', 'inline'], 'none'), 3);
});

test('fuzz ingest: further copies of the token (any case, glued to words) in the message are scrubbed', async () => {
  await checkAsync('ingest/token-copies', tokenProperty(['cee', 'cee-bare', 'app-name', 'tag', 'inline'], 'copies'), 2);
});

test('fuzz ingest: lines without a token are rejected unless the source address is allowed', async () => {
  const lineArb = fc.oneof(
    mutatedArb(corpus('rfc5424', 'rfc3164', 'cee')),
    bytesArb(200),
    textArb.map((t) => Buffer.from(t)),
    fc.tuple(priArb, hostArb, textArb).map(([p, h, t]) => Buffer.from(`${p}${bsdTs} ${h} prog: ${t}`)),
  );
  await checkAsync('ingest/no-token', fc.asyncProperty(lineArb, addressArb, transportArb, async (line, { address, allowed }, transport) => {
    const ctx = `line ${show(line)} from ${address}`;
    const r = await ingestOne(line, address, transport);
    if (!allowed) assert.equal(r.result, FrameResult.Rejected, `stored without token; ${ctx}`);
    else {
      assert.equal(r.result, FrameResult.Stored, `allowed source rejected; ${ctx}`);
      assertStored(r.line!, IP_APP, 'ip', ctx);
    }
  }), 3);
});

// Shapes that found bugs (fixed in aa89388; minimal cases in known-bugs.test.ts).
test('fuzz ingest: a copy re-formed by scrubbing a nested copy is scrubbed too', async () => {
  await checkAsync('ingest/token-nested', tokenProperty(['app-name', 'tag', 'inline'], 'nested'), 1);
});

test('fuzz ingest: inline token in a header-less line whatever its neighbours (TAB, `word:`, `word[..]`)', async () => {
  await checkAsync('ingest/inline-ambiguous', tokenProperty(['inline-ambiguous'], 'none'), 1);
});

test('fuzz ingest: token in APP-NAME/TAG, copy in the CEE message field', async () => {
  await checkAsync('ingest/app-name-cee', tokenProperty(['app-name-cee'], 'none'), 0.3);
});

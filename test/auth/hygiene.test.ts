/**
 * Token placement and hygiene (issue 14 §4, §5) through RecordMaker, frame bytes → stored JSON:
 * a token before the PRI, Docker's logentries forms, whitespace of every kind, and no known token
 * of ANY app anywhere in the stored record — each removal counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { countFrameTokens } from '../../src/auth/hygiene.js';
import type { AppConfig } from '../../src/config/schema.js';
import { RecordMaker } from '../../src/pipeline/record-maker.js';
import type { FrameSource } from '../../src/record.js';

const T1 = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const T2 = 'c0ffee00-1111-4222-8333-444455556666';
const T3 = 'deadbeef-aaaa-4bbb-8ccc-0123456789ab';
const UNKNOWN = '9a9a9a9a-1111-4222-8333-444455556666';
const app = (name: string, token: string | null, allowedSources: string[] = []): AppConfig => ({
  name, token, allowedSources, certFingerprints: [], certSubjects: [], maxEventsPerSecond: null, burstEvents: null, maxBytesPerDay: null, readKeys: [],
});
const APPS = [app('billing', T1), app('web', T2), app('ops', T3), app('lan', null, ['10.9.0.0/16'])];
const NOW = Date.UTC(2024, 5, 12, 12, 0, 0);
const source = (address = '127.0.0.1'): FrameSource => ({ record: { address, port: 514, transport: 'tcp' }, certFingerprint: null });

interface Made { app: string | null; tokenSource?: string; record?: Record<string, any>; scrubbed: number }

function make(line: string, address?: string, maker = new RecordMaker(APPS, ['logsene-app-token'])): Made {
  // the frame sits inside a bigger buffer, as in a batch: bytes after it must not count
  const buf = Buffer.concat([Buffer.from('xx'), Buffer.from(line, 'utf8'), Buffer.from(` ${T3} ${T2}\n`)]);
  const end = 2 + Buffer.byteLength(line, 'utf8');
  const before = maker.counters.tokensScrubbed;
  if (!maker.authorize(buf, 2, end, source(address), NOW)) return { app: null, scrubbed: maker.counters.tokensScrubbed - before };
  const out = Buffer.alloc(1 << 16);
  const e = maker.write(out, 0, false, source(address), NOW);
  const record = JSON.parse(out.toString('utf8', 0, e)) as Record<string, any>;
  return { app: maker.auth!.app, tokenSource: maker.auth!.tokenSource, record, scrubbed: maker.counters.tokensScrubbed - before };
}

/** Every string in a JSON value, keys included. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); strings(x, out); }
  return out;
}
const KNOWN = [T1, T2, T3];
function assertClean(r: Record<string, any>, what: string): void {
  const text = strings(r).join('\n').toLowerCase();
  for (const t of KNOWN) assert.ok(!text.includes(t), `${what}: token ${t} stored in ${JSON.stringify(r)}`);
}

test('a token before the PRI: removed, the rest parsed as the syslog line it is', () => {
  const m = make(`${T1} <13>Jun 12 09:15:02 web-01 app[42]: hello there`);
  assert.equal(m.app, 'billing');
  assert.equal(m.tokenSource, 'inline');
  assert.equal(m.record!.hostname, 'web-01');
  assert.equal(m.record!.appName, 'app');
  assert.equal(m.record!.procId, '42');
  assert.equal(m.record!.message, 'hello there');
  assert.equal(m.record!.syslog.format, 'rfc3164');
  assert.equal(m.record!['@timestamp'], '2024-06-12T09:15:02.000Z');
  assert.equal(m.record!.facility, 1);
  assert.equal(m.scrubbed, 0);
  const v = make(`${T2.toUpperCase()} <165>1 2024-06-12T09:15:02.5Z host app 7 ID47 [ex@1 a="b"] five four two four`);
  assert.equal(v.app, 'web');
  assert.equal(v.record!.syslog.format, 'rfc5424');
  assert.equal(v.record!.msgId, 'ID47');
  assert.deepEqual(v.record!.structuredData, { 'ex@1': { a: 'b' } });
  assert.equal(v.record!.message, 'five four two four');
});

test("Docker's logentries driver: line-only and the default Go map form", () => {
  const lo = make(`${T1}  GET /health 200 0.3ms`);
  assert.equal(lo.app, 'billing');
  assert.equal(lo.record!.message, 'GET /health 200 0.3ms', 'every space between token and payload removed');
  const json = make(`${T1}  {"level":"warn","msg":"disk 91%"}`);
  assert.equal(json.record!.level, 'warn', 'a JSON line-only payload is CEE as usual');
  const d = make(`${T2}   2024-05-01 10:00:00.123456789 +0000 UTC map[container_id:3f4e5d6c7b8a container_name:web-1 log:GET / HTTP/1.1 200 source:x source:stdout]`);
  assert.equal(d.app, 'web');
  assert.equal(d.record!.message, 'GET / HTTP/1.1 200 source:x');
  assert.equal(d.record!['@timestamp'], '2024-05-01T10:00:00.123Z');
  assert.deepEqual(d.record!.docker, { container_id: '3f4e5d6c7b8a', container_name: 'web-1', source: 'stdout' });
  assert.equal(d.record!.hostname, null);
  const off = make(`${T2}   2024-05-01 12:00:00 +0200 CEST map[container_id:a container_name:b env:prod log:boot ok source:stderr]`);
  assert.equal(off.record!['@timestamp'], '2024-05-01T10:00:00.000Z');
  assert.equal(off.record!.message, 'boot ok');
  assert.equal(off.record!.docker.source, 'stderr');
  const empty = make(`${T2}   2024-05-01 10:00:00.5 +0000 UTC map[container_id:a container_name:b log: source:stdout]`);
  assert.equal(empty.record!.message, null);
  assert.equal(empty.record!['@timestamp'], '2024-05-01T10:00:00.500Z');
  // not the map form: stored as the text it is
  const bad = make(`${T2}   2024-05-01 10:00:00 +0000 UTC map[log:x]`);
  assert.ok(String(bad.record!.message).endsWith('+0000 UTC map[log:x]'), bad.record!.message);
  assert.equal(bad.record!.docker, undefined);
});

test('whitespace of any kind delimits a token; only one adjacent ASCII space goes with it', () => {
  const cases: Array<[string, string | null]> = [
    [`before\u00a0${T1}\u00a0after`, 'before\u00a0\u00a0after'],
    [`tab\t${T1}\tafter`, 'tab\t\tafter'],
    [`${T1}\u2003after`, '\u2003after'],
    [`end ${T1}`, 'end'],
    [`mid ${T1} dle`, 'mid dle'],
    [T1, null],
  ];
  for (const [line, message] of cases) {
    const m = make(line);
    assert.equal(m.app, 'billing', JSON.stringify(line));
    assert.equal(m.record!.message, message, JSON.stringify(line));
  }
  // not delimited: not an inline token (unauthorized), and never stored
  assert.equal(make(`x${T1} y`).app, null);
});

test('hygiene: no known token of any app anywhere in the record; each removal counted', () => {
  // (an SD-ID or PARAM-NAME is at most 32 characters: a token cannot be one)
  const sd = `[ex@1 a="${T2}" b="pre ${T3} post"][ok@1 e="f"]`;
  const m = make(`<165>1 2024-06-12T09:15:02Z ${T2} app ${T3} ID47 ${sd} ${T1} msg with ${T2} and ${T3.toUpperCase()} and ${UNKNOWN}`);
  assert.equal(m.app, 'billing');
  const r = m.record!;
  assertClean(r, 'rfc5424');
  assert.equal(r.hostname, null, 'a field that was only a token becomes null');
  assert.equal(r.procId, null);
  assert.equal(r.msgId, 'ID47', '(a MSGID is at most 32 characters: a token cannot be one)');
  assert.deepEqual(r.structuredData, { 'ex@1': { a: '', b: 'pre post' }, 'ok@1': { e: 'f' } });
  assert.equal(r.message, `msg with and and ${UNKNOWN}`, 'an unknown UUID stays');
  assert.equal(m.scrubbed, 6);

  const cee = make(`<13>Jun 12 09:15:02 h app: @cee: {"logsene-app-token":"${T1}","message":"m ${T1}","nested":{"deep":[["${T2}",{"${T3}":1,"k":"x${T3}x"}]]},"esc":"\\u0063\\u0030ffee00-1111-4222-8333-444455556666"}`);
  assert.equal(cee.app, 'billing');
  assertClean(cee.record!, 'cee');
  assert.equal(cee.record!.message, 'm');
  assert.deepEqual(cee.record!.nested, { deep: [[null, { k: 'xx' }]] });
  assert.equal(cee.record!.esc, null, 'a token spelled with JSON escapes is found too');
  assert.equal(cee.scrubbed, 5);

  // authorized by source address: every token removed, including the one that would have matched
  const ip = make(`<13>Jun 12 09:15:02 host-${T3} tag: text ${T2}x [${T3}]`, '10.9.1.1');
  assert.equal(ip.app, 'lan', 'a token glued to a word authorizes nothing');
  assert.equal(ip.tokenSource, 'ip');
  assertClean(ip.record!, 'ip');
  assert.equal(ip.record!.hostname, 'host-');
  assert.equal(ip.record!.message, 'text x []');
  assert.equal(ip.scrubbed, 3);
});

test('hygiene: a line without a known token is untouched and costs only the probe', () => {
  const m = make(`<13>Jun 12 09:15:02 h app: id ${UNKNOWN} 2024-06-12 a-b-c-d ${T1}`);
  assert.equal(m.app, 'billing');
  assert.equal(m.record!.message, `id ${UNKNOWN} 2024-06-12 a-b-c-d`);
  assert.equal(m.scrubbed, 0);
  const tokens = new Map(KNOWN.map((t, i) => [t, String(i)]));
  const b = Buffer.from(`no uuid here - 2024-06-12 ${UNKNOWN} ${T1}${T2} ${T3.toUpperCase()}`);
  assert.equal(countFrameTokens(b, 0, b.length, tokens, 10), 3);
  assert.equal(countFrameTokens(b, 0, b.length - 1, tokens, 10), 2, 'the end bound is honoured');
  assert.equal(countFrameTokens(b, 0, b.length, tokens, 2), 2, 'stops at max');
});

test('hygiene property: whatever surrounds known tokens, none is stored', () => {
  const piece = fc.oneof(
    fc.constantFrom(...KNOWN, T1.toUpperCase(), UNKNOWN, ' ', '\u00a0', '-', '"', '=', ':', '[', ']'),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), fc.constantFrom('<13>Jun 12 09:15:02 h app: ', `<13>Jun 12 09:15:02 h ${T1}: `, '<165>1 - h a - - - '), (parts, head) => {
    const line = head + parts.join('') + ` ${T1}`;
    const m = make(line);
    if (m.app === null) return;
    assertClean(m.record!, JSON.stringify(line));
  }), { numRuns: 3000 });
});

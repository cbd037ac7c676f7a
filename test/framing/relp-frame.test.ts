/**
 * RELP frame parser: our vectors (fixtures/relp-cases.jsonl) and, when the team's shared
 * collection is next to the repository, its relp.jsonl (read in place, not copied: its
 * sources' licenses do not allow copying). Every case is fed whole, split at every byte
 * offset, and one byte at a time: the frames and the error must not depend on the split.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { RelpFrameParser } from '../../src/framing/relp-frame.js';
import { relp } from '../helpers/frames.js';

interface RelpCase { id: string; input: string; inputBase64?: string; valid: boolean; expect: { frames?: Array<{ txnr: number; command: string; datalen: number; data: string }>; error?: string; remainder?: string } }

const read = (p: string): RelpCase[] => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const own = read(new URL('../../fixtures/relp-cases.jsonl', import.meta.url).pathname);
const sharedPath = new URL('../../../shared/conformance/relp.jsonl', import.meta.url).pathname;
const shared = existsSync(sharedPath) ? read(sharedPath) : [];

interface Out { frames: Array<{ txnr: number; command: string; data: string; truncated: boolean }>; error: string | null }

function run(chunks: Buffer[], max = 65536): Out {
  const out: Out = { frames: [], error: null };
  const p = new RelpFrameParser(max, {
    frame: (txnr, command, data, s, e, truncated) => { out.frames.push({ txnr, command, data: data.toString('utf8', s, e), truncated }); },
    error: (reason) => { out.error = reason; },
  });
  for (const c of chunks) p.push(c);
  return out;
}

function splits(buf: Buffer): Buffer[][] {
  const all: Buffer[][] = [[...buf].map((b) => Buffer.from([b]))];
  for (let i = 0; i <= buf.length; i++) all.push([buf.subarray(0, i), buf.subarray(i)]);
  return all;
}

/** Shared cases that are invalid above the framing layer (the frame itself is well-formed). */
const SESSION_LEVEL: Record<string, string> = {
  'librelp-1': 'well-formed frame; its open offer "relp_version" has no value: the session answers rsp 500 (test/transports/relp.test.ts)',
};

for (const c of [...own, ...shared]) {
  test(`${c.id}: ${c.valid ? 'valid' : 'invalid'}`, () => {
    const input = c.inputBase64 ? Buffer.from(c.inputBase64, 'base64') : Buffer.from(c.input, 'utf8');
    const max = c.id.startsWith('journalmon-5') || c.id.startsWith('journalmon-6') ? 65536 : 128 * 1024;
    const whole = run([input], max);
    for (const s of splits(input)) assert.deepEqual(run(s, max), whole, `split ${s.map((b) => b.length).join('+')}`);
    if (c.expect.frames) {
      assert.deepEqual(whole.frames.map(({ txnr, command, data }) => ({ txnr, command, datalen: Buffer.byteLength(data), data })), c.expect.frames);
    }
    if (!c.valid && c.expect.frames === undefined && c.expect.remainder === undefined && !(c.id in SESSION_LEVEL)) {
      // invalid: either a protocol error, or (cut input) an incomplete frame that is never delivered
      assert.ok(whole.error !== null || whole.frames.length === 0, `no frame from invalid input: ${JSON.stringify(whole)}`);
      if (c.expect.error) assert.ok(whole.error?.includes(c.expect.error), `error "${whole.error}" mentions "${c.expect.error}"`);
    }
  });
}

test('a syslog frame over the limit is cut, flagged, and the stream stays in sync', () => {
  const big = 'x'.repeat(100);
  const input = Buffer.from(relp(1, 'syslog', big) + relp(2, 'syslog', 'abc'));
  const expected = [{ txnr: 1, command: 'syslog', data: big.slice(0, 10), truncated: true }, { txnr: 2, command: 'syslog', data: 'abc', truncated: false }];
  for (const s of splits(input)) assert.deepEqual(run(s, 10).frames, expected);
});

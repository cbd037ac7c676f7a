/**
 * Fuzz: RFC 6587 stream framer (src/framing/detect.ts). Any split of the stream must give the
 * same frames as the whole buffer; frames are bounded by maxMessageBytes and by the input;
 * generated valid octet-counted / LF / CRLF / NUL frames come out exactly as generated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamFramer } from '../../src/framing/detect.js';
import { applySplit, bytesArb, check, corpus, mutate, mutatedArb, mutationsArb, show, splitArb } from './common.js';
import { lf, octet } from '../helpers/frames.js';

type Frame = [string, boolean];

/**
 * Feeds `chunks` and returns the frames (latin1 text, truncated). Each chunk is a private copy
 * overwritten right after push(), so a framer that keeps a reference to a chunk is caught.
 */
function runFramer(chunks: readonly Buffer[], max: number): Frame[] {
  const out: Frame[] = [];
  const f = new StreamFramer(max, (b, s, e, t) => {
    assert.ok(s >= 0 && s <= e && e <= b.length, `frame range [${s}, ${e}) outside buffer of ${b.length}`);
    out.push([b.toString('latin1', s, e), t]);
  });
  for (const c of chunks) {
    const copy = Buffer.from(c);
    f.push(copy);
    copy.fill(0xa5);
  }
  f.end();
  assert.equal(f.counters.frames, out.length, 'counters.frames');
  assert.equal(f.counters.truncated, out.filter((x) => x[1]).length, 'counters.truncated');
  assert.equal(f.bufferedBytes, 0, 'nothing buffered after end()');
  return out;
}

/** Limits ≥ 10 (a cut octet-counting header of up to 10 bytes is delivered as is; config minimum is 480). */
const maxArb = fc.oneof(fc.integer({ min: 10, max: 64 }), fc.integer({ min: 65, max: 600 }), fc.constant(65536));

function assertBounds(frames: Frame[], input: Buffer, max: number): void {
  let total = 0;
  for (const [text, truncated] of frames) {
    assert.ok(text.length <= max, `frame of ${text.length} bytes > max ${max}: ${show(text)}`);
    assert.ok(text.length > 0 || truncated, 'empty frame emitted');
    total += text.length;
  }
  assert.ok(total <= input.length, `frames total ${total} bytes > input ${input.length}`);
}

function splitInvariant(input: Buffer, split: Parameters<typeof applySplit>[1], max: number): void {
  const whole = runFramer([input], max);
  assertBounds(whole, input, max);
  const parts = applySplit(input, split);
  const got = runFramer(parts, max);
  assert.deepEqual(got, whole, `split ${JSON.stringify(parts.map((p) => p.toString('latin1')))} (max ${max}) differs from whole ${show(input)}`);
}

const streamCorpus = corpus('framing', 'rfc5424', 'rfc3164', 'cee', 'relp-cases.jsonl');

// ---------------------------------------------------------------------------------------------
// generator of valid streams

const SEP = [0x0a, 0x0d, 0x00];

/** Frame content bytes: random bytes or UTF-8 text (multi-byte, astral). */
const contentArb = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 120 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s, 'utf8')),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => Buffer.from(s, 'latin1')),
);

interface GenFrame {
  kind: 'octet' | 'lf' | 'crlf' | 'nul' | 'none';
  /** Octet: MSG (starts with `<`). Others: the line without terminator. */
  body: Buffer;
  /** Empty-frame separators (LF/CR/NUL) before the frame. */
  sep: number[];
}

const genFrameArb: fc.Arbitrary<GenFrame> = fc.record({
  kind: fc.constantFrom('octet', 'lf', 'crlf', 'nul') as fc.Arbitrary<GenFrame['kind']>,
  body: contentArb,
  sep: fc.array(fc.constantFrom(...SEP), { maxLength: 2 }),
}).map((g) => {
  let body = g.body;
  if (g.kind === 'octet') body = Buffer.concat([Buffer.from('<'), body]);
  else {
    body = Buffer.from(body.filter((c) => c !== 0x0a && c !== 0x00));
    // a line must not start with an empty-frame byte, nor look like an octet-counting header
    if (body.length === 0 || body[0] === 0x0d || /^[1-9][0-9]{0,8}( |$)/.test(body.toString('latin1', 0, 11))) {
      body = Buffer.concat([Buffer.from('x'), body]);
    }
  }
  return { ...g, body };
});

/** Valid frames, the last one possibly unterminated (delivered by end()). */
const streamArb = fc.tuple(fc.array(genFrameArb, { minLength: 1, maxLength: 8 }), fc.boolean()).map(([frames, openEnd]) => {
  const last = frames[frames.length - 1];
  if (openEnd && last.kind !== 'octet') last.kind = 'none';
  return frames;
});

function wire(frames: readonly GenFrame[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of frames) {
    parts.push(Buffer.from(f.sep));
    switch (f.kind) {
      case 'octet': parts.push(octet(f.body)); break;
      case 'lf': parts.push(lf(f.body)); break;
      case 'crlf': parts.push(f.body, Buffer.from('\r\n')); break;
      case 'nul': parts.push(f.body, Buffer.from([0])); break;
      case 'none': parts.push(f.body); break;
    }
  }
  return Buffer.concat(parts);
}

/** What the framer must deliver for a generated frame (DESIGN §3 rules). */
function expected(f: GenFrame, max: number): Frame {
  let b = f.body;
  if (f.kind === 'octet') {
    if (b.length > max) return [b.toString('latin1', 0, max), true];
    let e = b.length; // trimTrailer: one LF / CRLF / NUL inside MSG-LEN
    if (b[e - 1] === 0x0a) { e--; if (e > 0 && b[e - 1] === 0x0d) e--; } else if (b[e - 1] === 0x00) e--;
    return [b.toString('latin1', 0, e), false];
  }
  if (f.kind === 'lf' && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
  return b.length > max ? [b.toString('latin1', 0, max), true] : [b.toString('latin1'), false];
}

// ---------------------------------------------------------------------------------------------

test('fuzz framer: random bytes, any split = whole, bounded', () => {
  check('framer/random-bytes', fc.property(bytesArb(300), splitArb, maxArb, (input, split, max) => splitInvariant(input, split, max)), 4);
});

test('fuzz framer: mutated fixtures, any split = whole, bounded', () => {
  // several fixtures glued into one stream, then mutated
  const arb = fc.array(mutatedArb(streamCorpus), { minLength: 1, maxLength: 4 }).chain((bs) =>
    fc.constantFrom(Buffer.concat(bs), Buffer.concat(bs.map((b) => Buffer.concat([b, Buffer.from('\n')])))));
  check('framer/mutated-fixtures', fc.property(arb, splitArb, maxArb, (input, split, max) => splitInvariant(input, split, max)), 4);
});

test('fuzz framer: generated valid frames come out exactly, under any split', () => {
  check('framer/valid-frames', fc.property(streamArb, splitArb, maxArb, (frames, split, max) => {
    const input = wire(frames);
    const want = frames.map((f) => expected(f, max));
    assert.deepEqual(runFramer([input], max), want, `whole ${show(input)} (max ${max})`);
    const parts = applySplit(input, split);
    assert.deepEqual(runFramer(parts, max), want, `split ${JSON.stringify(parts.map((p) => p.toString('latin1')))} (max ${max})`);
  }), 4);
});

test('fuzz framer: mutated valid streams, any split = whole, bounded', () => {
  check('framer/mutated-valid', fc.property(streamArb, mutationsArb, splitArb, maxArb, (frames, muts, split, max) =>
    splitInvariant(mutate(wire(frames), muts), split, max)), 3);
});

/**
 * Fuzz: RELP frame parser (src/framing/relp-frame.ts). Any split gives the same frames, the same
 * error and the same number of consumed bytes as the whole buffer; DATA is bounded by
 * maxDataBytes; generated valid frames come out exactly; stopping at random frames (flow
 * control) and handing back the rest changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RelpFrameParser } from '../../src/framing/relp-frame.js';
import { applySplit, bytesArb, check, corpus, mutate, mutatedArb, mutationsArb, show, splitArb, type Split } from './common.js';

type Event = ['frame', number, string, string, boolean] | ['error', string, number | null];

interface Run {
  events: Event[];
  consumed: number;
  failed: boolean;
}

/**
 * Feeds `chunks` (private copies, overwritten once fully consumed). `stopAt(i)` says whether the
 * handler returns false on the i-th frame; the unconsumed rest of the chunk is then fed again.
 */
function runRelp(chunks: readonly Buffer[], max: number, stopAt: (i: number) => boolean = () => false): Run {
  const events: Event[] = [];
  let frames = 0;
  const p = new RelpFrameParser(max, {
    frame(txnr, command, data, start, end, truncated) {
      assert.ok(start >= 0 && start <= end && end <= data.length, `data range [${start}, ${end}) outside buffer of ${data.length}`);
      events.push(['frame', txnr, command, data.toString('latin1', start, end), truncated]);
      return stopAt(frames++) ? false : undefined;
    },
    error(reason, txnr) {
      events.push(['error', reason, txnr]);
    },
  });
  let consumed = 0;
  for (const c of chunks) {
    const copy = Buffer.from(c);
    let rest = copy;
    for (let guard = 0; ; guard++) {
      assert.ok(guard <= copy.length + 1, 'push() makes no progress');
      const n = p.push(rest);
      assert.ok(Number.isInteger(n) && n >= 0 && n <= rest.length, `push returned ${n} for ${rest.length} bytes`);
      consumed += n;
      if (n === rest.length || p.failed) break;
      assert.ok(n > 0, 'push() consumed nothing without failing');
      rest = rest.subarray(n);
    }
    copy.fill(0xa5);
  }
  assert.ok(events.filter((e) => e[0] === 'error').length <= (p.failed ? 1 : 0), 'error reported more than once / without failing');
  return { events, consumed, failed: p.failed };
}

function assertBounds(r: Run, input: Buffer, max: number): void {
  let total = 0;
  for (const e of r.events) {
    if (e[0] !== 'frame') continue;
    const [, txnr, command, data, truncated] = e;
    assert.ok(Number.isInteger(txnr) && txnr >= 0 && txnr <= 999_999_999, `txnr ${txnr}`);
    assert.match(command, /^[A-Za-z]{1,32}$/);
    assert.ok(data.length <= max, `DATA of ${data.length} bytes > max ${max}`);
    assert.ok(!truncated || command === 'syslog', 'only syslog frames are truncated');
    total += data.length;
  }
  assert.ok(total <= input.length, `DATA total ${total} > input ${input.length}`);
  assert.ok(r.consumed <= input.length);
  if (!r.failed) assert.equal(r.consumed, input.length, 'all bytes consumed when no error');
}

/**
 * The comparable part of a run. After a protocol error the consumed count is not compared: it
 * differs by one with the split (the byte that failed the `LF expected after DATA` check is
 * counted when it was read in the Trailer state but not on the fast path), and the session is
 * closed on any error anyway.
 */
function comparable(r: Run): Run {
  return r.failed ? { ...r, consumed: -1 } : r;
}

function splitInvariant(input: Buffer, split: Split, max: number): void {
  const whole = runRelp([input], max);
  assertBounds(whole, input, max);
  const parts = applySplit(input, split);
  const got = runRelp(parts, max);
  assert.deepEqual(comparable(got), comparable(whole), `split ${JSON.stringify(parts.map((p) => p.toString('latin1')))} (max ${max}) differs from whole ${show(input)}`);
}

const maxArb = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 600 }), fc.constant(65536));

// ---------------------------------------------------------------------------------------------
// valid frames

interface GenRelp {
  txnr: string;
  command: string;
  data: Buffer;
  /** DATALEN written with leading zeros (still ≤ 9 digits). */
  zeros: number;
  /** For empty DATA: `N cmd 0 \n` instead of `N cmd 0\n`. */
  spaceWhenEmpty: boolean;
}

const genRelpArb: fc.Arbitrary<GenRelp> = fc.record({
  txnr: fc.stringMatching(/^[0-9]{1,9}$/),
  command: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('syslog', 'open', 'close', 'rsp', 'serverclose') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z]{1,32}$/) },
  ),
  data: fc.oneof(
    fc.constant(Buffer.alloc(0)),
    fc.uint8Array({ maxLength: 150 }).map((a) => Buffer.from(a)),
    fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s, 'utf8')),
    fc.array(fc.constantFrom('a', '\n', ' ', 'ü', '日本', '🙂', '<13>1 - h a - - - ', '\r\n'), { maxLength: 20 }).map((a) => Buffer.from(a.join(''), 'utf8')),
  ),
  zeros: fc.nat(3),
  spaceWhenEmpty: fc.boolean(),
});

function relpWire(frames: readonly GenRelp[]): Buffer {
  return Buffer.concat(frames.map((f) => {
    const len = String(f.data.length);
    const dl = '0'.repeat(Math.min(f.zeros, 9 - len.length)) + len;
    if (f.data.length === 0) return Buffer.from(`${f.txnr} ${f.command} ${dl}${f.spaceWhenEmpty ? ' ' : ''}\n`);
    return Buffer.concat([Buffer.from(`${f.txnr} ${f.command} ${dl} `), f.data, Buffer.from('\n')]);
  }));
}

/** Non-syslog DATA must fit in max (else it is a protocol error), so the generator cuts it. */
function fit(frames: GenRelp[], max: number): GenRelp[] {
  return frames.map((f) => (f.command !== 'syslog' && f.data.length > max ? { ...f, data: f.data.subarray(0, max) } : f));
}

function expectedEvents(frames: readonly GenRelp[], max: number): Event[] {
  return frames.map((f) => ['frame', Number(f.txnr), f.command, f.data.toString('latin1', 0, Math.min(max, f.data.length)), f.data.length > max]);
}

const relpStreamArb = fc.tuple(fc.array(genRelpArb, { minLength: 1, maxLength: 8 }), maxArb).map(([fs, max]) => ({ frames: fit(fs, max), max }));

const relpCorpus = corpus('relp-cases.jsonl');

// ---------------------------------------------------------------------------------------------

test('fuzz relp: random bytes, any split = whole, bounded', () => {
  const arb = fc.oneof(bytesArb(200), bytesArb(60).map((b) => Buffer.concat([Buffer.from('1 syslog '), b])));
  check('relp/random-bytes', fc.property(arb, splitArb, maxArb, (input, split, max) => splitInvariant(input, split, max)), 3);
});

test('fuzz relp: mutated fixtures, any split = whole, bounded', () => {
  const arb = fc.array(mutatedArb(relpCorpus), { minLength: 1, maxLength: 4 }).map((bs) => Buffer.concat(bs));
  check('relp/mutated-fixtures', fc.property(arb, splitArb, maxArb, (input, split, max) => splitInvariant(input, split, max)), 3);
});

test('fuzz relp: generated valid frames come out exactly, under any split', () => {
  check('relp/valid-frames', fc.property(relpStreamArb, splitArb, ({ frames, max }, split) => {
    const input = relpWire(frames);
    const want: Run = { events: expectedEvents(frames, max), consumed: input.length, failed: false };
    assert.deepEqual(runRelp([input], max), want, `whole ${show(input)} (max ${max})`);
    const parts = applySplit(input, split);
    assert.deepEqual(runRelp(parts, max), want, `split ${JSON.stringify(parts.map((p) => p.toString('latin1')))} (max ${max})`);
  }), 4);
});

test('fuzz relp: mutated valid streams, any split = whole, bounded', () => {
  check('relp/mutated-valid', fc.property(relpStreamArb, mutationsArb, splitArb, ({ frames, max }, muts, split) =>
    splitInvariant(mutate(relpWire(frames), muts), split, max)), 3);
});

test('fuzz relp: stopping at random frames and re-feeding the rest gives the same frames', () => {
  const inputArb = fc.oneof(
    relpStreamArb.map(({ frames, max }) => ({ input: relpWire(frames), max })),
    fc.tuple(relpStreamArb, mutationsArb).map(([{ frames, max }, m]) => ({ input: mutate(relpWire(frames), m), max })),
  );
  check('relp/stop-and-refeed', fc.property(inputArb, splitArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), ({ input, max }, split, stops) => {
    const want = runRelp([input], max);
    const parts = applySplit(input, split);
    const got = runRelp(parts, max, (i) => stops[i % stops.length]);
    assert.deepEqual(comparable(got), comparable(want), `split ${JSON.stringify(parts.map((p) => p.toString('latin1')))}, stops ${JSON.stringify(stops)} (max ${max})`);
  }), 3);
});

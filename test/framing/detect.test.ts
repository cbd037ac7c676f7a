import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer } from '../../src/framing/detect.js';
import { octet } from '../helpers/frames.js';

/** Runs the framer over `chunks`, returning [frame text, truncated] pairs. */
export function frames(chunks: Buffer[], max = 65536): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  const f = new StreamFramer(max, (b, s, e, t) => out.push([b.toString('latin1', s, e), t]));
  for (const c of chunks) f.push(c);
  f.end();
  return out;
}

/** Every 2-way split of `buf`, plus one byte at a time, must give `expected`. */
function assertSplitInvariant(buf: Buffer, expected: Array<[string, boolean]>, max = 65536): void {
  for (let i = 0; i <= buf.length; i++) {
    assert.deepEqual(frames([buf.subarray(0, i), buf.subarray(i)], max), expected, `split at ${i}`);
  }
  assert.deepEqual(frames([...buf].map((b) => Buffer.from([b])), max), expected, 'one byte at a time');
}

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

test('LF, CRLF and NUL end non-transparent frames; empty lines are skipped', () => {
  const input = B('<13>a\n<13>b\r\n\n\n<13>c\0<13>d');
  const expected: Array<[string, boolean]> = [['<13>a', false], ['<13>b', false], ['<13>c', false], ['<13>d', false]];
  assert.deepEqual(frames([input]), expected);
  assertSplitInvariant(input, expected);
});

test('octet-counted frames only when digits SP <; one trailing LF inside MSG-LEN is dropped', () => {
  const input = B(octet('<13>hello\n') + octet('<13>x') + octet('<13>a\nb\nc\n'));
  const expected: Array<[string, boolean]> = [['<13>hello', false], ['<13>x', false], ['<13>a\nb\nc', false]];
  assert.deepEqual(frames([input]), expected);
  assertSplitInvariant(input, expected);
});

test('a Logentries line starting with a digit-led UUID is non-transparent', () => {
  const line = '2bfbea1e-10c3-4419-bdad-7e6435882e1f My first log entry';
  const input = B(`${line}\n12 is a number\n`);
  const expected: Array<[string, boolean]> = [[line, false], ['12 is a number', false]];
  assert.deepEqual(frames([input]), expected);
  assertSplitInvariant(input, expected);
});

test('mixed framings on one connection, frame by frame', () => {
  const input = B('<13>lf one\n9 <13>octet<13>lf two\n');
  assert.deepEqual(frames([input]), [['<13>lf one', false], ['<13>octet', false], ['<13>lf two', false]]);
});

test('too-long non-transparent frame: truncated, rest discarded, next frame intact', () => {
  const long = 'x'.repeat(100);
  const input = B(`<13>${long}\n<13>next\n`);
  const expected: Array<[string, boolean]> = [[`<13>${long}`.slice(0, 20), true], ['<13>next', false]];
  assert.deepEqual(frames([input], 20), expected);
  assertSplitInvariant(input, expected, 20);
});

test('too-long octet-counted frame: truncated, rest discarded, never parsed as a frame', () => {
  const body = '<13>' + '9 <13>fake'.repeat(5);
  const input = B(`${octet(body)}<13>next\n`);
  const expected: Array<[string, boolean]> = [[body.slice(0, 16), true], ['<13>next', false]];
  assert.deepEqual(frames([input], 16), expected);
  assertSplitInvariant(input, expected, 16);
});

test('end of stream delivers an unterminated line, and a cut octet frame as truncated', () => {
  assert.deepEqual(frames([B('<13>no newline')]), [['<13>no newline', false]]);
  assert.deepEqual(frames([B('20 <13>short')]), [['<13>short', true]]);
  assert.deepEqual(frames([B('123')]), [['123', false]]);
});

test('a frame exactly maxMessageBytes long is not truncated', () => {
  const s = 'a'.repeat(32);
  assert.deepEqual(frames([B(`${s}\n`)], 32), [[s, false]]);
  assert.deepEqual(frames([B(s.slice(0, 10)), B(s.slice(10)), B('\n')], 32), [[s, false]]);
  assert.deepEqual(frames([B(`${s}b\n`)], 32), [[s, true]]);
});

test('10 MB without LF is cut at the limit and memory stays bounded', () => {
  const out: Array<[number, boolean]> = [];
  const f = new StreamFramer(65536, (b, s, e, t) => out.push([e - s, t]));
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  for (let i = 0; i < 160; i++) {
    f.push(chunk);
    assert.ok(f.bufferedBytes <= 65536);
  }
  f.push(B('\n<13>after\n'));
  f.end();
  assert.deepEqual(out, [[65536, true], [9, false]]);
});

test('end of stream: a cut octet-count header longer than a tiny limit is cut to it', () => {
  assert.deepEqual(frames([B('123456789 ')], 5), [['12345', true]]);
});

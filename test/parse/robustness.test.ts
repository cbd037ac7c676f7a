/**
 * Robustness: parseMessage must never throw and must return sane values for any bytes.
 * 20,000 random buffers + random mutations of every fixture input, from a seeded PRNG
 * (mulberry32; failures are reproducible: the failing seed/iteration is in the assertion message).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMessage } from '../../src/parse/index.js';
import type { ParsedMessage } from '../../src/parse/types.js';

const SEED = 0x5eed1e55;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Syslog-ish fragments so random inputs reach deep into the grammars, not only the PRI check. */
const TOKENS = [
  '<', '>', '<13>', '<0>', '<191>', '<01>', '1 ', '2 ', ' ', '  ', '-', ' - ', '[', ']', '="', '"', '\\', '\\"', '\\]', ':', ': ', '[123]',
  '@cee:', '{', '}', '{"a":1}', '"__proto__"', 'Jan', 'Feb 29', 'Mar  6', 'Dec 31', ' 2011 ', '12:34:56', '.123', '.1234567', ' UTC',
  ' CET:', '*', '643: ', '2003-10-11T22:14:15.003Z', '2003-10-11T22:14:15', '+02:00', '-23:59', 'host', 'app', 'app[1]:', 'ID47',
  '\uFEFF', '\u00e9', '\n', '\r', '\t', '\u0000', '\xff',
];

function randomBuffer(rnd: () => number): Buffer {
  const mode = rnd();
  const len = Math.floor(rnd() * 300);
  if (mode < 0.4) {
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) b[i] = Math.floor(rnd() * 256);
    return b;
  }
  const parts: Buffer[] = [];
  let total = 0;
  while (total < len) {
    const t = rnd() < 0.85 ? TOKENS[Math.floor(rnd() * TOKENS.length)] : String.fromCharCode(32 + Math.floor(rnd() * 95));
    const p = Buffer.from(t, rnd() < 0.1 ? 'latin1' : 'utf8');
    parts.push(p);
    total += p.length;
  }
  return Buffer.concat(parts);
}

function mutate(input: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(input);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const op = rnd();
    const at = Math.floor(rnd() * (b.length + 1));
    if (op < 0.3 && b.length > 0) {
      b[Math.min(at, b.length - 1)] = Math.floor(rnd() * 256);
    } else if (op < 0.5) {
      b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rnd() * 8)))]);
    } else if (op < 0.7) {
      const t = Buffer.from(TOKENS[Math.floor(rnd() * TOKENS.length)]);
      b = Buffer.concat([b.subarray(0, at), t, b.subarray(at)]);
    } else if (op < 0.85) {
      b = b.subarray(0, at);
    } else {
      const from = Math.floor(rnd() * (b.length + 1));
      b = Buffer.concat([b.subarray(0, at), b.subarray(from, from + 16), b.subarray(at)]);
    }
  }
  return b;
}

function fixtureInputs(): Buffer[] {
  const out: Buffer[] = [];
  for (const f of ['rfc5424.jsonl', 'rfc3164.jsonl', 'cee.jsonl', 'framing.jsonl']) {
    const text = readFileSync(new URL(`../../fixtures/conformance/${f}`, import.meta.url), 'utf8');
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      const c = JSON.parse(line) as { input: string; inputBase64?: string };
      out.push(c.inputBase64 !== undefined ? Buffer.from(c.inputBase64, 'base64') : Buffer.from(c.input, 'utf8'));
    }
  }
  return out;
}

function checkSane(pm: ParsedMessage, len: number, ctx: string): void {
  assert.ok(pm.format === 'rfc5424' || pm.format === 'rfc3164' || pm.format === 'raw', ctx);
  assert.ok(Number.isInteger(pm.facility) && pm.facility >= 0 && pm.facility <= 23, ctx);
  assert.ok(Number.isInteger(pm.severity) && pm.severity >= 0 && pm.severity <= 7, ctx);
  assert.ok(pm.timestampMs === null || Number.isFinite(pm.timestampMs), ctx);
  for (const k of ['hostname', 'appName', 'procId', 'msgId', 'message'] as const) {
    const v = pm[k];
    assert.ok(v === null || (typeof v === 'string' && v.length <= len), `${ctx}: ${k}`);
  }
  if (pm.structuredData !== null) {
    for (const [id, params] of Object.entries(pm.structuredData.toObject())) {
      assert.ok(id.length <= len, ctx);
      for (const [name, value] of Object.entries(params)) assert.ok(name.length <= len && value.length <= len, ctx);
    }
  }
  assert.ok(pm.cee === null || (typeof pm.cee === 'object' && !Array.isArray(pm.cee)), ctx);
  assert.equal(typeof pm.ceeInvalid, 'boolean', ctx);
  if (pm.ceeInvalid) assert.equal(pm.cee, null, ctx);
}

function run(b: Buffer, rnd: () => number, ctx: string): void {
  const now = Math.floor(rnd() * 4e12) - 1e12;
  let pm: ParsedMessage;
  try {
    pm = parseMessage(b, 0, b.length, now);
  } catch (err) {
    assert.fail(`${ctx} threw ${String(err)} on ${b.toString('base64')}`);
  }
  checkSane(pm, b.length, `${ctx} input=${b.toString('base64')}`);
  // a random sub-range of a larger buffer: the parser must not read outside it
  const a = Math.floor(rnd() * (b.length + 1));
  const e = a + Math.floor(rnd() * (b.length - a + 1));
  checkSane(parseMessage(b, a, e, now), e - a, `${ctx} range=[${a},${e}) input=${b.toString('base64')}`);
}

test('20,000 random buffers: never throws, bounded strings, facility 0..23, severity 0..7', () => {
  const rnd = mulberry32(SEED);
  for (let i = 0; i < 20_000; i++) run(randomBuffer(rnd), rnd, `seed=${SEED} random #${i}`);
});

test('random mutations of every fixture input (10 each)', () => {
  const rnd = mulberry32(SEED ^ 0xabcdef);
  const inputs = fixtureInputs();
  assert.ok(inputs.length > 300);
  let i = 0;
  for (const input of inputs) {
    run(input, rnd, `seed=${SEED} fixture #${i} unmutated`);
    for (let k = 0; k < 10; k++) run(mutate(input, rnd), rnd, `seed=${SEED} fixture #${i} mutation ${k}`);
    i++;
  }
});

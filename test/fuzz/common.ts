/**
 * Shared pieces of the property-based fuzz tests (test/fuzz/*.test.ts): run configuration,
 * byte-level mutations, random stream splits and the fixture corpus.
 *
 * Environment:
 * - FUZZ_RUNS    base number of cases per property (default 800: the bounded `npm test` run);
 *                each property scales it by its weight.
 * - FUZZ_SEED    fast-check seed (default fixed, so `npm test` is deterministic).
 * - FUZZ_PATH    replay path printed by a failure (with its FUZZ_SEED).
 * - FUZZ_TIME_MS stop each property after this many ms (long runs; not counted as failure).
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUNS = envInt('FUZZ_RUNS', 800);
export const SEED = envInt('FUZZ_SEED', 0x5eed1);
export const PATH = process.env.FUZZ_PATH || undefined;
export const TIME_MS = process.env.FUZZ_TIME_MS ? envInt('FUZZ_TIME_MS', 0) : undefined;

function envInt(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${v}`);
  return n;
}

function parameters<T>(weight: number): fc.Parameters<T> {
  const p: fc.Parameters<T> = { numRuns: Math.max(1, Math.round(RUNS * weight)), seed: SEED };
  if (PATH !== undefined) p.path = PATH;
  if (TIME_MS !== undefined && TIME_MS > 0) {
    p.interruptAfterTimeLimit = TIME_MS;
    p.markInterruptAsFailure = false;
  }
  return p;
}

function report(name: string, d: fc.RunDetails<unknown>, t0: number): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`[fuzz] ${name}: ${d.numRuns} cases${d.interrupted ? ' (time limit)' : ''} in ${s}s, seed ${SEED}`);
  if (d.failed) {
    const e = d.errorInstance;
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`[fuzz] ${name} FAILED (replay: FUZZ_SEED=${d.seed} FUZZ_PATH=${d.counterexamplePath})\n${fc.defaultReportMessage(d)}\nError: ${why}`);
  }
}

/** Runs a synchronous property with the configured runs/seed, logs the case count, throws on failure. */
export function check<Ts extends [unknown, ...unknown[]]>(name: string, prop: fc.IPropertyWithHooks<Ts>, weight = 1): void {
  const t0 = Date.now();
  report(name, fc.check(prop, parameters<Ts>(weight)) as fc.RunDetails<unknown>, t0);
}

/** Same as {@link check} for an async property. */
export async function checkAsync<Ts extends [unknown, ...unknown[]]>(name: string, prop: fc.IAsyncPropertyWithHooks<Ts>, weight = 1): Promise<void> {
  const t0 = Date.now();
  report(name, (await fc.check(prop, parameters<Ts>(weight))) as fc.RunDetails<unknown>, t0);
}

// ---------------------------------------------------------------------------------------------
// corpus

const fixturesDir = new URL('../../fixtures/', import.meta.url).pathname;

function jsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function caseBytes(c: Record<string, unknown>): Buffer {
  return typeof c.inputBase64 === 'string' ? Buffer.from(c.inputBase64, 'base64') : Buffer.from(String(c.input ?? ''), 'utf8');
}

/** Input bytes of every case of fixtures/conformance/<name>.jsonl (or a path under fixtures/). */
export function corpus(...names: string[]): Buffer[] {
  const out: Buffer[] = [];
  for (const n of names) {
    const p = n.endsWith('.jsonl') ? join(fixturesDir, n) : join(fixturesDir, 'conformance', `${n}.jsonl`);
    for (const c of jsonl(p)) out.push(caseBytes(c));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// mutations

/** Bytes that matter to the grammars: terminators, digits, PRI/SD/CEE punctuation, BOM, bad UTF-8. */
export const INTERESTING = [
  0x0a, 0x0d, 0x00, 0x20, 0x09, 0x3c, 0x3e, 0x30, 0x31, 0x35, 0x39, 0x5b, 0x5d, 0x22, 0x5c, 0x3d,
  0x3a, 0x2d, 0x7b, 0x7d, 0x40, 0x2e, 0x2a, 0x54, 0x5a, 0xef, 0xbb, 0xbf, 0xff, 0x80, 0xc3, 0xf0,
];

/** One mutation: [kind, a, b, c], interpreted modulo the buffer length by {@link mutate}. */
export type Mutation = [number, number, number, number];

export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(
  fc.tuple(fc.nat(6), fc.nat(), fc.nat(), fc.nat()),
  { minLength: 1, maxLength: 6 },
);

/** Applies bit flips, byte inserts/overwrites/deletes, duplicated slices and truncation. */
export function mutate(base: Buffer, muts: readonly Mutation[]): Buffer {
  let b = Buffer.from(base);
  for (const [kind, a, x, y] of muts) {
    const len = b.length;
    switch (kind) {
      case 0: // bit flip
        if (len > 0) b[a % len] ^= 1 << (x % 8);
        break;
      case 1: { // insert an interesting or random byte
        const at = a % (len + 1);
        const v = x % 2 === 0 ? INTERESTING[(x >> 1) % INTERESTING.length] : y & 0xff;
        b = Buffer.concat([b.subarray(0, at), Buffer.from([v]), b.subarray(at)]);
        break;
      }
      case 2: { // delete 1..8 bytes
        if (len === 0) break;
        const at = a % len;
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(len, at + 1 + (x % 8)))]);
        break;
      }
      case 3: { // duplicate a slice somewhere
        if (len === 0) break;
        const s = a % len;
        const e = Math.min(len, s + 1 + (x % 48));
        const at = y % (len + 1);
        b = Buffer.concat([b.subarray(0, at), b.subarray(s, e), b.subarray(at)]);
        break;
      }
      case 4: // truncate
        b = b.subarray(0, a % (len + 1));
        break;
      case 5: // overwrite with an interesting byte
        if (len > 0) b[a % len] = INTERESTING[x % INTERESTING.length];
        break;
      default: { // overwrite with a random byte
        if (len > 0) b[a % len] = x & 0xff;
      }
    }
  }
  return b;
}

/** Random bytes biased towards the interesting ones. */
export const bytesArb = (maxLength = 256): fc.Arbitrary<Buffer> =>
  fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...INTERESTING), fc.integer({ min: 0x20, max: 0x7e })), { maxLength })
    .map((a) => Buffer.from(a));

/** A corpus entry, mutated with probability ~2/3. */
export function mutatedArb(pool: readonly Buffer[]): fc.Arbitrary<Buffer> {
  return fc.tuple(fc.constantFrom(...pool), fc.option(mutationsArb, { freq: 3 })).map(([b, m]) => (m === null ? b : mutate(b, m)));
}

// ---------------------------------------------------------------------------------------------
// splits

/** How to cut a stream: cut points (taken modulo length+1), or one byte per chunk. */
export type Split = { cuts: number[] } | 'bytes';

export const splitArb: fc.Arbitrary<Split> = fc.oneof(
  { weight: 9, arbitrary: fc.record({ cuts: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.constant('bytes' as const) },
);

/** The chunks of `buf` under `split` (fresh copies; empty chunks kept, they are legal input). */
export function applySplit(buf: Buffer, split: Split): Buffer[] {
  if (split === 'bytes') return [...buf].map((v) => Buffer.from([v]));
  const pts = split.cuts.map((c) => c % (buf.length + 1)).sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of pts) {
    out.push(Buffer.from(buf.subarray(prev, p)));
    prev = p;
  }
  out.push(Buffer.from(buf.subarray(prev)));
  return out;
}

/** Printable form of a byte string for messages. */
export function show(b: Buffer | string): string {
  return JSON.stringify(typeof b === 'string' ? b : b.toString('latin1'));
}

/**
 * Deterministic, in-process corpora for the micro-benchmarks. Measures nothing itself.
 *
 * The message shapes are those of ../shared/bench/mkcorpus.mjs (the corpus the end-to-end
 * benchmarks replay), so micro and macro figures talk about the same bytes:
 *   - 3164: loggen's default line, padded with `PADD` to 199 bytes;
 *   - 5424: RFC 5424 line with two SD elements (`meta@32473`, `req@32473`), ~234 bytes;
 *   - cee:  RFC 3164 header + `@cee: {json}` with a nested object and an array, ~207 bytes.
 * On top of mkcorpus, values vary from message to message (seeded PRNG, {@link SEED}): the
 * timestamp advances one second every {@link MSGS_PER_SECOND} messages (a sender's event times
 * repeat within a second, as in production), program names / pids / hosts come from small pools,
 * and the auth variants carry one of the registry's tokens. Every stage cycles through
 * {@link DISTINCT} distinct messages in batches of {@link BATCH}, so per-value caches (ISO
 * timestamp caches, LRUs, V8's string tables) see realistic, not trivial, hit rates.
 */

/** Seed of every generator: same seed, same bytes, every run. */
export const SEED = 0x5eed_1e55;
/** Distinct messages per corpus (cycled). A multiple of {@link BATCH}. */
export const DISTINCT = 5000;
/** Messages processed by one benchmark iteration; ns/msg = iteration time / BATCH. */
export const BATCH = 1000;
/** Event timestamps advance by one second every this many messages. */
export const MSGS_PER_SECOND = 100;

/** mulberry32: tiny, fast, good enough to vary test data; returns floats in [0, 1). */
export function prng(seed: number = SEED): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n). */
export const pick = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

const pad = (i: number, w: number): string => String(i).padStart(w, '0');
const hex = (rnd: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[pick(rnd, 16)];
  return s;
};

/** A lower-case RFC 4122-shaped UUID (version 4 nibble, variant bits), as config tokens are. */
export function uuid(rnd: () => number): string {
  return `${hex(rnd, 8)}-${hex(rnd, 4)}-4${hex(rnd, 3)}-${'89ab'[pick(rnd, 4)]}${hex(rnd, 3)}-${hex(rnd, 12)}`;
}

/** Base event time of every corpus: 2026-11-21T18:36:42Z, mkcorpus's stamp. */
export const BASE_MS = Date.UTC(2026, 10, 21, 18, 36, 42);
/** Receive time the benchmarks pass to the parser (a few seconds after the events). */
export const NOW_MS = BASE_MS + 3_600_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Event time of message i, epoch ms (second resolution). */
const eventMs = (i: number): number => BASE_MS + Math.floor(i / MSGS_PER_SECOND) * 1000;

/** RFC 3164 `Mmm dd hh:mm:ss` (day space-padded) of message i. */
function stamp3164(i: number): string {
  const d = new Date(eventMs(i));
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${MONTHS[d.getUTCMonth()]} ${day} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

/** ISO `YYYY-MM-DDThh:mm:ss` (no zone) of message i. */
const iso = (i: number): string => new Date(eventMs(i)).toISOString().slice(0, 19);

/** Options shared by the generators (all optional; default = mkcorpus's plain message). */
export interface LineOptions {
  /** RFC 3164 TAG name instead of `prgNNNNN` (e.g. a token: DESIGN §6 rule 2). */
  tag?: string;
  /** A word put first in MSG (Logentries-style inline token: DESIGN §6 rule 3). */
  inlineToken?: string;
  /** CEE only: value of a `logsene-app-token` field put first in the JSON object (rule 1). */
  ceeToken?: string;
}

/** mkcorpus `3164`: loggen's default line, 199 bytes (longer by the token when one is inlined). */
export function line3164(i: number, rnd: () => number, o: LineOptions = {}): string {
  const tag = o.tag ?? `prg${pad(pick(rnd, 8), 5)}`;
  const inline = o.inlineToken === undefined ? '' : o.inlineToken + ' ';
  const head = `<38>${stamp3164(i)} localhost ${tag}[${1000 + pick(rnd, 9000)}]: ${inline}seq: ${pad(i, 10)}, thread: ${pad(pick(rnd, 4), 4)}, runid: 1795286202, stamp: ${iso(i)} `;
  return head + 'PADD'.repeat(50).slice(0, Math.max(0, 199 + inline.length - head.length));
}

/** mkcorpus `5424`: RFC 5424 line with two SD elements and a microsecond timestamp. */
export function line5424(i: number, rnd: () => number): string {
  return `<165>1 ${iso(i)}.${pad(i % 1e6, 6)}+01:00 web-${pad(pick(rnd, 16), 2)}.example.com nginx ${1000 + pick(rnd, 9000)} ACCESS ` +
    `[meta@32473 seq="${i}" region="eu-west-${1 + pick(rnd, 3)}"][req@32473 method="${pick(rnd, 5) === 0 ? 'POST' : 'GET'}" status="200" bytes="${5000 + (i % 997)}"] ` +
    `GET /api/v1/items?id=${i} HTTP/1.1 200 "-" "curl/8.4.0" rt=0.0${pad(pick(rnd, 100), 2)}`;
}

/** mkcorpus `cee`: RFC 3164 header + `@cee:` JSON payload (with the token field first when given). */
export function lineCee(i: number, rnd: () => number, o: LineOptions = {}): string {
  const token = o.ceeToken === undefined ? '' : `"logsene-app-token":"${o.ceeToken}",`;
  return `<14>${stamp3164(i)} web-${pad(pick(rnd, 16), 2)} checkout[${1000 + pick(rnd, 9000)}]: @cee: {${token}"seq":${i},"level":"${pick(rnd, 10) === 0 ? 'warn' : 'info'}","svc":"checkout",` +
    `"msg":"order placed","order_id":"A-${pad(i, 8)}","amount":${(pick(rnd, 10000) / 100).toFixed(2)},"user":{"id":${i % 9973},"tier":"${['gold', 'silver', 'bronze'][pick(rnd, 3)]}"},"tags":["web","eu"]}`;
}

export type Kind = '3164' | '5424' | 'cee';

/** Message i of a kind. */
export function lineOf(kind: Kind, i: number, rnd: () => number, o?: LineOptions): string {
  return kind === '3164' ? line3164(i, rnd, o) : kind === '5424' ? line5424(i, rnd) : lineCee(i, rnd, o);
}

/** `n` messages of a kind, seeded. */
export function lines(kind: Kind, n: number = DISTINCT, seed: number = SEED): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(lineOf(kind, i, rnd));
  return out;
}

/** Many frames in one Buffer, as a framer hands them on: frame k is buf[start[k], end[k]). */
export interface PackedFrames {
  buf: Buffer;
  start: Int32Array;
  end: Int32Array;
  count: number;
}

/** Packs messages back to back (LF-separated) into one Buffer, with each frame's byte range. */
export function pack(msgs: readonly string[]): PackedFrames {
  const buf = Buffer.from(msgs.join('\n') + '\n');
  const start = new Int32Array(msgs.length);
  const end = new Int32Array(msgs.length);
  let pos = 0;
  for (let k = 0; k < msgs.length; k++) {
    const len = Buffer.byteLength(msgs[k]);
    start[k] = pos;
    end[k] = pos + len;
    pos += len + 1;
  }
  return { buf, start, end, count: msgs.length };
}

export type Framing = 'lf' | 'octet';

/** One frame on the wire, as mkcorpus writes it: `MSG\n` or `LEN MSG` (RFC 6587 §3.4.2 / §3.4.1). */
export function frameOf(msg: string, framing: Framing): string {
  return framing === 'lf' ? msg + '\n' : `${Buffer.byteLength(msg)} ${msg}`;
}

/**
 * Splits a byte stream into socket-read-sized chunks, as a TCP socket delivers them: sizes are
 * log-uniform between `minBytes` and `maxBytes` (Node reads at most 64 KiB at a time), so most
 * chunks end inside a frame and the framer's cross-chunk path runs a few times per 1000 frames.
 */
export function chunk(stream: Buffer, rnd: () => number, minBytes = 1024, maxBytes = 65536): Buffer[] {
  const out: Buffer[] = [];
  const lo = Math.log(minBytes);
  const hi = Math.log(maxBytes);
  for (let pos = 0; pos < stream.length;) {
    const n = Math.round(Math.exp(lo + rnd() * (hi - lo)));
    out.push(stream.subarray(pos, Math.min(stream.length, pos + n)));
    pos += n;
  }
  return out;
}

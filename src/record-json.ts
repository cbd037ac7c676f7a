/**
 * The stored record of one accepted frame (DESIGN §2) as one NDJSON line, written as UTF-8
 * bytes straight from the parse result into the caller's buffer ({@link writeRecord}): no
 * record object, no intermediate strings. The bytes are exactly those of
 * `JSON.stringify(record) + '\n'` for the record the fields below describe, except that the fixed
 * fields always come first (JSON.stringify would hoist integer-like CEE keys before them):
 *
 * ```
 * {"@timestamp","receivedAt","app","facility","severity","hostname","appName","procId","msgId",
 *  "structuredData","message","source","syslog", ...CEE keys}
 * ```
 * - `@timestamp`: a valid CEE `@timestamp` (string or number Date accepts), else the event time,
 *   else the receive time; ISO 8601 UTC with ms (Date#toISOString). An event time outside Date's
 *   range counts as none; a receive time outside it is stored as the epoch.
 * - `message`: MSG, or for CEE the object's `message` (a string as is, null as null, anything
 *   else as its JSON text), null when it has none.
 * - `structuredData`: the object form of the SD bytes (record-sd.ts), or null.
 * - `vendor`: one member named by `vendor.key` (`cisco`, `fortigate`, `panos`, `docker`) right
 *   after `syslog`, before the CEE keys (a CEE key of that name is dropped and counted).
 * - CEE keys follow `syslog` in the object's (JavaScript) order. Dropped and counted in
 *   {@link RecordCounters.ceeKeysDropped}: receiver-owned and typed fixed keys (all of
 *   {@link RECORD_KEYS} but `message` and `@timestamp`, and {@link RECEIVER_OWNED_KEYS}),
 *   `__proto__`, and a `@timestamp` that is not a valid date.
 * - Strings are escaped as JSON.stringify does (`\"`, `\\`, `\b \f \n \r \t`, other controls and
 *   lone surrogates as `\u00xx` / `\udxxx` in lower-case hex; everything else as UTF-8).
 *
 * Speed (V8 on the 2-core bench VM: a byte store or charCodeAt costs 2–4 ns, a native call
 * ~50–150 ns, a 32-bit DataView store ~1.5 ns): bytes known in advance are written 4 at a time
 * ({@link Frag}) and pre-joined where fields are adjacent — `{"@timestamp":"<date-time of this
 * second>.`, `","app":"<app>"`, `,"facility":F,"severity":S,"hostname":`, `null` + next key,
 * and `,"source":{…},"syslog":{…}}\n` once per FrameSource and syslog combination; CEE keys as
 * `,"key":` once per key; short strings go through a charCodeAt loop that stores 4 plain ASCII
 * characters as one word, long ones through Buffer#utf8Write plus a 4-bytes-at-a-time check;
 * numbers with up to 3 decimals are written as digits (Number#toString costs ~200 ns);
 * STRUCTURED-DATA is written from the frame's bytes (record-sd.ts).
 */
import { RECEIVER_OWNED_KEYS, RECORD_KEYS, SYSLOG_FORMATS, TOKEN_SOURCES, type FrameSource, type RecordFields, type StructuredDataBytes, type SyslogFormat, type TokenSource } from './record.js';
import { isPlainJsonWord, SD_INDEX_NAMES, structuredDataJsonBound, structuredDataObject, writeJsonControl, writeStructuredDataJson } from './record-sd.js';

/** Counters {@link writeRecord} adds to (the receiver's Metrics has them). */
export interface RecordCounters {
  /** CEE keys dropped because they collide with receiver-owned or typed fields, or a bad `@timestamp`. */
  ceeKeysDropped: number;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Fixed record keys a CEE object may not overwrite (they are typed); `message` and `@timestamp` may. */
const CEE_PROTECTED: ReadonlySet<string> = new Set<string>([...RECEIVER_OWNED_KEYS, ...RECORD_KEYS.filter((k) => k !== 'message' && k !== '@timestamp'), '__proto__']);

/**
 * Bytes known before the record (keys, cached members), kept as little-endian 32-bit words for
 * DataView stores: one store per 4 bytes instead of 4 byte stores, and no native call.
 */
class Frag {
  readonly n: number;
  /** Words at offsets 0, 4, 8, … (floor(n / 4) of them). */
  readonly words: Int32Array;
  /** The word at offset n − 4 (n ≥ 4), stored last so the piece ends exactly at n. */
  readonly last: number;
  readonly bytes: Buffer;

  constructor(b: Buffer) {
    this.n = b.length;
    this.bytes = b;
    this.words = new Int32Array(b.length >> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = b.readInt32LE(4 * i);
    this.last = b.length >= 4 ? b.readInt32LE(b.length - 4) : 0;
  }
}

/** A Frag of the UTF-8 bytes of `s` (JSON text). */
const frag = (s: string): Frag => new Frag(Buffer.from(s, 'utf8'));

const K_FACILITY = frag(',"facility":');
const K_SEVERITY = frag(',"severity":');
const K_HOSTNAME = frag(',"hostname":');
/** After each nullable field: its successor's key, alone and preceded by `null`. */
const K_APP_NAME = frag(',"appName":');
const NULL_APP_NAME = frag('null,"appName":');
const K_PROC_ID = frag(',"procId":');
const NULL_PROC_ID = frag('null,"procId":');
const K_MSG_ID = frag(',"msgId":');
const NULL_MSG_ID = frag('null,"msgId":');
const K_SD = frag(',"structuredData":');
const NULL_SD = frag('null,"structuredData":');
const K_MESSAGE = frag(',"message":');
const NULL_MESSAGE = frag('null,"message":');
const NULL = frag('null');
const TRUE = frag('true');
const FALSE = frag('false');
const LBRACKET = frag('[');
const RBRACKET = frag(']');
const EMPTY_OBJECT = frag('{}');
const RBRACE = frag('}');
const COMMA = frag(',');
const END = frag('}\n');

/** `,"facility":F,"severity":S,"hostname":` for PRI values 0..191 (facility * 8 + severity). */
const PRI: readonly Frag[] = Array.from({ length: 192 }, (_, v) => frag(`,"facility":${v >> 3},"severity":${v & 7},"hostname":`));

/** Index of a (format, tokenSource) pair in {@link META_JSON} (+1 when truncated). */
const META_INDEX: Record<string, Record<string, number>> = {};
/** `,"syslog":{...}` of every combination. */
const META_JSON: string[] = [];
for (const format of SYSLOG_FORMATS) {
  META_INDEX[format] = {};
  for (const tokenSource of TOKEN_SOURCES) {
    META_INDEX[format][tokenSource] = META_JSON.length;
    META_JSON.push(',"syslog":' + JSON.stringify({ format, tokenSource }), ',"syslog":' + JSON.stringify({ format, tokenSource, truncated: true }));
  }
}

/** Per FrameSource: `,"source":{...}` and, per syslog combination, that + `,"syslog":{...}` (+ `}\n`). */
interface SourceEntry {
  json: string;
  /** Index 2 × meta index (+1 for the variant ending the record). */
  tails: (Frag | undefined)[];
}

const sourceCache = new WeakMap<FrameSource, SourceEntry>();

/**
 * `,"source":…,"syslog":…` for this FrameSource and combination, with `}\n` when `end`.
 * Cached on the FrameSource (a connection's, or a datagram sender's, shared by its records).
 */
function tailFrag(s: FrameSource, format: SyslogFormat, tokenSource: TokenSource, truncated: boolean, end: boolean): Frag {
  let e = sourceCache.get(s);
  if (e === undefined) {
    e = { json: ',"source":' + JSON.stringify(s.record), tails: [] };
    sourceCache.set(s, e);
  }
  const base = META_INDEX[format]?.[tokenSource];
  if (base === undefined) { // not a SyslogFormat/TokenSource: not cached
    return frag(e.json + ',"syslog":' + JSON.stringify(truncated ? { format, tokenSource, truncated: true } : { format, tokenSource }) + (end ? '}\n' : ''));
  }
  const m = base + (truncated ? 1 : 0);
  const i = 2 * m + (end ? 1 : 0);
  let f = e.tails[i];
  if (f === undefined) {
    f = frag(e.json + META_JSON[m] + (end ? '}\n' : ''));
    e.tails[i] = f;
  }
  return f;
}

/** `","app":"<app>"` (closing the receivedAt string before it), per app name. */
const appCache = new Map<string, Frag>();
const APP_CACHE_MAX = 4096;

function appFrag(app: string): Frag {
  let f = appCache.get(app);
  if (f === undefined) {
    if (appCache.size >= APP_CACHE_MAX) appCache.clear(); // app names come from the config: only reloads add new ones
    f = frag('","app":' + JSON.stringify(app));
    appCache.set(app, f);
  }
  return f;
}

/**
 * `,"<key>":` of a CEE key, and whether the key is one CEE may not set at top level. Keys repeat
 * from message to message (one schema per sender), so they are cached: at most
 * {@link KEY_CACHE_MAX} keys of up to {@link KEY_CACHE_LENGTH} characters (the cache is emptied
 * when full: keys come from the network).
 */
class KeyInfo {
  constructor(readonly frag: Frag, readonly isProtected: boolean) {}
}

const keyCache = new Map<string, KeyInfo>();
const KEY_CACHE_MAX = 4096;
const KEY_CACHE_LENGTH = 64;

function keyInfo(k: string): KeyInfo {
  let info = keyCache.get(k);
  if (info === undefined) {
    info = new KeyInfo(frag(',' + JSON.stringify(k) + ':'), CEE_PROTECTED.has(k));
    if (k.length <= KEY_CACHE_LENGTH) {
      if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
      keyCache.set(k, info);
    }
  }
  return info;
}

// ---------------------------------------------------------------------------------------------
// primitives: each writes at `p` and returns the offset after what it wrote, or -1 when `out`
// has too little room; a negative `p` (an earlier write failed) is passed on as -1.

/** A DataView of the `out` of the current {@link writeRecord} call (kept while callers reuse one buffer). */
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
let viewOf: Buffer | null = null;

function put(out: Buffer, p: number, f: Frag): number {
  const n = f.n;
  if (p < 0 || p + n > out.length) return -1;
  if (n >= 4) {
    const v = view;
    const w = f.words;
    for (let i = 0; i < w.length; i++) v.setInt32(p + 4 * i, w[i], true);
    v.setInt32(p + n - 4, f.last, true);
  } else {
    const b = f.bytes;
    for (let i = 0; i < n; i++) out[p + i] = b[i];
  }
  return p + n;
}

/** An ASCII string without characters to escape (a number's text), without quotes. */
function putAscii(out: Buffer, p: number, s: string): number {
  const n = s.length;
  if (p < 0 || p + n > out.length) return -1;
  for (let i = 0; i < n; i++) out[p + i] = s.charCodeAt(i);
  return p + n;
}

/** Bytes of `JSON.stringify(s)` as UTF-8 (quotes included). */
function jsonStringBytes(s: string): number {
  const n = s.length;
  let len = 2;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20) len += c === 0x22 || c === 0x5c ? 2 : 1;
      else len += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    } else if (c < 0x800) len += 2;
    else if (c < 0xd800 || c > 0xdfff) len += 3;
    else if (c < 0xdc00 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 4;
      i++;
    } else len += 6;
  }
  return len;
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Strings longer than this are written by Buffer#utf8Write and then checked ({@link isPlainJson}). */
const NATIVE_MIN = 64;

interface WellFormed { isWellFormed(): boolean }
/** Buffer's own UTF-8 writer (what Buffer#write calls after its argument checks). */
interface Utf8Writable { utf8Write(s: string, offset: number): number }

/**
 * `JSON.stringify(s)` as UTF-8. A short string goes through {@link writeStringJs}; a long one
 * (without lone surrogates) is written natively, then checked for bytes that need escaping, and
 * written again by writeStringJs when it has some.
 */
function writeString(out: Buffer, p: number, s: string): number {
  if (p < 0) return -1;
  const n = s.length;
  if (n > NATIVE_MIN && p + 3 * n + 2 <= out.length && (s as unknown as WellFormed).isWellFormed()) {
    const w = (out as unknown as Utf8Writable).utf8Write(s, p + 1);
    if (isPlainJson(p + 1, w)) {
      out[p] = 0x22;
      out[p + 1 + w] = 0x22;
      return p + w + 2;
    }
  }
  return writeStringJs(out, p, s);
}

/**
 * True when the UTF-8 bytes `out[p, p + w)` (w ≥ 4) need no JSON escaping: no byte below 0x20,
 * no `"`, no `\` (SWAR on 32-bit words: some byte of x is below k iff (x − k·0x01010101) & ~x
 * has a high bit set, for k ≤ 0x80; a byte equals c iff x XOR c·0x01010101 has a zero byte).
 */
function isPlainJson(p: number, w: number): boolean {
  // isPlainJsonWord (record-sd.ts) by hand, accumulated over the words
  const v = view;
  let bad = 0;
  const last = p + w - 4;
  for (let i = p; ; i += 4) {
    if (i > last) i = last; // the final word overlaps the previous one
    const x = v.getInt32(i, true);
    const q = x ^ 0x22222222;
    const b = x ^ 0x5c5c5c5c;
    bad |= (((x - 0x20202020) | 0) & ~x) | (((q - 0x01010101) | 0) & ~q) | (((b - 0x01010101) | 0) & ~b);
    if (i === last) break;
  }
  return (bad & 0x80808080) === 0;
}

/** `JSON.stringify(s)` as UTF-8, one UTF-16 unit at a time (lone surrogates as `\udxxx`); `p` ≥ 0. */
function writeStringJs(out: Buffer, p: number, s: string): number {
  const n = s.length;
  // worst case 6 bytes per UTF-16 unit (`\u0001`, a lone surrogate); exact size only near the end
  if (p + 6 * n + 2 > out.length && p + jsonStringBytes(s) > out.length) return -1;
  out[p++] = 0x22;
  let i = 0;
  const v = view;
  for (;;) {
    // 4 plain ASCII characters at a time: one word, one SWAR test, one store
    for (; i + 4 <= n; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      if ((c0 | c1 | c2 | c3) > 0x7f) break;
      const x = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
      if (!isPlainJsonWord(x)) break;
      v.setInt32(p, x, true);
      p += 4;
    }
    if (i >= n) break;
    // then the next (up to) 4 units one at a time
    for (const stop = Math.min(i + 4, n); i < stop; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 0x22 && c !== 0x5c) out[p++] = c;
        else if (c >= 0x20) {
          out[p++] = 0x5c;
          out[p++] = c;
        } else p = writeJsonControl(out, p, c);
      } else if (c < 0x800) {
        out[p++] = 0xc0 | (c >> 6);
        out[p++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        out[p++] = 0xe0 | (c >> 12);
        out[p++] = 0x80 | ((c >> 6) & 0x3f);
        out[p++] = 0x80 | (c & 0x3f);
      } else if (c < 0xdc00 && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        out[p++] = 0xf0 | (cp >> 18);
        out[p++] = 0x80 | ((cp >> 12) & 0x3f);
        out[p++] = 0x80 | ((cp >> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
      } else {
        out[p++] = 0x5c;
        out[p++] = 0x75;
        out[p++] = HEX[c >> 12];
        out[p++] = HEX[(c >> 8) & 15];
        out[p++] = HEX[(c >> 4) & 15];
        out[p++] = HEX[c & 15];
      }
    }
  }
  out[p++] = 0x22;
  return p;
}

/** A nullable string field followed by the next key: `"…",next:` or `null,next:`. */
function writeField(out: Buffer, p: number, s: string | null, key: Frag, nullKey: Frag): number {
  return s === null ? put(out, p, nullKey) : put(out, writeString(out, p, s), key);
}

/** JSON text made by JSON.stringify (so without lone surrogates), as UTF-8. */
function putJsonText(out: Buffer, p: number, json: string): number {
  if (p < 0 || (p + 3 * json.length > out.length && p + Buffer.byteLength(json) > out.length)) return -1;
  return p + out.write(json, p);
}

/**
 * `JSON.stringify(v)` of a number: digits for int32 values and for short decimals (≤ 3 places),
 * Number#toString otherwise (its shortest round-trip digits), null when not finite.
 */
function writeNumber(out: Buffer, p: number, v: number): number {
  if ((v | 0) === v) return writeDigits(out, p, v, 0, 0);
  if (v > -1e9 && v < 1e9) {
    // v is the double nearest to c / 10^k: then its shortest round-trip form is that decimal
    // (doubles below 1e9 are < 2e-7 apart, so no decimal with fewer places maps to v)
    for (let k = 1, scale = 10; k <= 3; k++, scale *= 10) {
      const c = Math.round(v * scale);
      if (c / scale === v) return writeDigits(out, p, c, k, scale);
    }
  }
  return Number.isFinite(v) ? putAscii(out, p, String(v)) : put(out, p, NULL);
}

/**
 * Decimal text of the integer `c` (|c| < 1e12) with `k` places (`c` / `scale` = c / 10^k; `-0`
 * written as `0`, as JSON.stringify does; a negative value below one keeps its sign: `-0.5`).
 */
function writeDigits(out: Buffer, p: number, c: number, k: number, scale: number): number {
  if (p < 0) return -1;
  const neg = c < 0;
  if (neg) c = -c;
  let int = k === 0 ? c : Math.floor(c / scale);
  let e = p + 1;
  for (let t = int; t >= 10; t = Math.floor(t / 10)) e++;
  if (neg) e++;
  if (e + (k === 0 ? 0 : k + 1) > out.length) return -1;
  if (neg) out[p] = 0x2d;
  let q = e;
  do {
    out[--q] = 0x30 + (int % 10);
    int = Math.floor(int / 10);
  } while (int > 0);
  if (k === 0) return e;
  out[e++] = 0x2e; // .
  let frac = c - Math.floor(c / scale) * scale;
  for (let i = e + k - 1; i >= e; i--) {
    out[i] = 0x30 + (frac % 10);
    frac = Math.floor(frac / 10);
  }
  return e + k;
}

/**
 * Nesting below which CEE values are walked here; deeper ones go to JSON.stringify, and a value
 * there nested beyond what its recursion can go (a RangeError, at thousands of levels) is stored
 * as null (a crash on input otherwise: a 64 KiB syslog line can nest 30,000 levels).
 */
const MAX_DEPTH = 64;

/** True for what JSON.stringify leaves out of an object (and writes as null in an array). */
function isSkipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** `JSON.stringify(v)` of a JSON value (what JSON.parse makes); other values go to JSON.stringify itself. */
function writeValue(out: Buffer, p: number, v: unknown, depth: number): number {
  if (typeof v === 'string') return writeString(out, p, v);
  if (typeof v === 'number') return writeNumber(out, p, v);
  if (typeof v === 'boolean') return put(out, p, v ? TRUE : FALSE);
  if (v === null) return put(out, p, NULL);
  if (typeof v !== 'object' || depth >= MAX_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    let json: string | undefined;
    try {
      json = JSON.stringify(v) as string | undefined;
    } catch (e) {
      // nested deeper than JSON.stringify's recursion can go (thousands of levels): this part is null
      if (!(e instanceof RangeError)) throw e;
      json = undefined;
    }
    return json === undefined ? put(out, p, NULL) : putJsonText(out, p, json);
  }
  if (Array.isArray(v)) {
    p = put(out, p, LBRACKET);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) p = put(out, p, COMMA);
      const e: unknown = v[i];
      p = isSkipped(e) ? put(out, p, NULL) : writeValue(out, p, e, depth + 1);
    }
    return put(out, p, RBRACKET);
  }
  const o = v as Record<string, unknown>;
  let first = true;
  for (const k in o) {
    if (!hasOwn.call(o, k)) continue;
    const e = o[k];
    if (isSkipped(e)) continue;
    const at = p;
    p = put(out, p, keyInfo(k).frag); // `,"k":`
    if (first && p >= 0) out[at] = 0x7b; // the first key opens the object: `{"k":`
    first = false;
    p = writeValue(out, p, e, depth + 1);
  }
  return put(out, p, first ? EMPTY_OBJECT : RBRACE);
}

/** Where STRUCTURED-DATA JSON goes when `out` may be too short for its worst case. */
let sdScratch = Buffer.allocUnsafe(4096);

/** JSON of the SD bytes (record-sd.ts), or of its object form when it has integer-like names. */
function writeSd(out: Buffer, p: number, sd: StructuredDataBytes): number {
  if (p < 0) return -1;
  const bound = structuredDataJsonBound(sd.end - sd.start);
  if (p + bound <= out.length) {
    const e = writeStructuredDataJson(out, p, sd.buf, sd.start, sd.end);
    return e !== SD_INDEX_NAMES ? e : writeValue(out, p, structuredDataObject(sd.buf, sd.start, sd.end), 1);
  }
  if (sdScratch.length < bound) sdScratch = Buffer.allocUnsafe(bound);
  const n = writeStructuredDataJson(sdScratch, 0, sd.buf, sd.start, sd.end);
  if (n === SD_INDEX_NAMES) return writeValue(out, p, structuredDataObject(sd.buf, sd.start, sd.end), 1);
  if (p + n > out.length) return -1;
  sdScratch.copy(out, p, 0, n);
  return p + n;
}

// ---------------------------------------------------------------------------------------------
// ISO 8601 times

/** True when `new Date(ms)` is a valid date (TimeClip: |ms| ≤ 8.64e15; false for NaN). */
function isDateMs(ms: number): boolean {
  return Math.abs(ms) <= 8.64e15;
}

/**
 * Writes `<prefix>"` + `new Date(ms).toISOString()` without its closing quote (the next piece
 * closes it). Keeps `<prefix>"<date-time>.` of the last second as a Frag: frames of one socket
 * read share their receive time, and a sender's event times repeat within a second, so most
 * calls are one Frag and one word (3 digits of ms and `Z`).
 */
class IsoWriter {
  private sec = NaN;
  private head: Frag;

  /** @param prefix JSON text before the opening quote (e.g. `{"@timestamp":`) */
  constructor(private readonly prefix: string) {
    this.head = frag(prefix);
  }

  /** `ms`: epoch ms with {@link isDateMs} true (truncated toward zero, as Date does). */
  write(out: Buffer, p: number, ms: number): number {
    const t = Math.trunc(ms);
    const sec = Math.floor(t / 1000);
    if (sec !== this.sec) {
      const iso = new Date(sec * 1000).toISOString(); // …T12:34:56.000Z, ±YYYYYY years outside 0..9999
      this.head = frag(this.prefix + '"' + iso.slice(0, -4));
      this.sec = sec;
    }
    p = put(out, p, this.head);
    if (p < 0 || p + 4 > out.length) return -1;
    const m = t - sec * 1000;
    view.setInt32(p, (0x30 + Math.floor(m / 100)) | ((0x30 + (Math.floor(m / 10) % 10)) << 8) | ((0x30 + (m % 10)) << 16) | (0x5a << 24), true);
    return p + 4;
  }
}

/** `@timestamp` from the event time, from CEE, and from the receive time; `receivedAt`. */
const eventIso = new IsoWriter('{"@timestamp":');
const ceeIso = new IsoWriter('{"@timestamp":');
const stampReceivedIso = new IsoWriter('{"@timestamp":');
const receivedIso = new IsoWriter('","receivedAt":');

// ---------------------------------------------------------------------------------------------

/**
 * Writes the stored record of one accepted frame as one NDJSON line (ending in LF) into `out`
 * at byte offset `pos` (an integer in 0..out.length); see the module comment for the fields.
 * Synchronous; never writes outside `out[pos, returned offset)`.
 * @param parsed the frame's parse result (its STRUCTURED-DATA bytes must still be unchanged)
 * @param app tenant name from the registry
 * @param tokenSource how the app was found (`syslog.tokenSource`)
 * @param source the frame's FrameSource (`source` is its `record`; its JSON is cached on it, so
 *   `record` must not change afterwards)
 * @param receivedAtMs when the frame was read, epoch ms (`receivedAt`; `@timestamp` when the
 *   message has no valid time)
 * @param truncated the frame was cut at the size limit (`syslog.truncated: true`)
 * @param counters `ceeKeysDropped` is added to on success
 * @returns the offset after the LF, or -1 when `out` has not enough room after `pos` (bytes after
 *   pos are then garbage and `counters` is untouched; the caller retries with a bigger buffer,
 *   see {@link recordSizeHint})
 * @throws what JSON.stringify throws for a CEE value (only for values JSON.parse cannot make)
 */
export function writeRecord(out: Buffer, pos: number, parsed: RecordFields, app: string, tokenSource: TokenSource,
  source: FrameSource, receivedAtMs: number, truncated: boolean, counters: RecordCounters): number {
  if (out !== viewOf) {
    view = new DataView(out.buffer, out.byteOffset, out.length);
    viewOf = out;
  }
  const cee = parsed.cee;
  const receivedMs = isDateMs(receivedAtMs) ? receivedAtMs : 0;
  let message = parsed.message;
  let drops = 0;
  let p = 0;
  let stamped = false;
  if (cee !== null) {
    // a load first, the own-property check only when there is a value (JSON has no undefined)
    const stamp = cee['@timestamp'];
    if (stamp !== undefined && hasOwn.call(cee, '@timestamp')) {
      const t = typeof stamp === 'string' || typeof stamp === 'number' ? new Date(stamp).getTime() : NaN;
      if (Number.isFinite(t)) {
        p = ceeIso.write(out, pos, t);
        stamped = true;
      } else drops++;
    }
    message = null;
    const v = cee.message;
    if (v !== undefined && hasOwn.call(cee, 'message')) {
      message = typeof v === 'string' ? v : v === null ? null : (JSON.stringify(v) as string | undefined) ?? null;
    }
  }
  if (!stamped) {
    const ev = parsed.timestampMs;
    p = ev !== null && isDateMs(ev) ? eventIso.write(out, pos, ev) : stampReceivedIso.write(out, pos, receivedMs);
  }
  p = receivedIso.write(out, p, receivedMs);
  p = put(out, p, appFrag(app));
  const f = parsed.facility;
  const s = parsed.severity;
  if (f >= 0 && f <= 23 && s >= 0 && s <= 7 && (f | 0) === f && (s | 0) === s) p = put(out, p, PRI[(f << 3) | s]);
  else {
    p = put(out, p, K_FACILITY);
    p = writeNumber(out, p, f);
    p = put(out, p, K_SEVERITY);
    p = writeNumber(out, p, s);
    p = put(out, p, K_HOSTNAME);
  }
  p = writeField(out, p, parsed.hostname, K_APP_NAME, NULL_APP_NAME);
  p = writeField(out, p, parsed.appName, K_PROC_ID, NULL_PROC_ID);
  p = writeField(out, p, parsed.procId, K_MSG_ID, NULL_MSG_ID);
  p = writeField(out, p, parsed.msgId, K_SD, NULL_SD);
  const sd = parsed.structuredData;
  p = sd === null ? put(out, p, NULL_MESSAGE) : put(out, writeSd(out, p, sd), K_MESSAGE);
  p = message === null ? put(out, p, NULL) : writeString(out, p, message);
  const vendor = parsed.vendor;
  p = put(out, p, tailFrag(source, parsed.format, tokenSource, truncated, cee === null && vendor === null));
  if (vendor !== null) {
    p = put(out, p, keyInfo(vendor.key).frag);
    p = writeValue(out, p, vendor.fields, 1);
    if (cee === null) p = put(out, p, END);
  }
  if (cee !== null) {
    for (const k in cee) {
      if (!hasOwn.call(cee, k) || k === 'message' || k === '@timestamp') continue;
      const info = keyInfo(k);
      if (info.isProtected || (vendor !== null && k === vendor.key)) {
        drops++;
        continue;
      }
      const v = cee[k];
      if (isSkipped(v)) continue;
      p = put(out, p, info.frag);
      p = writeValue(out, p, v, 1);
    }
    p = put(out, p, END);
  }
  if (p < 0) return -1;
  counters.ceeKeysDropped += drops;
  return p;
}

/**
 * A size in bytes that is almost always enough for {@link writeRecord} of a frame of
 * `frameBytes` bytes (a good first guess; writeRecord checks anyway). Every byte of the frame
 * yields at most 6 bytes of JSON (`\u0001`); the rest covers the fixed part, the app name and the
 * `source` member unless those two together exceed ~600 bytes (a long TLS subject).
 */
export function recordSizeHint(frameBytes: number): number {
  return 6 * frameBytes + 1024;
}

/**
 * RFC 5424 §6.3 STRUCTURED-DATA bytes → the stored forms: the `{ sdId: { paramName: value } }`
 * object ({@link structuredDataObject}) and its JSON, written straight from the frame's bytes
 * ({@link writeStructuredDataJson}). Both read bytes that parse/structured-data.ts has already
 * checked against the grammar (`1*SD-ELEMENT`, see there); on other bytes they never throw nor
 * read outside `[start, end)`, but what they produce is unspecified.
 *
 * The rules, identical in both:
 * - PARAM-VALUE: `\"`, `\\` and `\]` are unescaped (§6.3.3); a backslash before any other byte
 *   stays, together with that byte. The rest is decoded as UTF-8 the way Buffer#toString does it
 *   (WHATWG: each maximal invalid subsequence becomes one U+FFFD).
 * - Duplicates (forbidden by §6.3.2 for SD-IDs): the FIRST occurrence wins, both for a repeated
 *   SD-ID (the later element is ignored) and for a repeated PARAM-NAME inside one element.
 * - `__proto__` as SD-ID or PARAM-NAME is an own property of the object, never its prototype,
 *   and appears in the JSON like any other name.
 * - Key order is the object's (JavaScript) order, which JSON.stringify follows: integer-like
 *   names (`0`, `17`, …, array indices) first in ascending order, then the others in order of
 *   appearance. The byte writer handles the common case (no integer-like name) and asks for the
 *   object form otherwise.
 *
 * Also home of the JSON byte helpers record-json.ts shares ({@link writeJsonControl},
 * {@link isPlainJsonWord}, {@link frameView}). Plain PARAM-VALUE runs are copied 4 bytes at a
 * time through DataViews (a byte store costs about as much as a 32-bit one here).
 */
import type { StructuredData } from './record.js';

/** The bytes of the SD grammar (RFC 5424 §6.3), shared with parse/structured-data.ts. */
export const SP = 0x20;
export const EQ = 0x3d;
export const QUOTE = 0x22;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const BACKSLASH = 0x5c;

interface Slices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const hasOwn = Object.prototype.hasOwnProperty;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Sets an own, enumerable property even for `__proto__` (plain assignment would set the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Offset of the first byte at or after `p` (before `end`) that ends an SD-NAME: SP, `=`, `]` or `"`. */
function nameEnd(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = buf[p];
    if (c === SP || c === EQ || c === RBRACKET || c === QUOTE) break;
    p++;
  }
  return p;
}

/**
 * The object form of the SD bytes `buf[start, end)` (byte offsets; 1*SD-ELEMENT, see above).
 * Used for the rare records whose SD has integer-like names, by parse/ for the RFC 3164
 * "every element has a parameter" rule, and by callers and tests that need the object.
 */
export function structuredDataObject(buf: Buffer, start: number, end: number): StructuredData {
  const b = buf as unknown as Slices;
  const sd: StructuredData = {};
  let p = start;
  while (p < end && buf[p] === LBRACKET) {
    p++;
    const idEnd = nameEnd(buf, p, end);
    const id = b.latin1Slice(p, idEnd);
    p = idEnd;
    const duplicate = hasOwn.call(sd, id);
    const params: Record<string, string> = {};
    while (p < end && buf[p] === SP) {
      const nameStart = p + 1;
      const nEnd = nameEnd(buf, nameStart, end);
      p = nEnd + 2; // `="`
      let value = '';
      let seg = p;
      while (p < end && buf[p] !== QUOTE) {
        if (buf[p] === BACKSLASH && p + 1 < end) {
          const n = buf[p + 1];
          if (n === QUOTE || n === BACKSLASH || n === RBRACKET) {
            value += b.utf8Slice(seg, p) + String.fromCharCode(n);
            p += 2;
            seg = p;
            continue;
          }
        }
        p++;
      }
      value += b.utf8Slice(seg, Math.min(p, end));
      p++; // closing quote
      if (!duplicate) {
        const name = b.latin1Slice(nameStart, Math.min(nEnd, end));
        if (!hasOwn.call(params, name)) setOwn(params, name, value);
      }
    }
    p++; // `]`
    if (!duplicate) setOwn(sd, id, params);
  }
  return sd;
}

/**
 * Names seen so far (byte ranges of one buffer): a linear scan while there are few, a Set of
 * their latin1 strings beyond {@link NameSet.LINEAR} (so a frame with thousands of names costs
 * O(n), not O(n²)). One instance per use, reset per SD / per element; parsing is synchronous.
 */
class NameSet {
  static readonly LINEAR = 16;
  private readonly starts = new Int32Array(NameSet.LINEAR);
  private readonly lens = new Int32Array(NameSet.LINEAR);
  private n = 0;
  private set: Set<string> | null = null;

  reset(): void {
    this.n = 0;
    this.set = null;
  }

  /** Adds `buf[s, s + len)`; false when it was already there. */
  add(buf: Buffer, s: number, len: number): boolean {
    const set = this.set;
    if (set !== null) {
      const k = (buf as unknown as Slices).latin1Slice(s, s + len);
      if (set.has(k)) return false;
      set.add(k);
      return true;
    }
    const n = this.n;
    for (let i = 0; i < n; i++) {
      if (this.lens[i] !== len) continue;
      const o = this.starts[i];
      let j = 0;
      while (j < len && buf[o + j] === buf[s + j]) j++;
      if (j === len) return false;
    }
    if (n === NameSet.LINEAR) {
      const all = new Set<string>();
      const b = buf as unknown as Slices;
      for (let i = 0; i < n; i++) all.add(b.latin1Slice(this.starts[i], this.starts[i] + this.lens[i]));
      all.add(b.latin1Slice(s, s + len));
      this.set = all;
      return true;
    }
    this.starts[n] = s;
    this.lens[n] = len;
    this.n = n + 1;
    return true;
  }
}

const ids = new NameSet();
const names = new NameSet();

/** True when `buf[s, s + len)` is an array index (`0`, or 1-9 then digits, ≤ 2^32 − 2): such keys come first in JS objects. */
function isIndexName(buf: Buffer, s: number, len: number): boolean {
  const c0 = buf[s];
  if (c0 < 0x30 || c0 > 0x39 || len > 10 || (c0 === 0x30 && len > 1)) return false;
  let v = 0;
  for (let i = s; i < s + len; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) return false;
    v = v * 10 + (c - 0x30);
  }
  return v <= 4294967294;
}

/**
 * Writes the JSON escape of a character below 0x20 (`\b \t \n \f \r`, else `\u00xx` in
 * lower-case hex, as JSON.stringify does) at `out[p]`; the caller ensures 6 bytes of room.
 * @returns the offset after it
 */
export function writeJsonControl(out: Buffer, p: number, c: number): number {
  out[p++] = BACKSLASH;
  switch (c) {
    case 0x08: out[p++] = 0x62; break;
    case 0x09: out[p++] = 0x74; break;
    case 0x0a: out[p++] = 0x6e; break;
    case 0x0c: out[p++] = 0x66; break;
    case 0x0d: out[p++] = 0x72; break;
    default:
      out[p++] = 0x75;
      out[p++] = 0x30;
      out[p++] = 0x30;
      out[p++] = c < 0x10 ? 0x30 : 0x31;
      out[p++] = HEX[c & 15];
  }
  return p;
}

/**
 * True when none of the 4 bytes of `x` (each below 0x80) needs JSON escaping: no byte below 0x20,
 * no `"`, no `\` (SWAR: some byte of x is below k iff (x − k·0x01010101) & ~x has a high bit
 * set, for k ≤ 0x80; a byte equals c iff x XOR c·0x01010101 has a zero byte).
 */
export function isPlainJsonWord(x: number): boolean {
  const q = x ^ 0x22222222;
  const b = x ^ 0x5c5c5c5c;
  return (((((x - 0x20202020) | 0) & ~x) | (((q - 0x01010101) | 0) & ~q) | (((b - 0x01010101) | 0) & ~b)) & 0x80808080) === 0;
}

/** DataViews of the last output buffer and of the last frame's memory (callers reuse both for many records). */
let outView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
let outViewOf: Buffer | null = null;
let inView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
let inViewOf: ArrayBufferLike | null = null;
let inViewBuf: Buffer | null = null;

/**
 * A DataView of the whole memory (`buf.buffer`) of a frame buffer: index it with
 * `buf.byteOffset + offset`. Cached for the last memory seen (the frames of one socket read).
 */
export function frameView(buf: Buffer): DataView<ArrayBufferLike> {
  if (buf !== inViewBuf) {
    const mem = buf.buffer; // a getter: only when the Buffer changes
    if (mem !== inViewOf) {
      inView = new DataView(mem);
      inViewOf = mem;
    }
    inViewBuf = buf;
  }
  return inView;
}

/** Worst case of {@link writeStructuredDataJson} for `n` SD bytes (a control byte becomes `\u00xx`). */
export function structuredDataJsonBound(n: number): number {
  return 6 * n + 2;
}

/** {@link writeStructuredDataJson}'s answer when the SD has an integer-like name. */
export const SD_INDEX_NAMES = -2;

/**
 * Writes the JSON of the SD bytes `buf[start, end)` into `out` at `pos`: exactly
 * `JSON.stringify(structuredDataObject(buf, start, end))` as UTF-8. The caller guarantees
 * {@link structuredDataJsonBound}`(end - start)` bytes of room after `pos`.
 * @returns the offset after the JSON, or {@link SD_INDEX_NAMES} when an SD-ID or PARAM-NAME that
 *   is kept is integer-like (the caller then serializes {@link structuredDataObject} instead;
 *   bytes after `pos` are garbage)
 */
export function writeStructuredDataJson(out: Buffer, pos: number, buf: Buffer, start: number, end: number): number {
  if (out !== outViewOf) {
    outView = new DataView(out.buffer, out.byteOffset, out.length);
    outViewOf = out;
  }
  const ov = outView;
  const iv = frameView(buf);
  const base = buf.byteOffset;
  let p = pos;
  let i = start;
  let firstElement = true;
  ids.reset();
  out[p++] = 0x7b; // {
  while (i < end && buf[i] === LBRACKET) {
    i++;
    // the SD-ID is written while it is scanned, and taken back when it is a duplicate
    const idStart = i;
    const elementAt = p;
    if (!firstElement) out[p++] = 0x2c; // ,
    p = copyName(out, p, buf, i, end);
    i = nameStop;
    const keep = ids.add(buf, idStart, i - idStart);
    if (keep) {
      if (isIndexName(buf, idStart, i - idStart)) return SD_INDEX_NAMES;
      firstElement = false;
      out[p++] = 0x3a; // :
      out[p++] = 0x7b; // {
      names.reset();
    } else p = elementAt;
    let firstParam = true;
    while (i < end && buf[i] === SP) {
      const nameStart = i + 1;
      const paramAt = p;
      let nEnd: number;
      if (keep) {
        if (!firstParam) out[p++] = 0x2c;
        p = copyName(out, p, buf, nameStart, end);
        nEnd = nameStop;
      } else nEnd = nameEnd(buf, nameStart, end);
      i = nEnd + 2; // `="`
      if (!keep || !names.add(buf, nameStart, nEnd - nameStart)) p = paramAt;
      else {
        if (isIndexName(buf, nameStart, nEnd - nameStart)) return SD_INDEX_NAMES;
        firstParam = false;
        out[p++] = 0x3a;
        out[p++] = QUOTE;
        // PARAM-VALUE: unescape §6.3.3, JSON-escape, decode UTF-8 (invalid → EF BF BD)
        while (i < end) {
          // 4 plain ASCII bytes at a time (one load, one test, one store), then one byte or sequence
          for (; i + 4 <= end; i += 4) {
            const x = iv.getInt32(base + i, true);
            if ((x & 0x80808080) !== 0 || !isPlainJsonWord(x)) break;
            ov.setInt32(p, x, true);
            p += 4;
          }
          if (i >= end) break;
          const c = buf[i];
          if (c === QUOTE) break;
          if (c < 0x80) {
            if (c === BACKSLASH) {
              const n = i + 1 < end ? buf[i + 1] : 0;
              if (n === QUOTE || n === BACKSLASH) { // \" → JSON \", \\ → JSON \\
                out[p++] = BACKSLASH;
                out[p++] = n;
                i += 2;
              } else if (n === RBRACKET) {
                out[p++] = RBRACKET;
                i += 2;
              } else { // a literal backslash
                out[p++] = BACKSLASH;
                out[p++] = BACKSLASH;
                i++;
              }
            } else if (c < 0x20) {
              p = writeJsonControl(out, p, c);
              i++;
            } else {
              out[p++] = c;
              i++;
            }
            continue;
          }
          // WHATWG UTF-8 decoder: lead byte, then continuation bytes in [lo, hi]
          let need = 0;
          let lo = 0x80;
          let hi = 0xbf;
          if (c >= 0xc2 && c <= 0xdf) need = 1;
          else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c === 0xe0) lo = 0xa0;
            else if (c === 0xed) hi = 0x9f;
          } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c === 0xf0) lo = 0x90;
            else if (c === 0xf4) hi = 0x8f;
          }
          let j = i + 1;
          let got = 0;
          while (got < need && j < end) {
            const d = buf[j];
            if (d < lo || d > hi) break;
            lo = 0x80;
            hi = 0xbf;
            j++;
            got++;
          }
          if (need > 0 && got === need) {
            while (i < j) out[p++] = buf[i++];
          } else {
            out[p++] = 0xef;
            out[p++] = 0xbf;
            out[p++] = 0xbd;
            i = need === 0 ? i + 1 : j;
          }
        }
        out[p++] = QUOTE;
      }
      if (p === paramAt) { // not written: skip the value
        while (i < end && buf[i] !== QUOTE) i += buf[i] === BACKSLASH && i + 1 < end && (buf[i + 1] === QUOTE || buf[i + 1] === BACKSLASH || buf[i + 1] === RBRACKET) ? 2 : 1;
      }
      i++; // closing quote
    }
    i++; // `]`
    if (keep) out[p++] = 0x7d; // }
  }
  out[p++] = 0x7d;
  return p;
}

/** Where {@link copyName} stopped (the byte after the name). */
let nameStop = 0;

/**
 * Writes the SD-NAME at `buf[i]` as a JSON string (PRINTUSASCII, so only `\` needs escaping)
 * at `out[p]`, up to SP, `=`, `]` or `"`; sets {@link nameStop}.
 * @returns the offset after the closing quote
 */
function copyName(out: Buffer, p: number, buf: Buffer, i: number, end: number): number {
  out[p++] = QUOTE;
  while (i < end) {
    const c = buf[i];
    if (c === SP || c === EQ || c === RBRACKET || c === QUOTE) break;
    if (c === BACKSLASH) out[p++] = BACKSLASH;
    out[p++] = c;
    i++;
  }
  out[p++] = QUOTE;
  nameStop = i;
  return p;
}

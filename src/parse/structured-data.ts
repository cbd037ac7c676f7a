import type { StructuredData } from '../record.js';

/**
 * RFC 5424 §6.3 STRUCTURED-DATA reader (the non-NILVALUE form: 1*SD-ELEMENT).
 *
 * ```
 * SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"
 * SD-PARAM   = PARAM-NAME "=" %d34 PARAM-VALUE %d34
 * SD-ID / PARAM-NAME = 1*32 PRINTUSASCII except "=", SP, "]", %d34
 * ```
 * PARAM-VALUE is UTF-8; `\"`, `\\` and `\]` are unescaped (§6.3.3); a backslash before any other
 * character is kept literally together with that character (§6.3.3). An unescaped `]` inside the
 * quotes is a syntax error (§6.3.3 says it MUST be escaped; go-syslog rejects it too).
 *
 * Duplicates (forbidden by §6.3.2 for SD-IDs): the FIRST occurrence wins, both for a repeated
 * SD-ID (the later element is checked for syntax, then ignored) and for a repeated PARAM-NAME
 * inside one element. Keys such as `__proto__` are stored as own properties, never as prototypes.
 */

/** Where {@link parseStructuredData} leaves its result. */
export interface SdResult {
  sd: StructuredData | null;
  /** Byte offset just past the last `]`. */
  end: number;
}

/** A fresh result object (parsers keep one and reuse it; parsing is synchronous). */
export function createSdResult(): SdResult {
  return { sd: null, end: 0 };
}

const SP = 0x20;
const EQ = 0x3d;
const QUOTE = 0x22;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const BACKSLASH = 0x5c;
const SD_NAME_MAX = 32;

const hasOwn = Object.prototype.hasOwnProperty;

/** Sets an own, enumerable property even for `__proto__` (plain assignment would set the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Length of the SD-NAME at `i` (0 when there is none or it is longer than 32 bytes). */
function sdNameLength(buf: Buffer, i: number, end: number): number {
  let p = i;
  while (p < end) {
    const c = buf[p];
    if (c <= SP || c >= 0x7f || c === EQ || c === RBRACKET || c === QUOTE) break;
    p++;
  }
  const n = p - i;
  return n > SD_NAME_MAX ? 0 : n;
}

/**
 * Reads one or more SD-ELEMENTs starting at `buf[start]` (which must be `[`), bytes up to `end`
 * (exclusive). Stops after the last `]` that is not followed by another `[`; the caller checks
 * that SP or the end of the frame follows.
 * @returns true and fills `out` (`sd` = `{ sdId: { paramName: value } }`, `end` = offset past the
 *   last `]`) when the grammar holds; false (out untouched) on any syntax error.
 */
export function parseStructuredData(buf: Buffer, start: number, end: number, out: SdResult): boolean {
  if (start >= end || buf[start] !== LBRACKET) return false;
  const sd: Record<string, Record<string, string>> = {};
  let p = start;
  while (p < end && buf[p] === LBRACKET) {
    p++;
    const idLen = sdNameLength(buf, p, end);
    if (idLen === 0) return false;
    const id = buf.toString('latin1', p, p + idLen);
    p += idLen;
    const duplicate = hasOwn.call(sd, id);
    const params: Record<string, string> = {};
    for (;;) {
      if (p >= end) return false;
      const c = buf[p];
      if (c === RBRACKET) {
        p++;
        break;
      }
      if (c !== SP) return false;
      p++;
      const nameLen = sdNameLength(buf, p, end);
      if (nameLen === 0) return false;
      const nameStart = p;
      p += nameLen;
      if (p + 1 >= end || buf[p] !== EQ || buf[p + 1] !== QUOTE) return false;
      p += 2;
      // PARAM-VALUE up to the closing unescaped quote
      const valueStart = p;
      let value: string | null = null; // built only when an escape occurs
      let segStart = p;
      for (;;) {
        if (p >= end) return false;
        const v = buf[p];
        if (v === QUOTE) break;
        if (v === RBRACKET) return false; // must be escaped (§6.3.3)
        if (v === BACKSLASH && p + 1 < end) {
          const n = buf[p + 1];
          if (n === QUOTE || n === BACKSLASH || n === RBRACKET) {
            value = (value ?? '') + buf.toString('utf8', segStart, p) + String.fromCharCode(n);
            p += 2;
            segStart = p;
            continue;
          }
        }
        p++;
      }
      if (!duplicate) {
        const name = buf.toString('latin1', nameStart, nameStart + nameLen);
        if (!hasOwn.call(params, name)) {
          const text = value === null ? buf.toString('utf8', valueStart, p) : value + buf.toString('utf8', segStart, p);
          setOwn(params, name, text);
        }
      }
      p++; // closing quote
    }
    if (!duplicate) setOwn(sd, id, params);
  }
  out.sd = sd;
  out.end = p;
  return true;
}

import type { StructuredData, StructuredDataBytes } from '../record.js';
import { BACKSLASH, EQ, LBRACKET, QUOTE, RBRACKET, SP, structuredDataObject } from '../record-sd.js';

/**
 * RFC 5424 §6.3 STRUCTURED-DATA reader (the non-NILVALUE form: 1*SD-ELEMENT).
 *
 * ```
 * SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"
 * SD-PARAM   = PARAM-NAME "=" %d34 PARAM-VALUE %d34
 * SD-ID / PARAM-NAME = 1*32 PRINTUSASCII except "=", SP, "]", %d34
 * ```
 * PARAM-VALUE is UTF-8; `\"`, `\\` and `\]` are escapes (§6.3.3); a backslash before any other
 * character is kept literally together with that character (§6.3.3). An unescaped `]` inside the
 * quotes is a syntax error (§6.3.3 says it MUST be escaped; go-syslog rejects it too).
 *
 * The parser only checks the grammar and keeps the byte range ({@link StructuredDataSpan}): the
 * record is written from those bytes (record-sd.ts), which is where unescaping, UTF-8 decoding
 * and the duplicate rules (first SD-ID and first PARAM-NAME win) are applied, the same way for
 * the JSON and for the object form ({@link StructuredDataSpan.toObject}).
 */

/** Where {@link scanStructuredData} leaves its result. */
export interface SdScan {
  /** Byte offset just past the last `]`. */
  end: number;
  /** True when some element has no SD-PARAM (`[x]`). */
  emptyElement: boolean;
  /** True when the first element has no SD-PARAM. */
  firstEmpty: boolean;
}

/** A fresh result object (parsers keep one and reuse it; parsing is synchronous). */
export function createSdScan(): SdScan {
  return { end: 0, emptyElement: false, firstEmpty: false };
}

/**
 * A message's STRUCTURED-DATA: the checked bytes `buf[start, end)` (byte offsets) of its frame.
 * Valid only while those bytes are unchanged (while the frame is handled); {@link toObject}
 * gives a copy that stays. JSON.stringify of a span is that of its object form.
 */
export class StructuredDataSpan implements StructuredDataBytes {
  constructor(readonly buf: Buffer, readonly start: number, readonly end: number) {}

  /** `{ sdId: { paramName: value } }`: values unescaped and decoded, first SD-ID / PARAM-NAME win, `__proto__` an own key. */
  toObject(): StructuredData {
    return structuredDataObject(this.buf, this.start, this.end);
  }

  toJSON(): StructuredData {
    return this.toObject();
  }
}

const SD_NAME_MAX = 32;

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
 * Checks one or more SD-ELEMENTs starting at `buf[start]` (which must be `[`), bytes up to `end`
 * (exclusive). Stops after the last `]` that is not followed by another `[`; the caller checks
 * that SP or the end of the frame follows.
 * @returns true and fills `out` (`end` = offset past the last `]`, and which elements have no
 *   parameter) when the grammar holds; false (out untouched) on any syntax error.
 */
export function scanStructuredData(buf: Buffer, start: number, end: number, out: SdScan): boolean {
  if (start >= end || buf[start] !== LBRACKET) return false;
  let p = start;
  let emptyElement = false;
  let firstEmpty = false;
  let first = true;
  while (p < end && buf[p] === LBRACKET) {
    p++;
    const idLen = sdNameLength(buf, p, end);
    if (idLen === 0) return false;
    p += idLen;
    let params = 0;
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
      p += nameLen;
      if (p + 1 >= end || buf[p] !== EQ || buf[p + 1] !== QUOTE) return false;
      p += 2;
      // PARAM-VALUE up to the closing unescaped quote
      for (;;) {
        if (p >= end) return false;
        const v = buf[p];
        if (v === QUOTE) break;
        if (v === RBRACKET) return false; // must be escaped (§6.3.3)
        if (v === BACKSLASH && p + 1 < end) {
          const n = buf[p + 1];
          if (n === QUOTE || n === BACKSLASH || n === RBRACKET) {
            p += 2;
            continue;
          }
        }
        p++;
      }
      p++; // closing quote
      params++;
    }
    if (params === 0) {
      emptyElement = true;
      if (first) firstEmpty = true;
    }
    first = false;
  }
  out.end = p;
  out.emptyElement = emptyElement;
  out.firstEmpty = firstEmpty;
  return true;
}

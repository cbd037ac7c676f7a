import parseJson from 'fast-json-parse';
import type { ParsedMessage } from './types.js';

/**
 * CEE / JSON payloads in MSG (DESIGN §4).
 *
 * - `@cee:` cookie (Lumberjack/CEE log syntax, as rsyslog's mmjsonparse reads it): MSG, after
 *   optional SP/TAB, starts with `@cee:`; the rest, after optional SP/TAB, must be ONE JSON object.
 * - Bare JSON (Sematext's syslog-ng template): MSG, trimmed of SP/TAB, starts with `{` and ends
 *   with `}`; the whole MSG must be one JSON object.
 *
 * JSON is parsed with `fast-json-parse` (JSON.parse in its own try/catch: never throws, also not
 * on absurd nesting). JSON.parse stores a `"__proto__"` key as an own data property and never
 * changes the object's prototype; the object is returned as is (consumers that merge it must not
 * use plain assignment/Object.assign for such keys).
 */

const SP = 0x20;
const TAB = 0x09;

function isBlank(c: number): boolean {
  return c === SP || c === TAB;
}

/** True when `buf[i..i+5)` is `@cee:`. */
function isCeeCookie(buf: Buffer, i: number, end: number): boolean {
  return i + 5 <= end && buf[i] === 0x40 && buf[i + 1] === 0x63 && buf[i + 2] === 0x65 && buf[i + 3] === 0x65 && buf[i + 4] === 0x3a;
}

/**
 * The parsed value when `text` is exactly one JSON object (not array, not null), else null.
 * Never throws. Also the HTTP intake's parser of documents and lines (through pipeline/intake.ts).
 */
export function parseObject(text: string): Record<string, unknown> | null {
  const r = parseJson(text);
  if (r.err !== null) return null;
  const v = r.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  return v as Record<string, unknown>;
}

/**
 * Sets `pm.cee` / `pm.ceeInvalid` for a MSG. `buf[start, end)` are the MSG bytes (leading BOM
 * already removed) and `text` is exactly those bytes decoded as UTF-8 (so for the leading ASCII
 * blanks and cookie, byte offsets equal string offsets). Leaves `pm` untouched when MSG is
 * neither `@cee:` nor bare-JSON-shaped.
 */
export function applyCee(pm: ParsedMessage, buf: Buffer, start: number, end: number, text: string): void {
  let i = start;
  while (i < end && isBlank(buf[i])) i++;
  if (i >= end) return;
  if (isCeeCookie(buf, i, end)) {
    let j = i + 5;
    while (j < end && isBlank(buf[j])) j++;
    const obj = j < end ? parseObject(text.slice(j - start)) : null;
    if (obj === null) pm.ceeInvalid = true;
    else pm.cee = obj;
    return;
  }
  if (buf[i] !== 0x7b) return; // {
  let k = end - 1;
  while (k > i && isBlank(buf[k])) k--;
  if (buf[k] !== 0x7d) return; // }
  const obj = parseObject(text);
  if (obj === null) pm.ceeInvalid = true;
  else pm.cee = obj;
}

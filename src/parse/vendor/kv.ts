/**
 * `key=value` pair reading shared by the vendor dialects that send their payload as space-separated
 * pairs (FortiGate today; see fortigate.ts). The grammar is the one syslog-ng's `kv-parser()`
 * reads with `value-separator('=')` and `pair-separator(' ')`, with the choices below.
 *
 * - Pairs are separated by one or more SP (TAB is also accepted).
 * - KEY = 1..{@link KV_KEY_MAX} characters out of `A-Z a-z 0-9 _ - .`; a word whose key part has
 *   other characters (or that has no `=`) is skipped whole (its value is consumed so that text
 *   inside it can never be read as a key).
 * - VALUE is either quoted, `"…"`, and then may hold SP and `=`; inside it `\"` and `\\` stand for
 *   `"` and `\` (other backslashes stay as they are); a missing closing quote runs the value to
 *   the end; text between the closing quote and the next SP is dropped. Or unquoted: everything up
 *   to the next SP (may be empty: `key=` gives `""`).
 * - Duplicate keys: the FIRST occurrence wins (syslog-ng's kv-parser keeps the last; first-wins
 *   keeps the header keys a device writes first, `date`, `time`, `devname`, `logid`, from being
 *   replaced by later pairs).
 * - `__proto__` is skipped, and the result object has no prototype: no key can reach
 *   Object.prototype or change the object's shape.
 * - At most {@link KV_MAX_PAIRS} pairs are kept; further ones are ignored.
 * - Every value is kept as a string (numbers too: `proto=6` gives `"6"`).
 */

/** Longest key {@link readKv} accepts, in characters. */
export const KV_KEY_MAX = 64;
/** Most pairs {@link readKv} keeps from one line. */
export const KV_MAX_PAIRS = 1024;
/** How far into the text {@link kvStartsAt} / {@link kvStartsAtBytes} look for the first `=`. */
const PROBE = 24;

const SP = 0x20;
const TAB = 0x09;
const EQ = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The first key's characters: lower-case letters, digits and `_` (FortiOS keys are all lower case). */
function isLowerKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** Key characters in general: letters, digits, `_`, `-`, `.`. */
function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e;
}

/**
 * Cheap shape test on bytes: `buf[start]` is a lower-case letter and a run of lower-case letters,
 * digits and `_` ends in `=` within the first {@link PROBE} bytes. No allocation; a plain syslog
 * header (`Mar  7 …`, `2024-…`) fails on its first byte.
 */
export function kvStartsAtBytes(buf: Buffer, start: number, end: number): boolean {
  if (start >= end) return false;
  const c0 = buf[start];
  if (c0 < 0x61 || c0 > 0x7a) return false;
  const stop = Math.min(end, start + PROBE);
  for (let i = start + 1; i < stop; i++) {
    const c = buf[i];
    if (c === EQ) return true;
    if (!isLowerKeyChar(c)) return false;
  }
  return false;
}

/** {@link kvStartsAtBytes} on a string (UTF-16 code units): `s[start]` onwards. */
export function kvStartsAt(s: string, start: number): boolean {
  const end = s.length;
  if (start >= end) return false;
  const c0 = s.charCodeAt(start);
  if (c0 < 0x61 || c0 > 0x7a) return false;
  const stop = Math.min(end, start + PROBE);
  for (let i = start + 1; i < stop; i++) {
    const c = s.charCodeAt(i);
    if (c === EQ) return true;
    if (!isLowerKeyChar(c)) return false;
  }
  return false;
}

/** A fresh prototype-less object for {@link readKv}. */
export function createKvObject(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/**
 * Reads the `key=value` pairs of `s[start, end)` (UTF-16 offsets) into `out` (made by
 * {@link createKvObject}; keys already in it are kept: first wins) by the rules in the module
 * comment. Never throws.
 * @returns how many pairs were added to `out`
 */
export function readKv(s: string, start: number, end: number, out: Record<string, string>): number {
  let n = 0;
  let i = start;
  while (i < end) {
    let c = s.charCodeAt(i);
    if (c === SP || c === TAB) {
      i++;
      continue;
    }
    // key: up to `=` or a separator
    const ks = i;
    let keyOk = true;
    while (i < end) {
      c = s.charCodeAt(i);
      if (c === EQ || c === SP || c === TAB) break;
      if (!isKeyChar(c)) keyOk = false;
      i++;
    }
    if (i >= end || c !== EQ) continue; // a word without `=`: skipped (i is at the separator or the end)
    const ke = i;
    i++; // past `=`
    let value: string;
    if (i < end && s.charCodeAt(i) === QUOTE) {
      i++;
      let seg = i;
      value = '';
      for (;;) {
        if (i >= end) {
          value += s.slice(seg, end);
          break;
        }
        c = s.charCodeAt(i);
        if (c === QUOTE) {
          value += s.slice(seg, i);
          i++;
          break;
        }
        if (c === BACKSLASH && i + 1 < end) {
          const d = s.charCodeAt(i + 1);
          if (d === QUOTE || d === BACKSLASH) {
            value += s.slice(seg, i);
            seg = i + 1; // the escaped character starts the next segment
            i += 2;
            continue;
          }
        }
        i++;
      }
      while (i < end) {
        c = s.charCodeAt(i);
        if (c === SP || c === TAB) break;
        i++; // text glued to the closing quote: dropped
      }
    } else {
      const vs = i;
      while (i < end) {
        c = s.charCodeAt(i);
        if (c === SP || c === TAB) break;
        i++;
      }
      value = s.slice(vs, i);
    }
    const kl = ke - ks;
    if (!keyOk || kl === 0 || kl > KV_KEY_MAX || n >= KV_MAX_PAIRS) continue;
    const key = s.slice(ks, ke);
    if (key === '__proto__' || out[key] !== undefined) continue;
    out[key] = value;
    n++;
  }
  return n;
}

import { FieldText } from './field-text.js';
import { setMessage } from './message.js';
import { createSdScan, scanStructuredData, StructuredDataSpan } from './structured-data.js';
import { createTimestampResult, parseBsdTimestamp, parseRfc3339 } from './timestamp.js';
import type { ParsedMessage } from './types.js';
import { createCiscoNumbers, readCiscoNumbers } from './vendor/cisco-header.js';

/**
 * RFC 3164 ("BSD syslog") reader with the variants real senders emit, and the headerless form
 * (no PRI at all). RFC 3164 §4.1: `<PRI>TIMESTAMP SP HOSTNAME SP TAG CONTENT`, where in practice
 * every part after the PRI may be missing or mangled. This reader never fails: whatever it cannot
 * place ends up in `message`.
 *
 * Rules (after the PRI):
 * 1. SPs after the PRI are skipped (`<38> Mar  7 ...`, NEC/rsyslog tests).
 * 2. Cisco IOS prefixes are skipped when a timestamp follows them (lines with a
 *    `%FAC-SEV-MNEMONIC:` never get here: vendor/cisco.ts reads them first): a message counter `643: `, a
 *    bare `: ` (counter disabled), a service sequence number `000104: `; an origin-id hostname
 *    `host: ` just before the timestamp becomes the hostname. Without a timestamp they stay.
 * 3. A `*` or `.` before the timestamp (Cisco: clock not / no longer NTP-synced) is skipped.
 * 4. TIMESTAMP: BSD form ({@link parseBsdTimestamp}: year inference, fraction, year, zone, `:`)
 *    or an ISO/RFC 3339 stamp ({@link parseRfc3339} lenient; RSYSLOG_ForwardFormat).
 * 5. After a timestamp, the first word is the TAG when it ends with `:` or contains `[`
 *    (no HOSTNAME: OpenBSD, haproxy, Cisco); otherwise it is the HOSTNAME when it is made of
 *    hostname characters (letters, digits, `.`, `-`, `_`, `:`; not ending with `:`), and the TAG
 *    may follow.
 * 6. TAG = 1..48 bytes other than SP, `:`, `[` (and `"`, `{`, `}`: JSON is not a TAG), then `:`
 *    or `[pid]:` (also `[pid]` + SP, no colon). appName = the name, procId = the pid. A word
 *    without `:`/`[pid]` is NOT a TAG (go-syslog, syslog-loose, rsyslog's
 *    `force.tagEndingByColon`): it stays in the message.
 *    After more than one SP behind the HOSTNAME, a TAG counts only when its `:` (or `]`) is
 *    followed by SP or end (`host  IP6[015]: x` is a TAG, rsyslog's `host  msgnum:1` is MSG).
 *    A lone `:` where the TAG would be is an empty TAG (`Oct 11 22:14:15 : msg`).
 * 7. MSG = the bytes after the TAG's `:` with exactly ONE following SP removed; without a TAG,
 *    after the HOSTNAME and exactly one SP (further SPs stay in MSG). If MSG then starts with
 *    RFC 5424 SD elements that each carry at least one parameter (rsyslog's
 *    `[origin software=...]`, syslog-loose), they become `structuredData` and MSG continues after
 *    them and one SP.
 * 8. Without a timestamp: `HOST SP TAG:` (hostname + TAG), else a TAG word, else MSG = the rest.
 */

/** Header strings reused while they repeat (HOSTNAME is ASCII-checked, latin1; the TAG's parts UTF-8). */
const HOSTNAME = new FieldText(false);
const APP_NAME = new FieldText(true);
const PROC_ID = new FieldText(true);

const SP = 0x20;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const QUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const TAG_MAX = 48;
const PID_MAX = 128;
const HOSTNAME_MAX = 255;

const ts = createTimestampResult();
const sdOut = createSdScan();
const ciscoNumbers = createCiscoNumbers();

/** Result of {@link tagAt}: byte offsets into the buffer. */
interface TagResult {
  nameEnd: number;
  /** -1 when the TAG has no `[pid]`. */
  pidStart: number;
  pidEnd: number;
  /** First byte of MSG (after `:` and one SP). */
  msgStart: number;
  /** True when the TAG ended with `:` (false for `name[pid]` followed by SP/end). */
  colon: boolean;
}

const tag: TagResult = { nameEnd: 0, pidStart: -1, pidEnd: -1, msgStart: 0, colon: false };

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Hostname characters for RFC 3164 lines: letters, digits, `.`, `-`, `_`, and `:` (IPv6). */
function isHostChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f || c === COLON;
}

/** Offset of the next SP at or after `i`, or `end`. */
function wordEnd(buf: Buffer, i: number, end: number): number {
  while (i < end && buf[i] !== SP) i++;
  return i;
}

/**
 * True when `buf[a, b)` is 1..255 hostname characters, at least one a letter or digit, not
 * ending with `:` (a word ending with `:` is a TAG or a Cisco counter, never a hostname).
 */
/** buf[a, b) has the 8-4-4-4-12 shape of a UUID (hex digits not checked: cheap and enough here). */
function isUuidShaped(buf: Buffer, a: number, b: number): boolean {
  return b - a === 36 && buf[a + 8] === 0x2d && buf[a + 13] === 0x2d && buf[a + 18] === 0x2d && buf[a + 23] === 0x2d;
}

/**
 * buf[a, b) can be a HOSTNAME. A UUID-shaped word never is: it is a Logentries token opening
 * the content (`TOKEN word: text`), which must reach MSG for the inline token rule.
 */
function isHostWord(buf: Buffer, a: number, b: number): boolean {
  if (b <= a || b - a > HOSTNAME_MAX || buf[b - 1] === COLON || isUuidShaped(buf, a, b)) return false;
  let alnum = false;
  for (let i = a; i < b; i++) {
    const c = buf[i];
    if (!isHostChar(c)) return false;
    if (c !== 0x2e && c !== 0x2d && c !== 0x5f && c !== COLON) alnum = true;
  }
  return alnum;
}

/**
 * An empty TAG: `:` at `p` followed by SP or end (syslog-loose: `Oct 11 22:14:15 : msg`).
 * Sets MSG to what follows the `:` and one SP. @returns false when there is none.
 */
function emptyTagAt(buf: Buffer, p: number, end: number, pm: ParsedMessage): boolean {
  if (p >= end || buf[p] !== COLON || (p + 1 < end && buf[p + 1] !== SP)) return false;
  setMessage(pm, buf, p + 2, end);
  return true;
}

/**
 * Reads a TAG at `i` into {@link tag}: `name:` or `name[pid]:` (and `name[pid]` followed by SP
 * or end unless `requireColon`). name = 1..48 bytes other than SP, `:`, `[`; pid = 0..128 bytes
 * other than SP and `]`. @returns false when there is no TAG at `i`.
 */
function tagAt(buf: Buffer, i: number, end: number, requireColon: boolean): boolean {
  let p = i;
  const limit = Math.min(end, i + TAG_MAX + 1);
  while (p < limit) {
    const c = buf[p];
    if (c === SP || c === COLON || c === LBRACKET) break;
    if (c === QUOTE || c === LBRACE || c === RBRACE) return false; // JSON, not a TAG
    if (c < 0x20 || c === 0x7f) return false; // a TAG is printable: TAB/control chars end the header
    p++;
  }
  if (p === i || p >= end) return false;
  const nameEnd = p;
  let pidStart = -1;
  let pidEnd = -1;
  let colon = true;
  if (p - i > TAG_MAX) return false;
  if (buf[p] === COLON) {
    p++;
  } else if (buf[p] === LBRACKET) {
    pidStart = p + 1;
    let q = pidStart;
    const pidLimit = Math.min(end, pidStart + PID_MAX + 1);
    while (q < pidLimit && buf[q] !== RBRACKET && buf[q] !== SP) q++;
    if (q >= end || buf[q] !== RBRACKET) return false;
    pidEnd = q;
    p = q + 1;
    if (p < end && buf[p] === COLON) p++;
    else if (requireColon || (p < end && buf[p] !== SP)) return false;
    else colon = false;
  } else {
    return false;
  }
  if (p < end && buf[p] === SP) p++;
  tag.nameEnd = nameEnd;
  tag.pidStart = pidStart;
  tag.pidEnd = pidEnd;
  tag.msgStart = p;
  tag.colon = colon;
  return true;
}

/** True when the word `buf[a, b)` should be read as a TAG (ends with `:` or contains `[`) and is one. */
function tagWordAt(buf: Buffer, a: number, b: number, end: number): boolean {
  let bracket = false;
  for (let i = a; i < b; i++) {
    if (buf[i] === LBRACKET) {
      bracket = true;
      break;
    }
  }
  if (!bracket && buf[b - 1] !== COLON) return false;
  return tagAt(buf, a, end, false);
}

/** Stores the TAG read by {@link tagAt} (whose name starts at `nameStart`) and the MSG after it. */
function applyTag(buf: Buffer, nameStart: number, end: number, pm: ParsedMessage): void {
  pm.appName = APP_NAME.of(buf, nameStart, tag.nameEnd);
  pm.procId = tag.pidStart >= 0 && tag.pidEnd > tag.pidStart ? PROC_ID.of(buf, tag.pidStart, tag.pidEnd) : null;
  let m = tag.msgStart;
  // RFC 5424-style SD elements right after the TAG (rsyslog's "[origin ...]" startup message)
  let s = m;
  while (s < end && buf[s] === SP) s++;
  if (s < end && buf[s] === LBRACKET && scanStructuredData(buf, s, end, sdOut) && (sdOut.end === end || buf[sdOut.end] === SP)) {
    const span = new StructuredDataSpan(buf, s, sdOut.end);
    // every element that counts (the first of its SD-ID) must have a parameter
    let allHaveParams = !sdOut.firstEmpty;
    if (allHaveParams && sdOut.emptyElement) {
      const sd = span.toObject();
      for (const id in sd) {
        let any = false;
        for (const _ in sd[id]) {
          any = true;
          break;
        }
        if (!any) {
          allHaveParams = false;
          break;
        }
      }
    }
    if (allHaveParams) {
      pm.structuredData = span;
      m = span.end < end ? span.end + 1 : end;
    }
  }
  setMessage(pm, buf, m, end);
}

/** Skips Cisco IOS prefixes at `p` (message counter, bare `: `, sequence number: cisco-header.ts). @returns the offset after them (or `p`). */
function skipCiscoCounters(buf: Buffer, p: number, end: number): number {
  readCiscoNumbers(buf, p, end, ciscoNumbers);
  return ciscoNumbers.end;
}

/** Reads a BSD or ISO timestamp at `p` (after an optional Cisco `*`/`.`) into {@link ts}. */
function timestampAt(buf: Buffer, p: number, end: number, nowMs: number): boolean {
  if (p < end && (buf[p] === 0x2a || buf[p] === 0x2e)) p++; // * or .
  if (parseBsdTimestamp(buf, p, end, nowMs, ts)) return true;
  if (p < end && isDigit(buf[p]) && parseRfc3339(buf, p, end, false, ts)) {
    if (ts.end < end && buf[ts.end] === COLON) ts.end++;
    return ts.end === end || buf[ts.end] === SP;
  }
  return false;
}

/**
 * Reads HOSTNAME/TAG/MSG from `p` (first byte after the timestamp and its SPs) per rules 5–7.
 * @param strictShape headerless lines: only `TAG:` or `HOST SP TAG:` shapes are accepted.
 * @returns false (pm untouched) when `strictShape` and the shape does not match.
 */
function afterTimestamp(buf: Buffer, p: number, end: number, pm: ParsedMessage, strictShape: boolean): boolean {
  if (p >= end) return !strictShape;
  if (!strictShape && emptyTagAt(buf, p, end, pm)) return true;
  const w1e = wordEnd(buf, p, end);
  if (tagWordAt(buf, p, w1e, end) && (!strictShape || tag.colon)) {
    applyTag(buf, p, end, pm);
    return true;
  }
  if (!isHostWord(buf, p, w1e)) {
    if (strictShape) return false;
    setMessage(pm, buf, p, end);
    return true;
  }
  if (strictShape) {
    if (w1e + 1 >= end || !tagAt(buf, w1e + 1, end, true)) return false;
    pm.hostname = HOSTNAME.of(buf, p, w1e);
    applyTag(buf, w1e + 1, end, pm);
    return true;
  }
  pm.hostname = HOSTNAME.of(buf, p, w1e);
  if (w1e >= end) return true;
  let q = w1e + 1;
  while (q < end && buf[q] === SP) q++;
  if (emptyTagAt(buf, q, end, pm)) return true;
  // after extra SPs, only a TAG whose `:` ends a word counts (rsyslog: `host  msgnum:1` is MSG)
  if (q < end && tagAt(buf, q, end, false) && (q === w1e + 1 || tag.msgStart === end || buf[tag.msgStart - 1] === SP)) {
    applyTag(buf, q, end, pm);
  } else {
    setMessage(pm, buf, w1e + 1, end);
  }
  return true;
}

/**
 * Parses the part of an RFC 3164 line after its PRI: `buf[start, end)` (byte offsets), with
 * `nowMs` (epoch ms) for year inference. Sets format 'rfc3164' and fills timestampMs (epoch ms
 * UTC, null when absent), hostname, appName, procId, structuredData, message (+cee) of `pm`;
 * facility/severity are the caller's. Never fails.
 */
export function parseRfc3164(buf: Buffer, start: number, end: number, nowMs: number, pm: ParsedMessage): void {
  pm.format = 'rfc3164';
  let p = start;
  while (p < end && buf[p] === SP) p++;
  const beforeCounters = p;
  p = skipCiscoCounters(buf, p, end);
  let hasTs = timestampAt(buf, p, end, nowMs);
  if (!hasTs) {
    // Cisco "logging origin-id hostname": `host: TIMESTAMP`
    const we = wordEnd(buf, p, end);
    if (we - p > 1 && buf[we - 1] === COLON && we + 1 < end && isHostWord(buf, p, we - 1) && timestampAt(buf, we + 1, end, nowMs)) {
      pm.hostname = HOSTNAME.of(buf, p, we - 1);
      hasTs = true;
    }
  }
  if (hasTs) {
    pm.timestampMs = ts.ms;
    p = ts.end;
    while (p < end && buf[p] === SP) p++;
    if (pm.hostname !== null) {
      // hostname already read (Cisco origin-id): only a TAG or MSG can follow
      if (p < end && tagAt(buf, p, end, false)) applyTag(buf, p, end, pm);
      else setMessage(pm, buf, p, end);
      return;
    }
    afterTimestamp(buf, p, end, pm, false);
    return;
  }
  // no timestamp: counters are not skipped (nothing proves they are Cisco counters), then
  // `HOST SP TAG:`, else a TAG word, else everything is MSG
  p = beforeCounters;
  if (p >= end) return;
  const w1e = wordEnd(buf, p, end);
  if (w1e + 1 < end && isHostWord(buf, p, w1e) && tagAt(buf, w1e + 1, end, true)) {
    pm.hostname = HOSTNAME.of(buf, p, w1e);
    applyTag(buf, w1e + 1, end, pm);
    return;
  }
  if (tagWordAt(buf, p, w1e, end)) {
    applyTag(buf, p, end, pm);
    return;
  }
  setMessage(pm, buf, p, end);
}

/**
 * Parses a line without PRI, `buf[start, end)` (byte offsets); `pm` keeps facility 1 / severity 5
 * (user.notice, RFC 3164 §4.3.3). Accepted shapes, format 'rfc3164':
 * - `TIMESTAMP SP [HOST SP] TAG ":" [SP] msg` (a full RFC 3164 line whose PRI was left out);
 * - `HOST SP TAG ":" [SP] msg` (Sematext's `echo 'my-host TOKEN:hello' | nc`): HOST = one word of
 *   hostname characters, TAG = 1..48 bytes other than SP/`:`/`[`, optionally `[pid]`, with the `:`
 *   right after TAG or `]`; MSG after the `:` with one SP removed.
 * Anything else: format 'raw', every header field null, message = the whole line.
 */
export function parseHeaderless(buf: Buffer, start: number, end: number, nowMs: number, pm: ParsedMessage): void {
  if (timestampAt(buf, start, end, nowMs)) {
    let p = ts.end;
    while (p < end && buf[p] === SP) p++;
    const ms = ts.ms;
    if (afterTimestamp(buf, p, end, pm, true)) {
      pm.format = 'rfc3164';
      pm.timestampMs = ms;
      return;
    }
  } else {
    const w1e = wordEnd(buf, start, end);
    if (w1e + 1 < end && isHostWord(buf, start, w1e) && tagAt(buf, w1e + 1, end, true)) {
      pm.format = 'rfc3164';
      pm.hostname = HOSTNAME.of(buf, start, w1e);
      applyTag(buf, w1e + 1, end, pm);
      return;
    }
  }
  pm.format = 'raw';
  setMessage(pm, buf, start, end);
}

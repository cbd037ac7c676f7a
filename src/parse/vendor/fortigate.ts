import { setMessage } from '../message.js';
import { daysInMonth, utcMs } from '../timestamp.js';
import type { ParsedMessage } from '../types.js';
import { createKvObject, kvStartsAt, kvStartsAtBytes, readKv } from './kv.js';

/**
 * FortiGate (FortiOS) logs (issue 14 §2): the payload is space-separated `key=value` pairs
 * (kv.ts), sent either right after the PRI with no syslog header
 * (`<189>date=2024-06-12 time=09:15:02 devname="fgt01" devid="FG100E…" logid="0000000013" …`,
 * what FortiOS sends in its default format) or after an RFC 3164 header added by FortiAnalyzer or
 * a relay (`<189>Jun 12 09:15:02 relay date=2024-06-12 …`; see {@link parseFortigateContent}).
 * The peer is syslog-ng's `fortigate-parser()` (scl/fortigate: syslog-parser without header,
 * kv-parser, date-parser on `date time`, HOST = `devname`); this reader differs where noted.
 *
 * What a FortiGate line becomes:
 * - `vendor = { key: 'fortigate', fields }`: every pair as sent (keys as FortiOS writes them,
 *   values always strings, first duplicate wins; kv.ts has the grammar).
 * - A line counts as FortiGate only with a non-empty `devname` AND one of `date`, `eventtime`,
 *   `logid` (syslog-ng asks only for `devname`; the second key keeps other kv senders out).
 * - `hostname` = `devname` when it is a usable host name (1..255 printable ASCII, no SP); a
 *   `devname` like `"FGT 1"` stays in the fields only and the header host (if any) is kept.
 * - `timestampMs`, first that is valid: `eventtime` (epoch; its digit count gives the unit:
 *   up to 10 s, 11–13 ms, 14–16 µs, 17–19 ns; FortiOS 6.2+ sends ns), then `date` + `time` with a
 *   `tz` offset (`+0200`, `-05:00`, `+02`, `Z`/`UTC`/`GMT`), then FortiOS 7's `timestamp` (epoch
 *   s), then `date` + `time` without `tz` read as UTC (the project's rule for zone-less stamps).
 *   Absolute instants come before local wall-clock ones; syslog-ng uses `date time` only.
 *   None valid: the header's timestamp (after a header), else null.
 * - `message` = the `msg` value when present and not empty, else the whole kv text.
 * - `format` stays `rfc3164` (what the line parsed as before this reader existed).
 * - A FortiGate line with neither PRI nor header is not read (it stays `raw`: the content hook
 *   runs only for lines that parsed as RFC 3164).
 */

/** Bytes a FortiGate line may carry in `devname` for it to become the hostname. */
const HOSTNAME_MAX = 255;
/** Epoch ms of 9999-12-31T23:59:59.999Z: later instants are not timestamps. */
const MAX_MS = 253402300799999;
/** Epoch ms of 0000-01-01T00:00:00Z: earlier instants are not timestamps. */
const MIN_MS = -62167219200000;

interface Utf8Slice { utf8Slice(start: number, end: number): string }

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `devname` as a hostname (printable ASCII, no SP, 1..255), else null. */
function hostnameOf(v: string | undefined): string | null {
  if (v === undefined || v.length === 0 || v.length > HOSTNAME_MAX) return null;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return null;
  }
  return v;
}

/**
 * Epoch ms from an epoch count whose unit its digit count tells: 1..10 digits seconds, 11..13
 * milliseconds, 14..16 microseconds, 17..19 nanoseconds (truncated to ms). Null otherwise or when
 * 0 or beyond year 9999. Exact: only the digits down to ms are read, so no float rounding of ns.
 */
export function epochMsOf(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = v.length;
  if (n === 0 || n > 19) return null;
  for (let i = 0; i < n; i++) if (!isDigit(v.charCodeAt(i))) return null;
  let keep: number; // digits to read
  let mul = 1;
  if (n <= 10) {
    keep = n;
    mul = 1000;
  } else if (n <= 13) keep = n;
  else if (n <= 16) keep = n - 3;
  else keep = n - 6;
  let x = 0;
  for (let i = 0; i < keep; i++) x = x * 10 + (v.charCodeAt(i) - 0x30);
  x *= mul;
  return x > 0 && x <= MAX_MS ? x : null;
}

function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `YYYY-MM-DD` + `HH:MM:SS` as epoch ms of that UTC wall-clock time, else null. */
function wallClockMs(date: string | undefined, time: string | undefined): number | null {
  if (date === undefined || time === undefined || date.length !== 10 || time.length !== 8) return null;
  const y1 = two(date, 0);
  const y2 = two(date, 2);
  const mo = two(date, 5);
  const d = two(date, 8);
  if (y1 < 0 || y2 < 0 || date.charCodeAt(4) !== 0x2d || date.charCodeAt(7) !== 0x2d) return null;
  const y = y1 * 100 + y2;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  const h = two(time, 0);
  const mi = two(time, 3);
  const sec = two(time, 6);
  if (time.charCodeAt(2) !== 0x3a || time.charCodeAt(5) !== 0x3a) return null;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return null;
  return utcMs(y, mo, d, h, mi, sec, 0);
}

/** `tz` as minutes east of UTC (`+0200`, `-0500`, `+02:00`, `+02`, `Z`, `UTC`, `GMT`), else NaN. */
export function tzOffsetMinutes(tz: string | undefined): number {
  if (tz === undefined) return NaN;
  if (tz === 'Z' || tz === 'UTC' || tz === 'GMT') return 0;
  const sign = tz.charCodeAt(0) === 0x2d ? -1 : tz.charCodeAt(0) === 0x2b ? 1 : 0;
  if (sign === 0) return NaN;
  const h = two(tz, 1);
  let m = 0;
  if (tz.length === 5) m = two(tz, 3);
  else if (tz.length === 6 && tz.charCodeAt(3) === 0x3a) m = two(tz, 4);
  else if (tz.length !== 3) return NaN;
  if (h < 0 || h > 23 || m < 0 || m > 59) return NaN;
  return sign * (h * 60 + m);
}

/** The event time of a FortiGate line's fields (precedence in the module comment), else null. */
export function fortigateTimeMs(f: Record<string, string>): number | null {
  const et = epochMsOf(f.eventtime);
  if (et !== null) return et;
  const wall = wallClockMs(f.date, f.time);
  const off = tzOffsetMinutes(f.tz);
  if (wall !== null && !Number.isNaN(off) && inRange(wall - off * 60000)) return wall - off * 60000;
  const ts = f.timestamp !== undefined && f.timestamp.length <= 10 ? epochMsOf(f.timestamp) : null;
  if (ts !== null) return ts;
  return wall;
}

/** Within years 0000..9999 (UTC). */
function inRange(ms: number): boolean {
  return ms >= MIN_MS && ms <= MAX_MS;
}

/** The fields of `s[start, end)` when it is a FortiGate kv line (see the module comment), else null. */
function readFortigate(s: string, start: number, end: number): Record<string, string> | null {
  const f = createKvObject();
  readKv(s, start, end, f);
  const dev = f.devname;
  if (dev === undefined || dev.length === 0) return null;
  if (f.date === undefined && f.eventtime === undefined && f.logid === undefined) return null;
  return f;
}

/**
 * FortiGate `key=value` lines with no syslog header (issue 14 §2), called right after a valid PRI
 * (facility/severity already set): `buf[start, end)` (byte offsets) is what follows the PRI.
 * A line whose first bytes are not `lowercasekey=` costs a byte test or two and no allocation.
 * Fills `pm` as the module comment says (format `rfc3164`, hostname, timestampMs, message,
 * `vendor.fortigate`).
 * @param start first byte after the PRI
 * @returns true when the line is a FortiGate line and `pm` was filled; false leaves `pm` untouched
 */
export function parseFortigate(buf: Buffer, start: number, end: number, pm: ParsedMessage): boolean {
  if (!kvStartsAtBytes(buf, start, end)) return false;
  const text = (buf as unknown as Utf8Slice).utf8Slice(start, end);
  const f = readFortigate(text, 0, text.length);
  if (f === null) return false;
  pm.format = 'rfc3164';
  pm.hostname = hostnameOf(f.devname);
  pm.timestampMs = fortigateTimeMs(f);
  const msg = f.msg;
  if (msg !== undefined && msg.length > 0) pm.message = msg;
  else setMessage(pm, buf, start, end);
  pm.vendor = { key: 'fortigate', fields: f };
  return true;
}

/**
 * FortiGate pairs after an RFC 3164 header (FortiAnalyzer, relays), from the content hook:
 * `pm.message` is the MSG text. When the RFC 3164 reader took a first pair that holds a `:` as a
 * TAG (`time=09:15:02 …` gives TAG `time=09` and MSG `15:02 …`), the pairs are read from
 * TAG + `:` + MSG. (That reader also drops one SP after the `:`, which cannot be told apart from
 * here: a bare first value ending in `:` — which FortiOS does not send — would lose that SP.)
 * On success sets `vendor.fortigate`, `hostname` = `devname` (when usable; the header's host
 * otherwise), `timestampMs` (when the pairs give one; the header's otherwise), `message` as
 * {@link parseFortigate} does, and clears a TAG that was part of the pairs.
 * @returns true when `pm` was changed
 */
export function parseFortigateContent(pm: ParsedMessage): boolean {
  const m = pm.message;
  if (m === null || pm.cee !== null) return false;
  let text = m;
  const tag = pm.appName;
  // a first pair `name=…:…` taken as a TAG (no pid): the pairs start in the TAG
  const fromTag = tag !== null && pm.procId === null && kvStartsAt(tag, 0);
  if (fromTag) text = tag + ':' + m;
  else if (!kvStartsAt(m, 0)) return false;
  const f = readFortigate(text, 0, text.length);
  if (f === null) return false;
  if (fromTag) pm.appName = null;
  const host = hostnameOf(f.devname);
  if (host !== null) pm.hostname = host;
  const t = fortigateTimeMs(f);
  if (t !== null) pm.timestampMs = t;
  const msg = f.msg;
  pm.message = msg !== undefined && msg.length > 0 ? msg : text;
  pm.vendor = { key: 'fortigate', fields: f };
  return true;
}

/**
 * Timestamp readers for syslog headers. All work on raw bytes, allocate nothing, never throw.
 * Results are epoch milliseconds UTC (sub-millisecond digits are truncated).
 *
 * - {@link parseRfc3339}: RFC 5424 §6.2.3 TIMESTAMP (strict) and the looser ISO 8601 forms seen in
 *   RFC 3164 lines (rsyslog's RSYSLOG_ForwardFormat, VMware ESXi, ...).
 * - {@link parseBsdTimestamp}: RFC 3164 §4.1.2 `Mmm dd hh:mm:ss` plus real-world variants (Cisco
 *   IOS/ASA fractions, years, zone names, trailing `:`).
 * - {@link parseYearFirstTimestamp}: Cisco NX-OS `yyyy Mmm dd hh:mm:ss[.fff][ ZONE]:`.
 *
 * A time without a zone is read as UTC (the receiver cannot know the sender's zone).
 */

/** Where a timestamp reader leaves its result. */
export interface TimestampResult {
  /** Epoch ms UTC; null when the text is a timestamp but names no real instant (e.g. Feb 29 in no nearby leap year). */
  ms: number | null;
  /** Byte offset just past the timestamp (past a trailing `:` for BSD stamps that carry one). */
  end: number;
}

/** A fresh result object; parsers keep one per module and reuse it (parsing is synchronous). */
export function createTimestampResult(): TimestampResult {
  return { ms: null, end: 0 };
}

const D0 = 0x30;
const SP = 0x20;
const COLON = 0x3a;
const DOT = 0x2e;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (any integer year; month 1..12). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Year (UTC) of an epoch-ms instant, without allocating a Date. */
export function utcYearOf(ms: number): number {
  const z = Math.floor(ms / MS_PER_DAY) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in month `m` (1..12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Epoch ms of a UTC wall-clock time (proleptic Gregorian, years 0..9999 handled exactly,
 * unlike `Date.UTC` which maps years 0..99 to 1900..1999). No range checks.
 */
export function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Two ASCII digits at `i` as a number, or -1. */
function two(buf: Buffer, i: number): number {
  const a = buf[i] - D0;
  const b = buf[i + 1] - D0;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Reads an RFC 3339 date-time at `buf[start]` (bytes up to `end`, exclusive).
 *
 * strict (RFC 5424 §6.2.3): `YYYY-MM-DD"T"hh:mm:ss[.1*6DIGIT]("Z"/("+"/"-")hh:mm)`, upper-case
 * `T`/`Z`, offset mandatory, no leap second (§6.2.3.1: seconds 00..59), every field range-checked.
 * lenient (ISO stamps inside RFC 3164 lines): also `t`/`z`, 1..9 fraction digits, offset optional
 * (zone-less = UTC), offset `+hhmm` or `+hh`, seconds 60 tolerated.
 * The caller checks what follows (`out.end` is the first byte after the stamp).
 * @returns true and fills `out` (ms = epoch ms UTC) when a stamp was read; false otherwise.
 */
export function parseRfc3339(buf: Buffer, start: number, end: number, strict: boolean, out: TimestampResult): boolean {
  if (end - start < 19) return false;
  const i = start;
  const y1 = two(buf, i);
  const y2 = two(buf, i + 2);
  if (y1 < 0 || y2 < 0 || buf[i + 4] !== 0x2d || buf[i + 7] !== 0x2d) return false;
  const year = y1 * 100 + y2;
  const month = two(buf, i + 5);
  const day = two(buf, i + 8);
  const t = buf[i + 10];
  if (!(t === 0x54 || (!strict && t === 0x74))) return false; // T / t
  const hour = two(buf, i + 11);
  const minute = two(buf, i + 14);
  const second = two(buf, i + 17);
  if (buf[i + 13] !== COLON || buf[i + 16] !== COLON) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > (strict ? 59 : 60)) return false;
  let p = i + 19;
  let ms = 0;
  if (p < end && buf[p] === DOT) {
    p++;
    let n = 0;
    while (p < end && isDigit(buf[p])) {
      if (n < 3) ms = ms * 10 + (buf[p] - D0);
      n++;
      p++;
    }
    if (n === 0 || n > (strict ? 6 : 9)) return false;
    if (n === 1) ms *= 100;
    else if (n === 2) ms *= 10;
  }
  let offsetMin = 0;
  if (p < end && (buf[p] === 0x5a || (!strict && buf[p] === 0x7a))) {
    p++; // Z / z
  } else if (p < end && (buf[p] === 0x2b || buf[p] === 0x2d)) {
    const sign = buf[p] === 0x2d ? -1 : 1;
    if (p + 3 > end) return false;
    const oh = two(buf, p + 1);
    if (oh < 0 || oh > 23) return false;
    let om = 0;
    if (p + 6 <= end && buf[p + 3] === COLON) {
      om = two(buf, p + 4);
      p += 6;
    } else if (strict) {
      return false;
    } else if (p + 5 <= end && isDigit(buf[p + 3])) {
      om = two(buf, p + 3);
      p += 5;
    } else {
      p += 3;
    }
    if (om < 0 || om > 59) return false;
    offsetMin = sign * (oh * 60 + om);
  } else if (strict) {
    return false;
  }
  out.ms = utcMs(year, month, day, hour, minute, second, ms) - offsetMin * 60_000;
  out.end = p;
  return true;
}

/** Month number (1..12) of a case-insensitive 3-letter English abbreviation at `i`, or 0. */
function monthAt(buf: Buffer, i: number): number {
  const a = buf[i] | 0x20;
  const b = buf[i + 1] | 0x20;
  const c = buf[i + 2] | 0x20;
  switch (a) {
    case 0x6a: // j
      if (b === 0x61 && c === 0x6e) return 1; // jan
      if (b === 0x75 && c === 0x6e) return 6; // jun
      if (b === 0x75 && c === 0x6c) return 7; // jul
      return 0;
    case 0x66: return b === 0x65 && c === 0x62 ? 2 : 0; // feb
    case 0x6d: // m
      if (b === 0x61 && c === 0x72) return 3; // mar
      if (b === 0x61 && c === 0x79) return 5; // may
      return 0;
    case 0x61: // a
      if (b === 0x70 && c === 0x72) return 4; // apr
      if (b === 0x75 && c === 0x67) return 8; // aug
      return 0;
    case 0x73: return b === 0x65 && c === 0x70 ? 9 : 0; // sep
    case 0x6f: return b === 0x63 && c === 0x74 ? 10 : 0; // oct
    case 0x6e: return b === 0x6f && c === 0x76 ? 11 : 0; // nov
    case 0x64: return b === 0x65 && c === 0x63 ? 12 : 0; // dec
    default: return 0;
  }
}

/** Offsets (minutes east of UTC) of the zone abbreviations network gear commonly prints. */
const ZONES: ReadonlyMap<string, number> = new Map([
  ['UTC', 0], ['GMT', 0], ['UT', 0], ['Z', 0],
  ['CET', 60], ['CEST', 120], ['MET', 60], ['MEST', 120], ['EET', 120], ['EEST', 180],
  ['WET', 0], ['WEST', 60], ['BST', 60], ['IST', 330], ['JST', 540], ['KST', 540],
  ['EST', -300], ['EDT', -240], ['CST', -360], ['CDT', -300],
  ['MST', -420], ['MDT', -360], ['PST', -480], ['PDT', -420],
  ['AKST', -540], ['AKDT', -480], ['HST', -600],
  ['AEST', 600], ['AEDT', 660], ['ACST', 570], ['AWST', 480],
]);

/** The day {@link dayAt} read last (1..31). */
let dayRead = 0;

/**
 * Reads the day of a BSD stamp at `p`: an optional extra SP (space-padded `Jun  1`), 1 or 2
 * digits (1..31), then SP. @returns the offset after that SP (the day in {@link dayRead}), or -1
 */
function dayAt(buf: Buffer, p: number, end: number): number {
  if (buf[p] === SP) p++;
  if (p >= end || !isDigit(buf[p])) return -1;
  let day = buf[p] - D0;
  p++;
  if (p < end && isDigit(buf[p])) {
    day = day * 10 + (buf[p] - D0);
    p++;
  }
  if (day < 1 || day > 31 || p >= end || buf[p] !== SP) return -1;
  dayRead = day;
  return p + 1;
}

/**
 * Reads an RFC 3164 §4.1.2 BSD timestamp at `buf[start]` with its real-world variants:
 * `Mmm dd hh:mm:ss` (month any case, day space- or zero-padded or single digit), an optional
 * year between day and time (`Mmm dd yyyy hh:mm:ss`, Cisco ASA / rsyslog), an optional fraction
 * (`.123`, `.123456`: Cisco IOS `service timestamps ... msec`), an optional zone abbreviation
 * from a fixed table (` UTC`, ` CET`, ` EST`...: its offset is applied; any other word is left for
 * the hostname/TAG) and an optional trailing `:` (Cisco). The stamp must be followed by SP or end.
 *
 * With `anyZone` (Cisco headers, where the word between the time and the `:` can only be the
 * `clock timezone` name, at most 7 characters on IOS), a zone word that is not in the table —
 * 1..7 letters, digits, `_`, `+`, `-`, starting with a letter, directly followed by `:`
 * (` NewYork:`) — is consumed too and the time read as UTC (rsyslog's pmciscoios skips such a
 * name too and reads the time in rsyslogd's local zone unless a `timezone()` object names it).
 *
 * Without a year, the year is the one among now's UTC year, year-1 and year+1 that puts the
 * instant nearest to `nowMs` (epoch ms). Without a zone the wall clock is read as UTC.
 * @returns true and fills `out` when a stamp was read (`out.ms` null if the date is impossible
 *   in every candidate year, e.g. Feb 30); false when the bytes are not a BSD timestamp.
 */
export function parseBsdTimestamp(buf: Buffer, start: number, end: number, nowMs: number, out: TimestampResult, anyZone = false): boolean {
  if (end - start < 14) return false;
  const month = monthAt(buf, start);
  if (month === 0 || buf[start + 3] !== SP) return false;
  let p = dayAt(buf, start + 4, end);
  if (p < 0) return false;
  const day = dayRead;
  // optional year
  let year = -1;
  if (p + 5 <= end && isDigit(buf[p]) && isDigit(buf[p + 1]) && isDigit(buf[p + 2]) && isDigit(buf[p + 3]) && buf[p + 4] === SP) {
    year = (buf[p] - D0) * 1000 + (buf[p + 1] - D0) * 100 + (buf[p + 2] - D0) * 10 + (buf[p + 3] - D0);
    p += 5;
  }
  return timeTail(buf, p, end, year, month, day, nowMs, anyZone, out);
}

/**
 * Reads the year-first stamp of Cisco NX-OS (`logging timestamp` on Nexus):
 * `yyyy Mmm dd hh:mm:ss[.fff][ ZONE][:]` (`2023 Jun 12 09:15:02 UTC:`), with the fraction, zone
 * and `:` rules of {@link parseBsdTimestamp} (`anyZone` as there). Followed by SP or end.
 * @returns true and fills `out` (ms = epoch ms UTC, null for an impossible date such as Feb 30).
 */
export function parseYearFirstTimestamp(buf: Buffer, start: number, end: number, out: TimestampResult, anyZone = false): boolean {
  if (end - start < 19) return false;
  if (!isDigit(buf[start]) || !isDigit(buf[start + 1]) || !isDigit(buf[start + 2]) || !isDigit(buf[start + 3]) || buf[start + 4] !== SP) return false;
  const year = (buf[start] - D0) * 1000 + (buf[start + 1] - D0) * 100 + (buf[start + 2] - D0) * 10 + (buf[start + 3] - D0);
  const month = monthAt(buf, start + 5);
  if (month === 0 || buf[start + 8] !== SP) return false;
  const p = dayAt(buf, start + 9, end);
  return p >= 0 && timeTail(buf, p, end, year, month, dayRead, 0, anyZone, out);
}

/** Longest zone name read with `anyZone` (IOS `clock timezone` names have at most 7 characters). */
const ZONE_NAME_MAX = 7;

/** True for the bytes of a zone word that is not in {@link ZONES} (`anyZone`): letters, digits, `_`, `+`, `-`. */
function isZoneChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2b || c === 0x2d;
}

/**
 * The part of a BSD stamp from `hh:mm:ss` at `p` on: fraction, zone, `:`, then SP or end;
 * `year` -1 = infer it from `nowMs`. Fills `out` and returns true, or returns false.
 */
function timeTail(buf: Buffer, p: number, end: number, year: number, month: number, day: number, nowMs: number, anyZone: boolean, out: TimestampResult): boolean {
  // hh:mm:ss
  if (p + 8 > end || buf[p + 2] !== COLON || buf[p + 5] !== COLON) return false;
  const hour = two(buf, p);
  const minute = two(buf, p + 3);
  const second = two(buf, p + 6);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return false;
  p += 8;
  let ms = 0;
  if (p < end && buf[p] === DOT) {
    let q = p + 1;
    let n = 0;
    let f = 0;
    while (q < end && isDigit(buf[q]) && n < 9) {
      if (n < 3) f = f * 10 + (buf[q] - D0);
      n++;
      q++;
    }
    if (n === 0) return false;
    ms = n === 1 ? f * 100 : n === 2 ? f * 10 : f;
    p = q;
  }
  // optional zone abbreviation
  let offsetMin = 0;
  if (p + 1 < end && buf[p] === SP) {
    let q = p + 1;
    while (q < end && q - p <= 5 && buf[q] >= 0x41 && buf[q] <= 0x5a) q++;
    const len = q - p - 1;
    let known: number | undefined;
    if (len >= 1 && len <= 4 && (q === end || buf[q] === SP || buf[q] === COLON)) {
      known = ZONES.get(buf.toString('latin1', p + 1, q));
      if (known !== undefined) {
        offsetMin = known;
        p = q;
      }
    }
    if (known === undefined && anyZone) {
      const c0 = buf[p + 1];
      if ((c0 >= 0x41 && c0 <= 0x5a) || (c0 >= 0x61 && c0 <= 0x7a)) {
        q = p + 2;
        while (q < end && q - p <= ZONE_NAME_MAX && isZoneChar(buf[q])) q++;
        if (q < end && buf[q] === COLON && q - p - 1 <= ZONE_NAME_MAX) p = q; // unknown zone name: read as UTC
      }
    }
  }
  if (p < end && buf[p] === COLON) p++;
  if (p < end && buf[p] !== SP) return false;
  out.end = p;
  out.ms = year >= 0 ? composeWithYear(year, month, day, hour, minute, second, ms, offsetMin) : nearestYear(month, day, hour, minute, second, ms, offsetMin, nowMs);
  return true;
}

function composeWithYear(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): number | null {
  if (d > daysInMonth(y, mo)) return null;
  return utcMs(y, mo, d, h, mi, s, ms) - offsetMin * 60_000;
}

/** {@link nearestYear}'s caches: the UTC year of the last `nowMs` day, and the candidate days of the last month/day. */
let yearOfDay = 0;
let yearDay = NaN;
let candidatesKey = -1;
/** Epoch ms of 00:00 UTC of `mo`/`d` in the years before, of and after `yearOfDay` (NaN: no such date, e.g. Feb 29). */
const candidates = [NaN, NaN, NaN];

/**
 * The time of `mo`/`d` `h:mi:s.ms` (UTC + `offsetMin`) in the year before, of or after `nowMs`'s,
 * whichever is nearest to `nowMs` (the year that is not in the line: RFC 3164 §4.1.2; the first
 * one on a tie), or null when that date exists in none of them. The day arithmetic is cached:
 * consecutive lines mostly share their receive day and their month and day.
 */
function nearestYear(mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number, nowMs: number): number | null {
  if (!Number.isFinite(nowMs)) nowMs = 0;
  const day = Math.floor(nowMs / MS_PER_DAY);
  if (day !== yearDay) {
    yearDay = day;
    yearOfDay = utcYearOf(nowMs);
    candidatesKey = -1;
  }
  const key = mo * 32 + d;
  if (key !== candidatesKey) {
    candidatesKey = key;
    for (let k = 0; k < 3; k++) {
      const y = yearOfDay + k - 1;
      candidates[k] = d > daysInMonth(y, mo) ? NaN : daysFromCivil(y, mo, d) * MS_PER_DAY;
    }
  }
  const timeOfDay = ((h * 60 + mi) * 60 + s) * 1000 + ms - offsetMin * 60_000;
  let best: number | null = null;
  let bestDist = Infinity;
  for (let k = 0; k < 3; k++) {
    const start = candidates[k];
    if (Number.isNaN(start)) continue;
    const t = start + timeOfDay;
    const dist = Math.abs(t - nowMs);
    if (dist < bestDist) {
      bestDist = dist;
      best = t;
    }
  }
  return best;
}

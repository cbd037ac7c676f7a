import { daysInMonth, utcMs } from '../timestamp.js';
import type { ParsedMessage } from '../types.js';
import {
  CONFIG_NO_DETAIL_ACTIONFLAGS,
  PANOS_CONFIG,
  PANOS_CONFIG_NO_DETAIL,
  PANOS_HEADER,
  PANOS_SYSTEM,
  PANOS_THREAT,
  PANOS_TRAFFIC,
  type PanosColumns,
} from './panos-columns.js';

/**
 * PAN-OS (Palo Alto Networks firewalls, Panorama) syslog in the default CSV format after an
 * RFC 3164 header (issue 14 §3):
 * `<14>Mar 10 12:00:00 PA-VM 1,2024/03/10 12:00:00,012345678901,TRAFFIC,end,2561,2024/03/10 12:00:00,10.0.0.1,…`.
 * The peer is syslog-ng's `panos-parser()` (scl/paloalto/panos.conf: csv-parser on the header
 * columns, then one per type); this reader differs where noted.
 *
 * - Recognised when MSG starts with 1–3 digits (the FUTURE_USE column, `1` in practice), `,`,
 *   a `YYYY/MM/DD HH:MM:SS` receive time and `,`, and the CSV has at least the 7 header columns
 *   with an upper-case Type (`TRAFFIC`, `HIP-MATCH`, …). Other MSGs cost a few char tests.
 * - CSV: fields separated by `,`; a field that starts with `"` is quoted (may hold `,`; `""` is a
 *   `"`); a missing closing quote runs to the end; text after a closing quote up to the next `,`
 *   is appended. At most {@link PANOS_MAX_FIELDS} fields are read.
 * - `vendor = { key: 'panos', fields }`: the columns named by panos-columns.ts for TRAFFIC,
 *   THREAT, SYSTEM and CONFIG (CONFIG's two shapes told apart by where Action Flags, `0x…`, sits);
 *   other types (HIP-MATCH, USERID, GLOBALPROTECT, …) get only the header columns
 *   (`receive_time`, `serial`, `type`, `subtype`, `time_generated`). FUTURE_USE columns, empty
 *   columns and columns past the table's end are not stored (syslog-ng stores empty ones and
 *   drops a line of an unknown type or without `device_name`; this reader keeps every line).
 *   Values are strings, as sent.
 * - `timestampMs`: `high_res_timestamp` (PAN-OS 10+, ISO 8601 with ms and offset), else
 *   `time_generated`, else `receive_time`, both zone-less and read as UTC (the project's rule);
 *   none valid: the header's timestamp stays.
 * - `hostname`: the header's; when it has none, `device_name` (if a usable host name).
 * - `message`: the CSV text, unchanged; appName/procId as the RFC 3164 reader left them (a PAN-OS
 *   MSG starts with `1,2024/…`, which that reader never takes as HOSTNAME or TAG).
 */

/** Most CSV fields read from one line (PAN-OS 11 TRAFFIC has ~120). */
export const PANOS_MAX_FIELDS = 256;
const HOSTNAME_MAX = 255;
/** Epoch ms of 0000-01-01T00:00:00Z and of 9999-12-31T23:59:59.999Z. */
const MIN_MS = -62167219200000;
const MAX_MS = 253402300799999;

const COMMA = 0x2c;
const QUOTE = 0x22;

/** Fields of the line being read (reused: one line at a time, synchronously). */
const fields: string[] = [];

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** Two ASCII digits at `s[i]` as a number, else -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `YYYY/MM/DD HH:MM:SS` at `s[i]` as epoch ms of that UTC wall-clock time, else -1 (no allocation). */
function panosTimeAt(s: string, i: number): number {
  if (s.length - i < 19) return -1;
  if (s.charCodeAt(i + 4) !== 0x2f || s.charCodeAt(i + 7) !== 0x2f || s.charCodeAt(i + 10) !== 0x20) return -1;
  if (s.charCodeAt(i + 13) !== 0x3a || s.charCodeAt(i + 16) !== 0x3a) return -1;
  const y1 = two(s, i);
  const y2 = two(s, i + 2);
  const mo = two(s, i + 5);
  const d = two(s, i + 8);
  const h = two(s, i + 11);
  const mi = two(s, i + 14);
  const sec = two(s, i + 17);
  if (y1 < 0 || y2 < 0 || h < 0 || mi < 0 || sec < 0) return -1;
  const y = y1 * 100 + y2;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 60) return -1;
  return utcMs(y, mo, d, h, mi, sec, 0);
}

/** A whole field that is exactly `YYYY/MM/DD HH:MM:SS`, as epoch ms (UTC), else -1. */
function panosTime(v: string | undefined): number {
  return v !== undefined && v.length === 19 ? panosTimeAt(v, 0) : -1;
}

/**
 * PAN-OS `high_res_timestamp`: `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` as epoch ms, else -1.
 * Without a zone it is read as UTC.
 */
export function panosHighResMs(v: string | undefined): number {
  if (v === undefined || v.length < 19 || v.length > 40) return -1;
  const y1 = two(v, 0);
  const y2 = two(v, 2);
  const mo = two(v, 5);
  const d = two(v, 8);
  const h = two(v, 11);
  const mi = two(v, 14);
  const sec = two(v, 17);
  if (y1 < 0 || y2 < 0 || v.charCodeAt(4) !== 0x2d || v.charCodeAt(7) !== 0x2d || v.charCodeAt(10) !== 0x54) return -1;
  if (v.charCodeAt(13) !== 0x3a || v.charCodeAt(16) !== 0x3a) return -1;
  const y = y1 * 100 + y2;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return -1;
  let p = 19;
  let ms = 0;
  if (p < v.length && v.charCodeAt(p) === 0x2e) {
    p++;
    let digits = 0;
    while (p < v.length && isDigitAt(v, p)) {
      if (digits < 3) ms = ms * 10 + (v.charCodeAt(p) - 0x30);
      digits++;
      p++;
    }
    if (digits === 0) return -1;
    for (let k = digits; k < 3; k++) ms *= 10;
  }
  let off = 0;
  if (p < v.length) {
    const c = v.charCodeAt(p);
    if (c === 0x5a && p + 1 === v.length) off = 0;
    else if ((c === 0x2b || c === 0x2d) && p + 6 === v.length && v.charCodeAt(p + 3) === 0x3a) {
      const oh = two(v, p + 1);
      const om = two(v, p + 4);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return -1;
      off = (c === 0x2d ? -1 : 1) * (oh * 60 + om);
    } else return -1;
  }
  const t = utcMs(y, mo, d, h, mi, sec, ms) - off * 60000;
  return t >= MIN_MS && t <= MAX_MS ? t : -1; // years 0000..9999 UTC
}

/** Cheap test: `s` starts with 1–3 digits, `,`, a PAN-OS receive time and `,`. No allocation. */
export function looksLikePanos(s: string): boolean {
  if (!isDigitAt(s, 0)) return false;
  let i = 1;
  while (i < 3 && isDigitAt(s, i)) i++;
  if (s.charCodeAt(i) !== COMMA) return false;
  return s.charCodeAt(i + 20) === COMMA && panosTimeAt(s, i + 1) >= 0;
}

/** Splits the CSV text `s` into {@link fields} (rules in the module comment). */
function splitCsv(s: string): void {
  fields.length = 0;
  const n = s.length;
  let i = 0;
  for (;;) {
    let v: string;
    if (i < n && s.charCodeAt(i) === QUOTE) {
      i++;
      let seg = i;
      v = '';
      for (;;) {
        const j = s.indexOf('"', i);
        if (j < 0) {
          v += s.slice(seg);
          i = n;
          break;
        }
        if (j + 1 < n && s.charCodeAt(j + 1) === QUOTE) {
          v += s.slice(seg, j + 1);
          i = seg = j + 2;
          continue;
        }
        v += s.slice(seg, j);
        i = j + 1;
        break;
      }
      let k = s.indexOf(',', i);
      if (k < 0) k = n;
      if (k > i) v += s.slice(i, k);
      i = k;
    } else {
      let k = s.indexOf(',', i);
      if (k < 0) k = n;
      v = s.slice(i, k);
      i = k;
    }
    fields.push(v);
    if (i >= n || fields.length >= PANOS_MAX_FIELDS) return;
    i++; // past `,`
  }
}

/** Upper-case letters, digits, `-`, `_`; 1..32 of them (PAN-OS log type names). */
function isTypeName(t: string): boolean {
  if (t.length === 0 || t.length > 32) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f)) return false;
  }
  return true;
}

/** The column table for the line in {@link fields}. */
function columnsFor(type: string): PanosColumns {
  switch (type) {
    case 'TRAFFIC':
      return PANOS_TRAFFIC;
    case 'THREAT':
      return PANOS_THREAT;
    case 'SYSTEM':
      return PANOS_SYSTEM;
    case 'CONFIG': {
      const af = fields[CONFIG_NO_DETAIL_ACTIONFLAGS];
      return af !== undefined && af.startsWith('0x') ? PANOS_CONFIG_NO_DETAIL : PANOS_CONFIG;
    }
    default:
      return PANOS_HEADER;
  }
}

function hostnameOf(v: string | undefined): string | null {
  if (v === undefined || v.length === 0 || v.length > HOSTNAME_MAX) return null;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return null;
  }
  return v;
}

/**
 * The PAN-OS CSV in `pm.message`, when it is one (see the module comment): sets `vendor.panos`,
 * `timestampMs` (when a column gives one) and `hostname` (when the header had none).
 * @returns true when `pm` was changed
 */
export function parsePanos(pm: ParsedMessage): boolean {
  const m = pm.message;
  if (m === null || !looksLikePanos(m)) return false;
  splitCsv(m);
  if (fields.length < PANOS_HEADER.length || !isTypeName(fields[3])) return false;
  const cols = columnsFor(fields[3]);
  const out = Object.create(null) as Record<string, string>;
  const n = Math.min(cols.length, fields.length);
  for (let i = 0; i < n; i++) {
    const name = cols[i];
    const v = fields[i];
    if (name !== null && v.length > 0) out[name] = v;
  }
  fields.length = 0;
  let t = panosHighResMs(out.high_res_timestamp);
  if (t < 0) t = panosTime(out.time_generated);
  if (t < 0) t = panosTime(out.receive_time);
  if (t >= 0) pm.timestampMs = t;
  if (pm.hostname === null) pm.hostname = hostnameOf(out.device_name);
  pm.vendor = { key: 'panos', fields: out };
  return true;
}

/**
 * Docker's `logentries` log driver, default form (issue 14 §4; moby daemon/logger/logentries):
 * after the token it writes Go's `fmt.Println(tag, ts, data)` of the message time and a
 * `map[string]string`, e.g.
 *
 * ```
 * 2024-05-01 10:00:00.123456789 +0000 UTC map[container_id:3f… container_name:web log:GET / 200 source:stdout]
 * ```
 * - the time is Go's `time.Time.String()`: `YYYY-MM-DD hh:mm:ss[.fraction] ±hhmm ZONE`, fraction
 *   of 1–9 digits with trailing zeros dropped (none when zero), optionally followed by a monotonic
 *   reading ` m=±s.fffffffff` (Docker sends UTC times without one);
 * - `fmt` prints a map's keys sorted, `key:value` separated by single spaces, values unquoted
 *   (they may hold spaces, `:` and `]`), so the known keys are what splits it: `container_id`
 *   and `container_name` (no spaces in either), then `log` up to the last ` source:stdout` or
 *   ` source:stderr` before the final `]`. Other keys (the driver's `env`/`labels` extras sort
 *   between them) are not kept.
 */
import { setMessage } from '../message.js';
import type { ParsedMessage } from '../types.js';

const SP = 0x20;

function digits(buf: Buffer, p: number, n: number): number {
  let v = 0;
  for (let i = p; i < p + n; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Matches the ASCII text `s` at `buf[p]`. */
function at(buf: Buffer, p: number, end: number, s: string): boolean {
  if (p + s.length > end) return false;
  for (let i = 0; i < s.length; i++) if (buf[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Offset of the last `needle` in `buf[from, to)`, or -1. */
function lastAt(buf: Buffer, from: number, to: number, needle: string): number {
  for (let p = to - needle.length; p >= from; p--) if (at(buf, p, to, needle)) return p;
  return -1;
}

/** Offset of the first `needle` in `buf[from, to)`, or -1. */
function firstAt(buf: Buffer, from: number, to: number, needle: string): number {
  for (let p = from; p + needle.length <= to; p++) if (buf[p] === needle.charCodeAt(0) && at(buf, p, to, needle)) return p;
  return -1;
}

/**
 * Reads Go's `time.Time.String()` at `buf[p]` (see the module comment).
 * @returns the offset after it (and after a monotonic reading), or -1; the instant in `out.ms`
 */
function goTime(buf: Buffer, p: number, end: number, out: { ms: number }): number {
  if (p + 25 > end || buf[p + 4] !== 0x2d || buf[p + 7] !== 0x2d || buf[p + 10] !== SP || buf[p + 13] !== 0x3a || buf[p + 16] !== 0x3a) return -1;
  const Y = digits(buf, p, 4), M = digits(buf, p + 5, 2), D = digits(buf, p + 8, 2);
  const h = digits(buf, p + 11, 2), m = digits(buf, p + 14, 2), s = digits(buf, p + 17, 2);
  if (Y < 0 || M < 1 || M > 12 || D < 1 || D > 31 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) return -1;
  let q = p + 19;
  let ms = 0;
  if (buf[q] === 0x2e) {
    let n = 0;
    let scale = 100;
    for (q++; q < end && buf[q] >= 0x30 && buf[q] <= 0x39; q++, n++) {
      ms += (buf[q] - 0x30) * scale;
      scale /= 10;
    }
    if (n === 0 || n > 9) return -1;
    ms = Math.floor(ms);
  }
  if (buf[q] !== SP || (buf[q + 1] !== 0x2b && buf[q + 1] !== 0x2d)) return -1;
  const oh = digits(buf, q + 2, 2), om = digits(buf, q + 4, 2);
  if (oh < 0 || oh > 23 || om < 0 || om > 59 || buf[q + 6] !== SP) return -1;
  const offset = (buf[q + 1] === 0x2d ? -1 : 1) * (oh * 60 + om) * 60_000;
  q += 7;
  // the zone abbreviation (UTC, CEST, +03 …): printable, no space
  const z = q;
  while (q < end && buf[q] > SP && buf[q] < 0x7f) q++;
  if (q === z || q >= end || buf[q] !== SP) return -1;
  if (at(buf, q, end, ' m=')) {
    q += 3;
    while (q < end && buf[q] !== SP) q++;
  }
  const t = Date.UTC(Y, M - 1, D, h, m, s, ms) - offset;
  if (!Number.isFinite(t)) return -1;
  out.ms = t;
  return q;
}

const time = { ms: 0 };

/**
 * Parses the default form at `buf[start, end)` (the bytes after the token and its spaces) into
 * `pm`: `message` = the `log` value (via setMessage: a JSON log line becomes CEE as usual),
 * `timestampMs` from the Go time, `vendor` = `docker: { container_id, container_name, source }`,
 * format 'raw', no hostname. Never throws.
 * @returns false (pm untouched) when the bytes are not that form
 */
export function parseDockerLogentries(buf: Buffer, start: number, end: number, pm: ParsedMessage): boolean {
  const q = goTime(buf, start, end, time);
  if (q < 0 || !at(buf, q, end, ' map[') || buf[end - 1] !== 0x5d) return false;
  const body = q + 5;
  const close = end - 1;
  if (!at(buf, body, close, 'container_id:')) return false;
  const idEnd = firstAt(buf, body, close, ' container_name:');
  if (idEnd < 0) return false;
  const nameStart = idEnd + ' container_name:'.length;
  let nameEnd = nameStart;
  while (nameEnd < close && buf[nameEnd] !== SP) nameEnd++;
  const logKey = firstAt(buf, nameEnd, close, ' log:');
  if (logKey < 0) return false;
  const logStart = logKey + ' log:'.length;
  let srcKey = lastAt(buf, logStart, close, ' source:stdout');
  const errKey = lastAt(buf, logStart, close, ' source:stderr');
  if (errKey > srcKey) srcKey = errKey;
  if (srcKey < 0) return false;
  const srcStart = srcKey + ' source:'.length;
  pm.format = 'raw';
  pm.timestampMs = time.ms;
  setMessage(pm, buf, logStart, srcKey);
  pm.vendor = {
    key: 'docker',
    fields: {
      container_id: buf.toString('utf8', body + 'container_id:'.length, idEnd),
      container_name: buf.toString('utf8', nameStart, nameEnd),
      source: buf.toString('latin1', srcStart, srcStart + 6),
    },
  };
  return true;
}

/**
 * The time index of one day file, built by reading the file once and extended as it grows:
 * for each minute of the day (by `receivedAt`), how many lines, where the first of them starts
 * and where the last of them ends (byte offsets). It answers a histogram without a query from
 * counts alone and bounds every scan to the bytes of the minutes asked for.
 *
 * A line's time is its `receivedAt`, clamped into the file's day (the store's layout puts every
 * line in the file of its receipt day, so the clamp only matters for a foreign or broken line;
 * one that has no readable `receivedAt` counts at the day's first instant). Every reader of the
 * web API uses {@link lineTimeMs}, so counts, pages and scans agree line for line, even when
 * receipt times are not in file order: a minute's first/end offsets cover all of its lines.
 */
import { fstatSync, readSync } from 'node:fs';
import { DAY_MS } from '../../store/layout.js';

/** Minutes in a UTC day. */
export const DAY_MINUTES = 1440;

const KEY = '"receivedAt":"';
const MINUTE_MS = 60_000;

/** The per-minute index of one day file. */
export class DayIndex {
  /** Lines per minute of the day. */
  readonly counts = new Uint32Array(DAY_MINUTES);
  /** Byte offset where the minute's first line (in file order) starts; -1 when it has none. */
  readonly first = new Float64Array(DAY_MINUTES).fill(-1);
  /** Byte offset just past the LF of the minute's last line (in file order); -1 when it has none. */
  readonly end = new Float64Array(DAY_MINUTES).fill(-1);
  /** Bytes of the file indexed so far (always at a line boundary). */
  covered = 0;
  /** Lines indexed so far. */
  total = 0;
  /** Time of the last line indexed (file order), epoch ms; NaN when none. */
  lastMs = NaN;
  /** The file's inode when it was indexed (a replaced file is indexed anew). */
  ino = -1;
  readonly dayStartMs: number;
  private readonly ymd: [number, number, number];

  /** @param day `YYYY-MM-DD` of the file */
  constructor(readonly day: string) {
    this.dayStartMs = Date.parse(`${day}T00:00:00.000Z`);
    this.ymd = [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
  }

  /**
   * The time of the line `s[start, end)` (a byte string, `end` at its LF), see the module doc.
   * Fast path: our writer's `"receivedAt":"YYYY-MM-DDTHH:MM:SS.mmmZ"` read digit by digit;
   * anything else goes through Date.parse.
   * @returns epoch ms within [dayStartMs, dayStartMs + 1 day)
   */
  lineTimeMs(s: string, start: number, end: number): number {
    const k = s.indexOf(KEY, start);
    if (k === -1 || k + KEY.length + 24 >= end) return this.dayStartMs;
    const p = k + KEY.length;
    const [y, mo, d] = this.ymd;
    let t: number;
    if (num(s, p, 4) === y && num(s, p + 5, 2) === mo && num(s, p + 8, 2) === d && s.charCodeAt(p + 10) === 84 && s.charCodeAt(p + 23) === 90) {
      const h = num(s, p + 11, 2), mi = num(s, p + 14, 2), sec = num(s, p + 17, 2), ms = num(s, p + 20, 3);
      t = h < 0 || mi < 0 || sec < 0 || ms < 0 ? NaN : this.dayStartMs + h * 3_600_000 + mi * MINUTE_MS + sec * 1000 + ms;
    } else {
      const q = s.indexOf('"', p);
      t = q === -1 || q > end ? NaN : Date.parse(s.slice(p, q));
    }
    if (Number.isNaN(t) || t < this.dayStartMs) return this.dayStartMs;
    return t >= this.dayStartMs + DAY_MS ? this.dayStartMs + DAY_MS - 1 : t;
  }

  /** The minute of the day (0–1439) of an instant of this day. */
  minuteOf(ms: number): number {
    return Math.floor((ms - this.dayStartMs) / MINUTE_MS);
  }

  /**
   * Reads what was appended to the file since the last call (complete lines only) into the index.
   * @param fd the open day file
   * @param buf a scratch buffer (grown when a line is longer; the caller keeps the returned one)
   * @param check called once per block read (cancellation)
   * @returns the buffer to keep using
   * @throws the `read(2)` error
   */
  extend(fd: number, buf: Buffer, check: () => void): Buffer {
    const size = fstatSync(fd).size;
    while (this.covered < size) {
      check();
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - this.covered), this.covered);
      if (n <= 0) break;
      const s = buf.toString('latin1', 0, n);
      const lastLf = s.lastIndexOf('\n');
      if (lastLf === -1) {
        if (n < buf.length) break; // an unfinished line at the end: not a line yet
        buf = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        continue;
      }
      let ls = 0;
      while (ls <= lastLf) {
        const le = s.indexOf('\n', ls);
        if (le > ls) this.add(s, ls, le, this.covered);
        ls = le + 1;
      }
      this.covered += lastLf + 1;
    }
    return buf;
  }

  private add(s: string, start: number, end: number, base: number): void {
    const t = this.lineTimeMs(s, start, end);
    const m = this.minuteOf(t);
    if (this.counts[m]++ === 0) this.first[m] = base + start;
    this.end[m] = base + end + 1;
    this.total++;
    this.lastMs = t;
  }

  /**
   * The byte range holding every line whose time is in [fromMs, toMs), or null when none does.
   * Lines of other times inside the range are possible (receipt times out of file order): callers
   * check each line's time.
   */
  range(fromMs: number, toMs: number): { lo: number; hi: number } | null {
    const m0 = Math.max(0, this.minuteOf(fromMs));
    const m1 = Math.min(DAY_MINUTES - 1, this.minuteOf(toMs - 1));
    let lo = Infinity, hi = -1;
    for (let m = m0; m <= m1; m++) {
      if (this.counts[m] === 0) continue;
      if (this.first[m] < lo) lo = this.first[m];
      if (this.end[m] > hi) hi = this.end[m];
    }
    return hi < 0 ? null : { lo, hi };
  }
}

/** The decimal number of `len` ASCII digits at `s[p]`, or -1 when one is not a digit. */
function num(s: string, p: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(p + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

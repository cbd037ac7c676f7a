/**
 * The web API's reads of the file store (`<storeDir>/<app>/<YYYY-MM-DD>.ndjson`): pages of
 * events newest first, histograms, the context of one event and per-app summaries. It runs in
 * the search thread (search/worker.ts), so its synchronous reads never hold up the receiver's
 * event loop.
 *
 * How it is fast: each day file has a {@link DayIndex} (per-minute counts and byte ranges) built
 * on first use and extended as the file grows; a histogram without a query adds up counts; a
 * query's scan reads only the byte range of the minutes asked for, in big blocks, and its
 * prefilter (a regex over the raw bytes, see query/match.ts) finds the candidate lines, so only
 * those are looked at field by field ({@link RawLineView}).
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { LRUCache } from 'lru-cache';
import { DAY_MS, dayFilePath, dayNumber, dayString } from '../../store/layout.js';
import { listDays } from '../../store/reader.js';
import { compileQuery, type CompiledQuery } from '../query/index.js';
import { DayIndex, DAY_MINUTES } from './day-index.js';
import { eventId, parseEventId, withId } from './ids.js';
import { RawLineView } from './line-view.js';

/** A time range of `receivedAt`, epoch ms: [fromMs, toMs). */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** `/events`: a page newest first. */
export interface EventsRequest extends TimeRange {
  app: string;
  q: string;
  /** 1–1000. */
  limit: number;
  /** The cursor (`next` of the page before): only events stored before it; null = from the newest. */
  before: string | null;
  /** true: the lines exactly as stored (export); false: with `"_id"` added. */
  raw: boolean;
}

/** A page: each line is the stored JSON object with `"_id"` added (unless `raw`); `next` is null after the last page. */
export interface EventsResult {
  lines: string[];
  next: string | null;
}

/** `/histogram`: counts per bucket of `intervalMs` (a divisor of a day, ≥ 1 min), UTC-aligned. */
export interface HistogramRequest extends TimeRange {
  app: string;
  q: string;
  intervalMs: number;
}

/** `counts[i]` is the bucket starting at `firstBucketMs + i * intervalMs`. */
export interface HistogramResult {
  firstBucketMs: number;
  counts: number[];
  total: number;
}

/** `/events/:id/context`. */
export interface ContextRequest {
  app: string;
  id: string;
  before: number;
  after: number;
}

/** The events around one, in stored order; `lines[index]` is the event asked for. */
export interface ContextResult {
  lines: string[];
  index: number;
}

/** `/apps`: one app's figures from its day files. */
export interface AppSummary {
  name: string;
  /** Lines in today's (UTC) day file. */
  eventsToday: number;
  /** Bytes of those lines. */
  bytesToday: number;
  /** `receivedAt` of the app's last stored line, epoch ms; null when it has none. */
  lastEventAtMs: number | null;
}

/** Thrown by a search that was cancelled (its client went away). */
export class SearchCancelled extends Error {
  override readonly name = 'SearchCancelled';
}

const MINUTE_MS = 60_000;
const LF = '\n';

/** Visits one line `s[ls, le)` (`le` at its LF); `base` is the file offset of `s[0]`. Returns true to stop. */
type Visit = (s: string, ls: number, le: number, base: number) => boolean;

/** One open day file and its index. */
interface OpenDay {
  fd: number;
  day: string;
  idx: DayIndex;
}

export class StoreSearcher {
  private buf: Buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  private readonly view = new RawLineView();
  private readonly indexes = new LRUCache<string, DayIndex>({ max: 4096 });
  private readonly candStart: number[] = [];
  private readonly candEnd: number[] = [];

  /**
   * @param storeDir the store root (`storage.dir`)
   * @param cancelled polled once per block read: true stops the running search with {@link SearchCancelled}
   */
  constructor(private readonly storeDir: string, private readonly cancelled: () => boolean = () => false) {}

  /**
   * Events newest first (reverse file order, newest day first) whose `receivedAt` is in range
   * and that match `q`.
   * @throws QuerySyntaxError, SearchCancelled, a read error other than a missing file
   */
  events(req: EventsRequest): EventsResult {
    const q = compileQuery(req.q);
    const before = req.before === null ? null : parseEventId(req.before);
    const out: string[] = [];
    let last = 0;
    for (const day of this.days(req.app, req).reverse()) {
      if (before !== null && day > before.day) continue;
      const full = this.withDay(req.app, day, (d) => {
        const r = d.idx.range(req.fromMs, req.toMs);
        if (r === null) return false;
        const hi = before !== null && day === before.day ? Math.min(r.hi, before.offset) : r.hi;
        return this.scan(d.fd, r.lo, hi, false, q, (s, ls, le, base) => {
          if (!this.selected(d.idx, q, req, s, ls, le)) return false;
          last = base + ls;
          out.push(req.raw ? this.view.text() : withId(this.view.text(), eventId(day, last)));
          return out.length >= req.limit;
        });
      });
      if (full) return { lines: out, next: eventId(day, last) };
    }
    return { lines: out, next: null };
  }

  /**
   * Counts per bucket. Without a query, from the minute counts (the minutes cut by `from` or
   * `to` are counted line by line); with one, by scanning the range.
   * @throws QuerySyntaxError, SearchCancelled, a read error other than a missing file
   */
  histogram(req: HistogramRequest): HistogramResult {
    const q = compileQuery(req.q);
    const I = req.intervalMs;
    const firstBucketMs = Math.floor(req.fromMs / I) * I;
    const counts = new Array<number>(Math.max(0, Math.ceil((req.toMs - firstBucketMs) / I))).fill(0);
    let total = 0;
    const add = (t: number): void => { counts[Math.floor((t - firstBucketMs) / I)]++; total++; };
    for (const day of this.days(req.app, req)) {
      this.withDay(req.app, day, (d) => {
        const { idx } = d;
        if (!q.matchAll) {
          const r = idx.range(req.fromMs, req.toMs);
          if (r !== null) this.scan(d.fd, r.lo, r.hi, true, q, (s, ls, le) => { if (this.selected(idx, q, req, s, ls, le)) add(idx.lineTimeMs(s, ls, le)); return false; });
          return false;
        }
        const m0 = Math.max(0, idx.minuteOf(req.fromMs));
        const m1 = Math.min(DAY_MINUTES - 1, idx.minuteOf(req.toMs - 1));
        for (let m = m0; m <= m1; m++) {
          if (idx.counts[m] === 0) continue;
          const start = idx.dayStartMs + m * MINUTE_MS;
          if (start >= req.fromMs && start + MINUTE_MS <= req.toMs) {
            counts[Math.floor((start - firstBucketMs) / I)] += idx.counts[m];
            total += idx.counts[m];
            continue;
          }
          // a minute cut by the range: its lines one by one (only this minute's, the range may hold others)
          this.scan(d.fd, idx.first[m], idx.end[m], true, q, (s, ls, le) => {
            const t = idx.lineTimeMs(s, ls, le);
            if (idx.minuteOf(t) === m && t >= req.fromMs && t < req.toMs) add(t);
            return false;
          });
        }
        return false;
      });
    }
    return { firstBucketMs, counts, total };
  }

  /**
   * The event `id` with up to `before` events stored before it and `after` after it, across day
   * files. Query and time range do not apply: context is what was stored around it.
   * @returns null when `id` is not the start of a stored line of `app`
   */
  context(req: ContextRequest): ContextResult | null {
    const place = parseEventId(req.id);
    if (place === null) return null;
    const days = this.days(req.app, null);
    const at = days.indexOf(place.day);
    if (at === -1) return null;
    const all = compileQuery('');
    const back: string[] = [];
    const fwd: string[] = [];
    let anchor: string | null = null;
    this.withDay(req.app, place.day, (d) => {
      if (place.offset >= d.idx.covered) return false;
      this.scan(d.fd, place.offset, d.idx.covered, true, all, (s, ls, le, base) => {
        if (base + ls === place.offset) anchor = withId(this.view.reset(this.buf, s, 0, ls, le).text(), req.id);
        return true;
      });
      return false;
    });
    if (anchor === null) return null;
    // the anchor must start a line: the byte before it is an LF
    if (place.offset > 0 && !this.withDay(req.app, place.day, (d) => readByte(d.fd, place.offset - 1) === 0x0a)) return null;
    const collect = (list: string[], n: number, forward: boolean): void => {
      for (let i = at; i >= 0 && i < days.length && list.length < n; i += forward ? 1 : -1) {
        const day = days[i];
        this.withDay(req.app, day, (d) => {
          const lo = forward ? (i === at ? place.offset : 0) : 0;
          const hi = forward ? d.idx.covered : i === at ? place.offset : d.idx.covered;
          return this.scan(d.fd, lo, hi, forward, all, (s, ls, le, base) => {
            if (forward && i === at && base + ls === place.offset) return false; // the anchor itself
            list.push(withId(this.view.reset(this.buf, s, 0, ls, le).text(), eventId(day, base + ls)));
            return list.length >= n;
          });
        });
      }
    };
    if (req.before > 0) collect(back, req.before, false);
    if (req.after > 0) collect(fwd, req.after, true);
    return { lines: [...back.reverse(), anchor, ...fwd], index: back.length };
  }

  /** Today's figures and the last event's time of each app (see {@link AppSummary}). */
  summary(apps: readonly string[], nowMs: number): AppSummary[] {
    const today = dayString(dayNumber(nowMs));
    return apps.map((name) => {
      const days = this.days(name, null);
      const s: AppSummary = { name, eventsToday: 0, bytesToday: 0, lastEventAtMs: null };
      for (let i = days.length - 1; i >= 0 && s.lastEventAtMs === null; i--) {
        this.withDay(name, days[i], ({ idx }) => {
          if (days[i] === today) { s.eventsToday = idx.total; s.bytesToday = idx.covered; }
          if (idx.total > 0) s.lastEventAtMs = idx.lastMs;
          return false;
        });
      }
      return s;
    });
  }

  /**
   * Builds (or extends) the index of one day file (`YYYY-MM-DD`) ahead of the first request
   * that needs it: one read of the file. @returns false when the file does not exist
   */
  warm(app: string, day: string): boolean {
    return this.withDay(app, day, () => true);
  }

  /** The app's day names (`YYYY-MM-DD`), oldest first, overlapping `range` when given. */
  private days(app: string, range: TimeRange | null): string[] {
    let files: string[];
    try {
      files = listDays(this.storeDir, app);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const days = files.map((f) => f.slice(-17, -7));
    if (range === null) return days;
    return days.filter((d) => {
      const start = Date.parse(`${d}T00:00:00.000Z`);
      return start < range.toMs && start + DAY_MS > range.fromMs;
    });
  }

  /** Opens the day file, brings its index up to date, runs `fn`; a file gone meanwhile (retention) gives false. */
  private withDay(app: string, day: string, fn: (d: OpenDay) => boolean): boolean {
    const path = dayFilePath(this.storeDir, app, day);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    try {
      const ino = fstatSync(fd).ino;
      let idx = this.indexes.get(path);
      if (idx === undefined || idx.ino !== ino || fstatSync(fd).size < idx.covered) {
        idx = new DayIndex(day);
        idx.ino = ino;
        this.indexes.set(path, idx);
      }
      this.buf = idx.extend(fd, this.buf, () => this.check());
      return fn({ fd, day, idx });
    } finally {
      closeSync(fd);
    }
  }

  /** Whether the line is in the request's time range and matches its query; points the view at it. */
  private selected(idx: DayIndex, q: CompiledQuery, range: TimeRange, s: string, ls: number, le: number): boolean {
    const t = idx.lineTimeMs(s, ls, le);
    if (t < range.fromMs || t >= range.toMs) return false;
    this.view.reset(this.buf, s, 0, ls, le);
    return q.matchAll || q.match(this.view);
  }

  private check(): void {
    if (this.cancelled()) throw new SearchCancelled('search cancelled');
  }

  /**
   * Visits the complete lines in the byte range [lo, hi) of `fd` (both at line boundaries), in
   * file order or backwards, reading {@link buf}-sized blocks; with a prefilter only the lines
   * it finds.
   * @returns true when `visit` stopped the scan
   */
  private scan(fd: number, lo: number, hi: number, forward: boolean, q: CompiledQuery, visit: Visit): boolean {
    let pos = forward ? lo : hi;
    while (forward ? pos < hi : pos > lo) {
      this.check();
      const len = Math.min(this.buf.length, forward ? hi - pos : pos - lo);
      const start = forward ? pos : pos - len;
      const n = readSync(fd, this.buf, 0, len, start);
      if (n < len) return false; // the file shrank under us (cut torn tail): nothing more to read
      const s = this.buf.toString('latin1', 0, n);
      // the part of the block made of whole lines: [a, b)
      let a = 0, b = n;
      if (forward && start + n < hi) b = s.lastIndexOf(LF) + 1;
      if (!forward && start > lo) a = s.indexOf(LF) + 1;
      if ((forward && b === 0) || (!forward && start > lo && (a === 0 || a === n))) {
        this.buf = Buffer.allocUnsafe(this.buf.length * 2); // a line longer than the block
        continue;
      }
      if (this.lines(s, a, b, start, forward, q.prefilter, visit)) return true;
      pos = forward ? start + b : start + a;
    }
    return false;
  }

  /** {@link scan} within one block: the lines of `s[a, b)` (b just past an LF). */
  private lines(s: string, a: number, b: number, base: number, forward: boolean, prefilter: RegExp | null, visit: Visit): boolean {
    if (prefilter === null) {
      if (forward) {
        for (let ls = a; ls < b;) {
          const le = s.indexOf(LF, ls);
          if (le > ls && visit(s, ls, le, base)) return true;
          ls = le + 1;
        }
      } else {
        for (let le = b - 1; le >= a;) {
          const ls = le === a ? a : s.lastIndexOf(LF, le - 1) + 1;
          const from = ls < a ? a : ls;
          if (le > from && visit(s, from, le, base)) return true;
          le = from - 1;
        }
      }
      return false;
    }
    const starts = this.candStart, ends = this.candEnd;
    starts.length = 0;
    ends.length = 0;
    prefilter.lastIndex = a;
    for (let m = prefilter.exec(s); m !== null && m.index < b; m = prefilter.exec(s)) {
      const ls = Math.max(a, s.lastIndexOf(LF, m.index) + 1);
      const le = s.indexOf(LF, m.index);
      starts.push(ls);
      ends.push(le);
      prefilter.lastIndex = le + 1;
    }
    if (forward) {
      for (let i = 0; i < starts.length; i++) if (visit(s, starts[i], ends[i], base)) return true;
    } else {
      for (let i = starts.length - 1; i >= 0; i--) if (visit(s, starts[i], ends[i], base)) return true;
    }
    return false;
  }
}

function readByte(fd: number, at: number): number {
  const b = Buffer.alloc(1);
  return readSync(fd, b, 0, 1, at) === 1 ? b[0] : -1;
}

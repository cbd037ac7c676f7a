/**
 * Reads the embedded file store (DESIGN §7, README "The stored record"):
 * `<storeDir>/<app>/<YYYY-MM-DD>.ndjson`, one JSON record per LF-terminated line, one file per
 * UTC day of **receipt** (`receivedAt`).
 *
 * Nothing here loads a whole file: forward reads go through one fixed-size buffer
 * ({@link BLOCK_BYTES}), `tail -n` reads the newest files backwards block by block until it has
 * its lines, and `follow` reads only what was appended since its last look.
 *
 * A line is emitted only once its LF is on disk. The bytes after a file's last LF are a batch
 * still being written (or a torn line a crash left, which the receiver cuts on its next start),
 * so they are never emitted as a line. Empty lines are skipped (the writer never writes one).
 */
import { readdirSync, watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SyslogRecord } from '../record.js';
import { appDir, DAY_MS, dayFileStartMs, parseDayFileName } from './layout.js';

/** Size of the one read buffer each reader uses, bytes. */
export const BLOCK_BYTES = 64 * 1024;

const LF = 0x0a;

/** One stored line as read back. */
export interface StoredLine {
  /** The parsed record, or null when the line is not a JSON object. */
  record: SyslogRecord | null;
  /** The line exactly as stored, without its LF. */
  raw: string;
  /** Absolute path of the day file the line came from. */
  file: string;
}

/**
 * Optional I/O counters, for tests and diagnostics: pass one object and every read made by the
 * call adds to it.
 */
export interface ReadStats {
  /** Bytes returned by `read(2)` calls, summed. */
  bytesRead: number;
  /** Number of `read(2)` calls. */
  reads: number;
}

/** Which record time `readRecords` filters on. */
export type TimeField = '@timestamp' | 'receivedAt';

/** Options of {@link readRecords}. */
export interface ReadOptions {
  /** Keep lines whose time is ≥ this instant (inclusive). */
  since?: Date;
  /** Keep lines whose time is < this instant (exclusive). */
  until?: Date;
  /**
   * Time the filter compares (default `@timestamp`, the event time). `@timestamp` comes from the
   * sender and may be off, so day files are skipped by name with one day of slack on each side;
   * `receivedAt` matches the file days exactly and needs none.
   */
  timeField?: TimeField;
  /**
   * Cheap pre-filter on the raw line, run before JSON parsing: return false to drop the line.
   * It must never drop a line the caller wants (e.g. a substring test that cannot miss).
   */
  rawFilter?: (raw: string) => boolean;
  /** Called before each day file is read: its path, its 1-based index and how many will be read. */
  onFile?: (file: string, index: number, total: number) => void;
  stats?: ReadStats;
}

/**
 * The day files of one app, oldest first.
 * @param storeDir the store root (`storage.dir`, absolute)
 * @param app the app's name (one path segment)
 * @returns absolute paths of the `YYYY-MM-DD.ndjson` files in `<storeDir>/<app>/`, sorted by day;
 *   other names in the directory are ignored
 * @throws the `readdir` error (`ENOENT` when the app has no directory, `EACCES`, `ENOTDIR` …)
 */
export function listDays(storeDir: string, app: string): string[] {
  const dir = appDir(storeDir, app);
  return readdirSync(dir)
    .filter((f) => parseDayFileName(f) !== null)
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The UTC day a day file holds, from its name.
 * @returns epoch ms of that day's 00:00 UTC, or NaN when the name is not `YYYY-MM-DD.ndjson`
 */
export function dayStartMs(file: string): number {
  return dayFileStartMs(basename(file));
}

/**
 * Streams the stored lines of one app, oldest day file first and in file order (receipt order)
 * within a file, optionally limited to a time range.
 *
 * Time filter: a line's time is its `timeField` (default `@timestamp`, the event time — what an
 * operator asking for "the last hour" means), falling back to `receivedAt` when that is not a
 * valid date. Day files are skipped by their name without being opened; for `@timestamp`, a file
 * is kept when its receipt day lies within [since − 1 day, until + 1 day], so an event stamped up
 * to a day away from its receipt is still found (clocks further off are missed by design). A line
 * with no usable time (not JSON, or neither time valid) is kept when its file's day overlaps
 * [since, until). Output is in receipt order, not sorted by `@timestamp`.
 *
 * @param storeDir the store root (`storage.dir`, absolute)
 * @param app the app's name
 * @throws the `readdir`/`open`/`read` error (see {@link listDays}); a day file deleted between
 *   listing and reading (retention) is skipped silently
 */
export async function* readRecords(storeDir: string, app: string, opts: ReadOptions = {}): AsyncGenerator<StoredLine> {
  const field = opts.timeField ?? '@timestamp';
  const since = opts.since?.getTime() ?? -Infinity;
  const until = opts.until?.getTime() ?? Infinity;
  const slack = field === '@timestamp' ? DAY_MS : 0;
  const files = listDays(storeDir, app).filter((f) => {
    const d = dayStartMs(f);
    return d + DAY_MS + slack > since && d - slack < until;
  });
  const timed = opts.since !== undefined || opts.until !== undefined;
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    opts.onFile?.(file, i + 1, files.length);
    const d = dayStartMs(file);
    const dayOverlaps = d + DAY_MS > since && d < until;
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    try {
      for await (const { raw } of readLinesForward(fh, 0, opts.stats)) {
        if (opts.rawFilter && !opts.rawFilter(raw)) continue;
        const record = parseLine(raw);
        if (timed) {
          const t = record === null ? NaN : recordTimeMs(record, field);
          if (Number.isNaN(t) ? !dayOverlaps : t < since || t >= until) continue;
        }
        yield { record, raw, file };
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
}

/**
 * The last `n` complete lines of one app, across day files (newest file first, then older ones
 * until `n` are found), in stored order. Files are read backwards in {@link BLOCK_BYTES} blocks,
 * so the cost is proportional to the bytes of those lines, not to the file size.
 *
 * @param n number of lines, an integer ≥ 0
 * @param stats optional read counters
 * @returns up to `n` lines, oldest first (fewer when the app has fewer)
 * @throws the `readdir`/`open`/`read` error (ENOENT when the app has no directory)
 */
export async function tailLast(storeDir: string, app: string, n: number, stats?: ReadStats): Promise<StoredLine[]> {
  return (await tailPosition(listDays(storeDir, app), n, stats)).lines;
}

/** Options of {@link follow}. */
export interface FollowOptions {
  /** Lines already stored to emit first, as `tail -n` (default 0). */
  lines?: number;
  /** Fallback poll interval when `fs.watch` reports nothing, ms (default 250). */
  pollMs?: number;
  /**
   * How long a day file is still read after a newer one appeared, ms (default 10000): a batch
   * that spans midnight may reach the old day's file after the new one was created.
   */
  graceMs?: number;
  stats?: ReadStats;
}

/**
 * `tail -f`: emits the last `opts.lines` stored lines, then every line appended to the newest day
 * file, switching to a new day file when one appears (after finishing the old one, which is
 * still read for `graceMs`). Only complete lines (LF on disk) are emitted, each exactly once.
 * Waits for the app directory and its first file when they do not exist yet.
 *
 * Wakes on `fs.watch` events for the app directory and at least every `pollMs`; each wake reads
 * only the bytes appended since the last one.
 *
 * @param onLine called for each line in order; a returned promise is awaited before reading on
 *   (backpressure). If it throws, `follow` rejects with that error.
 * @param signal aborting it stops following; the promise then resolves
 * @returns resolves once `signal` is aborted (at once if it already is)
 * @throws a read error other than ENOENT (e.g. EACCES)
 */
export async function follow(
  storeDir: string,
  app: string,
  onLine: (line: StoredLine) => void | Promise<void>,
  signal: AbortSignal,
  opts: FollowOptions = {},
): Promise<void> {
  if (signal.aborted) return;
  const pollMs = opts.pollMs ?? 250;
  const graceMs = opts.graceMs ?? 10_000;
  const dir = appDir(storeDir, app);
  const days = (): string[] => {
    try {
      return listDays(storeDir, app);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  };

  /** Files being read: the newest, plus older ones within their grace period. */
  const tracked: Array<{ file: string; offset: number; retireAt: number }> = [];
  const start = await tailPosition(days(), opts.lines ?? 0, opts.stats);
  for (const line of start.lines) {
    if (signal.aborted) return;
    await onLine(line);
  }
  if (start.file !== null) tracked.push({ file: start.file, offset: start.offset, retireAt: Infinity });

  let watcher: FSWatcher | null = null;
  let wake: (() => void) | null = null;
  let dirty = false; // a watch event came while reading: look again before sleeping
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted) {
      if (watcher === null) {
        try {
          watcher = watch(dir, { persistent: false }, () => {
            dirty = true;
            wake?.();
          });
          watcher.on('error', () => { watcher?.close(); watcher = null; });
        } catch {
          watcher = null; // no directory yet, or no inotify: polling only
        }
      }
      // read the tracked files, then switch to newer ones
      for (let progressed = true; progressed && !signal.aborted;) {
        progressed = false;
        for (const t of tracked) {
          if (signal.aborted) return;
          t.offset = await drain(t.file, t.offset, onLine, signal, opts.stats);
        }
        const newest = tracked.length ? tracked[tracked.length - 1].file : null;
        const next = days().find((f) => newest === null || f > newest);
        if (next !== undefined) {
          if (newest !== null) tracked[tracked.length - 1].retireAt = Date.now() + graceMs;
          tracked.push({ file: next, offset: 0, retireAt: Infinity });
          progressed = true;
        }
      }
      const now = Date.now();
      for (let i = tracked.length - 1; i >= 0; i--) if (tracked[i].retireAt <= now) tracked.splice(i, 1);
      if (signal.aborted) break;
      if (dirty) {
        dirty = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done(): void {
          clearTimeout(timer);
          dirty = false;
          wake = null;
          resolve();
        }
        wake = done;
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    (watcher as FSWatcher | null)?.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** Parses one stored line; null when it is not a JSON object. */
function parseLine(raw: string): SyslogRecord | null {
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as SyslogRecord) : null;
  } catch {
    return null;
  }
}

/** A record's time for filtering, epoch ms; NaN when neither time is a valid date. */
function recordTimeMs(rec: SyslogRecord, field: TimeField): number {
  const primary = rec[field];
  const t = typeof primary === 'string' ? Date.parse(primary) : NaN;
  if (!Number.isNaN(t) || field === 'receivedAt') return t;
  return typeof rec.receivedAt === 'string' ? Date.parse(rec.receivedAt) : NaN;
}

/**
 * Complete lines of an open file from byte `start` on, read through one {@link BLOCK_BYTES}
 * buffer. Each comes with `end`, the offset just past its LF. Bytes after the last LF are not
 * yielded.
 */
async function* readLinesForward(fh: FileHandle, start: number, stats?: ReadStats): AsyncGenerator<{ raw: string; end: number }> {
  const buf = Buffer.allocUnsafe(BLOCK_BYTES);
  let pos = start;
  let carry: Buffer[] = []; // pieces of the line begun in earlier blocks
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, BLOCK_BYTES, pos);
    if (stats) {
      stats.bytesRead += bytesRead;
      stats.reads++;
    }
    if (bytesRead === 0) return;
    let from = 0;
    for (let i = buf.indexOf(LF, 0); i !== -1 && i < bytesRead; i = buf.indexOf(LF, from)) {
      let raw: string;
      if (carry.length) {
        carry.push(buf.subarray(from, i));
        raw = Buffer.concat(carry).toString('utf8');
        carry = [];
      } else {
        raw = buf.toString('utf8', from, i);
      }
      from = i + 1;
      if (raw.length) yield { raw, end: pos + from };
    }
    if (from < bytesRead) carry.push(Buffer.from(buf.subarray(from, bytesRead)));
    pos += bytesRead;
  }
}

/**
 * Emits the complete lines of `file` after `offset` and returns the offset just past the last LF
 * emitted (the next call's start). A missing file (retention) returns `offset` unchanged; a file
 * shorter than `offset` (cut by torn-line recovery) is read on from its new end.
 */
async function drain(
  file: string,
  offset: number,
  onLine: (line: StoredLine) => void | Promise<void>,
  signal: AbortSignal,
  stats?: ReadStats,
): Promise<number> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return offset;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    if (size < offset) return size;
    if (size === offset) return offset;
    for await (const { raw, end } of readLinesForward(fh, offset, stats)) {
      if (signal.aborted) break;
      await onLine({ record: parseLine(raw), raw, file });
      offset = end;
    }
    return offset;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * The last `n` complete lines over `files` (oldest first), read backwards, and where reading on
 * should start: `file` is the newest file and `offset` the byte just past its last LF (a torn or
 * in-progress tail is left for later). `file` is null when there are no files.
 */
async function tailPosition(files: string[], n: number, stats?: ReadStats): Promise<{ lines: StoredLine[]; file: string | null; offset: number }> {
  const newest = files.length ? files[files.length - 1] : null;
  let offset = 0;
  const out: StoredLine[][] = [];
  let need = n;
  for (let i = files.length - 1; i >= 0; i--) {
    const isNewest = i === files.length - 1;
    if (need === 0 && !isNewest) break;
    let r: { lines: string[]; completeEnd: number };
    try {
      r = await lastLines(files[i], need, stats);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (isNewest) offset = r.completeEnd;
    out.push(r.lines.map((raw) => ({ record: parseLine(raw), raw, file: files[i] })));
    need -= r.lines.length;
  }
  return { lines: out.reverse().flat(), file: newest, offset };
}

/**
 * The last `n` non-empty complete lines of one file (oldest first), reading backwards in
 * {@link BLOCK_BYTES} blocks, and `completeEnd`, the offset just past the file's last LF.
 */
async function lastLines(file: string, n: number, stats?: ReadStats): Promise<{ lines: string[]; completeEnd: number }> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(BLOCK_BYTES);
    const lines: string[] = []; // newest first
    let pos = size;
    let completeEnd = -1; // unknown until the last LF is seen
    let carry: Buffer = Buffer.alloc(0); // bytes between pos and the earliest LF seen (no LF inside)
    while (pos > 0 && (completeEnd < 0 || lines.length < n)) {
      const len = Math.min(BLOCK_BYTES, pos);
      pos -= len;
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      if (stats) {
        stats.bytesRead += bytesRead;
        stats.reads++;
      }
      if (bytesRead < len) throw Object.assign(new Error(`short read in ${file}`), { code: 'EIO' });
      const chunk = carry.length ? Buffer.concat([buf.subarray(0, len), carry]) : buf.subarray(0, len);
      let end = chunk.length;
      for (let i = chunk.lastIndexOf(LF, end - 1); i !== -1; i = end > 0 ? chunk.lastIndexOf(LF, end - 1) : -1) {
        if (completeEnd < 0) {
          completeEnd = pos + i + 1; // what follows the last LF is not a line yet
        } else if (end > i + 1) {
          lines.push(chunk.toString('utf8', i + 1, end));
        }
        end = i;
        if (lines.length >= n) break;
      }
      if (completeEnd >= 0 && lines.length >= n) break;
      carry = Buffer.from(chunk.subarray(0, end));
    }
    if (completeEnd < 0) return { lines: [], completeEnd: 0 };
    // reached the start of the file: what is left before the first LF is the first line
    if (pos === 0 && lines.length < n && carry.length > 0) lines.push(carry.toString('utf8'));
    return { lines: lines.reverse(), completeEnd };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

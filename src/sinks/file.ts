/**
 * The embedded file store (DESIGN §7), a {@link Sink}: `<dir>/<app>/<YYYY-MM-DD>.ndjson`
 * (store/layout.ts), one JSON record per line, append-only, partitioned by app and UTC day of
 * receipt. A batch is written with one `writev` per day file and, when `fsync` is on, one
 * `fdatasync` per file; only then are its records `Delivered`. A failed write (ENOSPC, EIO) is
 * rolled back with `ftruncate` to the file's previous size so no torn line stays behind, marks
 * exactly that file's records `Errored`, and puts the sink down (`disk_full` for ENOSPC,
 * `write_error` otherwise) until `statfs` shows free space again (checked every second). A torn
 * last line left by a crash is cut off by {@link FileSink.open} (it was never acknowledged).
 * Retention (sinks/retention.ts) runs at open and hourly from {@link FileSink.housekeeping}.
 */
import { mkdir, open, readdir, stat, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, ReceiverError } from '../errors.js';
import type { Logger } from '../logger.js';
import { appDir, dayFilePath, dayNumber, dayString } from '../store/layout.js';
import { syncDir } from '../store/line-log.js';
import { enforceRetention, type RetentionGuard, type RetentionResult } from './retention.js';
import { RecordStatus, type RecordBatch, type Sink, type SinkFailure, type WriteResult } from './types.js';

/** The bytes for one day file of one app within a batch. */
interface FileWrite {
  app: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Whole lines, in order. */
  data: Buffer[];
  /** Status indices of its records: runs `[from, to)` (more than one when the day changed back and forth). */
  runs: Array<[number, number]>;
  /** Number of records. */
  records: number;
}

interface OpenFile {
  fh: FileHandle;
  /** Bytes known durable-or-written so far (the rollback point). */
  size: number;
  lastUsedMs: number;
}

/** Options of {@link FileSink}: the `storage:` keys it uses. */
export interface FileSinkOptions {
  /** Store root (created if missing), absolute. */
  dir: string;
  /** fdatasync each batch (DESIGN §7 durability promise). */
  fsync: boolean;
  /** Day files older than this many days are deleted; 0 = keep forever. */
  retentionDays: number;
  /** Size cap of the whole store, bytes (oldest days deleted first); 0 = none. */
  maxBytes: number;
  log: Logger;
  /**
   * Called after each successful append (after the fdatasync when `fsync` is on) with the
   * file's new size, bytes: the outputs ship what is durable (the forwarding issue).
   */
  onAppend?: (app: string, day: string, size: number) => void;
  /** Asked before retention deletes a file (outputs not shipped yet); none = plain retention. */
  retentionGuard?: RetentionGuard;
}

const IDLE_CLOSE_MS = 60_000;
const RETENTION_MS = 3_600_000;
/** Free space at which a failed store is tried again, bytes. */
const MIN_FREE_BYTES = 1024 * 1024;
const PROBE_MS = 1000;

export class FileSink implements Sink {
  /** `store`: how logs and `/healthz` name the embedded store. */
  readonly name = 'store';
  readonly dir: string;
  private readonly files = new Map<string, OpenFile>();
  private readonly opening = new Map<string, Promise<OpenFile>>();
  private readonly listeners: Array<(down: SinkFailure | null) => void> = [];
  private probe: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> | null = null;
  private lastRetentionMs = 0;
  private closed = false;
  down: SinkFailure | null = null;

  constructor(private readonly o: FileSinkOptions) {
    this.dir = o.dir;
  }

  /**
   * Creates the store root, truncates every day file whose last line has no LF, and applies
   * retention.
   * @throws ReceiverError SYSLOG_ERR_STORE_OPEN when the root cannot be created or scanned
   */
  async open(): Promise<void> {
    try {
      await this.recover();
    } catch (e) {
      throw new ReceiverError(ErrorCodes.STORE_OPEN, `cannot open the store at ${this.dir}: ${(e as Error).message}. Check storage.dir and its permissions.`, { cause: e });
    }
    await this.enforceRetention(Date.now());
  }

  /**
   * Cuts torn last lines (see {@link open}).
   * @returns the number of files repaired
   */
  async recover(): Promise<number> {
    await mkdir(this.dir, { recursive: true });
    let repaired = 0;
    for (const app of await readdir(this.dir, { withFileTypes: true })) {
      if (!app.isDirectory()) continue;
      const dir = appDir(this.dir, app.name);
      for (const f of await readdir(dir)) {
        if (!f.endsWith('.ndjson')) continue;
        if (await truncateTornTail(join(dir, f))) {
          repaired++;
          this.o.log.warn({ file: join(app.name, f) }, 'cut a torn last line left by a crash (never acknowledged)');
        }
      }
    }
    return repaired;
  }

  onDownChange(listener: (down: SinkFailure | null) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Appends each app's records to their day files and syncs each touched file, all files in
   * parallel. Never rejects: a file whose write or sync failed was rolled back to its previous
   * size and its records are `Errored`.
   */
  write(batch: RecordBatch): Promise<WriteResult> {
    const p = this.writeBatch(batch);
    this.inFlight = p;
    return p;
  }

  private async writeBatch(batch: RecordBatch): Promise<WriteResult> {
    const now = Date.now();
    const status = new Uint8Array(batch.records);
    let failure: SinkFailure | null = null;
    // files in parallel, one writev + fdatasync each
    await Promise.all([...partition(batch).values()].map(async (w) => {
      try {
        await this.append(w, now);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        for (const [from, to] of w.runs) status.fill(RecordStatus.Errored, from, to);
        failure ??= { reason: err.code === 'ENOSPC' ? 'disk_full' : 'write_error', message: err.message };
        this.o.log.error({ err, code: ErrorCodes.STORE_WRITE, app: w.app, day: w.day, records: w.records }, 'store write failed; these records were not stored');
      }
    }));
    if (failure !== null) this.failed(failure);
    return { status, failure };
  }

  private setDown(down: SinkFailure | null): void {
    this.down = down;
    for (const l of this.listeners) l(down);
  }

  /** A write failed: down until statfs shows free space (the next write then proves it). */
  private failed(failure: SinkFailure): void {
    if (this.down !== null) return;
    this.setDown(failure);
    this.o.log.error({ code: ErrorCodes.STORE_WRITE, reason: failure.reason, error: failure.message }, 'store cannot write: intake paused until it can (streams paused, datagrams dropped)');
    const check = (): void => {
      this.probe = null;
      if (this.closed) return;
      statfs(this.dir).then((s) => {
        if (s.bavail * s.bsize >= MIN_FREE_BYTES) {
          this.o.log.warn({ freeBytes: s.bavail * s.bsize }, 'store has free space again: intake resumed');
          this.setDown(null);
        } else this.probe = setTimeout(check, PROBE_MS);
      }, () => { this.probe = setTimeout(check, PROBE_MS); });
    };
    this.probe = setTimeout(check, PROBE_MS);
  }

  private async append(w: FileWrite, now: number): Promise<void> {
    const f = await this.file(w.app, w.day);
    f.lastUsedMs = now;
    let total = 0;
    for (const b of w.data) total += b.length;
    try {
      let written = 0;
      let bufs = w.data;
      while (written < total) {
        const { bytesWritten } = await f.fh.writev(bufs, f.size + written);
        written += bytesWritten;
        if (written < total) bufs = remainder(w.data, written);
      }
      if (this.o.fsync) await f.fh.datasync();
      f.size += total;
      this.o.onAppend?.(w.app, w.day, f.size);
    } catch (err) {
      await f.fh.truncate(f.size).catch(() => undefined);
      throw err;
    }
  }

  private async file(app: string, day: string): Promise<OpenFile> {
    const key = `${app}/${day}`;
    const f = this.files.get(key);
    if (f) return f;
    let p = this.opening.get(key);
    if (!p) {
      p = (async () => {
        const dir = appDir(this.dir, app);
        await mkdir(dir, { recursive: true });
        const fh = await open(dayFilePath(this.dir, app, day), 'a+', 0o640);
        const size = (await fh.stat()).size;
        // a new file's directory entry must be durable too, or a crash can lose the file
        if (size === 0 && this.o.fsync) await syncDir(dir).then(() => syncDir(this.dir));
        const of: OpenFile = { fh, size, lastUsedMs: Date.now() };
        this.files.set(key, of);
        return of;
      })();
      this.opening.set(key, p);
      p.finally(() => this.opening.delete(key)).catch(() => undefined);
    }
    return p;
  }

  /** Closes idle files; retention hourly. */
  async housekeeping(nowMs: number): Promise<void> {
    await this.closeIdle(nowMs);
    if (nowMs - this.lastRetentionMs >= RETENTION_MS) await this.enforceRetention(nowMs).catch((err) => this.o.log.error({ err, code: ErrorCodes.STORE_RETENTION }, 'retention failed'));
  }

  /** Deletes expired and over-cap day files (storage.retentionDays, storage.maxBytes). */
  async enforceRetention(nowMs: number): Promise<RetentionResult> {
    const { retentionDays, maxBytes, log } = this.o;
    const res = await enforceRetention(this.dir, retentionDays, maxBytes, nowMs, (f) => this.closeFile(f.app, f.day), this.o.retentionGuard ?? null);
    this.lastRetentionMs = nowMs;
    if (res.deletedFiles > 0) log.info({ ...res }, 'retention: deleted old day files');
    if (res.keptUnshipped > 0) log.info({ files: res.keptUnshipped }, 'retention: kept expired day files an output has not shipped yet');
    if (maxBytes > 0 && res.totalBytes > maxBytes) log.warn({ code: ErrorCodes.STORE_OVER_LIMIT, totalBytes: res.totalBytes, maxBytes }, "store is over storage.maxBytes with only today's files left");
    return res;
  }

  /** Closes the handle of one day file, if open (before retention deletes it). */
  private async closeFile(app: string, day: string): Promise<void> {
    const key = `${app}/${day}`;
    const f = this.files.get(key);
    if (!f) return;
    this.files.delete(key);
    await f.fh.close().catch(() => undefined);
  }

  /** Closes files not written for a minute (yesterday's, quiet apps). */
  private async closeIdle(now: number): Promise<void> {
    for (const [key, f] of this.files) {
      if (now - f.lastUsedMs > IDLE_CLOSE_MS) {
        this.files.delete(key);
        await f.fh.close().catch(() => undefined);
      }
    }
  }

  /** Waits for the write in flight, stops the free-space probe, closes every open file. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.probe) clearTimeout(this.probe);
    await this.inFlight;
    await this.closeFiles();
  }

  /**
   * Closes every open day file, so the next write opens it again and reads its size: needed
   * after someone else truncated a file (the archiver undoing a failed commit). Call it only
   * between writes.
   */
  async closeFiles(): Promise<void> {
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.fh.close().catch(() => undefined)));
  }
}

/**
 * Splits a batch into one write per day file: each app's records cut where the UTC day of
 * receipt changes (records are in arrival order, so a file normally gets one run per batch; a
 * clock stepped back over midnight, or an archive of several receivers, gives more), the runs
 * of one file joined in order.
 */
function partition(batch: RecordBatch): Map<string, FileWrite> {
  const out = new Map<string, FileWrite>();
  for (const g of batch.groups) {
    const at = g.receivedAtMs;
    let from = 0;
    while (from < g.count) {
      const day = dayNumber(at[from]);
      let to = from + 1;
      while (to < g.count && dayNumber(at[to]) === day) to++;
      const dayText = dayString(day);
      const key = `${g.app}/${dayText}`;
      let w = out.get(key);
      if (w === undefined) {
        w = { app: g.app, day: dayText, data: [], runs: [], records: 0 };
        out.set(key, w);
      }
      for (const b of g.slices(from, to)) w.data.push(b);
      w.runs.push([g.first + from, g.first + to]);
      w.records += to - from;
      from = to;
    }
  }
  return out;
}

/** The part of `bufs` after the first `skip` bytes (after a short writev). */
function remainder(bufs: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (skip >= b.length) { skip -= b.length; continue; }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

/** If `path` does not end in LF, truncates it after its last LF. @returns true when it cut. */
async function truncateTornTail(path: string): Promise<boolean> {
  const size = (await stat(path)).size;
  if (size === 0) return false;
  const fh = await open(path, 'r+');
  try {
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return false;
    const block = Buffer.alloc(65536);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await fh.read(block, 0, end - start, start);
      const lf = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (lf >= 0) {
        await fh.truncate(start + lf + 1);
        await fh.datasync();
        return true;
      }
      end = start;
    }
    await fh.truncate(0);
    await fh.datasync();
    return true;
  } finally {
    await fh.close();
  }
}

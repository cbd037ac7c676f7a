/**
 * The embedded file store (DESIGN §7): `<dir>/<app>/<YYYY-MM-DD>.ndjson`, one JSON record per
 * line, append-only. A batch is written with one `write` per file and, when `fsync` is on,
 * one `fdatasync` per file; only then is it durable. A failed write (ENOSPC, EIO) is rolled
 * back with `ftruncate` to the file's previous size so no torn line stays behind; a torn last
 * line left by a crash is cut off by {@link FileSink.recover} at start (it was never acked).
 */
import { mkdir, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

/** The bytes for one day file of one app within a batch. */
export interface FileWrite {
  app: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Whole lines, in order. */
  data: Buffer[];
}

interface OpenFile {
  fh: FileHandle;
  /** Bytes known durable-or-written so far (the rollback point). */
  size: number;
  lastUsedMs: number;
}

const IDLE_CLOSE_MS = 60_000;

export class FileSink {
  private readonly files = new Map<string, OpenFile>();
  private readonly opening = new Map<string, Promise<OpenFile>>();

  /**
   * @param dir store root (created if missing)
   * @param fsync fdatasync each batch (DESIGN §7 durability promise)
   * @param syncDelayMs test hook: extra delay before each sync, ms (0 in production)
   * @param fault test hook: an error to fail the next write with (fault injection where a test cannot fill a real disk)
   */
  constructor(readonly dir: string, private readonly fsync: boolean, private readonly log: Logger, private readonly syncDelayMs = 0,
    private readonly fault: (() => NodeJS.ErrnoException | null) | null = null) {}

  /**
   * Creates the store root and truncates every day file whose last line has no LF.
   * @returns the number of files repaired
   */
  async recover(): Promise<number> {
    await mkdir(this.dir, { recursive: true });
    let repaired = 0;
    for (const app of await readdir(this.dir, { withFileTypes: true })) {
      if (!app.isDirectory()) continue;
      const appDir = join(this.dir, app.name);
      for (const f of await readdir(appDir)) {
        if (!f.endsWith('.ndjson')) continue;
        if (await truncateTornTail(join(appDir, f))) {
          repaired++;
          this.log.warn({ file: join(app.name, f) }, 'cut a torn last line left by a crash (never acknowledged)');
        }
      }
    }
    return repaired;
  }

  /**
   * Appends every write and syncs each touched file, all files in parallel. Never rejects.
   * @returns per write (same order): null once durable, or the write/sync error (that file was
   *   rolled back to its previous size, so it holds no part of the failed write)
   */
  async writeBatch(writes: readonly FileWrite[]): Promise<Array<Error | null>> {
    const now = Date.now();
    const results = await Promise.allSettled(writes.map((w) => this.append(w, now)));
    return results.map((r) => (r.status === 'fulfilled' ? null : (r.reason as Error)));
  }

  private async append(w: FileWrite, now: number): Promise<void> {
    const f = await this.file(w.app, w.day);
    f.lastUsedMs = now;
    let total = 0;
    for (const b of w.data) total += b.length;
    try {
      const injected = this.fault?.() ?? null;
      if (injected !== null) throw injected;
      let written = 0;
      let bufs = w.data;
      while (written < total) {
        const { bytesWritten } = await f.fh.writev(bufs, f.size + written);
        written += bytesWritten;
        if (written < total) bufs = remainder(w.data, written);
      }
      if (this.fsync) {
        if (this.syncDelayMs > 0) await new Promise((r) => setTimeout(r, this.syncDelayMs));
        await f.fh.datasync();
      }
      f.size += total;
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
        const appDir = join(this.dir, app);
        await mkdir(appDir, { recursive: true });
        const path = join(appDir, `${day}.ndjson`);
        const fh = await open(path, 'a+', 0o640);
        const size = (await fh.stat()).size;
        // a new file's directory entry must be durable too, or a crash can lose the file
        if (size === 0 && this.fsync) await syncDir(appDir).then(() => syncDir(this.dir));
        const of: OpenFile = { fh, size, lastUsedMs: Date.now() };
        this.files.set(key, of);
        return of;
      })();
      this.opening.set(key, p);
      p.finally(() => this.opening.delete(key)).catch(() => undefined);
    }
    return p;
  }

  /** Closes the handle of one day file, if open (before retention deletes it). */
  async closeFile(app: string, day: string): Promise<void> {
    const key = `${app}/${day}`;
    const f = this.files.get(key);
    if (!f) return;
    this.files.delete(key);
    await f.fh.close().catch(() => undefined);
  }

  /** Closes files not written for a minute (yesterday's, quiet apps). */
  async closeIdle(now = Date.now()): Promise<void> {
    for (const [key, f] of this.files) {
      if (now - f.lastUsedMs > IDLE_CLOSE_MS) {
        this.files.delete(key);
        await f.fh.close().catch(() => undefined);
      }
    }
  }

  /** Closes every open file. */
  async close(): Promise<void> {
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.fh.close().catch(() => undefined)));
  }
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

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
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

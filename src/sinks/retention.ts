/**
 * Retention for the file store (issue 5; DESIGN §7): day files older than
 * `storage.retentionDays` are deleted, and while the store is larger than `storage.maxBytes`
 * the oldest days go first (every app's file of that day). Today's files are never deleted.
 * Run at start and hourly. A day file of day D is "older than N days" when D < today − N (UTC),
 * so `retentionDays: 14` keeps today and the 14 days before it.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { appDir, DAY_MS, dayFilePath, parseDayFileName } from '../store/layout.js';

/** One day file of the store. */
export interface DayFile {
  app: string;
  /** `YYYY-MM-DD` */
  day: string;
  path: string;
  bytes: number;
}


/** Every `<dir>/<app>/<YYYY-MM-DD>.ndjson`, oldest day first. */
export async function listDayFiles(dir: string): Promise<DayFile[]> {
  const out: DayFile[] = [];
  let apps: string[];
  try { apps = await readdir(dir); } catch { return out; }
  for (const app of apps) {
    let names: string[];
    try { names = await readdir(appDir(dir, app)); } catch { continue; } // not a directory
    for (const n of names) {
      const day = parseDayFileName(n);
      if (day === null) continue;
      const path = dayFilePath(dir, app, day);
      try { out.push({ app, day, path, bytes: (await stat(path)).size }); } catch { /* deleted meanwhile */ }
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.app < b.app ? -1 : 1));
}

/** What {@link enforceRetention} removed. */
export interface RetentionResult {
  deletedFiles: number;
  deletedBytes: number;
  /** Store size afterwards, bytes. */
  totalBytes: number;
}

/**
 * Deletes expired and over-cap day files.
 * @param retentionDays 0 = keep forever
 * @param maxBytes 0 = no size cap
 * @param beforeDelete called first for each file (the sink closes its handle)
 */
export async function enforceRetention(dir: string, retentionDays: number, maxBytes: number, nowMs: number, beforeDelete: (f: DayFile) => Promise<void>): Promise<RetentionResult> {
  const files = await listDayFiles(dir);
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const cutoff = retentionDays > 0 ? new Date(Date.parse(today) - retentionDays * DAY_MS).toISOString().slice(0, 10) : '';
  let total = files.reduce((s, f) => s + f.bytes, 0);
  const res: RetentionResult = { deletedFiles: 0, deletedBytes: 0, totalBytes: total };
  for (const f of files) {
    const expired = f.day < cutoff;
    const overCap = maxBytes > 0 && total > maxBytes && f.day < today;
    if (!expired && !overCap) continue;
    await beforeDelete(f);
    try {
      await unlink(f.path);
    } catch {
      continue;
    }
    total -= f.bytes;
    res.deletedFiles++;
    res.deletedBytes += f.bytes;
  }
  res.totalBytes = total;
  return res;
}

/**
 * Retention for the file store (issue 5; DESIGN §7): day files older than
 * `storage.retentionDays` are deleted, and while the store is larger than `storage.maxBytes`
 * the oldest days go first (every app's file of that day). Today's files are never deleted.
 * An expired file an output has not shipped yet is kept ({@link RetentionGuard}); only the size
 * cap deletes such a file, after the outputs have counted and logged it as lost.
 * Run at start and hourly. A day file of day D is "older than N days" when D < today − N (UTC),
 * so `retentionDays: 14` keeps today and the 14 days before it.
 */
import { unlink } from 'node:fs/promises';
import { DAY_MS, listDayFiles, type DayFile } from '../store/layout.js';

export type { DayFile } from '../store/layout.js';

/**
 * What retention asks before deleting (the forwarding issue): outputs ship day files later,
 * so an expired file one of them has not shipped yet is kept; only `storage.maxBytes` may
 * delete it, and then the guard is told first (it counts and logs the loss).
 */
export interface RetentionGuard {
  /** Whether `f` (at its current size) holds records some output has not shipped. */
  unshipped(f: DayFile): boolean;
  /** `f` is about to be deleted although unshipped (over storage.maxBytes). */
  lost(f: DayFile): Promise<void>;
}

/** What {@link enforceRetention} removed. */
export interface RetentionResult {
  deletedFiles: number;
  deletedBytes: number;
  /** Expired day files kept because an output has not shipped them yet. */
  keptUnshipped: number;
  /** Unshipped day files deleted anyway because the store was over storage.maxBytes. */
  deletedUnshipped: number;
  /** Store size afterwards, bytes. */
  totalBytes: number;
}

/**
 * Deletes expired and over-cap day files.
 * @param retentionDays 0 = keep forever
 * @param maxBytes 0 = no size cap
 * @param beforeDelete called first for each file (the sink closes its handle)
 * @param guard the outputs: an expired file they have not shipped is kept; an over-cap one is deleted after telling them
 */
export async function enforceRetention(dir: string, retentionDays: number, maxBytes: number, nowMs: number, beforeDelete: (f: DayFile) => Promise<void>, guard: RetentionGuard | null = null): Promise<RetentionResult> {
  const files = await listDayFiles(dir);
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const cutoff = retentionDays > 0 ? new Date(Date.parse(today) - retentionDays * DAY_MS).toISOString().slice(0, 10) : '';
  let total = files.reduce((s, f) => s + f.bytes, 0);
  const res: RetentionResult = { deletedFiles: 0, deletedBytes: 0, keptUnshipped: 0, deletedUnshipped: 0, totalBytes: total };
  for (const f of files) {
    const expired = f.day < cutoff;
    const overCap = maxBytes > 0 && total > maxBytes && f.day < today;
    if (!expired && !overCap) continue;
    if (guard?.unshipped(f) === true) {
      if (!overCap) {
        res.keptUnshipped++;
        continue;
      }
      await guard.lost(f);
      res.deletedUnshipped++;
    }
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

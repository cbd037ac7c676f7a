/**
 * The archiver's journal (`<storage.dir>/.archive-<durable>.journal`): what makes the archive
 * exactly-once across crashes (the scale-out issue). One JSON line per group commit, appended
 * and fdatasync'd *before* the batch's lines are written:
 *
 * ```
 * {"seq":L,"cseq":C,"consumer":"<created>","files":{"<app>/<YYYY-MM-DD>":<size before, bytes>,…}}
 * ```
 *
 * - `seq`: the highest stream sequence applied by the commits before this one (every message of
 *   the filter at or below it is in the store exactly once);
 * - `cseq` + `consumer`: the last consumer (delivery) sequence those commits saw, and which
 *   consumer it belongs to (its creation time), so a restart can tell whether the server
 *   delivered anything the store does not hold;
 * - `files`: every day file this commit appends to, with its size before it.
 *
 * Recovery ({@link ArchiveJournal.open}) reads the last complete line and truncates each of its
 * files back to the recorded size: a commit that crashed halfway (its lines partly on disk) is
 * undone entirely, and the archiver fetches those messages again from the stream. A torn last
 * journal line (a crash while appending it) is ignored: its commit never started writing; the
 * line before it is then the last entry, and its commit is undone as well (it may have been
 * complete: the restart re-fetches it, since the consumer is reset to `seq + 1`).
 */
import { stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { dayFilePath } from '../store/layout.js';
import { LineLog } from '../store/line-log.js';

/** The state one journal line records (see the file comment). */
export interface JournalEntry {
  /** Highest stream sequence applied before this commit. */
  seq: number;
  /** Last consumer sequence seen by the commits before this one (0 after a consumer reset). */
  cseq: number;
  /** Creation time of the consumer `cseq` belongs to (ISO, from the consumer's info); "" = none yet. */
  consumer: string;
  /** `<app>/<YYYY-MM-DD>` → size before this commit, bytes. */
  files: Record<string, number>;
}

/** Path of the day file a journal key (`<app>/<YYYY-MM-DD>`) names. */
export function keyPath(storeDir: string, key: string): string {
  const slash = key.indexOf('/');
  return dayFilePath(storeDir, key.slice(0, slash), key.slice(slash + 1));
}

/** Size of the day file `key` names, bytes; 0 when it does not exist. */
export async function keySize(storeDir: string, key: string): Promise<number> {
  return stat(keyPath(storeDir, key)).then((s) => s.size, () => 0);
}

/**
 * Cuts every file of `files` (key → size, bytes) that is longer than its size back to it.
 * @returns how many it cut
 * @throws the `truncate` error (EACCES, EIO …)
 */
export async function truncateFiles(storeDir: string, files: Record<string, number>): Promise<number> {
  let cut = 0;
  for (const [key, size] of Object.entries(files)) {
    const file = keyPath(storeDir, key);
    if ((await stat(file).then((st) => st.size, () => -1)) > size) {
      await truncate(file, size);
      cut++;
    }
  }
  return cut;
}

/** The journal is rewritten (to its last line) once it grows past this, bytes. */
const COMPACT_BYTES = 1024 * 1024;

const EMPTY: JournalEntry = { seq: 0, cseq: 0, consumer: '', files: {} };

export class ArchiveJournal {
  private constructor(
    private readonly log: LineLog,
    /** The last entry written or recovered. */
    public last: JournalEntry,
  ) {}

  /** Path of the journal of consumer `durable` in `storeDir`. */
  static pathOf(storeDir: string, durable: string): string {
    return join(storeDir, `.archive-${durable}.journal`);
  }

  /**
   * Opens (or creates) the journal and undoes an interrupted commit: every file of the last
   * entry longer than its recorded size is truncated to it.
   * @returns the journal and the number of files it truncated
   * @throws the `open`/`read`/`truncate` error (EACCES, EIO …); Error when the last line is damaged
   */
  static async open(storeDir: string, durable: string): Promise<{ journal: ArchiveJournal; truncated: number }> {
    const path = ArchiveJournal.pathOf(storeDir, durable);
    const { log, data } = await LineLog.open(path); // a torn last line is cut: the next entry starts a line of its own
    try {
      const last = lastEntry(path, data.toString('utf8'));
      const truncated = await truncateFiles(storeDir, last.files);
      return { journal: new ArchiveJournal(log, last), truncated };
    } catch (err) {
      await log.close();
      throw err;
    }
  }

  /**
   * Appends `e` and syncs it (the intent of the commit that follows). When the journal is large
   * it is replaced instead by a file holding only `e` (atomically: store/line-log.ts).
   * @throws the write/sync error: the commit must not start
   */
  async append(e: JournalEntry): Promise<void> {
    const line = `${JSON.stringify(e)}\n`;
    if (this.log.size + line.length > COMPACT_BYTES) await this.log.replace(line);
    else await this.log.append(line);
    this.last = e;
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

/**
 * The last complete line of `text` (a torn line after the last LF is ignored); the empty state
 * when there is none.
 * @throws Error when that line is not a journal entry (the journal is damaged: guessing could store messages twice)
 */
function lastEntry(path: string, text: string): JournalEntry {
  const end = text.lastIndexOf('\n');
  if (end < 0) return EMPTY;
  const line = text.slice(text.lastIndexOf('\n', end - 1) + 1, end);
  let e: Partial<JournalEntry> | null = null;
  try { e = JSON.parse(line) as Partial<JournalEntry>; } catch { /* reported below */ }
  if (e === null || typeof e.seq !== 'number' || typeof e.cseq !== 'number' || typeof e.consumer !== 'string' || typeof e.files !== 'object' || e.files === null) {
    throw new Error(`${path}: the last line is not a journal entry (${JSON.stringify(line.slice(0, 80))}); the archive cannot be resumed safely. Move the journal away and archive into an empty storage.dir to start over.`);
  }
  return e as JournalEntry;
}

/**
 * An output's durable state, in `<storage.dir>/.outputs/<name>/`:
 *
 * - `cursor.log` — the cursor: for every day file (`<app>/<YYYY-MM-DD>`), the byte offset up to
 *   which its lines are resolved (delivered or dead-lettered). One JSON line per delivered batch,
 *   appended and fdatasync'd before the next batch is read, so a crash or `kill -9` resumes
 *   after the last batch that was fully resolved (that batch's successor is sent again: at
 *   least once). Each line also carries the dead-letter file's size at that point and the
 *   output's totals. When the log passes {@link COMPACT_BYTES} it is rewritten as one snapshot
 *   line (temp file, fsync, rename, directory fsync). A torn last line (a crash while
 *   appending) is ignored and cut off.
 *
 *   ```
 *   {"files":{"web/2026-12-02":81920,…},"dl":0,"totals":{…}}      snapshot
 *   {"file":"web/2026-12-02","offset":98304,"dl":0,"totals":{…}}  one batch (offset -1: the file is gone)
 *   ```
 * - `status.json` — what the running output is doing (lag, retrying, last error), rewritten
 *   every few seconds for `syslog-receiver outputs`; not part of the cursor.
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Rewrite `cursor.log` as a snapshot once it is this long, bytes. */
export const COMPACT_BYTES = 1024 * 1024;

/** Counters an output keeps across restarts (records). */
export interface OutputTotals {
  /** Records the destination took (Elasticsearch 409s on `create` included). */
  shipped: number;
  /** Records sent again after a retryable failure (each resend counts). */
  retried: number;
  /** Records written to the dead-letter file. */
  deadLettered: number;
  /** Unshipped records retention deleted because `storage.maxBytes` forced it. */
  lost: number;
}

/** What {@link CursorLog.load} found. */
export interface CursorState {
  /** `<app>/<YYYY-MM-DD>` → resolved up to this byte offset. */
  files: Map<string, number>;
  /** Size of the dead-letter file at the last commit, bytes. */
  dl: number;
  totals: OutputTotals;
}

/** `.outputs/<name>` under the store root. */
export function outputDir(storeDir: string, name: string): string {
  return join(storeDir, '.outputs', name);
}

const emptyTotals = (): OutputTotals => ({ shipped: 0, retried: 0, deadLettered: 0, lost: 0 });

/**
 * Reads a `cursor.log` (see the file comment) without changing it.
 * @returns the state, or an empty one when there is no log yet
 * @throws the read error other than ENOENT
 */
export async function readCursorLog(path: string): Promise<CursorState & { validBytes: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: new Map(), dl: 0, totals: emptyTotals(), validBytes: 0 };
    throw err;
  }
  const state: CursorState = { files: new Map(), dl: 0, totals: emptyTotals() };
  let validBytes = 0;
  let pos = 0;
  for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', pos)) {
    const line = text.slice(pos, lf);
    pos = lf + 1;
    let e: { files?: Record<string, number>; file?: string; offset?: number; dl?: number; totals?: Partial<OutputTotals> };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      break; // torn or damaged: what follows is not trusted
    }
    if (e.files !== undefined) state.files = new Map(Object.entries(e.files));
    if (typeof e.file === 'string' && typeof e.offset === 'number') {
      if (e.offset < 0) state.files.delete(e.file);
      else state.files.set(e.file, e.offset);
    }
    if (typeof e.dl === 'number') state.dl = e.dl;
    if (e.totals !== undefined) state.totals = { ...emptyTotals(), ...e.totals };
    validBytes = Buffer.byteLength(text.slice(0, pos));
  }
  return { ...state, validBytes };
}

/** The append side of `cursor.log`. */
export class CursorLog {
  private fh: FileHandle | null = null;
  private bytes = 0;

  private constructor(private readonly dir: string) {}

  /**
   * Opens (creating the directory) and reads the log; cuts a torn last line.
   * @throws the `mkdir`/`open`/`read` error (EACCES …)
   */
  static async open(dir: string): Promise<{ log: CursorLog; state: CursorState }> {
    mkdirSync(dir, { recursive: true });
    const log = new CursorLog(dir);
    const path = join(dir, 'cursor.log');
    const state = await readCursorLog(path);
    log.fh = await open(path, 'a+', 0o640);
    if ((await log.fh.stat()).size !== state.validBytes) {
      await log.fh.truncate(state.validBytes);
      await log.fh.datasync();
    }
    log.bytes = state.validBytes;
    return { log, state: { files: state.files, dl: state.dl, totals: state.totals } };
  }

  /** Whether the next {@link commit} compacts (its caller then passes every offset). */
  get wantsCompaction(): boolean { return this.bytes >= COMPACT_BYTES; }

  /**
   * Records that `file` is resolved up to `offset` (-1: forget the file), durably: returns once
   * the line is fdatasync'd. Compacts instead when the log is long and `all` is given.
   * @param all every file's offset (`file`'s included), written as the snapshot when compacting
   */
  async commit(file: string, offset: number, dl: number, totals: OutputTotals, all: ReadonlyMap<string, number> | null): Promise<void> {
    if (this.fh === null) throw new Error('cursor log is closed');
    if (all !== null && this.bytes >= COMPACT_BYTES) {
      await this.compact(dl, totals, all);
      return;
    }
    const line = Buffer.from(`${JSON.stringify({ file, offset, dl, totals })}\n`);
    await this.fh.write(line, 0, line.length, this.bytes);
    await this.fh.datasync();
    this.bytes += line.length;
  }

  /** Replaces the log by one snapshot line (atomic: temp file, fsync, rename, fsync of the directory). */
  private async compact(dl: number, totals: OutputTotals, all: ReadonlyMap<string, number>): Promise<void> {
    const path = join(this.dir, 'cursor.log');
    const tmp = `${path}.tmp`;
    const line = `${JSON.stringify({ files: Object.fromEntries(all), dl, totals })}\n`;
    const fh = await open(tmp, 'w', 0o640);
    try {
      await fh.writeFile(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    const d = await open(this.dir, 'r');
    try { await d.sync(); } finally { await d.close(); }
    await this.fh?.close();
    this.fh = await open(path, 'a+', 0o640);
    this.bytes = Buffer.byteLength(line);
  }

  /** Writes `status.json` (not synced: it is a view, not state). */
  async writeStatus(status: unknown): Promise<void> {
    const path = join(this.dir, 'status.json');
    await writeFile(`${path}.tmp`, `${JSON.stringify(status, null, 1)}\n`);
    await rename(`${path}.tmp`, path);
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }
}

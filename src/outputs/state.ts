/**
 * An output's durable state, in `<storage.dir>/.outputs/<name>/`:
 *
 * - `cursor.log` — the cursor: for every day file (`<app>/<YYYY-MM-DD>`), the byte offset up to
 *   which its lines are resolved (delivered or dead-lettered). One JSON line per delivered batch,
 *   appended and fdatasync'd before the next batch is read, so a crash or `kill -9` resumes
 *   after the last batch that was fully resolved (that batch's successor is sent again: at
 *   least once). Each line also carries the dead-letter file's size at that point and the
 *   output's totals. When the log passes {@link COMPACT_BYTES} it is rewritten as one snapshot
 *   line. A torn last line (a crash while appending) is ignored and cut off (store/line-log.ts
 *   is the mechanism, shared with the archiver's journal).
 *
 *   ```
 *   {"files":{"web/2026-12-02":81920,…},"dl":0,"totals":{…}}      snapshot
 *   {"file":"web/2026-12-02","offset":98304,"dl":0,"totals":{…}}  one batch (offset -1: the file is gone)
 *   ```
 * - `status.json` — what the running output is doing (lag, retrying, last error), rewritten
 *   every few seconds for `syslog-receiver outputs`; not part of the cursor.
 */
import { mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineLog } from '../store/line-log.js';

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

const LF = 0x0a;

const emptyTotals = (): OutputTotals => ({ shipped: 0, retried: 0, deadLettered: 0, lost: 0 });

/**
 * Reads a `cursor.log` (see the file comment) without changing it.
 * @returns the state, or an empty one when there is no log yet
 * @throws the read error other than ENOENT
 */
export async function readCursorLog(path: string): Promise<CursorState & { validBytes: number }> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') data = Buffer.alloc(0);
    else throw err;
  }
  return parseCursorLog(data);
}

/**
 * The state the lines of a cursor log record, applied in order up to the first line that is not
 * one (torn or damaged: what follows is not trusted); `validBytes` is where that line starts.
 */
export function parseCursorLog(data: Buffer): CursorState & { validBytes: number } {
  const state: CursorState = { files: new Map(), dl: 0, totals: emptyTotals() };
  let validBytes = 0;
  for (let lf = data.indexOf(LF); lf !== -1; lf = data.indexOf(LF, validBytes)) {
    let e: { files?: Record<string, number>; file?: string; offset?: number; dl?: number; totals?: Partial<OutputTotals> };
    try {
      e = JSON.parse(data.toString('utf8', validBytes, lf)) as typeof e;
    } catch {
      break;
    }
    if (e.files !== undefined) state.files = new Map(Object.entries(e.files));
    if (typeof e.file === 'string' && typeof e.offset === 'number') {
      if (e.offset < 0) state.files.delete(e.file);
      else state.files.set(e.file, e.offset);
    }
    if (typeof e.dl === 'number') state.dl = e.dl;
    if (e.totals !== undefined) state.totals = { ...emptyTotals(), ...e.totals };
    validBytes = lf + 1;
  }
  return { ...state, validBytes };
}

/** The append side of `cursor.log`. */
export class CursorLog {
  private constructor(private readonly dir: string, private readonly log: LineLog) {}

  /**
   * Opens (creating the directory) and reads the log; cuts a torn or damaged last part.
   * @throws the `mkdir`/`open`/`read` error (EACCES …)
   */
  static async open(dir: string): Promise<{ log: CursorLog; state: CursorState }> {
    mkdirSync(dir, { recursive: true });
    const { log, data } = await LineLog.open(join(dir, 'cursor.log'));
    const { validBytes, ...state } = parseCursorLog(data);
    if (validBytes < log.size) await log.truncate(validBytes);
    return { log: new CursorLog(dir, log), state };
  }

  /** Whether the next {@link commit} compacts (its caller then passes every offset). */
  get wantsCompaction(): boolean { return this.log.size >= COMPACT_BYTES; }

  /**
   * Records that `file` is resolved up to `offset` (-1: forget the file), durably: returns once
   * the line is fdatasync'd. When the log is long and `all` is given, the log is replaced
   * instead by one snapshot line (atomically: store/line-log.ts).
   * @param all every file's offset (`file`'s included), written as the snapshot when compacting
   */
  async commit(file: string, offset: number, dl: number, totals: OutputTotals, all: ReadonlyMap<string, number> | null): Promise<void> {
    if (all !== null && this.wantsCompaction) await this.log.replace(`${JSON.stringify({ files: Object.fromEntries(all), dl, totals })}\n`);
    else await this.log.append(`${JSON.stringify({ file, offset, dl, totals })}\n`);
  }

  /** Writes `status.json` (not synced: it is a view, not state). */
  async writeStatus(status: unknown): Promise<void> {
    const path = join(this.dir, 'status.json');
    await writeFile(`${path}.tmp`, `${JSON.stringify(status, null, 1)}\n`);
    await rename(`${path}.tmp`, path);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

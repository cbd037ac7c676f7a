/**
 * A small durable log of LF-terminated lines, the one mechanism behind the archiver's journal
 * (archive/journal.ts) and the outputs' cursors (outputs/state.ts): each append is written at
 * the end and fdatasync'd before it resolves; {@link LineLog.replace} swaps the whole content
 * atomically (temp file, fsync, rename, fsync of the directory) for compaction. A torn last line
 * (a crash while appending) is cut when the log is opened.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const LF = 0x0a;

/** fsyncs a directory, so a file created or renamed in it survives a crash. @throws the `open`/`fsync` error */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

export class LineLog {
  private constructor(readonly path: string, private fh: FileHandle, private bytes: number) {}

  /**
   * Opens (creating it, mode 0640) and reads the log; bytes after its last LF are cut.
   * @returns the log and its complete lines (the file's content up to its last LF)
   * @throws the `open`/`read`/`truncate` error (EACCES, EIO …)
   */
  static async open(path: string): Promise<{ log: LineLog; data: Buffer }> {
    const fh = await open(path, 'a+', 0o640);
    try {
      const all = await fh.readFile();
      const data = all.subarray(0, all.lastIndexOf(LF) + 1);
      const log = new LineLog(path, fh, all.length);
      if (data.length < all.length) await log.truncate(data.length);
      return { log, data };
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /** Its length, bytes. */
  get size(): number { return this.bytes; }

  /** Cuts the log to `size` bytes (dropping lines its reader found damaged), durably. */
  async truncate(size: number): Promise<void> {
    await this.fh.truncate(size);
    await this.fh.datasync();
    this.bytes = size;
  }

  /** Appends `line` (which ends in LF); resolves once it is fdatasync'd. @throws the write/sync error */
  async append(line: string): Promise<void> {
    const buf = Buffer.from(line);
    await this.fh.write(buf, 0, buf.length, this.bytes);
    await this.fh.datasync();
    this.bytes += buf.length;
  }

  /** Replaces the whole log by `text` (LF-terminated lines), atomically. @throws the write/sync/rename error (the old log then stays) */
  async replace(text: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const t = await open(tmp, 'w', 0o640);
    try {
      await t.writeFile(text);
      await t.sync();
    } finally {
      await t.close();
    }
    await rename(tmp, this.path);
    await syncDir(dirname(this.path));
    await this.fh.close();
    this.fh = await open(this.path, 'a+', 0o640);
    this.bytes = Buffer.byteLength(text);
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

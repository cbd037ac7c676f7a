/**
 * An output's dead-letter file, `<storage.dir>/.outputs/<name>/dead-letter.ndjson`: every
 * record the destination refused for good (a permanent 4xx), one JSON line each, with why:
 *
 * ```
 * {"at":"<ISO>","output":"es","app":"web","day":"2026-12-02","offset":4096,"error":"item status 400: {…}","record":{…the stored record…}}
 * ```
 *
 * (`record` is the stored line as JSON; a line that is not JSON is kept as the string `line`.)
 * Entries are appended and fdatasync'd before the cursor moves past them. An entry written
 * after the cursor's last commit (a crash in between) is found again at start
 * ({@link DeadLetterFile.since}), so that record is not sent again.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutRecord } from './types.js';

/** A record's place in the store: `<app>/<YYYY-MM-DD>@<offset>`. */
export const placeKey = (app: string, day: string, offset: number): string => `${app}/${day}@${offset}`;

export class DeadLetterFile {
  private constructor(private readonly fh: FileHandle, private bytes: number, readonly path: string) {}

  /**
   * Opens (creates) the file and cuts a torn last line.
   * @throws the `open` error
   */
  static async open(dir: string): Promise<DeadLetterFile> {
    const path = join(dir, 'dead-letter.ndjson');
    const fh = await open(path, 'a+', 0o640);
    let size = (await fh.stat()).size;
    if (size > 0) {
      const tail = Buffer.alloc(Math.min(size, 1 << 20));
      await fh.read(tail, 0, tail.length, size - tail.length);
      const lf = tail.lastIndexOf(0x0a);
      const keep = lf === -1 ? size - tail.length : size - tail.length + lf + 1;
      if (keep !== size) {
        await fh.truncate(keep);
        await fh.datasync();
        size = keep;
      }
    }
    return new DeadLetterFile(fh, size, path);
  }

  /** Current size, bytes (what the cursor records at each commit). */
  get size(): number { return this.bytes; }

  /**
   * The places (see {@link placeKey}) of the entries after byte `offset`: records dead-lettered
   * after the cursor's last commit.
   */
  async since(offset: number): Promise<Set<string>> {
    const out = new Set<string>();
    if (offset >= this.bytes) return out;
    const buf = Buffer.alloc(this.bytes - offset);
    await this.fh.read(buf, 0, buf.length, offset);
    for (const line of buf.toString('utf8').split('\n')) {
      if (line === '') continue;
      try {
        const e = JSON.parse(line) as { app?: unknown; day?: unknown; offset?: unknown };
        if (typeof e.app === 'string' && typeof e.day === 'string' && typeof e.offset === 'number') out.add(placeKey(e.app, e.day, e.offset));
      } catch { /* not ours */ }
    }
    return out;
  }

  /** Appends one entry per record and fdatasyncs. @throws the write error (ENOSPC …) */
  async append(output: string, app: string, entries: ReadonlyArray<{ record: OutRecord; error: string }>): Promise<void> {
    const at = new Date().toISOString();
    let text = '';
    for (const { record, error } of entries) {
      const raw = record.line.toString('utf8');
      let body: string;
      try {
        JSON.parse(raw);
        body = `"record":${raw}`;
      } catch {
        body = `"line":${JSON.stringify(raw)}`;
      }
      text += `{"at":"${at}","output":${JSON.stringify(output)},"app":${JSON.stringify(app)},"day":"${record.day}","offset":${record.offset},"error":${JSON.stringify(error)},${body}}\n`;
    }
    const buf = Buffer.from(text);
    await this.fh.write(buf, 0, buf.length, this.bytes);
    await this.fh.datasync();
    this.bytes += buf.length;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

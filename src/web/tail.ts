/**
 * Live tail over Server-Sent Events (`GET /api/v1/apps/:app/tail`, WHATWG HTML §9.2): each
 * stored line that matches the stream's query is sent as `id: <_id>` + `data: <record JSON>`.
 * The id is the line's place in the store, so a client that reconnects with `Last-Event-ID`
 * resumes right after the last event it got, with no gap and no repeat.
 *
 * A stream reads its app's newest day file from where it left off whenever the store reports an
 * append (`wake`) and on a 500 ms poll (for a store written by another process: the archiver),
 * only complete lines (LF on disk). When a newer day file appears it moves on, and still reads
 * the old one for {@link DAY_GRACE_MS} (a batch that spans midnight may land there late). A slow
 * client is not buffered for: reading waits for the socket to drain.
 */
import type { ServerResponse } from 'node:http';
import { open, type FileHandle } from 'node:fs/promises';
import { dayFilePath } from '../store/layout.js';
import { listDays } from '../store/reader.js';
import type { CompiledQuery } from './query/index.js';
import { eventId, withId, type LinePlace } from './search/ids.js';
import { RawLineView } from './search/line-view.js';

/** How long a day file is still read after a newer one appeared, ms. */
export const DAY_GRACE_MS = 10_000;
/** A comment line is sent this often so proxies and browsers keep an idle stream open, ms. */
export const PING_MS = 15_000;
const CHUNK_BYTES = 64 * 1024;

/** Where a stream reads: one day file and the offset of its next line. */
interface Cursor {
  day: string;
  offset: number;
  /** Set on the old day once a newer one is read: stop reading it after this instant (epoch ms). */
  untilMs: number;
  fh: FileHandle | null;
  /** The offset of the line resumed after (not sent again); -1 when none. */
  skip: number;
}

export class TailStream {
  private readonly cursors: Cursor[] = [];
  private running = false;
  private again = false;
  /** false until begin() placed the cursor: a wake before that would read the newest day from its start */
  private begun = false;
  private closed = false;
  private readonly view = new RawLineView();
  private readonly ping: NodeJS.Timeout;

  /**
   * @param keyHash the key (or the session's key) the stream was opened with, re-checked on reload
   * @param resumeAfter the `Last-Event-ID` place: start right after that event; null = at the current end
   * @param onClose called once when the stream ends (client gone, revoked, receiver stopping)
   */
  constructor(
    private readonly res: ServerResponse,
    readonly app: string,
    readonly keyHash: Buffer,
    private readonly storeDir: string,
    private readonly query: CompiledQuery,
    private readonly onClose: (s: TailStream) => void,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    res.on('close', () => this.close());
    this.ping = setInterval(() => { if (!this.closed) res.write(': ping\n\n'); }, PING_MS);
    this.ping.unref();
  }

  /**
   * Positions the stream: after `resumeAfter` when given, else at the end of the newest day file.
   * @throws a read error other than ENOENT
   */
  async begin(resumeAfter: LinePlace | null): Promise<void> {
    const days = this.days();
    if (resumeAfter !== null) {
      this.cursors.push({ day: resumeAfter.day, offset: resumeAfter.offset, untilMs: Infinity, fh: null, skip: resumeAfter.offset });
    } else if (days.length > 0) {
      const day = days[days.length - 1];
      this.cursors.push({ day, offset: await endOfLines(dayFilePath(this.storeDir, this.app, day)), untilMs: Infinity, fh: null, skip: -1 });
    }
    this.begun = true;
    this.wake();
  }

  /** Reads what was appended (coalesced: one read runs at a time, one more is queued). */
  wake(): void {
    if (this.closed || !this.begun) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    void this.pump().finally(() => {
      this.running = false;
      if (this.again && !this.closed) { this.again = false; this.wake(); }
    });
  }

  /** Ends the stream; with `revoked`, tells the client first (`event: revoked`). Idempotent. */
  close(revoked = false): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ping);
    if (revoked && !this.res.writableEnded) this.res.write('event: revoked\ndata: {}\n\n');
    this.res.end();
    for (const c of this.cursors) void c.fh?.close().catch(() => undefined);
    this.onClose(this);
  }

  private days(): string[] {
    try {
      return listDays(this.storeDir, this.app).map((f) => f.slice(-17, -7));
    } catch {
      return [];
    }
  }

  private async pump(): Promise<void> {
    try {
      const days = this.days();
      const newest = days[days.length - 1];
      const last = this.cursors[this.cursors.length - 1];
      if (newest !== undefined && (last === undefined || newest > last.day)) {
        // later days first read from their start (a resume may skip several)
        for (const d of days) if (last === undefined ? d === newest : d > last.day) this.cursors.push({ day: d, offset: 0, untilMs: Infinity, fh: null, skip: -1 });
        const now = Date.now();
        for (let i = 0; i < this.cursors.length - 1; i++) if (this.cursors[i].untilMs === Infinity) this.cursors[i].untilMs = now + DAY_GRACE_MS;
      }
      for (const c of this.cursors) {
        if (this.closed) return;
        await this.read(c);
      }
      // drop old days past their grace
      const now = Date.now();
      while (this.cursors.length > 1 && this.cursors[0].untilMs < now) void this.cursors.shift()!.fh?.close().catch(() => undefined);
    } catch (err) {
      if (!this.closed) this.res.write(`event: error\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
      this.close();
    }
  }

  /** Sends the complete lines appended to one day file since its cursor. */
  private async read(c: Cursor): Promise<void> {
    if (c.fh === null) {
      try {
        c.fh = await open(dayFilePath(this.storeDir, this.app, c.day), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
    }
    let buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const size = (await c.fh.stat()).size;
      if (size <= c.offset || this.closed) return;
      if (buf.length < Math.min(CHUNK_BYTES, size - c.offset)) buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - c.offset));
      const { bytesRead } = await c.fh.read(buf, 0, Math.min(buf.length, size - c.offset), c.offset);
      if (bytesRead <= 0) return;
      const s = buf.toString('latin1', 0, bytesRead);
      const lastLf = s.lastIndexOf('\n');
      if (lastLf === -1) {
        if (bytesRead < buf.length) return; // the rest of the line is not on disk yet
        buf = Buffer.allocUnsafe(buf.length * 2);
        continue;
      }
      let out = '';
      for (let ls = 0; ls <= lastLf;) {
        const le = s.indexOf('\n', ls);
        const at = c.offset + ls;
        if (le > ls && at !== c.skip) {
          this.view.reset(buf, s, 0, ls, le);
          if (this.query.matchAll || this.query.match(this.view)) {
            const id = eventId(c.day, at);
            out += `id: ${id}\ndata: ${withId(this.view.text(), id)}\n\n`;
          }
        }
        ls = le + 1;
      }
      if (c.skip >= c.offset && c.skip <= c.offset + lastLf) c.skip = -1;
      c.offset += lastLf + 1;
      if (out !== '' && !this.res.write(out)) await this.drained();
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) { resolve(); return; }
      const done = (): void => { this.res.off('drain', done); this.res.off('close', done); resolve(); };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}

/** The offset just past the file's last LF (where the next complete line will start); 0 when missing. */
async function endOfLines(path: string): Promise<number> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return 0;
  }
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      const i = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (i !== -1) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/**
 * One output (the forwarding issue): ships the store's day files to its {@link Destination},
 * at least once, across outages, restarts and `kill -9`.
 *
 * The store is the outbox. The runner tracks every day file of the apps it ships — its size
 * (told by the store after each durable append, {@link OutputRunner.appended}, and by a scan at
 * start and every minute) and the offset its cursor has reached — and loops:
 *
 * 1. pick the file with unshipped bytes whose day is oldest (apps of one day in turn);
 * 2. batch its lines after the cursor: up to `batchMaxRecords` and `batchMaxBytes`; a batch
 *    that is not full waits until its file has had unshipped data for `batchDelayMs`;
 * 3. send it; records the destination refused for good go to the dead-letter file (fsync'd);
 *    the ones to retry are sent again after an exponential backoff with jitter (or the
 *    destination's `Retry-After`), for as long as it takes — nothing is dropped;
 * 4. once every record of the batch is resolved, commit the cursor (fsync'd,
 *    outputs/state.ts), then read on.
 *
 * A crash resends at most the batch in flight (Elasticsearch answers 409 for what it already
 * has, which counts as delivered); a record dead-lettered before the crash is found in the
 * dead-letter file and not sent again. Retention asks {@link OutputRunner.unshipped} before
 * deleting a day file and keeps an unshipped one unless `storage.maxBytes` forces it
 * ({@link OutputRunner.lose}: counted as lost and logged).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { OutputConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import { dayFilePath, listDayFiles, type DayFile } from '../store/layout.js';
import { backoffMs } from './backoff.js';
import { DeadLetterFile, placeKey } from './dead-letter.js';
import { CursorLog, outputDir, type OutputTotals } from './state.js';
import { ItemStatus, wholeResult, type DeliveryResult, type Destination, type OutRecord } from './types.js';

/** What an output is doing, for metrics, `/healthz`, `status.json` and `syslog-receiver outputs`. */
export interface OutputStatus {
  name: string;
  type: OutputConfig['type'];
  /** The destination, credentials removed. */
  url: string;
  /** `idle` (nothing to ship), `shipping`, `retrying` (the last attempt failed), `stopped`. */
  state: 'idle' | 'shipping' | 'retrying' | 'stopped';
  /** Totals since the output was first started (records; see {@link OutputTotals}). */
  totals: OutputTotals;
  /** Records stored but not shipped yet (counted from the day files), and their bytes. */
  lagRecords: number;
  lagBytes: number;
  /** Age of the oldest unshipped record (now − its `receivedAt`), s; 0 when none. */
  lagSeconds: number;
  /** Failed attempts in a row on the batch in flight (0 when the last one worked). */
  attempts: number;
  lastError: string | null;
  /** ISO times; null = never. */
  lastErrorAt: string | null;
  lastShippedAt: string | null;
  /** Whether the lag is within `maxLagSeconds`. */
  healthy: boolean;
  maxLagSeconds: number;
  /** When this status was computed (ISO), and by which process. */
  updatedAt: string;
  pid: number;
}

/** One day file as the runner tracks it. */
interface Tracked {
  key: string;
  app: string;
  day: string;
  /** Known size: everything before it is durable in the store, bytes. */
  size: number;
  /** The cursor: lines before this offset are resolved. */
  shipped: number;
  /** Lines counted in [shipped, counted) for the lag (LFs), and up to where. */
  counted: number;
  linesAhead: number;
  /** `receivedAt` (epoch ms) of the line at `firstAt` (the cursor), once read; NaN = unknown. */
  firstAtMs: number;
  firstAt: number;
  /** When this file last went from fully shipped to having unshipped bytes, epoch ms. */
  dirtySince: number;
}

const LF = 0x0a;
const RECEIVED_AT = Buffer.from('"receivedAt":"');
const SCAN_MS = 60_000;
const COUNT_CHUNK = 1 << 20;

/** Removes `user:password@` from a URL for display. */
export function displayUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

export class OutputRunner {
  readonly name: string;
  private readonly files = new Map<string, Tracked>();
  private cursor: CursorLog | null = null;
  private dl: DeadLetterFile | null = null;
  private totals: OutputTotals = { shipped: 0, retried: 0, deadLettered: 0, lost: 0 };
  /** Offsets committed by the cursor log, for files the store has not shown yet. */
  private committed = new Map<string, number>();
  /** Places dead-lettered after the cursor's last commit (found at start): skipped, never resent. */
  private done = new Set<string>();
  private readonly refused = new Set<string>();
  private loop: Promise<void> | null = null;
  private stopped = false;
  /** Ends the current sleep: set by every sleep (stop uses it); appends use it only for sleeps that wait for data. */
  private wakeUp: (() => void) | null = null;
  private sleepWantsData = false;
  private lagRefresh: Promise<void> | null = null;
  private lagQueued: Promise<void> | null = null;
  /** The cursor commits in order, each after the one before. */
  private commits: Promise<void> = Promise.resolve();
  private state: OutputStatus['state'] = 'idle';
  private attempts = 0;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastShippedAt: number | null = null;
  private lastScanMs = 0;
  private lag = { records: 0, bytes: 0, seconds: 0 };

  constructor(private readonly cfg: OutputConfig, private readonly storeDir: string, private readonly dest: Destination, private readonly log: Logger) {
    this.name = cfg.name;
  }

  /**
   * Loads the cursor and the dead-letter file (before retention runs, so it knows what is
   * unshipped).
   * @throws the state directory's `mkdir`/`open`/`read` error
   */
  async open(): Promise<void> {
    const dir = outputDir(this.storeDir, this.name);
    const { log, state } = await CursorLog.open(dir);
    this.cursor = log;
    this.committed = state.files;
    this.totals = state.totals;
    this.dl = await DeadLetterFile.open(dir);
    this.done = await this.dl.since(state.dl);
    if (this.done.size > 0) this.log.info({ records: this.done.size }, 'records dead-lettered before the last stop are not sent again');
  }

  /** Whether this output ships `app`. */
  covers(app: string): boolean {
    return this.cfg.apps === null ? !app.startsWith('.') : this.cfg.apps.includes(app);
  }

  /** Scans the store, then ships until {@link stop}. */
  async start(): Promise<void> {
    await this.scan();
    this.loop = this.run().catch((err) => {
      this.log.error({ err, code: ErrorCodes.OUTPUT_FAILED }, 'output stopped on an unexpected error');
      this.state = 'stopped';
    });
  }

  /** The store made `app`'s file of `day` durable up to `size` bytes. */
  appended(app: string, day: string, size: number): void {
    if (!this.ships(app)) return;
    const t = this.track(app, day);
    if (size > t.size) {
      if (t.size <= t.shipped) t.dirtySince = Date.now();
      t.size = size;
      if (this.sleepWantsData) this.wakeUp?.();
    }
  }

  /** Whether this output ships `app` and its destination can (else logged once and skipped). */
  private ships(app: string): boolean {
    if (!this.covers(app) || this.refused.has(app)) return false;
    if (this.dest.accepts(app)) return true;
    this.refused.add(app);
    this.log.warn({ app }, 'this output cannot ship this app (no token for it in the output\'s tokens:): skipped');
    return false;
  }

  /** Whether the day file `f` (with its size now) holds records this output has not resolved. */
  unshipped(f: DayFile): boolean {
    if (!this.covers(f.app)) return false;
    const t = this.files.get(`${f.app}/${f.day}`);
    return (t?.shipped ?? this.committed.get(`${f.app}/${f.day}`) ?? 0) < f.bytes;
  }

  /**
   * Retention is deleting `f` although it is unshipped (`storage.maxBytes`): counts its
   * unshipped lines as lost, logs it, and forgets the file.
   */
  async lose(f: DayFile): Promise<void> {
    const key = `${f.app}/${f.day}`;
    const from = this.files.get(key)?.shipped ?? this.committed.get(key) ?? 0;
    const lines = await countLines(f.path, from, f.bytes).catch(() => 0);
    this.totals.lost += lines;
    this.log.error({ code: ErrorCodes.OUTPUT_LOST, app: f.app, day: f.day, records: lines, bytes: f.bytes - from }, 'storage.maxBytes forced retention to delete a day file this output had not shipped: these records are lost for it');
    await this.forget(key);
  }

  private track(app: string, day: string): Tracked {
    const key = `${app}/${day}`;
    let t = this.files.get(key);
    if (t === undefined) {
      const shipped = this.committed.get(key) ?? 0;
      t = { key, app, day, size: 0, shipped, counted: shipped, linesAhead: 0, firstAtMs: NaN, firstAt: -1, dirtySince: Date.now() };
      this.files.set(key, t);
    }
    return t;
  }

  private async forget(key: string): Promise<void> {
    this.files.delete(key);
    this.committed.delete(key);
    await this.commit(key, -1);
  }

  /** Lists the store's day files: new ones are tracked, grown ones noted, vanished ones forgotten. */
  private async scan(): Promise<void> {
    this.lastScanMs = Date.now();
    const seen = new Set<string>();
    for (const f of await listDayFiles(this.storeDir)) {
      if (!this.ships(f.app)) continue;
      const key = `${f.app}/${f.day}`;
      seen.add(key);
      const t = this.track(f.app, f.day);
      if (f.bytes !== t.size) {
        if (t.size <= t.shipped && f.bytes > t.shipped) t.dirtySince = Date.now();
        t.size = f.bytes;
      }
    }
    for (const [key, t] of this.files) {
      if (seen.has(key)) continue;
      if (t.size > t.shipped) {
        this.totals.lost += t.linesAhead;
        this.log.error({ code: ErrorCodes.OUTPUT_LOST, app: t.app, day: t.day, records: t.linesAhead }, 'a day file this output had not shipped disappeared from the store');
      }
      await this.forget(key);
    }
    for (const key of [...this.committed.keys()]) if (!this.files.has(key)) this.committed.delete(key);
  }

  /** The next file to ship from: oldest day first; among files of one day, the one dirty longest. */
  private next(): Tracked | null {
    let best: Tracked | null = null;
    for (const t of this.files.values()) {
      if (t.size <= t.shipped || this.refused.has(t.app)) continue;
      if (best === null || t.day < best.day || (t.day === best.day && t.dirtySince < best.dirtySince)) best = t;
    }
    return best;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (Date.now() - this.lastScanMs >= SCAN_MS) await this.scan().catch((err) => this.log.error({ err, code: ErrorCodes.STORE_READ }, 'output: cannot list the store'));
      const t = this.next();
      if (t === null) {
        this.state = 'idle';
        await this.sleep(1000, true);
        continue;
      }
      const unshipped = t.size - t.shipped;
      const full = unshipped >= this.cfg.batchMaxBytes || (t.counted >= t.size && t.linesAhead >= this.cfg.batchMaxRecords);
      const wait = t.dirtySince + this.cfg.batchDelayMs - Date.now();
      if (!full && wait > 0) {
        await this.sleep(wait, true);
        continue;
      }
      this.state = this.attempts > 0 ? 'retrying' : 'shipping';
      let batch: { records: OutRecord[]; end: number; lines: number };
      try {
        batch = await this.read(t);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') { await this.forget(t.key); continue; }
        this.log.error({ err, code: ErrorCodes.STORE_READ, app: t.app, day: t.day }, 'output: cannot read a day file; trying again');
        await this.sleep(5000, false);
        continue;
      }
      if (batch.end === t.shipped) {
        // nothing readable where the store said there was (the file was cut under the cursor): look again later
        t.size = t.shipped;
        this.lastScanMs = 0;
        await this.sleep(1000, false);
        continue;
      }
      const resolved = batch.records.length === 0 || await this.deliver(t, batch.records);
      if (!resolved) break; // stopped while retrying: the batch is sent again at the next start
      if (this.files.get(t.key) !== t) continue; // retention took the file meanwhile
      this.advance(t, batch.end, batch.lines);
      void this.commit(t.key, batch.end);
    }
  }

  /**
   * The next batch of `t`: complete lines after the cursor, at most batchMaxRecords records
   * and batchMaxBytes bytes (one longer line goes alone). Lines dead-lettered before a crash are
   * skipped. `end` is the offset after the last line taken or skipped.
   */
  private async read(t: Tracked): Promise<{ records: OutRecord[]; end: number; lines: number }> {
    const fh = await open(dayFilePath(this.storeDir, t.app, t.day), 'r');
    try {
      if (t.shipped > 0 && !(await endsLine(fh, t.shipped))) {
        // the file was cut below the cursor and written again (a rolled-back commit): resume at the next line
        const next = await nextLineStart(fh, t.shipped, t.size);
        this.log.warn({ app: t.app, day: t.day, from: t.shipped, to: next }, 'output cursor was not at a line start (the file was cut and rewritten); resuming at the next line');
        this.advance(t, next);
      }
      let want = Math.min(t.size - t.shipped, this.cfg.batchMaxBytes);
      let buf = Buffer.allocUnsafe(want);
      let got = (await fh.read(buf, 0, want, t.shipped)).bytesRead;
      while (got > 0 && buf.lastIndexOf(LF, got - 1) === -1 && t.shipped + got < t.size) {
        want = Math.min(t.size - t.shipped, want * 2); // one line longer than batchMaxBytes
        const bigger = Buffer.allocUnsafe(want);
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
        const more = (await fh.read(buf, got, want - got, t.shipped + got)).bytesRead;
        if (more === 0) break; // shorter than the store said: nothing more to read now
        got += more;
      }
      const records: OutRecord[] = [];
      let from = 0;
      let lines = 0;
      for (let lf = buf.indexOf(LF); lf !== -1 && lf < got && records.length < this.cfg.batchMaxRecords; lf = buf.indexOf(LF, from)) {
        const offset = t.shipped + from;
        const line = buf.subarray(from, lf);
        from = lf + 1;
        if (line.length === 0) continue;
        lines++;
        if (this.done.size > 0 && this.done.delete(placeKey(t.app, t.day, offset))) continue;
        records.push({ day: t.day, offset, line });
      }
      return { records, end: t.shipped + from, lines };
    } finally {
      await fh.close();
    }
  }

  /**
   * Sends `records` until each is delivered or dead-lettered.
   * @returns false when the output was stopped first (the batch stays unresolved)
   */
  private async deliver(t: Tracked, records: OutRecord[]): Promise<boolean> {
    let pending = records;
    for (;;) {
      if (this.stopped) return false;
      let res: DeliveryResult;
      try {
        res = await this.dest.send(t.app, pending);
      } catch (err) { // a destination never throws; if one does (a bug), keep the records and say so
        this.log.error({ err, code: ErrorCodes.OUTPUT_FAILED }, 'output destination failed unexpectedly; retrying the batch');
        res = wholeResult(pending.length, ItemStatus.Retry, `unexpected error: ${(err as Error).message}`);
      }
      const retry: OutRecord[] = [];
      const rejected: Array<{ record: OutRecord; error: string }> = [];
      let delivered = 0;
      pending.forEach((r, i) => {
        if (res.status[i] === ItemStatus.Delivered) delivered++;
        else if (res.status[i] === ItemStatus.Rejected) rejected.push({ record: r, error: res.detail[i] ?? res.error ?? 'refused' });
        else retry.push(r);
      });
      if (rejected.length > 0) {
        try {
          await this.dl!.append(this.name, t.app, rejected);
          this.totals.deadLettered += rejected.length;
          this.log.warn({ app: t.app, records: rejected.length, error: rejected[0].error, file: this.dl!.path }, 'the destination refused records for good: written to the dead-letter file');
        } catch (err) {
          this.log.error({ err, code: ErrorCodes.OUTPUT_DEAD_LETTER }, 'cannot write the dead-letter file: those records are kept and sent again');
          for (const r of rejected) retry.push(r.record);
        }
      }
      this.totals.shipped += delivered;
      if (delivered > 0) this.lastShippedAt = Date.now();
      if (retry.length === 0) {
        if (this.attempts > 0) this.log.info({ attempts: this.attempts }, 'output delivers again');
        this.attempts = 0;
        this.state = 'shipping';
        return true;
      }
      this.attempts++;
      this.state = 'retrying';
      this.lastError = res.error ?? 'not delivered';
      this.lastErrorAt = Date.now();
      const delay = backoffMs(this.attempts, this.cfg.minBackoffMs, this.cfg.maxBackoffMs, res.retryAfterMs);
      this.log.warn({ code: ErrorCodes.OUTPUT_RETRY, app: t.app, records: retry.length, attempt: this.attempts, retryInMs: Math.round(delay), error: this.lastError }, 'output: records not delivered; retrying');
      await this.sleep(delay, false);
      this.totals.retried += retry.length;
      pending = retry;
    }
  }

  /**
   * Moves `t`'s cursor to `end` (in memory), keeping the lag counters consistent.
   * @param lines the lines between the old and the new cursor, when known (a batch)
   */
  private advance(t: Tracked, end: number, lines?: number): void {
    if (t.counted > end) {
      // the lines between the old and new cursor were counted: take them off
      t.linesAhead = Math.max(0, t.linesAhead - (lines ?? this.countedBetween(t, end)));
    } else {
      t.counted = end;
      t.linesAhead = 0;
    }
    t.shipped = end;
    if (t.shipped >= t.size) t.dirtySince = Date.now();
  }

  /** Estimated LFs in [t.shipped, end): the counted lines in proportion to the bytes. */
  private countedBetween(t: Tracked, end: number): number {
    const span = t.counted - t.shipped;
    return span <= 0 ? 0 : Math.round((t.linesAhead * (end - t.shipped)) / span);
  }

  /**
   * Writes the cursor for `key` behind the commits before it, without waiting: the next batch
   * is read and sent while this one is synced (a crash then resends from the last synced
   * commit). What it records — the dead-letter size, the totals, for a compaction every
   * offset — is taken now, when the batch is resolved. A failed write is logged (the next
   * commit writes the offset again).
   */
  private commit(key: string, offset: number): Promise<void> {
    const cursor = this.cursor;
    if (cursor === null) return Promise.resolve();
    const dl = this.dl?.size ?? 0;
    const totals = { ...this.totals };
    const all = cursor.wantsCompaction ? this.offsets() : null;
    this.commits = this.commits.then(() => cursor.commit(key, offset, dl, totals, all)).catch((err: unknown) => {
      this.log.error({ err, code: ErrorCodes.OUTPUT_CURSOR }, 'cannot write the output cursor: after a restart the last batches are sent again');
    });
    return this.commits;
  }

  private offsets(): Map<string, number> {
    const m = new Map<string, number>();
    for (const t of this.files.values()) m.set(t.key, t.shipped);
    return m;
  }

  /**
   * Waits `ms`, or less: {@link stop} ends any sleep; an append ends it only when `forData`
   * (waiting for records, not a retry backoff, which appends must not cut short).
   */
  private sleep(ms: number, forData: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.sleepWantsData = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      this.sleepWantsData = forData;
    });
  }

  /**
   * Recounts the lag: lines after each cursor (counting only bytes not counted before) and the
   * age of the oldest unshipped record (its `receivedAt`). Cheap when little changed.
   */
  refreshLag(): Promise<void> {
    // one count at a time (one of a long backlog may outlast the refresh interval); a caller
    // arriving during a count gets the next one, which starts after it (shared by every such caller)
    if (this.lagQueued !== null) return this.lagQueued;
    if (this.lagRefresh === null) {
      this.lagRefresh = this.countLag(Date.now()).finally(() => { this.lagRefresh = null; });
      return this.lagRefresh;
    }
    this.lagQueued = this.lagRefresh.then(() => {
      this.lagQueued = null;
      return this.refreshLag();
    });
    return this.lagQueued;
  }

  private async countLag(now: number): Promise<void> {
    let records = 0;
    let bytes = 0;
    let oldest = Infinity;
    for (const t of this.files.values()) {
      if (t.size <= t.shipped) continue;
      const path = dayFilePath(this.storeDir, t.app, t.day);
      try {
        if (t.counted < t.shipped) { t.counted = t.shipped; t.linesAhead = 0; }
        if (t.counted < t.size) {
          t.linesAhead += await countLines(path, t.counted, t.size);
          t.counted = t.size;
        }
        if (t.firstAt !== t.shipped) {
          t.firstAtMs = await receivedAtOf(path, t.shipped);
          t.firstAt = t.shipped;
        }
      } catch {
        continue; // deleted meanwhile: the next scan forgets it
      }
      records += t.linesAhead;
      bytes += t.size - t.shipped;
      if (t.firstAtMs < oldest) oldest = t.firstAtMs;
    }
    this.lag = { records, bytes, seconds: oldest === Infinity ? 0 : Math.max(0, (now - oldest) / 1000) };
  }

  /** What the output is doing now (lag as of the last {@link refreshLag}). */
  status(now: number = Date.now()): OutputStatus {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      name: this.name,
      type: this.cfg.type,
      url: displayUrl(this.cfg.url),
      state: this.stopped ? 'stopped' : this.state,
      totals: { ...this.totals },
      lagRecords: this.lag.records,
      lagBytes: this.lag.bytes,
      lagSeconds: Math.round(this.lag.seconds * 10) / 10,
      attempts: this.attempts,
      lastError: this.lastError,
      lastErrorAt: iso(this.lastErrorAt),
      lastShippedAt: iso(this.lastShippedAt),
      healthy: this.lag.seconds <= this.cfg.maxLagSeconds,
      maxLagSeconds: this.cfg.maxLagSeconds,
      updatedAt: new Date(now).toISOString(),
      pid: process.pid,
    };
  }

  /** Writes `status.json` for `syslog-receiver outputs`. */
  async writeStatus(): Promise<void> {
    await this.cursor?.writeStatus(this.status()).catch(() => undefined);
  }

  /**
   * Stops shipping: a request in flight is aborted (its batch is sent again at the next start),
   * the status is written and the files closed. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeUp?.();
    await this.dest.close();
    await this.loop;
    await this.commits;
    await this.writeStatus();
    await this.cursor?.close();
    await this.dl?.close();
  }
}

/** Whether the byte before `offset` is an LF (the cursor is at a line start). */
async function endsLine(fh: FileHandle, offset: number): Promise<boolean> {
  const b = Buffer.alloc(1);
  const { bytesRead } = await fh.read(b, 0, 1, offset - 1);
  return bytesRead === 1 && b[0] === LF;
}

/** The offset after the first LF at or after `offset` (or `size` when there is none before it). */
async function nextLineStart(fh: FileHandle, offset: number, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let pos = offset; pos < size;) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    const lf = buf.subarray(0, bytesRead).indexOf(LF);
    if (lf !== -1) return pos + lf + 1;
    pos += bytesRead;
  }
  return size;
}

/**
 * LFs in `[from, to)` of `path`, read in 1 MiB chunks.
 * @throws the `open`/`read` error
 */
export async function countLines(path: string, from: number, to: number): Promise<number> {
  if (to <= from) return 0;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(COUNT_CHUNK, to - from));
    let n = 0;
    for (let pos = from; pos < to;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - pos), pos);
      if (bytesRead === 0) break;
      for (let i = buf.indexOf(LF); i !== -1 && i < bytesRead; i = buf.indexOf(LF, i + 1)) n++;
      pos += bytesRead;
    }
    return n;
  } finally {
    await fh.close();
  }
}

/**
 * `receivedAt` of the line starting at `offset`, epoch ms; NaN when it has none in its first 4 KiB.
 * @throws the `open`/`read` error
 */
export async function receivedAtOf(path: string, offset: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    const line = buf.subarray(0, bytesRead);
    const end = line.indexOf(LF);
    const at = line.subarray(0, end === -1 ? bytesRead : end).indexOf(RECEIVED_AT);
    if (at === -1) return NaN;
    const from = at + RECEIVED_AT.length;
    return Date.parse(line.toString('latin1', from, from + 24));
  } finally {
    await fh.close();
  }
}

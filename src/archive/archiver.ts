/**
 * `syslog-receiver archive` (the scale-out issue): a durable pull consumer on the receivers'
 * JetStream stream that writes each message's line into the same per-app, per-day NDJSON store
 * `storage.type: file` writes (`<storage.dir>/<app>/<YYYY-MM-DD>.ndjson`, through the same
 * {@link FileSink}: group commit, fdatasync), so `tail` and `search` read it unchanged.
 *
 * Exactly once from the stream to the archive:
 * - messages are applied in delivery order; one already applied (stream sequence at or below the
 *   highest applied, a redelivery) is acknowledged and skipped;
 * - a group commit first appends its intent to the journal (archive/journal.ts: the files it
 *   will touch and their sizes), then writes and syncs the lines, and only then acks its
 *   messages; a crash halfway is undone from the journal at the next start;
 * - a delivery the archive did not see (a consumer-sequence gap: a crash, a broken connection)
 *   resets the consumer to start right after the highest applied sequence
 *   (archive/consumer.ts), so no message is skipped either;
 * - when the consumer takes the whole stream (the default filter), a delivery whose stream
 *   sequence jumps is checked against the stream leader before it is applied: messages removed
 *   from the stream (limits, deletes) are a legitimate gap, but a consumer that skipped stored
 *   messages (a server fault) is reset to read them;
 * - a consumer that says it is done while the stream leader holds more is reported (a replica
 *   that diverged from the leader, seen on nats-server 2.9.10: no reset can repair that).
 * With `outputs:`, the archiver also runs them: they ship the archive (the store it writes).
 * The app is the subject's last token (`<subjectPrefix>.<app>`); the day file is the UTC day of
 * the line's `receivedAt`, as the receiver's file store would choose it.
 */
import { mkdir } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { Config } from '../config/schema.js';
import { ErrorCodes, ReceiverError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Outputs } from '../outputs/index.js';
import { FileSink } from '../sinks/file.js';
import { RecordBatch } from '../sinks/batch.js';
import { connectJetStream, ensureStream } from '../sinks/jetstream-connect.js';
import { DAY_MS, dayString } from '../store/layout.js';
import { ArchiveConsumer } from './consumer.js';
import { ArchiveJournal, keySize, truncateFiles, type JournalEntry } from './journal.js';

/** What `syslog-receiver archive` has done since it started. */
export interface ArchiverStats {
  /** Lines written (and synced) into the store. */
  archived: number;
  /** Redeliveries of messages already in the store: acknowledged, not written again. */
  skipped: number;
  /** Messages that are not one of our lines (no single LF-terminated line, or a subject that is no app name): acknowledged, not stored, logged. */
  invalid: number;
  /** Consumer resets (a delivery the archive had not seen, or a start after a crash). */
  resets: number;
  /** Whole-stream consumers: deliveries that jumped over messages the stream still holds (a server fault; read again after a reset). */
  serverSkips: number;
  /**
   * Times the consumer said nothing was left while the stream leader held messages after the
   * last archived one, for 20 s: the consumer's replica diverged from the leader's (a server
   * fault, seen on nats-server 2.9.10 after a node was stopped); logged as an error.
   */
  divergences: number;
  /** Group commits. */
  commits: number;
  /** Highest stream sequence in the store. */
  seq: number;
  /** Messages left in the stream for this consumer after the last one delivered (the lag). */
  pending: number;
}

/** Messages received since the last commit (or being committed). */
interface Pending {
  batch: RecordBatch;
  /** Every delivery, to ack after the commit (skipped and invalid ones too). */
  msgs: JsMsg[];
  /** `<app>/<YYYY-MM-DD>` of every day file the batch appends to. */
  files: Set<string>;
  lastApp: string;
  lastDay: number;
  /** Highest applied stream sequence and last consumer sequence once this is committed. */
  seq: number;
  cseq: number;
}

const newPending = (): Pending => ({ batch: new RecordBatch(), msgs: [], files: new Set(), lastApp: '', lastDay: -1, seq: 0, cseq: 0 });

const RECEIVED_AT = Buffer.from('"receivedAt":"');
const APP_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const HOUSEKEEPING_MS = 10_000;

/** Epoch ms of 00:00 UTC of the `YYYY-MM-DD` at `data[i]`, or NaN. */
function dayStartMs(data: Uint8Array, i: number): number {
  const d = (k: number): number => data[i + k] - 48;
  if (i + 10 > data.length || data[i + 4] !== 0x2d || data[i + 7] !== 0x2d) return NaN;
  const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const m = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  return m >= 1 && m <= 12 && day >= 1 && day <= 31 && y >= 1970 ? Date.UTC(y, m - 1, day) : NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Archiver {
  private readonly prefix: string;
  private readonly batchSize: number;
  private readonly maxWaitMs: number;
  /** Highest stream sequence applied (in the store or in {@link open}). */
  private applied: number;
  /** Last consumer sequence received. */
  private cseq: number;
  /** What the store holds for sure: the state the next journal entry records. */
  private committedSeq: number;
  private committedCseq: number;
  private consumerId: string;
  private open: Pending = newPending();
  private committing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pull: ConsumerMessages | null = null;
  /** Deliveries of an older pull (before a reset) are ignored: they carry its generation. */
  private gen = 0;
  private resetting: Promise<void> | null = null;
  /** The filter is the stream's one subject: every stream sequence is ours (see {@link onMessage}). */
  private readonly wholeStream: boolean;
  /** Stream sequences up to this one were checked: nothing on the filter after {@link applied} (removed messages). */
  private gapCheckedTo: number;
  /** Housekeeping ticks in a row at this committed sequence with the consumer idle but the stream leader holding more. */
  private idleBehind = 0;
  private idleBehindSeq = -1;
  private stopping = false;
  private housekeeper: NodeJS.Timeout | null = null;
  private readonly counters: ArchiverStats;
  private failure: Error | null = null;
  private cachedDay = -1;
  private cachedDayString = '';
  private fail: (e: Error) => void = () => undefined;
  /** Rejects when the archiver stopped on an error it cannot get past (see the log). */
  readonly failed: Promise<never>;

  private constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly nc: NatsConnection,
    private readonly consumer: ArchiveConsumer,
    private readonly journal: ArchiveJournal,
    private readonly sink: FileSink,
    stream: { first: number; wholeStream: boolean },
    /** The outputs (`outputs:`): with JetStream the archive is the store they ship from; null without outputs. */
    readonly outputs: Outputs | null,
  ) {
    this.wholeStream = stream.wholeStream;
    this.gapCheckedTo = stream.first - 1; // removed before it started (warned in start)
    this.failed = new Promise<never>((_, reject) => { this.fail = reject; });
    this.failed.catch(() => undefined);
    const j = journal.last;
    this.prefix = `${config.storage.jetstream!.subjectPrefix}.`;
    this.batchSize = config.archive.batchSize;
    this.maxWaitMs = config.archive.maxWaitMs;
    this.applied = this.committedSeq = j.seq;
    this.cseq = this.committedCseq = j.cseq;
    this.consumerId = j.consumer;
    this.counters = { archived: 0, skipped: 0, invalid: 0, resets: 0, serverSkips: 0, divergences: 0, commits: 0, seq: j.seq, pending: 0 };
  }

  /** Every 10 s: the file store's upkeep (idle files, retention), the lag, a progress line when something moved. */
  private startHousekeeping(): void {
    let last = -1;
    this.housekeeper = setInterval(() => {
      void this.sink.housekeeping(Date.now());
      // the lag: what the consumer still has for us (the last delivery's count is stale once deliveries stop)
      void this.refreshPending();
      if (this.counters.archived !== last) this.log.info({ stats: this.stats() }, 'archive progress');
      last = this.counters.archived;
    }, HOUSEKEEPING_MS);
  }

  /**
   * Opens the store (undoing an interrupted commit from the journal), connects, checks the
   * stream (creating it like a receiver would, `createStream`), and starts consuming — after
   * resetting the consumer when the server delivered anything the archive does not hold.
   * @throws ReceiverError SYSLOG_ERR_ARCHIVE_CONFIG (no `storage.jetstream`, a filter outside
   *   the subject prefix), SYSLOG_ERR_ARCHIVE_OPEN (store, journal, servers or stream unusable)
   */
  static async start(config: Config, log: Logger): Promise<Archiver> {
    const j = config.storage.jetstream;
    if (config.storage.type !== 'jetstream' || j === null) throw new ReceiverError(ErrorCodes.ARCHIVE_CONFIG, 'archive reads a JetStream stream: set storage.type: jetstream and storage.jetstream (servers, stream) in the config the receivers use');
    const filterSubject = config.archive.filterSubject ?? `${j.subjectPrefix}.>`;
    if (!filterSubject.startsWith(`${j.subjectPrefix}.`)) throw new ReceiverError(ErrorCodes.ARCHIVE_CONFIG, `archive.filterSubject ${filterSubject} is outside storage.jetstream.subjectPrefix (${j.subjectPrefix}.…)`);
    const dir = config.storage.dir;
    let journal: ArchiveJournal;
    const outputs = config.outputs.length > 0 ? new Outputs(config.outputs, dir, log.child({ component: 'outputs' })) : null;
    const sink = new FileSink({
      dir, fsync: config.storage.fsync, retentionDays: config.storage.retentionDays, maxBytes: config.storage.maxBytes, log: log.child({ component: 'store' }),
      ...(outputs === null ? {} : { onAppend: (app: string, day: string, size: number) => outputs.appended(app, day, size), retentionGuard: outputs }),
    });
    try {
      await mkdir(dir, { recursive: true });
      const opened = await ArchiveJournal.open(dir, config.archive.durable);
      journal = opened.journal;
      if (opened.truncated > 0) log.warn({ files: opened.truncated }, 'undid a group commit interrupted by a crash (its messages are fetched again)');
    } catch (e) {
      throw new ReceiverError(ErrorCodes.ARCHIVE_OPEN, `cannot open the archive at ${dir}: ${(e as Error).message}`, { cause: e });
    }
    let nc: NatsConnection | null = null;
    try {
      await outputs?.open(); // before the store's retention, which asks them what is unshipped
      await sink.open();
      nc = await connectJetStream(j, `syslog-receiver archive ${config.archive.durable}`);
      await ensureStream(await jetstreamManager(nc), j);
      const consumer = await ArchiveConsumer.create(nc, { stream: j.stream, durable: config.archive.durable, filterSubject, ackWaitMs: config.archive.ackWaitMs, maxAckPending: config.archive.batchSize * 4 });
      const { first, last, wholeStream } = await consumer.streamSeqs();
      if (journal.last.seq > last) throw new Error(`the archive holds stream sequences up to ${journal.last.seq} but stream ${j.stream} ends at ${last}: was the stream recreated? Archive a new stream into an empty storage.dir`);
      if (first > journal.last.seq + 1 && last > 0) log.warn({ code: ErrorCodes.ARCHIVE_OPEN, from: journal.last.seq + 1, to: first - 1 }, 'stream messages after the last archived one were removed (stream limits) before this archiver read them: those on its filter are not in the archive');
      const a = new Archiver(config, log, nc, consumer, journal, sink, { first, wholeStream }, outputs);
      await outputs?.start();
      await a.startConsuming(true);
      a.startHousekeeping();
      log.info({ durable: config.archive.durable, stream: j.stream, filterSubject, seq: a.committedSeq, dir }, 'archiver started');
      return a;
    } catch (e) {
      await outputs?.stop();
      await journal.close();
      await sink.close();
      if (nc !== null) await nc.close().catch(() => undefined);
      if (e instanceof ReceiverError) throw e;
      throw new ReceiverError(ErrorCodes.ARCHIVE_OPEN, `cannot start archiving stream ${j.stream} from ${j.servers.join(', ')}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * The lag from the consumer's info (the last delivery's count is stale once deliveries stop);
   * best effort. An idle consumer is checked against the stream leader ({@link checkDivergence}).
   */
  private async refreshPending(): Promise<void> {
    const i = await this.consumer.info().catch(() => null);
    if (i === null) return;
    this.counters.pending = i.num_pending + i.num_ack_pending;
    if (this.counters.pending > 0 || this.open.msgs.length > 0 || this.committing !== null || this.resetting !== null) this.idleBehind = 0;
    else await this.checkDivergence(i.delivered.stream_seq);
  }

  /**
   * The consumer says it is done: does the stream leader agree? Two housekeeping ticks in a row
   * at the same archived sequence with the leader holding more are a diverged replica: logged and
   * counted, never reset (the replica numbers the stream differently, so reading the leader's
   * sequences after ours would store some messages twice and still miss others).
   */
  private async checkDivergence(deliveredStreamSeq: number): Promise<void> {
    const seq = this.committedSeq;
    const next = await this.consumer.firstFrom(seq + 1).catch(() => null);
    if (next === null || seq !== this.committedSeq) { this.idleBehind = 0; return; }
    if (seq !== this.idleBehindSeq) { this.idleBehindSeq = seq; this.idleBehind = 0; }
    if (++this.idleBehind !== 2) return;
    this.counters.divergences++;
    this.log.error({ code: ErrorCodes.ARCHIVE_CONSUMER, seq, leaderHas: next, deliveredStreamSeq }, "the consumer reports nothing left while the stream leader holds messages after the last archived one: the consumer's replica diverged from the leader (a nats-server fault); messages may be missing from the archive, compare it with the stream");
  }

  /** Counters so far (a copy). */
  stats(): ArchiverStats {
    return { ...this.counters, seq: this.committedSeq };
  }

  /**
   * Checks the consumer (at start: `checkFirst`) and starts pulling. A consumer that does not
   * exist, is configured differently, is not the one the journal names, or delivered more than
   * the journal saw is reset to start after the highest applied sequence.
   */
  private async startConsuming(checkFirst: boolean): Promise<void> {
    let why = 'a delivery the archive did not receive';
    if (checkFirst) {
      const info = await this.consumer.info();
      why = info === null ? 'no consumer yet'
        : !this.consumer.matches(info) ? 'consumer configured differently'
          : info.created !== this.consumerId ? 'not the consumer the journal names'
            : info.delivered.consumer_seq !== this.cseq ? `it delivered up to consumer sequence ${info.delivered.consumer_seq}, the archive saw ${this.cseq}`
              : '';
    }
    if (why !== '') await this.reset(why);
    const gen = ++this.gen;
    this.pull = await this.consumer.consume(this.batchSize, (m) => this.onMessage(m, gen));
    void this.watch(this.pull, gen);
  }

  /** Consumer gone (deleted by hand, lost by the servers): reset as for a gap. */
  private async watch(pull: ConsumerMessages, gen: number): Promise<void> {
    for await (const s of pull.status()) {
      if (gen !== this.gen) return;
      if (s.type === 'consumer_deleted' || s.type === 'consumer_not_found') this.restart(`consumer ${s.type.replace('_', ' ')}`);
    }
  }

  /** Runs a consumer or stream request until the servers answer it (they refuse while there is no quorum). */
  private async retrying<T>(what: string, f: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await f();
      } catch (e) {
        if (this.stopping) throw e;
        this.log.warn({ code: ErrorCodes.ARCHIVE_CONSUMER, error: (e as Error).message, attempt }, `cannot ${what} yet; retrying`);
        await sleep(Math.min(5000, 200 * 2 ** attempt));
      }
    }
  }

  /** Recreates the consumer after the highest applied sequence (retrying while the servers refuse). */
  private async reset(why: string): Promise<void> {
    const start = this.committedSeq + 1;
    this.consumerId = await this.retrying('reset the consumer', () => this.consumer.reset(start));
    this.cseq = this.committedCseq = 0;
    await this.journal.append(this.entry({}));
    this.counters.resets++;
    this.log.info({ reason: why, startSeq: start }, 'consumer reset to start after the last archived message');
  }

  private entry(files: Record<string, number>): JournalEntry {
    return { seq: this.committedSeq, cseq: this.committedCseq, consumer: this.consumerId, files };
  }

  /** One delivery (the hot path: no promise, no regex unless the subject changes). */
  private onMessage(m: JsMsg, gen: number): void {
    if (gen !== this.gen || this.stopping) return; // not acked: redelivered, or the consumer is reset
    const info = m.info;
    if (info.deliverySequence !== this.cseq + 1) {
      this.restart(info.deliverySequence > this.cseq
        ? `consumer sequence ${info.deliverySequence} follows ${this.cseq}: a delivery the archive did not receive`
        : `consumer sequence went back from ${this.cseq} to ${info.deliverySequence} (a new consumer leader)`);
      return;
    }
    // whole stream: a jump in stream sequence is checked first (removed messages, or a consumer that skipped some)
    if (this.wholeStream && m.seq > this.applied + 1 && m.seq - 1 > this.gapCheckedTo) {
      this.restart(`stream sequence ${m.seq} follows ${this.applied}: checking the stream`, m.seq);
      return;
    }
    this.cseq = info.deliverySequence;
    this.counters.pending = info.pending;
    const p = this.open;
    p.msgs.push(m);
    if (m.seq <= this.applied) this.counters.skipped++;
    else {
      this.add(p, m);
      this.applied = m.seq;
    }
    p.seq = this.applied;
    p.cseq = this.cseq;
    if (p.msgs.length >= this.batchSize) this.kick();
    else if (this.timer === null && this.committing === null) this.timer = setTimeout(() => this.kick(), this.maxWaitMs);
  }

  /** Adds `m`'s line to `p`; one that is not a receiver's line is counted and logged instead. */
  private add(p: Pending, m: JsMsg): void {
    const data = m.data;
    const app = m.subject.startsWith(this.prefix) ? m.subject.slice(this.prefix.length) : '';
    const lf = data.indexOf(0x0a);
    if (lf !== data.length - 1 || (app !== p.lastApp && !APP_RE.test(app))) {
      this.counters.invalid++;
      this.log.warn({ subject: m.subject, seq: m.seq, bytes: data.length }, 'not a receiver record (one LF-terminated line on <subjectPrefix>.<app>): acknowledged, not archived');
      return;
    }
    const at = Buffer.from(data.buffer, data.byteOffset, data.length).indexOf(RECEIVED_AT);
    let dayMs = at < 0 ? NaN : dayStartMs(data, at + RECEIVED_AT.length);
    if (Number.isNaN(dayMs)) dayMs = Math.floor(m.info.timestampNanos / 1e6 / DAY_MS) * DAY_MS;
    const day = dayMs / DAY_MS;
    if (app !== p.lastApp || day !== p.lastDay) {
      if (day !== this.cachedDay) { this.cachedDay = day; this.cachedDayString = dayString(day); }
      p.files.add(`${app}/${this.cachedDayString}`);
      p.lastApp = app;
      p.lastDay = day;
    }
    const g = p.batch.group(app);
    const chunk = g.room(data.length);
    chunk.set(data, g.offset);
    g.commit(g.offset + data.length, dayMs);
    p.batch.added(1, data.length);
  }

  /**
   * A delivery was missed: stop this pull, commit what came before it, reset, pull again.
   * @param gapTo a whole-stream delivery of this stream sequence jumped: first ask the stream
   *   whether anything between the last applied message and it is still there
   */
  private restart(why: string, gapTo = 0): void {
    if (this.resetting !== null || this.stopping) return;
    this.gen++;
    this.log.warn({ reason: why }, 'resetting the consumer after the last archived message');
    this.resetting = (async () => {
      await this.pull?.close().catch(() => undefined);
      await this.drain();
      if (gapTo > 0) await this.checkGap(gapTo);
      await this.startConsuming(false);
    })().catch((e) => this.fatal(e)).finally(() => { this.resetting = null; });
  }

  /** After {@link drain}: is there a message between the last archived one and stream sequence `to`? */
  private async checkGap(to: number): Promise<void> {
    const from = this.committedSeq + 1;
    const next = await this.retrying('read the stream', () => this.consumer.firstFrom(from));
    if (next === null || next >= to) {
      this.gapCheckedTo = to - 1;
      this.log.warn({ code: ErrorCodes.ARCHIVE_OPEN, from, to: to - 1 }, 'stream messages were removed (stream limits, deletes) before this archiver read them: they are not in the archive');
    } else {
      this.counters.serverSkips++;
      this.log.error({ code: ErrorCodes.ARCHIVE_CONSUMER, from, delivered: to, stored: next }, 'the consumer skipped messages the stream holds (a server fault): reading them again');
    }
  }

  /** Commits {@link open} when nothing is being committed. */
  private kick(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    if (this.committing !== null || this.open.msgs.length === 0) return;
    const p = this.open;
    this.open = newPending();
    this.committing = this.commit(p).then(() => {
      this.committing = null;
      if (this.open.msgs.length > 0) this.kick();
    }, (e) => this.fatal(e));
  }

  /** Waits until everything received is committed. */
  private async drain(): Promise<void> {
    while (this.committing !== null || this.open.msgs.length > 0) {
      this.kick();
      await this.committing;
    }
  }

  /**
   * Journal intent, lines written and synced, then acks. A failed write is undone (every file
   * of the batch back to its size before) and tried again with backoff until it succeeds.
   */
  private async commit(p: Pending): Promise<void> {
    p.batch.seal();
    if (p.batch.records > 0) {
      const dir = this.config.storage.dir;
      const files: Record<string, number> = {};
      for (const key of p.files) files[key] = await keySize(dir, key);
      for (let attempt = 0; ; attempt++) {
        try {
          await this.journal.append(this.entry(files));
          const r = await this.sink.write(p.batch);
          if (r.failure === null) break;
          throw new Error(r.failure.message);
        } catch (e) {
          this.log.error({ code: ErrorCodes.ARCHIVE_COMMIT, err: e, records: p.batch.records, attempt }, 'group commit failed; undoing it and trying again');
          await this.undo(files);
          await sleep(Math.min(5000, 100 * 2 ** attempt));
        }
      }
      this.counters.archived += p.batch.records;
    }
    this.committedSeq = p.seq;
    this.committedCseq = p.cseq;
    this.counters.commits++;
    for (const m of p.msgs) m.ack();
  }

  /** Truncates each file of a failed commit back to its size before it. */
  private async undo(files: Record<string, number>): Promise<void> {
    await truncateFiles(this.config.storage.dir, files).catch(() => undefined); // the next attempt's journal entry records the same sizes
    await this.sink.closeFiles();
  }

  private fatal(e: unknown): void {
    if (this.failure !== null) return;
    this.failure = e as Error;
    this.log.error({ code: ErrorCodes.ARCHIVE_COMMIT, err: e }, 'archiver cannot continue');
    this.fail(new ReceiverError(ErrorCodes.ARCHIVE_COMMIT, `archiver stopped: ${(e as Error).message}`, { cause: e }));
  }

  /**
   * Stops pulling, commits and acks everything received, records the final state in the
   * journal and closes the connection and the store.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.housekeeper !== null) clearInterval(this.housekeeper);
    await this.resetting?.catch(() => undefined);
    this.gen++;
    await this.pull?.close().catch(() => undefined);
    await this.drain();
    await this.outputs?.stop();
    if (this.failure === null) await this.journal.append(this.entry({}));
    await Promise.race([this.refreshPending(), sleep(1000)]);
    await this.nc.drain().catch(() => this.nc.close());
    await this.journal.close();
    await this.sink.close();
    this.log.info({ stats: this.stats() }, 'archiver stopped');
  }
}

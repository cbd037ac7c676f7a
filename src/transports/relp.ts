/**
 * RELP front-end (DESIGN §5; RELP spec and librelp's behaviour), default port 20514, plain or
 * over TLS. Each `syslog` frame goes through the same parse and authorization as every other
 * front-end, and is answered `rsp 200 OK` only once every required sink delivered its record
 * (`rsp 500` when a sink errored it — or, with `onWriteError: close`, the session is dropped
 * unanswered so the client resends), always in txnr order. A frame rejected by authorization, or
 * refused for good by a sink, is answered 200 too (counted as rejected, never stored), so one
 * bad message cannot block the sender's queue forever.
 *
 * Session rules: `open` first (offers `relp_version`, `relp_software`, `commands`; a client that
 * does not offer `syslog` is refused with 500); txnr must increase by one (999999999 wraps to 1);
 * `close` → `rsp 0` after every earlier ack, then the connection ends; any violation (bad frame,
 * txnr out of sequence, command before `open`) is answered `rsp 500 …`, counted, and the session
 * closed. Flow control: at `maxUnackedFrames` frames read but not yet acked, parsing stops and
 * the socket is paused (a slow disk makes clients wait); so is every socket while the intake is
 * paused (sinks behind or unable to write), and while a frame waits for its app's quota.
 * Shutdown: stop reading, drain the intake, send the remaining acks, then `0 serverclose 0`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { RelpListenerConfig } from '../config/schema.js';
import { RelpFrameParser } from '../framing/relp-frame.js';
import { FrameResult, RecordStatus } from '../pipeline/intake.js';
import type { FrameSource } from '../record.js';
import { limitConnections, Listening, streamSource, type FrontEndDeps, type SocketAcceptor } from './connection.js';
import { TlsServer, type TlsFiles } from './tls.js';
import type { FrontEnd } from './types.js';

export interface RelpOptions extends FrontEndDeps {
  maxUnackedFrames: number;
  /** `nack`: answer a failed write `rsp 500`; `close`: drop the session unanswered (see RelpListenerConfig). */
  onWriteError: 'nack' | 'close';
}

/** What we offer in our `open` response. */
export const RELP_SOFTWARE = 'syslog-receiver,0.1.0,https://github.com/syslog-receiver';
const MAX_TXNR = 999_999_999;
/** Longest wait before retrying a frame held back by a quota, ms (quotas may change on reload). */
const MAX_THROTTLE_WAIT_MS = 1000;
/** Answer to a frame whose write failed: the client keeps it and sends it again. */
const FAILED = '500 store write failed';

const Ack = { Pending: 0, Ok: 1, Failed: 2, Close: 3, Error: 4, ServerClose: 5, Open: 6, Refuse: 7 } as const;
type Ack = (typeof Ack)[keyof typeof Ack];

interface Entry {
  txnr: number;
  kind: Ack;
  /** Response text for Error/Refuse/Open entries. */
  text: string;
}

/** One RELP connection. */
class RelpSession {
  private readonly parser: RelpFrameParser;
  private opened = false;
  private lastTxnr = 0;
  private readonly queue: Entry[] = [];
  private head = 0;
  /** No more frames are read: close/serverclose/protocol error/shutdown. */
  private done = false;
  private windowPaused = false;

  constructor(readonly socket: Socket, private readonly source: FrameSource, private readonly o: RelpOptions, private readonly globalPaused: () => boolean) {
    this.parser = new RelpFrameParser(o.limits.current.maxMessageBytes, {
      frame: (txnr, command, data, start, end, truncated) => this.onFrame(txnr, command, data, start, end, truncated),
      error: (reason, txnr) => this.violation(reason, txnr ?? 0),
    });
    socket.on('data', (chunk: Buffer) => {
      o.metrics.receivedBytes.relp += chunk.length;
      this.feed(chunk);
    });
    socket.on('close', () => { if (this.deferTimer) clearTimeout(this.deferTimer); });
  }

  /** Bytes read but not parsed because the window was full (at most about one socket read). */
  private held: Buffer | null = null;
  private feeding = false;

  /** Parses `chunk` until the window is full; keeps the rest for when acks free the window. */
  private feed(chunk: Buffer): void {
    if (this.held !== null) {
      this.held = Buffer.concat([this.held, chunk]);
      return;
    }
    if (this.done) return;
    this.feeding = true;
    const used = this.parser.push(chunk);
    this.feeding = false;
    if (used < chunk.length && !this.done) {
      this.held = chunk.subarray(used);
      this.socket.pause();
    }
  }

  /** Frames read but not yet answered. */
  get unacked(): number { return this.queue.length - this.head; }

  private onFrame(txnr: number, command: string, data: Buffer, start: number, end: number, truncated: boolean): boolean | void {
    if (this.done) return false;
    const expected = this.lastTxnr === MAX_TXNR ? 1 : this.lastTxnr + 1;
    if (txnr !== expected) return this.violation(`txnr ${txnr} out of sequence (expected ${expected})`, txnr);
    this.lastTxnr = txnr;
    if (!this.opened) {
      if (command !== 'open') return this.violation(`"${command}" before "open"`, txnr);
      return this.open(txnr, data.toString('utf8', start, end));
    }
    switch (command) {
      case 'syslog':
        return this.syslog(txnr, data, start, end, truncated);
      case 'close':
        this.done = true;
        this.queue.push({ txnr, kind: Ack.Close, text: '' });
        this.flush();
        return;
      case 'open':
        return this.violation('"open" twice', txnr);
      default:
        // unknown commands are answered and the session goes on (librelp does the same)
        this.o.metrics.relpProtocolErrors++;
        this.queue.push({ txnr, kind: Ack.Refuse, text: `500 command "${command}" not supported` });
        this.flush();
    }
  }

  /**
   * Ingests one `syslog` frame. Over an app quota the frame is kept (copied) and retried when
   * the quota allows — the session reads nothing meanwhile, so the client's acks wait instead of
   * its messages being dropped.
   * @returns false to stop parsing (window full, or a frame waits for its quota)
   */
  private syslog(txnr: number, data: Buffer, start: number, end: number, truncated: boolean): boolean {
    const entry: Entry = { txnr, kind: Ack.Pending, text: '' };
    const result = this.o.intake.frame(data, start, end, truncated, this.source, Date.now(), (status) => {
      entry.kind = status === RecordStatus.Errored ? Ack.Failed : Ack.Ok;
      this.flushSoon();
    });
    if (result === FrameResult.Throttled) {
      this.deferred = { txnr, data: Buffer.from(data.subarray(start, end)), truncated };
      const wait = Math.min(Math.max(this.o.intake.retryAtMs - Date.now(), 1), MAX_THROTTLE_WAIT_MS);
      this.deferTimer = setTimeout(() => this.retryDeferred(), wait);
      this.socket.pause();
      return false;
    }
    this.queue.push(entry);
    if (result === FrameResult.Rejected) entry.kind = Ack.Ok;
    this.flush();
    return this.unacked < this.o.maxUnackedFrames; // false: stop parsing until acks free the window
  }

  private deferred: { txnr: number; data: Buffer; truncated: boolean } | null = null;
  private deferTimer: NodeJS.Timeout | null = null;

  private retryDeferred(): void {
    const d = this.deferred;
    this.deferred = null;
    this.deferTimer = null;
    if (d === null || this.socket.destroyed) return;
    if (this.syslog(d.txnr, d.data, 0, d.data.length, d.truncated)) this.updateFlow();
  }

  /** Answers `open` with our offers, or refuses a client that does not offer `syslog`. */
  private open(txnr: number, offers: string): void {
    const commands: string[] = [];
    let version = false;
    for (const line of offers.split('\n')) {
      if (line === '') continue;
      const eq = line.indexOf('=');
      if (eq <= 0) return this.violation(`malformed offer "${line.slice(0, 40)}"`, txnr);
      const name = line.slice(0, eq);
      if (name === 'relp_version') version = true;
      else if (name === 'commands') commands.push(...line.slice(eq + 1).split(','));
    }
    if (!version) return this.violation('open without relp_version', txnr);
    if (!commands.includes('syslog')) {
      this.done = true;
      this.o.metrics.relpProtocolErrors++;
      this.queue.push({ txnr, kind: Ack.Error, text: '500 required command "syslog" not offered' });
      this.flush();
      return;
    }
    this.opened = true;
    this.queue.push({ txnr, kind: Ack.Open, text: `200 OK\nrelp_version=0\nrelp_software=${RELP_SOFTWARE}\ncommands=syslog` });
    this.flush();
  }

  private violation(reason: string, txnr: number): void {
    if (this.done) return;
    this.done = true;
    this.o.metrics.relpProtocolErrors++;
    this.o.log.warn({ source: this.source.record.address, reason }, 'RELP protocol violation; closing the session');
    this.queue.push({ txnr, kind: Ack.Error, text: `500 protocol error: ${reason}` });
    this.flush();
  }

  private flushScheduled = false;

  /**
   * A finalizer answered: the acker settles a whole batch at once, so the answers are written
   * together after it (one socket write per batch instead of one per frame).
   */
  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => { this.flushScheduled = false; this.flush(); });
  }

  /** Writes every answer that is ready, in txnr order; consecutive `200 OK`s as one string. */
  private flush(): void {
    const s = this.socket;
    let corked = false;
    let oks = '';
    while (this.head < this.queue.length) {
      const e = this.queue[this.head];
      if (e.kind === Ack.Pending) break;
      this.head++;
      if (e.kind === Ack.Failed) this.o.metrics.relpFailed++;
      if (s.destroyed || !s.writable) continue;
      if (!corked) { s.cork(); corked = true; }
      if (e.kind === Ack.Ok) {
        oks += `${e.txnr} rsp 6 200 OK\n`;
        this.o.metrics.relpAcked++;
        continue;
      }
      if (oks !== '') { s.write(oks); oks = ''; }
      switch (e.kind) {
        case Ack.Failed:
          if (this.o.onWriteError === 'close') {
            // no answer for this or any later frame: the client resends them all after reconnecting
            this.done = true;
            s.destroy();
            continue;
          }
          s.write(`${e.txnr} rsp ${FAILED.length} ${FAILED}\n`);
          break;
        case Ack.Open: case Ack.Refuse: s.write(`${e.txnr} rsp ${Buffer.byteLength(e.text)} ${e.text}\n`); break;
        case Ack.Close: s.end(`${e.txnr} rsp 0\n`); break;
        case Ack.Error: s.end(`${e.txnr} rsp ${Buffer.byteLength(e.text)} ${e.text}\n`); break;
        case Ack.ServerClose: s.end('0 serverclose 0\n'); break;
      }
    }
    if (oks !== '' && !s.destroyed) s.write(oks);
    if (corked) s.uncork();
    if (this.head === this.queue.length) { this.queue.length = 0; this.head = 0; }
    else if (this.head >= 4096) {
      // a busy session always has frames pending: drop the answered ones so the queue stays bounded
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.updateFlow();
  }

  /** Pauses while the window is full or the store is behind; resumes otherwise. */
  updateFlow(): void {
    const full = this.unacked >= this.o.maxUnackedFrames;
    const resumeOk = this.unacked <= this.o.maxUnackedFrames / 2;
    if (full && !this.windowPaused) this.windowPaused = true;
    else if (this.windowPaused && resumeOk) this.windowPaused = false;
    if (this.windowPaused || this.globalPaused() || this.done || this.deferred !== null) {
      this.socket.pause();
      return;
    }
    if (this.held !== null && !this.feeding) {
      const h = this.held;
      this.held = null;
      this.feed(h);
      if (this.held !== null) return;
    }
    this.socket.resume();
  }

  /** Shutdown step 1: read no more frames (a frame waiting for its quota is not acked). */
  stopReading(): void {
    this.done = true;
    if (this.deferTimer) clearTimeout(this.deferTimer);
    this.deferred = null;
    this.socket.pause();
  }

  /** Shutdown step 2 (after the store is flushed): remaining acks, then `serverclose`. */
  serverClose(): void {
    this.queue.push({ txnr: 0, kind: Ack.ServerClose, text: '' });
    this.flush();
  }
}

/** The RELP sessions of one listener (plain `net.Server` or TLS server). */
class RelpSessions implements SocketAcceptor {
  readonly sessions = new Set<RelpSession>();
  private readonly onPause = (): void => { for (const s of this.sessions) s.updateFlow(); };

  constructor(private readonly o: RelpOptions) {
    o.intake.on('pause', this.onPause);
    o.intake.on('resume', this.onPause);
  }

  /** Applies `limits.maxConnections` (counted on `drop`). */
  limit(server: Server): void {
    limitConnections(server, this.o.limits, this.o.metrics, 'relp');
  }

  /** Takes over an accepted (and, over TLS, secured) socket. */
  accept(socket: Socket, source: FrameSource): void {
    const m = this.o.metrics;
    const session = new RelpSession(socket, source, this.o, () => this.o.intake.paused);
    this.sessions.add(session);
    m.openConnections.relp++;
    socket.setNoDelay(true);
    socket.on('error', (err) => this.o.log.debug({ err, source: source.record.address }, 'RELP connection error'));
    socket.on('close', () => {
      this.sessions.delete(session);
      m.openConnections.relp--;
    });
    const idleTimeoutMs = this.o.limits.current.idleTimeoutMs;
    if (idleTimeoutMs > 0) {
      socket.setTimeout(idleTimeoutMs, () => {
        m.idleClosed.relp++;
        socket.destroy();
      });
    }
    session.updateFlow();
  }

  /**
   * Graceful shutdown: stop reading every session, wait until the sinks have answered for what
   * was read, send the remaining acks and `0 serverclose 0`, and give clients `graceMs` to close.
   */
  async shutdown(graceMs = 2000): Promise<void> {
    this.o.intake.off('pause', this.onPause);
    this.o.intake.off('resume', this.onPause);
    for (const s of this.sessions) s.stopReading();
    await this.o.intake.drain();
    const closed = [...this.sessions].map((s) => new Promise<void>((r) => {
      if (s.socket.destroyed) return r();
      s.socket.once('close', () => r());
    }));
    for (const s of this.sessions) s.serverClose();
    const timer = setTimeout(() => { for (const s of this.sessions) s.socket.destroy(); }, graceMs);
    await Promise.all(closed);
    clearTimeout(timer);
  }
}

/** The RELP front-end (`listen.relp`): plain TCP, or TLS with `tls: true`. */
export class RelpListener implements FrontEnd {
  readonly kind = 'relp';
  private readonly sessions: RelpSessions;
  private readonly net: Listening | null = null;
  private readonly secure: TlsServer | null = null;

  /**
   * @param files the certificate files when `cfg.tls` (null for plain RELP)
   * @throws Error when the certificate files are unusable (see {@link TlsServer})
   */
  constructor(readonly name: string, private readonly cfg: RelpListenerConfig, files: TlsFiles | null, deps: FrontEndDeps) {
    const sessions = new RelpSessions({ ...deps, maxUnackedFrames: cfg.maxUnackedFrames, onWriteError: cfg.onWriteError });
    this.sessions = sessions;
    if (files === null) {
      this.net = new Listening(createServer({ noDelay: true }, (socket) => sessions.accept(socket, streamSource(socket, 'relp'))), deps.log, name);
      sessions.limit(this.net.server);
    } else {
      this.secure = new TlsServer(name, cfg, files, { transport: 'relp', metrics: deps.metrics, log: deps.log, sessions });
    }
  }

  get listening(): boolean { return (this.secure ?? this.net)!.listening; }

  /** Binds; rejects with the socket error. */
  start(): Promise<AddressInfo> { return this.secure ? this.secure.start() : this.net!.start(this.cfg.address, this.cfg.port); }

  /** RELP over TLS: re-reads the certificate files (true for plain RELP: nothing to reload). */
  reload(): boolean { return this.secure ? this.secure.reload() : true; }

  /** Stops accepting; the sessions drain, ack, send serverclose and close. */
  stop(): Promise<void> {
    const shutdown = (): Promise<void> => this.sessions.shutdown();
    return this.secure ? this.secure.close(shutdown) : this.net!.close(shutdown);
  }
}

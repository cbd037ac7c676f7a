/**
 * RELP frame parser (RELP spec, librelp's behaviour; DESIGN §5):
 * `TXNR SP COMMAND SP DATALEN [SP DATA] LF` with TXNR = 1*9DIGIT, COMMAND = 1*32ALPHA,
 * DATALEN = 1*9DIGIT (DATA is exactly DATALEN bytes; with DATALEN 0 the SP may be absent, as
 * librelp sends `7 close 0\n`). Works on Buffers and gives the same frames whatever the split
 * of the stream. A `syslog` frame whose DATA exceeds `maxDataBytes` is cut to it (the rest is
 * read and discarded) and flagged; any other grammar violation is reported once and the parser
 * stops (the session must be closed).
 */
import { FrameBuffer } from './frame-buffer.js';

/**
 * Receives parsed frames and errors. `data[start, end)` is valid only during the call.
 * `frame` may return false to stop parsing after this frame: `push` then returns how many bytes
 * it consumed, and the caller hands the rest back later (RELP flow control).
 */
export interface RelpFrameHandler {
  frame(txnr: number, command: string, data: Buffer, start: number, end: number, truncated: boolean): boolean | void;
  /** A protocol violation; `txnr` when the header got that far. No more frames follow. */
  error(reason: string, txnr: number | null): void;
}

const State = { Txnr: 0, Command: 1, DataLen: 2, AfterDataLen: 3, Data: 4, Discard: 5, Trailer: 6, Failed: 7 } as const;
type State = (typeof State)[keyof typeof State];

const MAX_DIGITS = 9;
const MAX_COMMAND = 32;
const LF = 0x0a;
const SP = 0x20;

export class RelpFrameParser {
  private state: State = State.Txnr;
  private txnr = 0;
  private digits = 0;
  private command = '';
  private dataLen = 0;
  /** Bytes of DATA still to read (Data) or to skip (Discard). */
  private need = 0;
  private discardAfter = 0;
  private readonly acc = new FrameBuffer();
  /** Set when the handler returned false: stop before the next frame. */
  private stop = false;

  /**
   * @param maxDataBytes longest DATA kept for a `syslog` frame (bytes); other commands must fit
   *   in it or the frame is a protocol error
   */
  constructor(private readonly maxDataBytes: number, private readonly handler: RelpFrameHandler) {}

  /** True after a protocol error: nothing more is parsed. */
  get failed(): boolean { return this.state === State.Failed; }

  /** True between frames (nothing partial buffered). */
  get idle(): boolean { return this.state === State.Txnr && this.digits === 0; }

  /**
   * Feeds bytes. @returns the bytes consumed: `chunk.length`, or less when the handler asked to
   * stop (see {@link RelpFrameHandler}) or a protocol error ended parsing.
   */
  push(chunk: Buffer): number {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.stop) { this.stop = false; return pos; }
      switch (this.state) {
        case State.Failed:
          return pos;
        case State.Txnr: {
          const c = chunk[pos++];
          if (c >= 0x30 && c <= 0x39 && this.digits < MAX_DIGITS) {
            this.txnr = this.txnr * 10 + (c - 0x30);
            this.digits++;
          } else if (c === SP && this.digits > 0) {
            this.state = State.Command;
            this.command = '';
          } else { this.fail(this.digits >= MAX_DIGITS ? 'TXNR longer than 9 digits' : 'TXNR expected', null); return pos; }
          continue;
        }
        case State.Command: {
          const c = chunk[pos++];
          if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
            if (this.command.length >= MAX_COMMAND) { this.fail('COMMAND longer than 32 characters', this.txnr); return pos; }
            this.command += String.fromCharCode(c);
          } else if (c === SP && this.command.length > 0) {
            this.state = State.DataLen;
            this.dataLen = 0;
            this.digits = 0;
          } else { this.fail('COMMAND must be letters', this.txnr); return pos; }
          continue;
        }
        case State.DataLen: {
          const c = chunk[pos++];
          if (c >= 0x30 && c <= 0x39 && this.digits < MAX_DIGITS) {
            this.dataLen = this.dataLen * 10 + (c - 0x30);
            this.digits++;
            continue;
          }
          if (this.digits === 0) { this.fail('DATALEN expected', this.txnr); return pos; }
          if (c === LF && this.dataLen === 0) { this.deliver(Buffer.alloc(0), 0, 0, false); continue; }
          if (c !== SP) { this.fail(this.digits >= MAX_DIGITS ? 'DATALEN longer than 9 digits' : 'SP expected after DATALEN', this.txnr); return pos; }
          if (this.dataLen === 0) { this.state = State.Trailer; this.need = 0; continue; }
          if (this.dataLen > this.maxDataBytes) {
            if (this.command !== 'syslog') { this.fail(`DATALEN ${this.dataLen} exceeds the limit of ${this.maxDataBytes} bytes`, this.txnr); return pos; }
            this.need = this.maxDataBytes;
            this.discardAfter = this.dataLen - this.maxDataBytes;
          } else {
            this.need = this.dataLen;
            this.discardAfter = 0;
          }
          this.state = State.Data;
          continue;
        }
        case State.Data: {
          const avail = end - pos;
          if (this.acc.length === 0 && avail >= this.need) {
            // the whole DATA is in this chunk: hand it on without copying once the trailer is seen
            const s = pos;
            pos += this.need;
            this.need = 0;
            if (this.discardAfter > 0) {
              this.keep(chunk, s, pos);
              this.state = State.Discard;
              this.need = this.discardAfter;
            } else if (pos < end) {
              if (chunk[pos] !== LF) { this.fail('LF expected after DATA (DATALEN wrong?)', this.txnr); return pos; }
              pos++;
              this.deliver(chunk, s, s + this.dataLen, false);
            } else {
              this.keep(chunk, s, pos);
              this.state = State.Trailer;
            }
          } else {
            const take = avail < this.need ? avail : this.need;
            this.acc.append(chunk, pos, pos + take);
            pos += take;
            this.need -= take;
            if (this.need === 0) {
              if (this.discardAfter > 0) { this.state = State.Discard; this.need = this.discardAfter; } else this.state = State.Trailer;
            }
          }
          continue;
        }
        case State.Discard: {
          const avail = end - pos;
          const skip = avail < this.need ? avail : this.need;
          pos += skip;
          this.need -= skip;
          if (this.need === 0) this.state = State.Trailer;
          continue;
        }
        case State.Trailer: {
          if (chunk[pos++] !== LF) { this.fail('LF expected after DATA (DATALEN wrong?)', this.txnr); return pos; }
          const n = this.acc.length;
          this.acc.length = 0;
          this.deliver(this.acc.bytes, 0, n, this.discardAfter > 0);
          continue;
        }
      }
    }
    this.stop = false;
    return pos;
  }

  private keep(src: Buffer, start: number, end: number): void {
    this.acc.length = 0;
    this.acc.append(src, start, end);
  }



  private deliver(buf: Buffer, start: number, end: number, truncated: boolean): void {
    const txnr = this.txnr;
    const command = this.command;
    this.state = State.Txnr;
    this.txnr = 0;
    this.digits = 0;
    this.discardAfter = 0;
    if (this.handler.frame(txnr, command, buf, start, end, truncated) === false) this.stop = true;
  }

  private fail(reason: string, txnr: number | null): void {
    this.state = State.Failed;
    this.handler.error(reason, txnr);
  }
}

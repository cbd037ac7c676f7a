/**
 * Per-frame framing auto-detection for stream transports (TCP, TLS), DESIGN §3 / RFC 6587:
 * each frame is octet-counted when it starts `[1-9][0-9]{0,8} SP <`, otherwise
 * non-transparent (ended by LF, CRLF or NUL). Works on Buffers without copying whole frames
 * that lie inside one chunk; bytes of a frame that spans chunks are gathered in one growing
 * buffer bounded by `maxMessageBytes`. A frame longer than the limit is cut to it, handed on
 * with `truncated = true`, and the rest of it is discarded — never parsed as a new frame.
 */
import { FrameBuffer } from './frame-buffer.js';
import { NEED_MORE, NOT_OCTET_COUNTED, readOctetCountHeader } from './octet-counting.js';
import { CR, LF, NUL, trimTrailer } from './non-transparent.js';

/**
 * Receives one frame: bytes buf[start, end), valid only during the call (the buffer is
 * reused). `truncated` is true when the frame was cut to `maxMessageBytes`.
 */
export type FrameHandler = (buf: Buffer, start: number, end: number, truncated: boolean) => void;

const Mode = { Start: 0, Octet: 1, NonTransparent: 2, DiscardOctet: 3, DiscardNonTransparent: 4 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** Counters a framer keeps for metrics (frames, not bytes). */
export interface FramerCounters {
  frames: number;
  octetCounted: number;
  truncated: number;
}

/** Stateful RFC 6587 framer for one connection. Never throws on any input. */
export class StreamFramer {
  private mode: Mode = Mode.Start;
  private readonly acc = new FrameBuffer();
  /** Octet mode: bytes still to read (or to discard in DiscardOctet). */
  private need = 0;
  /** Octet mode: bytes to discard after the kept part of a too-long frame. */
  private discardAfter = 0;
  /** Position of the next NUL in the current chunk at or after the scan point; -1 none. */
  private nextNul = -1;
  private readonly header = { headerBytes: 0 };
  readonly counters: FramerCounters = { frames: 0, octetCounted: 0, truncated: 0 };

  /**
   * @param maxMessageBytes frames longer than this are truncated (bytes, ≥ 1)
   * @param onFrame called synchronously for every complete frame
   */
  constructor(private readonly maxMessageBytes: number, private readonly onFrame: FrameHandler) {}

  /** Feeds the next chunk of the stream (any split of the stream gives the same frames). */
  push(chunk: Buffer): void {
    const end = chunk.length;
    let pos = 0;
    this.nextNul = chunk.indexOf(NUL);
    while (pos < end) {
      switch (this.mode) {
        case Mode.Start: {
          if (this.acc.length > 0) {
            // a header was cut by the previous chunk: rare, so join and start over
            const joined = Buffer.concat([this.acc.bytes.subarray(0, this.acc.length), chunk.subarray(pos)]);
            this.acc.length = 0;
            this.push(joined);
            return;
          }
          const c = chunk[pos];
          if (c === LF || c === CR || c === NUL) { pos++; continue; } // empty frames between frames
          const len = readOctetCountHeader(chunk, pos, end, this.header);
          if (len === NEED_MORE) {
            this.acc.append(chunk, pos, end);
            return;
          }
          if (len === NOT_OCTET_COUNTED) {
            this.mode = Mode.NonTransparent;
          } else {
            this.counters.octetCounted++;
            pos += this.header.headerBytes;
            this.mode = Mode.Octet;
            if (len > this.maxMessageBytes) {
              this.need = this.maxMessageBytes;
              this.discardAfter = len - this.maxMessageBytes;
            } else {
              this.need = len;
              this.discardAfter = 0;
            }
          }
          continue;
        }
        case Mode.Octet: {
          const avail = end - pos;
          if (this.acc.length === 0 && avail >= this.need) {
            const stop = pos + this.need;
            this.emitOctet(chunk, pos, stop);
            pos = stop;
          } else {
            const take = avail < this.need ? avail : this.need;
            this.acc.append(chunk, pos, pos + take);
            pos += take;
            this.need -= take;
            if (this.need === 0) {
              const n = this.acc.length;
              this.acc.length = 0; // the handler reads acc synchronously, before it is reused
              this.emitOctet(this.acc.bytes, 0, n);
            }
          }
          continue;
        }
        case Mode.NonTransparent: {
          const max = this.maxMessageBytes;
          const term = this.findTerminator(chunk, pos);
          if (term < 0) {
            const total = this.acc.length + (end - pos);
            // one byte over is allowed while it is a CR that an LF may follow (CRLF is not content)
            if (total > max && !(total === max + 1 && chunk[end - 1] === CR)) {
              if (this.acc.length < max) this.acc.append(chunk, pos, pos + (max - this.acc.length));
              this.emitAcc(true);
              this.mode = Mode.DiscardNonTransparent;
            } else this.acc.append(chunk, pos, end);
            pos = end;
            continue;
          }
          // the frame's content ends before a CR that precedes the LF, even across chunks
          let stop = term;
          let dropAccCr = false;
          if (chunk[term] === LF) {
            if (stop > pos) { if (chunk[stop - 1] === CR) stop--; } else if (this.acc.length > 0 && this.acc.bytes[this.acc.length - 1] === CR) dropAccCr = true;
          }
          if (dropAccCr) this.acc.length--;
          if (this.acc.length === 0) {
            if (stop - pos > max) this.emit(chunk, pos, pos + max, true);
            else if (stop > pos) this.emit(chunk, pos, stop, false);
          } else if (this.acc.length + (stop - pos) > max) {
            if (this.acc.length < max) this.acc.append(chunk, pos, pos + (max - this.acc.length));
            this.emitAcc(true);
          } else {
            this.acc.append(chunk, pos, stop);
            this.emitAcc(false);
          }
          pos = term + 1;
          this.mode = Mode.Start;
          continue;
        }
        case Mode.DiscardOctet: {
          const avail = end - pos;
          const skip = avail < this.need ? avail : this.need;
          pos += skip;
          this.need -= skip;
          if (this.need === 0) this.mode = Mode.Start;
          continue;
        }
        case Mode.DiscardNonTransparent: {
          const term = this.findTerminator(chunk, pos);
          if (term < 0) return;
          pos = term + 1;
          this.mode = Mode.Start;
          continue;
        }
      }
    }
  }

  /**
   * End of stream: an unterminated last non-transparent line is delivered (`echo -n … | nc`);
   * an octet-counted frame cut short is delivered with `truncated = true`.
   */
  end(): void {
    if (this.acc.length > this.maxMessageBytes && this.mode === Mode.NonTransparent) this.acc.length--; // the pending CR
    // (a cut octet-count header in Start mode may exceed a tiny limit: cut it like any frame)
    if (this.acc.length > 0 && (this.mode === Mode.NonTransparent || this.mode === Mode.Start)) this.emitAcc(this.acc.length > this.maxMessageBytes);
    else if (this.mode === Mode.Octet && this.acc.length > 0) {
      const n = this.acc.length;
      this.acc.length = 0;
      this.emit(this.acc.bytes, 0, n, true);
    }
    this.mode = Mode.Start;
    this.acc.length = 0;
  }

  /** Bytes held for an incomplete frame (for memory accounting). */
  get bufferedBytes(): number { return this.acc.length; }

  private emitOctet(buf: Buffer, start: number, stop: number): void {
    const truncated = this.discardAfter > 0;
    if (truncated) {
      this.need = this.discardAfter;
      this.discardAfter = 0;
      this.mode = Mode.DiscardOctet;
    } else this.mode = Mode.Start;
    const e = truncated ? stop : trimTrailer(buf, start, stop);
    this.emit(buf, start, e, truncated);
  }

  /** Emits the gathered frame; a truncated one is cut to maxMessageBytes (acc may hold one CR more). */
  private emitAcc(truncated: boolean): void {
    const n = truncated && this.acc.length > this.maxMessageBytes ? this.maxMessageBytes : this.acc.length;
    this.acc.length = 0;
    if (n > 0) this.emit(this.acc.bytes, 0, n, truncated);
  }

  private emit(buf: Buffer, start: number, end: number, truncated: boolean): void {
    this.counters.frames++;
    if (truncated) this.counters.truncated++;
    this.onFrame(buf, start, end, truncated);
  }



  /** First LF or NUL at or after pos in chunk; -1 when the frame continues past the chunk. */
  private findTerminator(chunk: Buffer, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    if (this.nextNul >= 0 && this.nextNul < pos) this.nextNul = chunk.indexOf(NUL, pos);
    const nul = this.nextNul;
    if (nul < 0) return lf;
    if (lf < 0) return nul;
    return nul < lf ? nul : lf;
  }
}

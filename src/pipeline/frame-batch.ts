/**
 * Frames on their way to a parse worker (DESIGN §9): the bytes of many frames, from any number
 * of connections, gathered in one buffer with their offsets, flags, receive times and sources,
 * and handed over by transfer (never copied by the structured-clone algorithm).
 *
 * A socket read is copied once as a whole ({@link FrameCollector.beginRead}); frames that lie in
 * it are then referenced by offset, and only frames gathered across reads (the framer's own
 * buffer) are copied one by one.
 */
import type { AppConfig } from '../config/schema.js';
import type { FrameSource } from '../record.js';

/** The arrays of one batch of frames; all of them travel by transfer. */
export interface FrameArrays {
  /** Frame bytes. */
  data: ArrayBuffer;
  /** Per frame i: start at [2i], end at [2i+1], byte offsets into `data`. */
  spans: Int32Array;
  /** Per frame: 1 when cut to `limits.maxMessageBytes`. */
  truncated: Uint8Array;
  /** Per frame: when it was read, epoch ms. */
  receivedAtMs: Float64Array;
  /** Per frame: index into the batch's `sources`. */
  sourceIndex: Uint16Array;
}

/** Main → worker: frames to turn into records. */
export interface FrameBatchMessage extends FrameArrays {
  type: 'frames';
  /** Submission order, for in-order results. */
  seq: number;
  /** Frames in the batch (the arrays may be longer). */
  count: number;
  sources: FrameSource[];
  /** Spent output buffers handed back for reuse. */
  recycle: ArrayBuffer[];
}

/** Main → worker: the apps and token fields that apply from the next batch on. */
export interface ConfigureMessage {
  type: 'configure';
  apps: readonly AppConfig[];
  tokenFields: readonly string[];
}

/** What a worker made of one frame (low bits of `status`). */
export const FrameOutcome = { Written: 0, Unauthorized: 1, Failed: 2 } as const;
/** Set in `status` when the written record's MSG looked like CEE but was not one JSON object. */
export const CEE_INVALID_BIT = 0x10;

/** Worker → main: the records of one batch, in frame order. */
export interface RecordBatchMessage {
  type: 'records';
  seq: number;
  /** The input arrays, handed back for reuse (and for the quota's frame sizes). */
  frames: FrameArrays;
  count: number;
  /** Per frame: a {@link FrameOutcome}, | {@link CEE_INVALID_BIT}. */
  status: Uint8Array;
  /** Per frame written: index into `apps`. */
  appIndex: Uint16Array;
  /** Per frame written: end of its line in `out` (it starts at the previous written frame's end, or 0). */
  ends: Int32Array;
  apps: string[];
  /** Encoded record lines (UTF-8, each ending in LF). */
  out: ArrayBuffer;
  /** CEE keys dropped while writing this batch. */
  ceeKeysDropped: number;
  /** Known tokens token hygiene removed in this batch. */
  tokensScrubbed: number;
  /** Messages of frames whose processing threw (a bug; counted as `parse_error`). */
  failures: string[];
}

/** Largest number of frames in one batch. */
const MAX_FRAMES = 4096;
/** Bytes of one batch buffer; a larger socket read gets a buffer of its own size. */
const DATA_BYTES = 128 * 1024;
const MAX_SOURCES = 65535;
/**
 * Batch arrays kept for reuse (about 200 KiB each): as many as can be in flight under the
 * intake's 2 MiB cap when batches are small, so steady intake allocates none.
 */
const MAX_SPARE = 24;

/**
 * Gathers frames for the next batch. Not thread-safe; one per intake. `take()` hands the
 * arrays over and starts a new batch (from recycled arrays when some came back).
 */
export class FrameCollector {
  private a: FrameArrays;
  private data: Buffer;
  private used = 0;
  count = 0;
  private sources: FrameSource[] = [];
  private lastSource: FrameSource | null = null;
  private lastIndex = 0;
  /** The socket read copied at [readBase, …) of data, or null. */
  private read: Buffer | null = null;
  private readBase = 0;
  private readonly spare: FrameArrays[] = [];

  constructor() {
    this.a = fresh(DATA_BYTES);
    this.data = Buffer.from(this.a.data);
  }

  /** Bytes of frame data gathered (for backpressure). */
  get bytes(): number { return this.used; }

  /** True when the batch cannot take another frame of `bytes` without {@link take}. */
  full(bytes: number): boolean {
    return this.count >= MAX_FRAMES || this.sources.length >= MAX_SOURCES || this.data.length - this.used < bytes;
  }

  /**
   * A socket read begins: `chunk` is copied now, and frames inside it (until {@link endRead})
   * are referenced without another copy. The caller must {@link take} first when {@link full}.
   */
  beginRead(chunk: Buffer): void {
    if (this.data.length - this.used < chunk.length) { this.read = null; return; }
    chunk.copy(this.data, this.used);
    this.read = chunk;
    this.readBase = this.used;
    this.used += chunk.length;
  }

  /** The socket read is over: its buffer may be reused by its owner. */
  endRead(): void { this.read = null; }

  /**
   * Adds frame `buf[start, end)`; the caller checks {@link full} first (for `end - start`
   * bytes when `buf` is not the current read).
   */
  add(buf: Buffer, start: number, end: number, truncated: boolean, source: FrameSource, receivedAtMs: number): void {
    const i = this.count++;
    const a = this.a;
    if (buf === this.read) {
      a.spans[2 * i] = this.readBase + start;
      a.spans[2 * i + 1] = this.readBase + end;
    } else {
      buf.copy(this.data, this.used, start, end);
      a.spans[2 * i] = this.used;
      this.used += end - start;
      a.spans[2 * i + 1] = this.used;
    }
    a.truncated[i] = truncated ? 1 : 0;
    a.receivedAtMs[i] = receivedAtMs;
    if (source !== this.lastSource) {
      this.lastSource = source;
      this.lastIndex = this.sources.length;
      this.sources.push(source);
    }
    a.sourceIndex[i] = this.lastIndex;
  }

  /** True when `buf` is the socket read being framed (its frames need no room of their own). */
  inRead(buf: Buffer): boolean { return buf === this.read; }

  /**
   * Hands the gathered batch over and starts an empty one.
   * @param minBytes the next batch's data buffer holds at least this much (a large socket read)
   */
  take(minBytes = 0): { arrays: FrameArrays; count: number; sources: FrameSource[] } {
    const out = { arrays: this.a, count: this.count, sources: this.sources };
    const need = Math.max(DATA_BYTES, minBytes);
    let next = this.spare.pop();
    if (next === undefined || next.data.byteLength < need) next = fresh(need);
    this.a = next;
    this.data = Buffer.from(next.data);
    this.used = 0;
    this.count = 0;
    this.sources = [];
    this.lastSource = null;
    this.read = null;
    return out;
  }

  /** Takes back arrays a worker returned, for the next batches. */
  recycle(a: FrameArrays): void {
    if (this.spare.length < MAX_SPARE && a.data.byteLength === DATA_BYTES) this.spare.push(a);
  }
}

function fresh(dataBytes: number): FrameArrays {
  return {
    data: new ArrayBuffer(dataBytes),
    spans: new Int32Array(2 * MAX_FRAMES),
    truncated: new Uint8Array(MAX_FRAMES),
    receivedAtMs: new Float64Array(MAX_FRAMES),
    sourceIndex: new Uint16Array(MAX_FRAMES),
  };
}

/** The ArrayBuffers of `a`, for a transfer list. */
export function transferables(a: FrameArrays): ArrayBuffer[] {
  return [a.data, a.spans.buffer as ArrayBuffer, a.truncated.buffer as ArrayBuffer, a.receivedAtMs.buffer as ArrayBuffer, a.sourceIndex.buffer as ArrayBuffer];
}

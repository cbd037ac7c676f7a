/**
 * One batch of frames → its encoded records (DESIGN §9): parse, authorize and serialize every
 * frame ({@link RecordMaker}) into one output buffer, in frame order — what a parse worker
 * does with each batch it gets (`parse-worker.ts`).
 */
import { CEE_INVALID_BIT, FrameOutcome, transferables, type FrameBatchMessage, type RecordBatchMessage } from './frame-batch.js';
import type { RecordMaker } from './record-maker.js';
import { recordSizeHint } from '../record-json.js';

/** Smallest output buffer, bytes. */
const MIN_OUT = 64 * 1024;
/** Most frame failures (their stacks) reported per batch; the rest are only counted. */
const MAX_FAILURES = 10;

/**
 * Output buffers for {@link makeRecords}, reused: the ones the main thread is done with come
 * back here (`give`).
 */
export class OutBuffers {
  private readonly spare: ArrayBuffer[] = [];

  /** Returns a spent output buffer for reuse. */
  give(b: ArrayBuffer): void { this.spare.push(b); }

  /** A spare buffer of at least `bytes`, else a new one (at least {@link MIN_OUT}). */
  take(bytes: number): Buffer {
    while (this.spare.length > 0) {
      const b = this.spare.pop()!;
      if (b.byteLength >= bytes) return Buffer.from(b);
    }
    return Buffer.from(new ArrayBuffer(Math.max(bytes, MIN_OUT)));
  }
}

/**
 * Makes the records of batch `m` with `maker` (its apps decide authorization). Never throws on
 * input: a frame whose processing throws (a bug) is marked `Failed` and its stack kept in
 * `failures` (at most 10 per batch).
 * @returns the records message; its `frames` are `m`'s arrays (handed back for reuse)
 */
export function makeRecords(maker: RecordMaker, m: FrameBatchMessage, buffers: OutBuffers): RecordBatchMessage {
  const data = Buffer.from(m.data);
  const { spans, truncated, receivedAtMs, sourceIndex, count, sources } = m;
  const status = new Uint8Array(count);
  const appIndex = new Uint16Array(count);
  const ends = new Int32Array(count);
  const apps: string[] = [];
  const appIds = new Map<string, number>();
  const failures: string[] = [];
  // records are about 2-4× their frames (JSON, receiver fields); a batch that needs more grows its buffer
  let out = buffers.take(3 * (spans[2 * count - 1] ?? 0) + count * 320);
  let pos = 0;
  const dropped0 = maker.counters.ceeKeysDropped;
  const scrubbed0 = maker.counters.tokensScrubbed;
  for (let i = 0; i < count; i++) {
    const start = spans[2 * i], end = spans[2 * i + 1];
    const source = sources[sourceIndex[i]];
    try {
      if (!maker.authorize(data, start, end, source, receivedAtMs[i])) {
        status[i] = FrameOutcome.Unauthorized;
        continue;
      }
      let e = maker.write(out, pos, truncated[i] === 1, source, receivedAtMs[i]);
      while (e < 0) {
        const bigger = Buffer.from(new ArrayBuffer(Math.max(out.length * 2, pos + recordSizeHint(end - start))));
        out.copy(bigger, 0, 0, pos);
        out = bigger;
        e = maker.write(out, pos, truncated[i] === 1, source, receivedAtMs[i]);
      }
      pos = e;
      ends[i] = e;
      const app = maker.auth!.app;
      let k = appIds.get(app);
      if (k === undefined) {
        k = apps.length;
        apps.push(app);
        appIds.set(app, k);
      }
      appIndex[i] = k;
      status[i] = FrameOutcome.Written | (maker.ceeInvalid ? CEE_INVALID_BIT : 0);
    } catch (err) {
      status[i] = FrameOutcome.Failed;
      if (failures.length < MAX_FAILURES) failures.push((err as Error).stack ?? String(err));
    }
  }
  return {
    type: 'records', seq: m.seq, frames: { data: m.data, spans, truncated, receivedAtMs, sourceIndex }, count, status, appIndex, ends, apps,
    out: out.buffer as ArrayBuffer, ceeKeysDropped: maker.counters.ceeKeysDropped - dropped0,
    tokensScrubbed: maker.counters.tokensScrubbed - scrubbed0, failures,
  };
}

/** The ArrayBuffers of a records message, for its transfer list. */
export function recordTransferables(r: RecordBatchMessage): ArrayBuffer[] {
  return [...transferables(r.frames), r.out, r.status.buffer as ArrayBuffer, r.appIndex.buffer as ArrayBuffer, r.ends.buffer as ArrayBuffer];
}

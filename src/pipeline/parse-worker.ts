/**
 * A parse worker's entry (DESIGN §9; started by {@link ParsePool}): for every batch of frames,
 * parse, authorize and serialize each frame ({@link RecordMaker}) into one output buffer, and
 * answer with the records in frame order. Holds no state but the app registry and spare buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CEE_INVALID_BIT, FrameOutcome, transferables, type ConfigureMessage, type FrameBatchMessage, type RecordBatchMessage } from './frame-batch.js';
import type { ParseWorkerData } from './parse-pool.js';
import { RecordMaker } from './record-maker.js';
import { recordSizeHint } from '../record-json.js';

const port = parentPort!;
const init = workerData as ParseWorkerData;
const maker = new RecordMaker(init.apps, init.tokenFields);
/** Output buffers the main thread handed back. */
const spare: ArrayBuffer[] = [];
/** Smallest output buffer, bytes. */
const MIN_OUT = 64 * 1024;

port.on('message', (m: FrameBatchMessage | ConfigureMessage) => {
  if (m.type === 'configure') maker.configure(m.apps, m.tokenFields);
  else port.postMessage(...records(m));
});

/** Takes a spare output buffer of at least `bytes`, else a new one. */
function outBuffer(bytes: number): Buffer {
  while (spare.length > 0) {
    const b = spare.pop()!;
    if (b.byteLength >= bytes) return Buffer.from(b);
  }
  return Buffer.from(new ArrayBuffer(Math.max(bytes, MIN_OUT)));
}

function records(m: FrameBatchMessage): [RecordBatchMessage, ArrayBuffer[]] {
  for (const b of m.recycle) spare.push(b);
  const data = Buffer.from(m.data);
  const { spans, truncated, receivedAtMs, sourceIndex, count, sources } = m;
  const status = new Uint8Array(count);
  const appIndex = new Uint16Array(count);
  const ends = new Int32Array(count);
  const apps: string[] = [];
  const appIds = new Map<string, number>();
  const failures: string[] = [];
  // records are about 2-4× their frames (JSON, receiver fields); a batch that needs more grows its buffer
  let out = outBuffer(3 * (spans[2 * count - 1] ?? 0) + count * 320);
  let pos = 0;
  const dropped0 = maker.counters.ceeKeysDropped;
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
      if (failures.length < 10) failures.push((err as Error).stack ?? String(err));
    }
  }
  const frames = { data: m.data, spans, truncated, receivedAtMs, sourceIndex };
  const result: RecordBatchMessage = {
    type: 'records', seq: m.seq, frames, count, status, appIndex, ends, apps,
    out: out.buffer as ArrayBuffer, ceeKeysDropped: maker.counters.ceeKeysDropped - dropped0, failures,
  };
  return [result, [...transferables(frames), result.out, status.buffer as ArrayBuffer, appIndex.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]];
}

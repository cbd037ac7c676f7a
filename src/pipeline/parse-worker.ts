/**
 * A parse worker's entry (DESIGN §9; started by {@link ParsePool}): every batch of frames is
 * answered with its records in frame order ({@link makeRecords}). Holds no state but the app
 * registry and spare output buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeRecords, OutBuffers, recordTransferables } from './batch-records.js';
import type { ConfigureMessage, FrameBatchMessage } from './frame-batch.js';
import type { ParseWorkerData } from './parse-pool.js';
import { RecordMaker } from './record-maker.js';

const port = parentPort!;
const init = workerData as ParseWorkerData;
const maker = new RecordMaker(init.apps, init.tokenFields);
const buffers = new OutBuffers();

port.on('message', (m: FrameBatchMessage | ConfigureMessage) => {
  if (m.type === 'configure') maker.configure(m.apps, m.tokenFields);
  else {
    for (const b of m.recycle) buffers.give(b);
    const r = makeRecords(maker, m, buffers);
    port.postMessage(r, recordTransferables(r));
  }
});

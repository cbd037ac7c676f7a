/**
 * The search thread's entry: runs {@link StoreSearcher} operations one at a time, as the
 * receiver's thread sends them (search/pool.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { QuerySyntaxError } from '../query/index.js';
import type { SearchJob, SearchReply, SearchWorkerData } from './protocol.js';
import { StoreSearcher } from './searcher.js';

const data = workerData as SearchWorkerData;
const cancel = new Int32Array(data.cancel);
let current = 0;
const searcher = new StoreSearcher(data.storeDir, () => Atomics.load(cancel, 0) === current);

parentPort!.on('message', (job: SearchJob) => {
  current = job.id;
  let reply: SearchReply;
  try {
    reply = { id: job.id, ok: true, res: run(job) };
  } catch (err: unknown) {
    const e = err as Error;
    reply = { id: job.id, ok: false, name: e.name, message: e.message, ...(err instanceof QuerySyntaxError ? { position: err.position } : {}) };
  }
  parentPort!.postMessage(reply);
});

function run(job: SearchJob): unknown {
  switch (job.op) {
    case 'events': return searcher.events((job as SearchJob<'events'>).req);
    case 'histogram': return searcher.histogram((job as SearchJob<'histogram'>).req);
    case 'context': return searcher.context((job as SearchJob<'context'>).req);
    case 'summary': { const r = (job as SearchJob<'summary'>).req; return searcher.summary(r.apps, r.nowMs); }
    case 'warm': { const r = (job as SearchJob<'warm'>).req; return searcher.warm(r.app, r.day); }
  }
}

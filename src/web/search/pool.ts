/**
 * The receiver's side of the search thread: one worker thread (restarted when it dies) that runs
 * the web API's store reads in order, so a 7-day scan never blocks the receiver's event loop.
 */
import type { Worker } from 'node:worker_threads';
import { startThread, threadEntry } from '../../pipeline/thread.js';
import { QuerySyntaxError } from '../query/index.js';
import type { SearchJob, SearchOps, SearchReply, SearchWorkerData } from './protocol.js';
import { SearchCancelled } from './searcher.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class SearchPool {
  private worker: Worker | null = null;
  private readonly cancel = new SharedArrayBuffer(4);
  private readonly cancelView = new Int32Array(this.cancel);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** @param storeDir the store root the thread reads */
  constructor(private readonly storeDir: string) {}

  /**
   * Runs `op` in the search thread.
   * @param signal aborting it cancels the job (its promise rejects with SearchCancelled)
   * @throws QuerySyntaxError (re-made from the thread's), SearchCancelled, or an Error with the
   *   thread's message (a read error), or when the thread died during the job
   */
  run<K extends keyof SearchOps>(op: K, req: SearchOps[K]['req'], signal?: AbortSignal): Promise<SearchOps[K]['res']> {
    if (this.closed) return Promise.reject(new Error('search thread stopped'));
    const id = this.nextId++;
    const job: SearchJob<K> = { id, op, req };
    return new Promise<SearchOps[K]['res']>((resolve, reject) => {
      const onAbort = (): void => { Atomics.store(this.cancelView, 0, id); };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v as SearchOps[K]['res']); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      });
      this.thread().postMessage(job);
    });
  }

  /** Stops the thread; pending jobs reject. */
  async stop(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    this.failAll(new Error('search thread stopped'));
    if (w !== null) await w.terminate();
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    const data: SearchWorkerData = { storeDir: this.storeDir, cancel: this.cancel };
    const w = startThread(threadEntry('worker', import.meta.url), { workerData: data });
    w.unref();
    w.on('message', (r: SearchReply) => this.settle(r));
    const died = (err: Error): void => {
      if (this.worker === w) this.worker = null;
      this.failAll(err);
    };
    w.on('error', died);
    w.on('exit', (code) => died(new Error(`search thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private settle(r: SearchReply): void {
    const p = this.pending.get(r.id);
    if (p === undefined) return;
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r.res);
    else if (r.position !== undefined) p.reject(new QuerySyntaxError(r.message, r.position));
    else if (r.name === 'SearchCancelled') p.reject(new SearchCancelled(r.message));
    else p.reject(new Error(r.message));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * Messages between the receiver's thread and the search thread (search/worker.ts).
 */
import type { AppSummary, ContextRequest, ContextResult, EventsRequest, EventsResult, HistogramRequest, HistogramResult } from './searcher.js';

/** Each operation's request and result. */
export interface SearchOps {
  events: { req: EventsRequest; res: EventsResult };
  histogram: { req: HistogramRequest; res: HistogramResult };
  context: { req: ContextRequest; res: ContextResult | null };
  summary: { req: { apps: string[]; nowMs: number }; res: AppSummary[] };
  warm: { req: { app: string; day: string }; res: boolean };
}

/** Receiver → search thread: run `op`; `id` numbers the job (cancellation names it). */
export interface SearchJob<K extends keyof SearchOps = keyof SearchOps> {
  id: number;
  op: K;
  req: SearchOps[K]['req'];
}

/** Search thread → receiver: the job's result, or the error it threw (`position` for a query syntax error). */
export type SearchReply =
  | { id: number; ok: true; res: unknown }
  | { id: number; ok: false; name: string; message: string; position?: number };

/** What the search thread is started with. */
export interface SearchWorkerData {
  storeDir: string;
  /** Int32Array[1] over it: the id of the job to cancel (checked once per block read). */
  cancel: SharedArrayBuffer;
}

/**
 * The acker (DESIGN §9): fans one batch's results in across the required sinks and tells each
 * waiting record its outcome once every required sink has answered. A record is `Delivered` only
 * when every required sink delivered it; `Errored` when any required sink errored it (a sender
 * that can resend should); else `Rejected` when any required sink refused it for good.
 * Ordering of acknowledgements (RELP's txnr order) is the front-end's business, on top of this.
 */
import { RecordStatus, type AppRecords, type SinkFailure, type WriteResult } from '../sinks/types.js';

/** Called once with a record's outcome across the required sinks. */
export type Finalizer = (status: RecordStatus) => void;

/** Severity order for folding statuses: Errored wins over Rejected wins over Delivered. */
const RANK: Record<RecordStatus, number> = { [RecordStatus.Delivered]: 0, [RecordStatus.Rejected]: 1, [RecordStatus.Errored]: 2 };

/** The worse of two outcomes (Errored over Rejected over Delivered): how outcomes fold, per record and per request. */
export const worse = (a: RecordStatus, b: RecordStatus): RecordStatus => (RANK[b] > RANK[a] ? b : a);

/** The acknowledgement state of one batch. */
export class BatchAcker {
  /** The folded statuses, once the first required sink has settled. */
  status: Uint8Array | null = null;
  private remaining: number;
  /** The first failure any required sink reported for this batch. */
  failure: SinkFailure | null = null;
  private readonly waitGroup: AppRecords[] = [];
  private readonly waitIdx: number[] = [];
  private readonly waitCb: Finalizer[] = [];

  /** @param required how many required sinks will {@link settle} (at least 1) */
  constructor(required: number) {
    this.remaining = required;
  }

  /** Number of records someone waits on. */
  get waiting(): number { return this.waitCb.length; }

  /** Registers `cb` for record `i` of group `g`. */
  wait(g: AppRecords, i: number, cb: Finalizer): void {
    this.waitGroup.push(g);
    this.waitIdx.push(i);
    this.waitCb.push(cb);
  }

  /** Per status index: 1 when someone waits on that record (a sender that is told its outcome). */
  waitedMask(records: number): Uint8Array {
    const mask = new Uint8Array(records);
    for (let k = 0; k < this.waitCb.length; k++) mask[this.waitGroup[k].first + this.waitIdx[k]] = 1;
    return mask;
  }

  /**
   * Folds one required sink's result in.
   * @returns true when it was the last one: {@link status} is final, call {@link finalize}
   */
  settle(result: WriteResult): boolean {
    if (this.status === null) this.status = result.status;
    else {
      const s = this.status, r = result.status;
      for (let i = 0; i < s.length; i++) s[i] = worse(s[i] as RecordStatus, r[i] as RecordStatus);
    }
    this.failure ??= result.failure;
    return --this.remaining === 0;
  }

  /** Tells every waiting record its outcome (after the last {@link settle}). */
  finalize(): void {
    const status = this.status!;
    for (let k = 0; k < this.waitCb.length; k++) this.waitCb[k](status[this.waitGroup[k].first + this.waitIdx[k]] as RecordStatus);
  }
}

/**
 * The seam between an output's runner (outputs/runner.ts: cursor, batches, retries, dead
 * letters) and its destination (Elasticsearch, HTTP, syslog): a {@link Destination} ships a
 * batch of stored lines and says, per line, whether it arrived, should be sent again, or was
 * refused for good.
 */
import type { OutputType } from '../config/schema.js';

/** One stored record as an output ships it: a line of a day file and where it is. */
export interface OutRecord {
  /** `YYYY-MM-DD`, the UTC day of receipt (its day file). */
  day: string;
  /** Byte offset of the line in its day file. */
  offset: number;
  /** The stored JSON line, without its LF. Valid until the batch is resolved. */
  line: Buffer;
}

/** Outcome of one record in one delivery attempt. */
export const ItemStatus = {
  /** The destination has it (Elasticsearch: created, or a 409 on `create`: it had it already). */
  Delivered: 0,
  /** Not taken this time (5xx, 429, a timeout, a broken connection): sent again after a backoff. */
  Retry: 1,
  /** Refused for good (a permanent 4xx): written to the dead-letter file with the response, never sent again. */
  Rejected: 2,
} as const;
export type ItemStatus = (typeof ItemStatus)[keyof typeof ItemStatus];

/** What {@link Destination.send} resolves to. */
export interface DeliveryResult {
  /** One {@link ItemStatus} per record, in the order given. */
  status: Uint8Array;
  /** For a `Rejected` record: the destination's answer (status and body or item error); else null. */
  detail: Array<string | null>;
  /** The destination asked to wait this long before the next attempt (`Retry-After`), ms; null = not said. */
  retryAfterMs: number | null;
  /** Why records were not delivered (for logs, `/healthz` and `syslog-receiver outputs`); null when all were. */
  error: string | null;
}

/** Where an output ships to. One `send` at a time per destination. */
export interface Destination {
  readonly type: OutputType;
  /** Whether it can ship `app` at all (an `http` URL with `{token}` needs the app's token); other apps are skipped and logged once. */
  accepts(app: string): boolean;
  /**
   * Ships `records`, all of app `app`, in one request (one write for syslog). Never rejects:
   * every failure is a per-record status.
   */
  send(app: string, records: readonly OutRecord[]): Promise<DeliveryResult>;
  /** Aborts a request in flight (its records are `Retry`) and releases connections. Idempotent. */
  close(): Promise<void>;
}

/** A result with every record in `status` and the same `error` (a whole-request outcome). */
export function wholeResult(n: number, status: ItemStatus, error: string | null, retryAfterMs: number | null = null): DeliveryResult {
  const detail: Array<string | null> = new Array<string | null>(n).fill(status === ItemStatus.Rejected ? error : null);
  return { status: new Uint8Array(n).fill(status), detail, retryAfterMs, error };
}

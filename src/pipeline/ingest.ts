/**
 * The one entry point of every front-end (DESIGN §1): a frame's bytes → parse → authorize →
 * record → batcher. Synchronous and allocation-light; never throws on input.
 */
import { LRUCache } from 'lru-cache';
import { authorize } from '../auth/index.js';
import type { AppRegistry } from '../auth/registry.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { parseMessage } from '../parse/index.js';
import { createRecord, RECEIVER_OWNED_KEYS, RECORD_KEYS, syslogMeta, type FrameSource, type SyslogRecord } from '../record.js';
import type { Batcher, DurableCallback } from './batcher.js';
import { QuotaResult, type Quotas } from './quota.js';
import { recordLine } from '../record-json.js';


/**
 * Result of {@link Ingest.frame}: `Stored` (queued for the store), `Rejected` (counted, not
 * stored), or `Throttled` — only when `onDurable` was given (RELP): the app is over a quota,
 * nothing was counted or stored, and the caller retries the frame at `ingest.retryAtMs`.
 */
export const enum IngestResult { Stored = 0, Rejected = 1, Throttled = 2 }

/** Fixed record keys a CEE object may not overwrite (they are typed); `message` and `@timestamp` may. */
const CEE_PROTECTED = new Set<string>([...RECEIVER_OWNED_KEYS, ...RECORD_KEYS.filter((k) => k !== 'message' && k !== '@timestamp'), '__proto__']);

export interface IngestOptions {
  registry: AppRegistry;
  batcher: Batcher;
  metrics: Metrics;
  log: Logger;
  tokenFields: readonly string[];
  quotas: Quotas;
}

export class Ingest {
  /** Swapped by a config reload; read once per frame. */
  registry: AppRegistry;
  /** Swapped by a config reload. */
  tokenFields: readonly string[];
  private readonly rejectLogged = new LRUCache<string, true>({ max: 10000, ttl: 60_000 });

  constructor(private readonly opts: IngestOptions) {
    this.registry = opts.registry;
    this.tokenFields = opts.tokenFields;
  }

  /** When a throttled frame may be retried, epoch ms. */
  get retryAtMs(): number { return this.opts.quotas.retryAtMs; }

  /**
   * Handles one frame: buf[start, end), already de-framed (no trailing LF).
   * @param receivedAtMs when the bytes were read, epoch ms
   * @param onDurable RELP: called once the record is durable (null) or its write failed (the error); never called for a rejected frame
   */
  frame(buf: Buffer, start: number, end: number, truncated: boolean, source: FrameSource, receivedAtMs: number, onDurable?: DurableCallback): IngestResult {
    const m = this.opts.metrics;
    const peer = source.record;
    m.receivedEvents[peer.transport]++;
    const parsed = parseMessage(buf, start, end, receivedAtMs);
    if (parsed.ceeInvalid) m.ceeInvalid++;
    const auth = authorize(parsed, source, this.registry, this.tokenFields);
    if (auth === null) {
      m.rejected.unauthorized++;
      if (!this.rejectLogged.has(peer.address)) {
        this.rejectLogged.set(peer.address, true);
        this.opts.log.warn({ source: peer.address, transport: peer.transport }, 'message rejected: no known token and source not in any allowedSources (logged once per source per minute)');
      }
      return IngestResult.Rejected;
    }
    const quota = this.opts.quotas.take(auth.app, end - start, receivedAtMs);
    if (quota !== QuotaResult.Ok) {
      if (onDurable !== undefined) {
        m.receivedEvents[peer.transport]--; // counted again when retried
        return IngestResult.Throttled;
      }
      m.rejected[quota === QuotaResult.RateLimited ? 'rate_limited' : 'over_daily_volume']++;
      return IngestResult.Rejected;
    }
    if (this.opts.batcher.down && onDurable === undefined) {
      // the store cannot write: streams are paused, what still arrives (datagrams) is dropped
      m.rejected.disk_full++;
      return IngestResult.Rejected;
    }
    if (truncated) m.truncated++;
    const rec = createRecord(auth.app, receivedAtMs, parsed.timestampMs, peer, syslogMeta(parsed.format, auth.tokenSource, truncated));
    rec.facility = parsed.facility;
    rec.severity = parsed.severity;
    rec.hostname = parsed.hostname;
    rec.appName = parsed.appName;
    rec.procId = parsed.procId;
    rec.msgId = parsed.msgId;
    rec.structuredData = parsed.structuredData;
    rec.message = parsed.message;
    if (parsed.cee !== null) this.mergeCee(rec, parsed.cee);
    const line = recordLine(rec, source, parsed.cee !== null);
    this.opts.batcher.append(auth.app, rec.receivedAt.slice(0, 10), line, line.length, onDurable);
    return IngestResult.Stored;
  }

  /** Merges CEE keys at top level (DESIGN §2); `message` becomes the record's message. */
  private mergeCee(rec: SyslogRecord, cee: Record<string, unknown>): void {
    rec.message = null;
    for (const k in cee) {
      if (!Object.prototype.hasOwnProperty.call(cee, k)) continue;
      const v = cee[k];
      if (k === 'message') rec.message = typeof v === 'string' ? v : v === null ? null : JSON.stringify(v);
      else if (k === '@timestamp') {
        const t = typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : NaN;
        if (Number.isFinite(t)) rec['@timestamp'] = new Date(t).toISOString();
        else this.opts.metrics.ceeKeysDropped++;
      } else if (CEE_PROTECTED.has(k)) this.opts.metrics.ceeKeysDropped++;
      else rec[k] = v;
    }
  }
}

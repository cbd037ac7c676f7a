/**
 * Parsed message + authorization → the stored record (DESIGN §2): the one place that copies a
 * parse result into a {@link SyslogRecord} and merges CEE keys at top level. Used by
 * `Intake.frame` and by the record micro-benchmark.
 */
import type { ParsedMessage } from '../parse/types.js';
import { createRecord, RECEIVER_OWNED_KEYS, RECORD_KEYS, syslogMeta, type RecordSource, type SyslogRecord, type TokenSource } from '../record.js';

/** Fixed record keys a CEE object may not overwrite (they are typed); `message` and `@timestamp` may. */
const CEE_PROTECTED = new Set<string>([...RECEIVER_OWNED_KEYS, ...RECORD_KEYS.filter((k) => k !== 'message' && k !== '@timestamp'), '__proto__']);

/** Counters {@link buildRecord} adds to (the receiver's Metrics has it). */
export interface RecordCounters {
  /** CEE keys dropped because they collide with receiver-owned or typed fields, or a bad `@timestamp`. */
  ceeKeysDropped: number;
}

/**
 * The record of one accepted frame.
 * @param receivedAtMs when the frame was read, epoch ms (`receivedAt`; `@timestamp` when the message has none)
 */
export function buildRecord(parsed: ParsedMessage, app: string, tokenSource: TokenSource, peer: RecordSource, receivedAtMs: number, truncated: boolean, counters: RecordCounters): SyslogRecord {
  const rec = createRecord(app, receivedAtMs, parsed.timestampMs, peer, syslogMeta(parsed.format, tokenSource, truncated));
  rec.facility = parsed.facility;
  rec.severity = parsed.severity;
  rec.hostname = parsed.hostname;
  rec.appName = parsed.appName;
  rec.procId = parsed.procId;
  rec.msgId = parsed.msgId;
  rec.structuredData = parsed.structuredData;
  rec.message = parsed.message;
  if (parsed.cee !== null) mergeCee(rec, parsed.cee, counters);
  return rec;
}

/** Merges CEE keys at top level (DESIGN §2); `message` becomes the record's message. */
function mergeCee(rec: SyslogRecord, cee: Record<string, unknown>, counters: RecordCounters): void {
  rec.message = null;
  for (const k in cee) {
    if (!Object.prototype.hasOwnProperty.call(cee, k)) continue;
    const v = cee[k];
    if (k === 'message') rec.message = typeof v === 'string' ? v : v === null ? null : JSON.stringify(v);
    else if (k === '@timestamp') {
      const t = typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : NaN;
      if (Number.isFinite(t)) rec['@timestamp'] = new Date(t).toISOString();
      else counters.ceeKeysDropped++;
    } else if (CEE_PROTECTED.has(k)) counters.ceeKeysDropped++;
    else rec[k] = v;
  }
}

/**
 * Reference model of the stored record (DESIGN §2), the way the receiver built it before the
 * byte writer (src/record-json.ts `writeRecord`): a {@link SyslogRecord} object filled from the
 * parse result with CEE keys merged at top level ({@link modelRecord}), and its NDJSON line
 * ({@link modelLine}: JSON.stringify per field, fixed fields first). Tests compare writeRecord's
 * bytes with `Buffer.from(modelLine(...))`; written for clarity, not speed.
 */
import { RECEIVER_OWNED_KEYS, RECORD_KEYS, type FrameSource, type RecordFields, type RecordSource, type RecordSyslogMeta, type SyslogRecord, type TokenSource } from '../../src/record.js';
import { structuredDataObject } from '../../src/record-sd.js';

/** Fixed record keys a CEE object may not overwrite (they are typed); `message` and `@timestamp` may. */
const CEE_PROTECTED = new Set<string>([...RECEIVER_OWNED_KEYS, ...RECORD_KEYS.filter((k) => k !== 'message' && k !== '@timestamp'), '__proto__']);
const FIXED = new Set<string>(RECORD_KEYS);

/** ISO string of epoch ms, or null when outside Date's range. */
function iso(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The `syslog` member. */
function syslogMeta(rec: RecordFields, tokenSource: TokenSource, truncated: boolean): RecordSyslogMeta {
  return truncated ? { format: rec.format, tokenSource, truncated: true } : { format: rec.format, tokenSource };
}

/**
 * The record of one accepted frame, plus how many CEE keys were dropped.
 * @param receivedAtMs epoch ms (`receivedAt`; the epoch when outside Date's range; `@timestamp` when the message has no valid time)
 */
export function modelRecord(parsed: RecordFields, app: string, tokenSource: TokenSource, peer: RecordSource, receivedAtMs: number, truncated: boolean): { rec: SyslogRecord; dropped: number } {
  const receivedAt = iso(receivedAtMs) ?? new Date(0).toISOString();
  const sd = parsed.structuredData;
  const rec: SyslogRecord = {
    '@timestamp': parsed.timestampMs === null ? receivedAt : iso(parsed.timestampMs) ?? receivedAt,
    receivedAt,
    app,
    facility: parsed.facility,
    severity: parsed.severity,
    hostname: parsed.hostname,
    appName: parsed.appName,
    procId: parsed.procId,
    msgId: parsed.msgId,
    structuredData: sd === null ? null : structuredDataObject(sd.buf, sd.start, sd.end),
    message: parsed.message,
    source: peer,
    syslog: syslogMeta(parsed, tokenSource, truncated),
  };
  let dropped = 0;
  const vendor = parsed.vendor ?? null;
  // the vendor member right after syslog, before CEE keys (a CEE key of its name is dropped)
  if (vendor !== null) rec[vendor.key] = vendor.fields;
  const cee = parsed.cee;
  if (cee !== null) {
    rec.message = null;
    for (const k in cee) {
      if (!Object.prototype.hasOwnProperty.call(cee, k)) continue;
      const v = cee[k];
      if (k === 'message') rec.message = typeof v === 'string' ? v : v === null ? null : JSON.stringify(v);
      else if (k === '@timestamp') {
        const t = typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : NaN;
        if (Number.isFinite(t)) rec['@timestamp'] = new Date(t).toISOString();
        else dropped++;
      } else if (CEE_PROTECTED.has(k) || k === vendor?.key) dropped++;
      else rec[k] = v;
    }
  }
  return { rec, dropped };
}

/**
 * The NDJSON line of a model record: `JSON.stringify(rec) + '\n'`, except that the fixed fields
 * come first even before integer-like CEE keys (which JSON.stringify would hoist), then the
 * `vendor` member (RecordFields.vendor's key) when there is one.
 */
export function modelLine(rec: SyslogRecord, vendor: string | null = null): string {
  const q = JSON.stringify;
  let line = '{' + RECORD_KEYS.map((k) => q(k) + ':' + q(rec[k])).join(',');
  // the vendor member comes right after the fixed fields, before any CEE key
  if (vendor !== null) line += ',' + q(vendor) + ':' + q(rec[vendor]);
  for (const k in rec) {
    if (FIXED.has(k) || k === vendor) continue;
    const v = q(rec[k]) as string | undefined;
    if (v !== undefined) line += ',' + q(k) + ':' + v;
  }
  return line + '}\n';
}

/** {@link modelLine} of {@link modelRecord} for a FrameSource, and the dropped-key count. */
export function modelWrite(parsed: RecordFields, app: string, tokenSource: TokenSource, source: FrameSource, receivedAtMs: number, truncated: boolean): { line: string; rec: SyslogRecord; dropped: number } {
  const { rec, dropped } = modelRecord(parsed, app, tokenSource, source.record, receivedAtMs, truncated);
  return { line: modelLine(rec, parsed.vendor?.key ?? null), rec, dropped };
}

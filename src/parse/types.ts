import type { RecordFields, SyslogFormat } from '../record.js';
import type { StructuredDataSpan } from './structured-data.js';

/**
 * What the parsers extract from one frame (DESIGN §4). Made only by
 * {@link createParsedMessage} so it keeps one hidden class. It is what `writeRecord`
 * (record-json.ts) writes the stored record from ({@link RecordFields}).
 */
export interface ParsedMessage extends RecordFields {
  format: SyslogFormat;
  /** 0–23; 1 (user) when the line has no PRI (RFC 3164 §4.3.3). */
  facility: number;
  /** 0–7; 5 (notice) when the line has no PRI. */
  severity: number;
  /** Event time, epoch ms UTC; null when the header has none (or NILVALUE). */
  timestampMs: number | null;
  hostname: string | null;
  /** RFC 5424 APP-NAME, or the RFC 3164 TAG name without `[pid]` and `:`. */
  appName: string | null;
  /** RFC 5424 PROCID, or the RFC 3164 TAG's bracketed pid. */
  procId: string | null;
  msgId: string | null;
  /**
   * RFC 5424 STRUCTURED-DATA (or SD elements after an RFC 3164 TAG) as the checked byte range of
   * the frame, null when absent; valid only while the frame's bytes are (span.toObject() copies).
   */
  structuredData: StructuredDataSpan | null;
  /** MSG as UTF-8 text (a leading BOM removed), or null when empty/absent. For CEE it is the raw MSG. */
  message: string | null;
  /** The JSON object after `@cee:` (or a bare-JSON MSG); null when MSG is not CEE. */
  cee: Record<string, unknown> | null;
  /** True when MSG started with `@cee:`/`{` but was not one valid JSON object (counted, kept as text). */
  ceeInvalid: boolean;
}

/** A ParsedMessage with every field at its "absent" value (format raw, user.notice). */
export function createParsedMessage(): ParsedMessage {
  return {
    format: 'raw',
    facility: 1,
    severity: 5,
    timestampMs: null,
    hostname: null,
    appName: null,
    procId: null,
    msgId: null,
    structuredData: null,
    message: null,
    cee: null,
    ceeInvalid: false,
  };
}

import type { StructuredData, SyslogFormat } from '../record.js';

/**
 * What the parsers extract from one frame (DESIGN §4). Made only by
 * {@link createParsedMessage} so it keeps one hidden class.
 */
export interface ParsedMessage {
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
  structuredData: StructuredData | null;
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

import type { RecordFields } from '../record.js';
import type { StructuredDataSpan } from './structured-data.js';

/**
 * What the parsers extract from one frame (DESIGN §4). Made only by
 * {@link createParsedMessage} so it keeps one hidden class. It is what `writeRecord`
 * (record-json.ts) writes the stored record from ({@link RecordFields}).
 */
export interface ParsedMessage extends RecordFields {
  /**
   * RFC 5424 STRUCTURED-DATA (or SD elements after an RFC 3164 TAG) as the checked byte range of
   * the frame, null when absent; valid only while the frame's bytes are (span.toObject() copies).
   */
  structuredData: StructuredDataSpan | null;
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
    vendor: null,
  };
}

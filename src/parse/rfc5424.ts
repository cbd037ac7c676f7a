import { FieldText } from './field-text.js';
import { setMessage } from './message.js';
import { createSdScan, scanStructuredData, StructuredDataSpan } from './structured-data.js';
import { createTimestampResult, parseRfc3339 } from './timestamp.js';
import type { ParsedMessage } from './types.js';

/**
 * RFC 5424 §6 strict grammar, from VERSION on (the PRI is read by the caller):
 *
 * ```
 * VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
 * ```
 * VERSION = NONZERO-DIGIT 0*2DIGIT (any 1..999 is accepted, as go-syslog does); TIMESTAMP per
 * {@link parseRfc3339} strict or NILVALUE; HOSTNAME/APP-NAME/PROCID/MSGID = 1*255/1*48/1*128/1*32
 * PRINTUSASCII (bytes 33..126), `-` alone = NILVALUE → null; STRUCTURED-DATA per
 * {@link scanStructuredData} (kept as the byte range) or `-`; MSG per {@link setMessage} (BOM removed, empty → null).
 */

const SP = 0x20;
const DASH = 0x2d;
const HOSTNAME_MAX = 255;
const APP_NAME_MAX = 48;
const PROCID_MAX = 128;
const MSGID_MAX = 32;

const ts = createTimestampResult();
const sdOut = createSdScan();

/**
 * End offset of a header field (PRINTUSASCII, 1..max bytes) starting at `i` and followed by SP;
 * -1 when the field is empty, too long, has other bytes, or no SP follows.
 */
function fieldEnd(buf: Buffer, i: number, end: number, max: number): number {
  let p = i;
  const limit = Math.min(end, i + max);
  while (p < limit) {
    const c = buf[p];
    if (c === SP) break;
    if (c < 0x21 || c > 0x7e) return -1;
    p++;
  }
  if (p === i || p >= end || buf[p] !== SP) return -1;
  return p;
}

/**
 * Field text, or null for NILVALUE (`-` alone). PRINTUSASCII, so latin1 decoding is exact;
 * the field's last string is reused when the bytes repeat ({@link FieldText}).
 */
function fieldValue(buf: Buffer, a: number, b: number, field: FieldText): string | null {
  if (b - a === 1 && buf[a] === DASH) return null;
  return field.of(buf, a, b);
}

const HOSTNAME = new FieldText(false);
const APP_NAME = new FieldText(false);
const PROC_ID = new FieldText(false);
const MSG_ID = new FieldText(false);

/**
 * Length of `VERSION SP` at `buf[start]` (2..4) when it is `NONZERO-DIGIT 0*2DIGIT SP`, else 0.
 * Used by the dispatcher to pick the RFC 5424 grammar.
 */
export function versionLength(buf: Buffer, start: number, end: number): number {
  let p = start;
  if (p >= end || buf[p] < 0x31 || buf[p] > 0x39) return 0;
  p++;
  while (p < end && p - start < 3 && buf[p] >= 0x30 && buf[p] <= 0x39) p++;
  if (p >= end || buf[p] !== SP) return 0;
  return p + 1 - start;
}

/**
 * Parses `buf[start, end)` (byte offsets; `start` = first byte of VERSION, right after the PRI)
 * with the strict RFC 5424 grammar. On success fills timestampMs (epoch ms UTC), hostname,
 * appName, procId, msgId, structuredData, message (+cee) of `pm`, sets format 'rfc5424' and
 * returns true. On any grammar violation returns false and leaves `pm` unchanged.
 * facility/severity are the caller's.
 */
export function parseRfc5424(buf: Buffer, start: number, end: number, pm: ParsedMessage): boolean {
  const vl = versionLength(buf, start, end);
  if (vl === 0) return false;
  let p = start + vl;
  // TIMESTAMP
  let timestampMs: number | null = null;
  if (p < end && buf[p] === DASH) {
    p++;
  } else {
    if (!parseRfc3339(buf, p, end, true, ts)) return false;
    timestampMs = ts.ms;
    p = ts.end;
  }
  if (p >= end || buf[p] !== SP) return false;
  p++;
  // HOSTNAME APP-NAME PROCID MSGID
  let e = fieldEnd(buf, p, end, HOSTNAME_MAX);
  if (e < 0) return false;
  const hostname = fieldValue(buf, p, e, HOSTNAME);
  p = e + 1;
  e = fieldEnd(buf, p, end, APP_NAME_MAX);
  if (e < 0) return false;
  const appName = fieldValue(buf, p, e, APP_NAME);
  p = e + 1;
  e = fieldEnd(buf, p, end, PROCID_MAX);
  if (e < 0) return false;
  const procId = fieldValue(buf, p, e, PROC_ID);
  p = e + 1;
  e = fieldEnd(buf, p, end, MSGID_MAX);
  if (e < 0) return false;
  const msgId = fieldValue(buf, p, e, MSG_ID);
  p = e + 1;
  // STRUCTURED-DATA
  let structuredData: StructuredDataSpan | null = null;
  if (p < end && buf[p] === DASH) {
    p++;
  } else {
    if (!scanStructuredData(buf, p, end, sdOut)) return false;
    structuredData = new StructuredDataSpan(buf, p, sdOut.end);
    p = sdOut.end;
  }
  if (p < end && buf[p] !== SP) return false;
  pm.format = 'rfc5424';
  pm.timestampMs = timestampMs;
  pm.hostname = hostname;
  pm.appName = appName;
  pm.procId = procId;
  pm.msgId = msgId;
  pm.structuredData = structuredData;
  if (p < end) setMessage(pm, buf, p + 1, end);
  return true;
}

import { parsePri, priLength, priValue } from './pri.js';
import { parseHeaderless, parseRfc3164 } from './rfc3164.js';
import { parseRfc5424, versionLength } from './rfc5424.js';
import { setMessage } from './message.js';
import { parseCisco } from './vendor/cisco.js';
import { parseDockerLogentries } from './vendor/docker.js';
import { parseVendorContent } from './vendor/content.js';
import { parseFortigate } from './vendor/fortigate.js';
import { createParsedMessage, type ParsedMessage } from './types.js';

export type { ParsedMessage } from './types.js';

/**
 * Parses ONE syslog frame: bytes `buf[start, end)` (byte offsets; framing removed, trailing
 * LF/CR trimmed by the caller). Never throws, whatever the bytes; out-of-range offsets are
 * clamped to the buffer. `nowMs` (epoch ms) is the receive time, used only to infer the year of
 * RFC 3164 timestamps that carry none.
 *
 * Dispatch (DESIGN §4):
 * - `<PRI>` (RFC 5424 §6.2.1: 1–3 digits, 0..191, no leading zero except `<0>`) followed by
 *   `VERSION SP` → RFC 5424 strict grammar ({@link parseRfc5424}), format 'rfc5424'. When it fails
 *   and VERSION is `1`: format 'raw', facility/severity from the PRI, message = everything after
 *   the PRI, other fields null. When it fails with another VERSION: read as RFC 3164.
 * - `<PRI>` followed by anything else → RFC 3164 and its variants ({@link parseRfc3164}),
 *   format 'rfc3164'.
 * - no valid PRI → user.notice (facility 1, severity 5; RFC 3164 §4.3.3) and
 *   {@link parseHeaderless}: `[TIMESTAMP SP] HOST SP TAG:msg` shapes → 'rfc3164', else 'raw' with
 *   the whole line as message.
 * - Vendor dialects (parse/vendor/, issue 14) are tried first where they can occur: Cisco
 *   (`%FAC-SEV-MNEMONIC:` lines, with or without PRI), FortiGate (`<PRI>key=value …`), and after an
 *   RFC 3164 header the payloads {@link parseVendorContent} knows (PAN-OS CSV); each sets `vendor`.
 * In every case MSG loses a leading UTF-8 BOM, becomes null when empty, and is checked for CEE
 * (`@cee:` or bare JSON object, see cee.ts).
 */
export function parseMessage(buf: Buffer, start: number, end: number, nowMs: number): ParsedMessage {
  const pm = createParsedMessage();
  if (!(start >= 0)) start = 0;
  if (!(end <= buf.length)) end = buf.length;
  start = Math.floor(start);
  end = Math.floor(end);
  if (start >= end) return pm;
  const pri = parsePri(buf, start, end);
  if (pri < 0) {
    if (parseCisco(buf, start, end, nowMs, pm, false)) return pm;
    parseHeaderless(buf, start, end, nowMs, pm);
    if (pm.format === 'rfc3164') parseVendorContent(pm);
    return pm;
  }
  const prival = priValue(pri);
  pm.facility = prival >> 3;
  pm.severity = prival & 7;
  const p = start + priLength(pri);
  const vl = versionLength(buf, p, end);
  if (vl > 0) {
    if (parseRfc5424(buf, p, end, pm)) return pm;
    if (vl === 2 && buf[p] === 0x31) {
      pm.format = 'raw';
      setMessage(pm, buf, p, end);
      return pm;
    }
  }
  if (parseCisco(buf, p, end, nowMs, pm, true) || parseFortigate(buf, p, end, pm)) return pm;
  parseRfc3164(buf, p, end, nowMs, pm);
  parseVendorContent(pm);
  return pm;
}

/**
 * Parses what follows a token that prefixed the raw line (issue 14 §4): `buf[start, end)` starts
 * after the token and every space after it. Docker's `logentries` default form (Go time +
 * `map[…]`, parse/vendor/docker.ts) is read as such; anything else (`<PRI>…` from a forwarder,
 * Docker's `line-only` text) is parsed by {@link parseMessage}. Never throws.
 */
export function parseAfterToken(buf: Buffer, start: number, end: number, nowMs: number): ParsedMessage {
  if (end - start >= 30 && buf[start] >= 0x30 && buf[start] <= 0x39) {
    const pm = createParsedMessage();
    if (parseDockerLogentries(buf, start, end, pm)) return pm;
  }
  return parseMessage(buf, start, end, nowMs);
}

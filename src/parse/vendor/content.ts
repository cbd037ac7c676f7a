import type { ParsedMessage } from '../types.js';
import { parseFortigateContent } from './fortigate.js';
import { kvStartsAt } from './kv.js';
import { parsePanos } from './panos.js';

/**
 * Vendor payloads after an RFC 3164 header (issue 14): reads `pm.message` (the MSG after
 * HOSTNAME/TAG) and, when it is one of these, sets `pm.vendor` and the fields the payload defines.
 * - PAN-OS CSV (`1,2024/03/10 12:00:00,serial,TYPE,…`): panos.ts, `vendor.panos`.
 * - FortiGate `key=value` pairs (FortiAnalyzer / relays that add a header): fortigate.ts,
 *   `vendor.fortigate` (also when the header reader took the first pair as a TAG).
 * Runs for every RFC 3164 line: a MSG that is neither costs a few char tests and allocates
 * nothing (PAN-OS needs a digit first, then `,` and a date; FortiGate a lower-case key run ending
 * in `=` within 24 characters, in the MSG or in a pid-less TAG). Lines that already have a
 * vendor (Cisco) or CEE are left alone.
 */
export function parseVendorContent(pm: ParsedMessage): void {
  if (pm.vendor !== null || pm.cee !== null) return;
  const m = pm.message;
  if (m === null) return;
  const c = m.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39 && parsePanos(pm)) return;
  if (kvStartsAt(m, 0)) {
    parseFortigateContent(pm);
    return;
  }
  const tag = pm.appName;
  if (tag !== null && pm.procId === null && kvStartsAt(tag, 0)) parseFortigateContent(pm);
}

import type { ParsedMessage } from '../types.js';

/**
 * Vendor payloads after an RFC 3164 header (issue 14 §3: PAN-OS CSV): reads `pm.message` and,
 * when it is one, sets `pm.vendor` (and the fields the payload defines). STUB: to be written.
 */
export function parseVendorContent(_pm: ParsedMessage): void {}

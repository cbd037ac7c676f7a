import type { ParsedMessage } from '../types.js';

/**
 * Cisco IOS, IOS-XE, IOS-XR, NX-OS, ASA and FTD lines (issue 14 §1). STUB: to be written.
 * @param start first byte after the PRI (or the line's start when it has none)
 * @returns true when the line is a Cisco line and `pm` was filled; false leaves `pm` untouched
 */
export function parseCisco(_buf: Buffer, _start: number, _end: number, _nowMs: number, _pm: ParsedMessage, _hasPri: boolean): boolean {
  return false;
}

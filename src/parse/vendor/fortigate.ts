import type { ParsedMessage } from '../types.js';

/**
 * FortiGate `key=value` lines with no syslog header (issue 14 §2). STUB: to be written.
 * @param start first byte after the PRI
 * @returns true when the line is a FortiGate line and `pm` was filled; false leaves `pm` untouched
 */
export function parseFortigate(_buf: Buffer, _start: number, _end: number, _pm: ParsedMessage): boolean {
  return false;
}

import { applyCee } from './cee.js';
import type { ParsedMessage } from './types.js';

interface Utf8Slice { utf8Slice(start: number, end: number): string }

/**
 * Sets `pm.message` (and, through {@link applyCee}, `pm.cee`/`pm.ceeInvalid`) from the MSG bytes
 * `buf[start, end)` (byte offsets). A leading UTF-8 BOM (EF BB BF, RFC 5424 §6.4) is removed;
 * the rest is decoded once as UTF-8 (Buffer's utf8Slice, without toString's encoding lookup;
 * invalid sequences become U+FFFD, never an exception);
 * an empty MSG gives `message = null`.
 */
export function setMessage(pm: ParsedMessage, buf: Buffer, start: number, end: number): void {
  if (start + 3 <= end && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
  if (start >= end) {
    pm.message = null;
    return;
  }
  const text = (buf as unknown as Utf8Slice).utf8Slice(start, end);
  pm.message = text;
  applyCee(pm, buf, start, end, text);
}

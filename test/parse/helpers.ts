import { parseMessage } from '../../src/parse/index.js';
import type { ParsedMessage } from '../../src/parse/types.js';

/** Fixed receive time for unit tests: 2026-06-15T12:00:00Z (mid-year, so year inference is obvious). */
export const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);

/** parseMessage over the whole UTF-8 (or given) bytes of `line`. */
export function parse(line: string | Buffer, nowMs = NOW): ParsedMessage {
  const b = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  return parseMessage(b, 0, b.length, nowMs);
}

/** The subset of `pm` named by the keys of `want` (for partial deepEqual). */
export function pick(pm: ParsedMessage, want: Partial<ParsedMessage>): Partial<ParsedMessage> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(want)) out[k] = (pm as unknown as Record<string, unknown>)[k];
  return out as Partial<ParsedMessage>;
}

import { parseMessage } from '../../src/parse/index.js';
import type { ParsedMessage } from '../../src/parse/types.js';
import type { StructuredData } from '../../src/record.js';

/** A ParsedMessage as tests compare it: structured data in its object form. */
export type ParsedView = Omit<ParsedMessage, 'structuredData'> & { structuredData: StructuredData | null };

/** `pm` with its structured data as an object (`StructuredDataSpan.toObject()`), for deepEqual. */
export function view(pm: ParsedMessage): ParsedView {
  return { ...pm, structuredData: pm.structuredData === null ? null : pm.structuredData.toObject() };
}

/** Fixed receive time for unit tests: 2026-06-15T12:00:00Z (mid-year, so year inference is obvious). */
export const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);

/** parseMessage over the whole UTF-8 (or given) bytes of `line`. */
export function parse(line: string | Buffer, nowMs = NOW): ParsedMessage {
  const b = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  return parseMessage(b, 0, b.length, nowMs);
}

/** The subset of `pm` named by the keys of `want` (for partial deepEqual). */
export function pick(pm: ParsedMessage, want: Partial<ParsedView>): Partial<ParsedView> {
  const v = view(pm) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(want)) out[k] = v[k];
  return out as Partial<ParsedView>;
}

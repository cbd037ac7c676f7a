import assert from 'node:assert/strict';
import { parseMessage } from '../../src/parse/index.js';
import type { ParsedMessage } from '../../src/parse/types.js';
import type { FrameSource, StructuredData } from '../../src/record.js';
import { recordSizeHint, writeRecord } from '../../src/record-json.js';

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

const STORED_SOURCE: FrameSource = { record: { address: '10.0.0.1', port: 514, transport: 'udp' }, certFingerprint: null };

/** The stored record (parsed JSON) of `line`, as writeRecord writes it for app `fw` (token source `ip`). */
export function stored(line: string): Record<string, unknown> {
  const pm = parse(line);
  const out = Buffer.alloc(recordSizeHint(Buffer.byteLength(line)));
  const end = writeRecord(out, 0, pm, 'fw', 'ip', STORED_SOURCE, Date.UTC(2026, 5, 15), false, { ceeKeysDropped: 0 });
  assert.ok(end > 0);
  return JSON.parse(out.subarray(0, end).toString('utf8')) as Record<string, unknown>;
}

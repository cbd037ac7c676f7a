/** Reads the conformance vectors in fixtures/conformance/*.jsonl (see fixtures/NOTICE.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConformanceCase {
  id: string;
  input: string;
  inputBase64?: string;
  valid: boolean;
  expect: Record<string, unknown>;
  note?: string;
  source: string;
  options?: Record<string, unknown>;
  framing?: string;
  fragment?: string;
  chunks?: number[];
  tags?: string[];
}

const root = new URL('../../fixtures/conformance/', import.meta.url).pathname;

/** All cases of one fixture file, e.g. `framing`. */
export function loadCases(name: string): ConformanceCase[] {
  return readFileSync(join(root, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ConformanceCase);
}

/** The exact input bytes of a case. */
export function inputBytes(c: ConformanceCase): Buffer {
  return c.inputBase64 !== undefined ? Buffer.from(c.inputBase64, 'base64') : Buffer.from(c.input, 'utf8');
}

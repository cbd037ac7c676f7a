/**
 * The one error-code table: `ErrorCodes` (src/errors.ts), README's "error code | meaning" table
 * and the codes src/ actually raises or logs stay identical — no undocumented code, no
 * documented code that does not exist, no code nothing uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ErrorCodes, ReceiverError } from '../src/errors.js';
import { ConfigError } from '../src/config/schema.js';
import { StoreOptionError } from '../src/store/filter.js';

const ROOT = new URL('..', import.meta.url).pathname;
const SRC = join(ROOT, 'src');
const CODES = Object.values(ErrorCodes) as string[];

/** The rows of README's error-code table, in order. */
function readmeRows(): { code: string; meaning: string; line: number }[] {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const head = lines.findIndex((l) => /^\|\s*error code\s*\|\s*meaning\s*\|\s*$/.test(l));
  assert.ok(head >= 0, 'README.md has a "| error code | meaning |" table');
  assert.match(lines[head + 1], /^\|\s*-+\s*\|\s*-+\s*\|\s*$/, 'the table header is followed by its |---|---| line');
  const rows: { code: string; meaning: string; line: number }[] = [];
  for (let i = head + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const m = /^\|\s*`(SYSLOG_ERR_[A-Z0-9_]+)`\s*\|\s*(.*?)\s*\|\s*$/.exec(lines[i]);
    assert.ok(m, `README.md:${i + 1} is not a "| \`SYSLOG_ERR_…\` | meaning |" row: ${lines[i]}`);
    rows.push({ code: m[1], meaning: m[2], line: i + 1 });
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Source without comments (block comments, and `//` comments that start a line or follow whitespace). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

test('ErrorCodes: SYSLOG_ERR_<AREA>_<CONDITION>, each value is SYSLOG_ERR_ + its key, no duplicates', () => {
  for (const [key, value] of Object.entries(ErrorCodes)) {
    assert.match(value, /^SYSLOG_ERR_[A-Z]+_[A-Z0-9_]+$/, key);
    assert.equal(value, `SYSLOG_ERR_${key}`);
  }
  assert.equal(new Set(CODES).size, CODES.length, 'no code is listed twice');
});

test("README's error table lists exactly the codes of ErrorCodes, each once, each with a meaning", () => {
  const rows = readmeRows();
  const documented = rows.map((r) => r.code);
  assert.equal(new Set(documented).size, documented.length, `a code is in the README table twice: ${documented.join(', ')}`);
  for (const r of rows) assert.ok(r.meaning.length >= 10, `README.md:${r.line}: ${r.code} needs a one-line meaning`);
  const undocumented = CODES.filter((c) => !documented.includes(c));
  const unknown = documented.filter((c) => !CODES.includes(c));
  assert.deepEqual(undocumented, [], 'in ErrorCodes (src/errors.ts) but not in the README table');
  assert.deepEqual(unknown, [], 'in the README table but not in ErrorCodes (src/errors.ts)');
});

test('src/errors.ts keeps no second copy of the table: its only SYSLOG_ERR_ strings are the ErrorCodes values', () => {
  const text = readFileSync(join(SRC, 'errors.ts'), 'utf8');
  const block = /export const ErrorCodes = \{([\s\S]*?)\} as const;/.exec(text);
  assert.ok(block, 'src/errors.ts defines `export const ErrorCodes = { … } as const;`');
  const outside = text.replace(block[0], '').match(/SYSLOG_ERR_[A-Z0-9_]+/g) ?? [];
  assert.deepEqual(outside, [], 'codes named outside ErrorCodes in src/errors.ts (README.md holds the meanings)');
});

test('src/ uses every code, only codes that exist, and never a code as a string literal', () => {
  const used = new Map<string, string[]>();
  const literals: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = relative(ROOT, file);
    const code = stripComments(readFileSync(file, 'utf8'));
    for (const m of code.matchAll(/\bErrorCodes\.([A-Za-z0-9_]+)/g)) {
      const where = used.get(m[1]) ?? [];
      where.push(rel);
      used.set(m[1], where);
    }
    if (rel !== join('src', 'errors.ts')) for (const m of code.matchAll(/['"`]SYSLOG_ERR_[A-Z0-9_]*/g)) literals.push(`${rel}: ${m[0]}`);
  }
  const keys = Object.keys(ErrorCodes);
  const missing = [...used.keys()].filter((k) => !keys.includes(k)).map((k) => `ErrorCodes.${k} (${used.get(k)!.join(', ')})`);
  assert.deepEqual(missing, [], 'referenced in src/ but not defined in ErrorCodes');
  const dead = keys.filter((k) => !used.has(k)).map((k) => `ErrorCodes.${k}`);
  assert.deepEqual(dead, [], 'defined in ErrorCodes but never raised or logged in src/ (dead code: remove it, and its README row)');
  assert.deepEqual(literals, [], 'a code written as a literal: use ErrorCodes.<KEY>');
});

test('operator errors carry their code: ConfigError, StoreOptionError, ReceiverError', () => {
  assert.equal(new ConfigError(['x: bad']).code, ErrorCodes.CONFIG_INVALID);
  assert.equal(new StoreOptionError('bad').code, ErrorCodes.STORE_OPTION);
  const cause = new Error('EACCES');
  const e = new ReceiverError(ErrorCodes.STORE_OPEN, 'cannot open', { cause });
  assert.equal(e.code, ErrorCodes.STORE_OPEN);
  assert.equal(e.cause, cause);
});

test('a failure logged as { err, code } keeps the message, code and stack (pino err serializer)', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  const log = pino({ base: null }, sink);
  const err = new ReceiverError(ErrorCodes.TLS_CERT, 'listen.tls[0]: cert expired');
  log.error({ err, code: ErrorCodes.TLS_RELOAD, listener: 'listen.tls[0]' }, 'TLS certificate reload refused; the previous certificate stays in service');
  const rec = JSON.parse(lines.join('')) as { code: string; err: { message: string; code: string; stack: string; type: string } };
  assert.equal(rec.code, ErrorCodes.TLS_RELOAD);
  assert.equal(rec.err.message, 'listen.tls[0]: cert expired');
  assert.equal(rec.err.code, ErrorCodes.TLS_CERT);
  assert.equal(rec.err.type, 'ReceiverError');
  assert.match(rec.err.stack, /ReceiverError: listen\.tls\[0\]: cert expired\n\s+at /);
});

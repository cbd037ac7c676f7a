/** Human-readable output: TIME HOST APP SEVERITY MESSAGE, one line per record. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControl, formatLine, severityName } from '../../src/store/format.js';
import type { SyslogRecord } from '../../src/record.js';
import { L, rec } from './helpers.js';

const r = (line: string): SyslogRecord => JSON.parse(line) as SyslogRecord;

test('formatLine: fields in order, severity name padded, no colour when color=false', () => {
  assert.equal(formatLine(r(L.a1), L.a1, false), '2026-11-18T10:00:00.000Z web1 api info    alpha one');
  assert.equal(formatLine(r(L.a2), L.a2, false), '2026-11-18T23:59:59.000Z WEB2 api err     alpha two error');
  assert.equal(formatLine(r(L.a3), L.a3, false), '2026-11-19T00:30:00.000Z WEB1 api warning early clock');
  assert.ok(!formatLine(r(L.c1), L.c1, false).includes('\x1b'));
});

test('formatLine: host falls back to source.address, app and message to "-"', () => {
  assert.equal(formatLine(r(L.b3), L.b3, false), '2026-11-19T12:00:00.000Z 10.0.0.7 - debug   -');
});

test('formatLine: control characters and LF escaped, so one record is one line', () => {
  const s = formatLine(r(L.b1), L.b1, false);
  assert.equal(s, '2026-11-19T08:00:00.000Z web1 api notice  line1\\nline2\\x1b[31m red');
  assert.ok(!/[\n\r\x1b]/.test(s));
  const evil = rec({ hostname: 'h\x1b]0;pwned\x07', appName: 'a\tb', message: 'x\r\ny\u2028z\u202Eq\x7f\x85' });
  const e = formatLine(r(evil), evil, false);
  assert.equal(e.split(' ').slice(1).join(' '), 'h\\x1b]0;pwned\\x07 a\\tb info    x\\r\\ny\\u2028z\\u202eq\\x7f\\x85');
  assert.equal(escapeControl('tab\there\\n'), 'tab\\there\\n');
});

test('formatLine: ANSI colour on the severity only when color=true', () => {
  const c = formatLine(r(L.c1), L.c1, true);
  assert.equal(c, '2026-11-20T01:00:00.000Z web3 api \x1b[1;31mcrit\x1b[0m    crit thing');
  assert.match(formatLine(r(L.a3), L.a3, true), /\x1b\[33mwarning\x1b\[0m/);
  assert.match(formatLine(r(L.a2), L.a2, true), /\x1b\[31merr\x1b\[0m/);
  // the escaped message still carries no raw ESC of its own
  assert.ok(formatLine(r(L.b1), L.b1, true).endsWith('line1\\nline2\\x1b[31m red'));
});

test('formatLine: a non-JSON line is shown escaped with ? fields; severity names', () => {
  assert.equal(formatLine(null, 'bad\nline', false), '? ? ? ? bad\\nline');
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(severityName), ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']);
  assert.equal(severityName(9), '9');
});

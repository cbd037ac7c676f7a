/** Time/severity option parsing and the record filter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matches, parseSeverity, parseSince, rawPrefilter, StoreOptionError } from '../../src/store/filter.js';
import type { SyslogRecord } from '../../src/record.js';
import { L, rec } from './helpers.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const r = (line: string): SyslogRecord => JSON.parse(line) as SyslogRecord;

test('parseSince: durations back from now', () => {
  assert.equal(parseSince('1h', NOW).toISOString(), '2026-11-21T11:00:00.000Z');
  assert.equal(parseSince('30m', NOW).toISOString(), '2026-11-21T11:30:00.000Z');
  assert.equal(parseSince('2d', NOW).toISOString(), '2026-11-19T12:00:00.000Z');
  assert.equal(parseSince('90s', NOW).toISOString(), '2026-11-21T11:58:30.000Z');
  assert.equal(parseSince('1w', NOW).toISOString(), '2026-11-14T12:00:00.000Z');
  assert.equal(parseSince('0s', NOW).toISOString(), NOW.toISOString());
  assert.equal(parseSince(' 2H ', NOW).toISOString(), '2026-11-21T10:00:00.000Z');
});

test('parseSince: ISO dates and date-times, UTC unless an offset is given', () => {
  assert.equal(parseSince('2026-11-19', NOW).toISOString(), '2026-11-19T00:00:00.000Z');
  assert.equal(parseSince('2026-11-19T10:30', NOW).toISOString(), '2026-11-19T10:30:00.000Z');
  assert.equal(parseSince('2026-11-19 10:30:05', NOW).toISOString(), '2026-11-19T10:30:05.000Z');
  assert.equal(parseSince('2026-11-19T10:30:05.250Z', NOW).toISOString(), '2026-11-19T10:30:05.250Z');
  assert.equal(parseSince('2026-11-19T10:30:00+01:00', NOW).toISOString(), '2026-11-19T09:30:00.000Z');
  assert.equal(parseSince('2026-11-19T10:30:00-0230', NOW).toISOString(), '2026-11-19T13:00:00.000Z');
});

test('parseSince: rejects anything else with a message naming the value and the forms', () => {
  for (const bad of ['5x', '', 'h', '1.5h', '-1h', 'yesterday', '2026-02-30', '2026-13-01', '2026-11-19T25:00', '19/11/2026', '1h ago']) {
    assert.throws(() => parseSince(bad, NOW), (e: unknown) => e instanceof StoreOptionError && e.message.includes(`"${bad}"`) && /1h/.test(e.message), bad);
  }
});

test('parseSeverity: numbers 0-7, names and aliases, any case', () => {
  assert.equal(parseSeverity('4'), 4);
  assert.equal(parseSeverity('0'), 0);
  assert.equal(parseSeverity('warning'), 4);
  assert.equal(parseSeverity('WARN'), 4);
  assert.equal(parseSeverity('err'), 3);
  assert.equal(parseSeverity('error'), 3);
  assert.equal(parseSeverity('emerg'), 0);
  assert.equal(parseSeverity('debug'), 7);
  for (const bad of ['8', '-1', 'loud', '', '4.0', 'constructor', '__proto__']) {
    assert.throws(() => parseSeverity(bad), StoreOptionError, bad);
  }
});

test('matches: severity ≤ N, host exact and case-insensitive, grep case-sensitive on message', () => {
  const a2 = r(L.a2); // WEB2, severity 3, "alpha two error"
  assert.equal(matches(a2, {}), true);
  assert.equal(matches(a2, { severityMax: 3 }), true);
  assert.equal(matches(a2, { severityMax: 2 }), false);
  assert.equal(matches(a2, { host: 'web2' }), true);
  assert.equal(matches(a2, { host: 'web' }), false);
  assert.equal(matches(a2, { grep: 'two' }), true);
  assert.equal(matches(a2, { grep: 'TWO' }), false);
  assert.equal(matches(a2, { severityMax: 4, host: 'WEB2', grep: 'error' }), true);
  assert.equal(matches(a2, { severityMax: 4, host: 'web1', grep: 'error' }), false);
  // multi-line message
  assert.equal(matches(r(L.b1), { grep: 'line1\nline2' }), true);
  // hostname null: host matches the source address shown in its place
  assert.equal(matches(r(L.b3), { host: '10.0.0.7' }), true);
  // message null: grep looks at the raw line
  assert.equal(matches(r(L.b3), { grep: '10.0.0.7' }, L.b3), true);
});

test('matches: a non-JSON line fails severity/host filters, grep looks at the raw line', () => {
  assert.equal(matches(null, {}, L.b2), true);
  assert.equal(matches(null, { grep: 'not json' }, L.b2), true);
  assert.equal(matches(null, { grep: 'nope' }, L.b2), false);
  assert.equal(matches(null, { severityMax: 7 }, L.b2), false);
  assert.equal(matches(null, { host: 'web1' }, L.b2), false);
});

test('rawPrefilter: only when it cannot drop a match', () => {
  assert.equal(rawPrefilter({}), undefined);
  assert.equal(rawPrefilter({ grep: 'a"b' }), undefined);
  assert.equal(rawPrefilter({ grep: 'a\nb' }), undefined);
  assert.equal(rawPrefilter({ grep: 'a\\b' }), undefined);
  const f = rawPrefilter({ grep: 'héllo wörld' })!;
  const line = rec({ message: 'say héllo wörld' });
  assert.equal(f(line), true);
  assert.equal(f(rec({ message: 'bye' })), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTimestampResult, parseBsdTimestamp, parseRfc3339, utcMs, utcYearOf } from '../../src/parse/timestamp.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0); // 2026-11-21T12:00:00Z

function iso(s: string, strict: boolean): { ms: number | null; end: number } | null {
  const b = Buffer.from(s, 'latin1');
  const out = createTimestampResult();
  return parseRfc3339(b, 0, b.length, strict, out) ? { ...out } : null;
}

function bsd(s: string, now = NOW): { ms: number | null; end: number } | null {
  const b = Buffer.from(s, 'latin1');
  const out = createTimestampResult();
  return parseBsdTimestamp(b, 0, b.length, now, out) ? { ...out } : null;
}

test('utcMs / utcYearOf agree with Date for many instants', () => {
  for (const t of [0, -1, 951782400000, 1709251199999, -62135596800000, 253402300799999, 1795287447931]) {
    const d = new Date(t);
    assert.equal(utcYearOf(t), d.getUTCFullYear(), String(t));
    assert.equal(utcMs(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()), t);
  }
  assert.equal(utcMs(50, 1, 1, 0, 0, 0, 0), Date.parse('0050-01-01T00:00:00Z')); // not 1950
});

test('RFC 3339 strict (RFC 5424 §6.2.3): offsets, fractions, end offset', () => {
  assert.deepEqual(iso('2003-10-11T22:14:15.003Z x', true), { ms: Date.parse('2003-10-11T22:14:15.003Z'), end: 24 });
  assert.equal(iso('2003-08-24T05:14:15.000003-07:00', true)?.ms, Date.parse('2003-08-24T12:14:15.000Z'));
  assert.equal(iso('2018-12-31T23:59:59.999999-23:59', true)?.ms, Date.parse('2019-01-01T23:58:59.999Z'));
  assert.equal(iso('1969-12-03T23:58:58+00:00', true)?.ms, Date.parse('1969-12-03T23:58:58Z'));
  assert.equal(iso('2024-07-25T18:54:02.2Z', true)?.ms, Date.parse('2024-07-25T18:54:02.200Z'));
});

test('RFC 3339 strict rejects what RFC 5424 forbids', () => {
  for (const s of [
    '2003-10-11T22:14:15', // no offset
    '2003-10-11t22:14:15Z', // lower-case t
    '2003-10-11T22:14:15z',
    '2003-10-11T22:14:15.1234567Z', // 7 fraction digits
    '2003-10-11T22:14:60Z', // leap second
    '2003-02-29T00:00:00Z', // not a leap year
    '2003-13-01T00:00:00Z',
    '2003-10-11T24:00:00Z',
    '2003-10-11T22:14:15.Z',
    '2003-10-11T22:14:15+0100',
    '2003-10-11T22:14:15+24:00',
    '03-10-11T22:14:15Z',
  ]) assert.equal(iso(s, true), null, s);
});

test('RFC 3339 lenient (ISO inside RFC 3164): zone-less = UTC, long fractions, +hhmm', () => {
  assert.equal(iso('2026-11-21T18:57:27.931013+00:00', false)?.ms, Date.parse('2026-11-21T18:57:27.931Z'));
  assert.equal(iso('2026-11-21T18:57:27', false)?.ms, Date.parse('2026-11-21T18:57:27Z'));
  assert.equal(iso('2026-11-21t18:57:27.123456789z', false)?.ms, Date.parse('2026-11-21T18:57:27.123Z'));
  assert.equal(iso('2026-11-21T18:57:27+0130', false)?.ms, Date.parse('2026-11-21T17:27:27Z'));
});

test('BSD timestamp: padding, case, fraction, year, zone, trailing colon (RFC 3164 §4.1.2 + Cisco)', () => {
  const mid = Date.UTC(2026, 5, 15); // mid-year: every month below resolves to 2026
  assert.equal(bsd('Mar  6 16:57:54 host', mid)?.ms, Date.parse('2026-03-06T16:57:54Z'));
  assert.equal(bsd('Mar 6 16:57:54', mid)?.ms, Date.parse('2026-03-06T16:57:54Z'));
  assert.equal(bsd('Mar 06 16:57:54', mid)?.ms, Date.parse('2026-03-06T16:57:54Z'));
  assert.equal(bsd('AUG 10 22:18:24', mid)?.ms, Date.parse('2026-08-10T22:18:24Z'));
  assert.equal(bsd('Jan  8 19:46:03.295: %X', mid)?.ms, Date.parse('2026-01-08T19:46:03.295Z'));
  assert.equal(bsd('Jan  8 19:46:03.295123', mid)?.ms, Date.parse('2026-01-08T19:46:03.295Z'));
  assert.equal(bsd('Mar 05 2011 22:21:02: %ASA', mid)?.ms, Date.parse('2011-03-05T22:21:02Z'));
  assert.equal(bsd('Oct 16 2009 23:47:31 host', mid)?.ms, Date.parse('2009-10-16T23:47:31Z'));
  assert.deepEqual(bsd('Mar  1 18:48:50.483 UTC: %SYS', mid), { ms: Date.parse('2026-03-01T18:48:50.483Z'), end: 24 });
  assert.equal(bsd('Mar  1 18:48:50 CET: x', mid)?.ms, Date.parse('2026-03-01T17:48:50Z'));
  assert.equal(bsd('Mar  1 18:48:50 EST host', mid)?.ms, Date.parse('2026-03-01T23:48:50Z'));
  // an unknown upper-case word is the hostname, not a zone
  assert.deepEqual(bsd('Mar  1 18:48:50 ABC x', mid), { ms: Date.parse('2026-03-01T18:48:50Z'), end: 15 });
});

test('BSD timestamp: year inference picks the year nearest to now', () => {
  assert.equal(bsd('Nov 21 11:00:00')?.ms, Date.parse('2026-11-21T11:00:00Z'));
  assert.equal(bsd('Jan  2 00:00:00')?.ms, Date.parse('2027-01-02T00:00:00Z')); // 42 days ahead beats 323 back
  assert.equal(bsd('Dec 31 23:59:59', Date.UTC(2027, 0, 1, 0, 5))?.ms, Date.parse('2026-12-31T23:59:59Z'));
  assert.equal(bsd('Jan  1 00:00:01', Date.UTC(2026, 11, 31, 23, 59))?.ms, Date.parse('2027-01-01T00:00:01Z'));
  assert.equal(bsd('Feb 29 12:00:00', Date.UTC(2028, 5, 1))?.ms, Date.parse('2028-02-29T12:00:00Z'));
  assert.deepEqual(bsd('Feb 29 12:00:00', Date.UTC(2026, 5, 1)), { ms: null, end: 15 }); // no leap year near
  assert.equal(bsd('Feb 28 12:00:00', Number.NaN)?.ms, Date.parse('1970-02-28T12:00:00Z'));
});

test('BSD timestamp: the year inference cache follows each line\'s receive time and date', () => {
  // alternating receive years and dates: nothing from the previous line may stick
  for (let round = 0; round < 3; round++) {
    assert.equal(bsd('Feb 29 12:00:00', Date.UTC(2028, 5, 1))?.ms, Date.parse('2028-02-29T12:00:00Z'));
    assert.equal(bsd('Feb 29 12:00:00', Date.UTC(2026, 5, 1))?.ms, null);
    assert.equal(bsd('Feb 29 12:00:00', Date.UTC(2029, 0, 10))?.ms, Date.parse('2028-02-29T12:00:00Z'));
    assert.equal(bsd('Mar  1 00:00:00', Date.UTC(2028, 5, 1))?.ms, Date.parse('2028-03-01T00:00:00Z'));
    assert.equal(bsd('Mar  1 00:00:00 CET', Date.UTC(2028, 5, 1))?.ms, Date.parse('2028-02-29T23:00:00Z'));
    assert.equal(bsd('Dec 31 23:59:59', Date.UTC(2027, 0, 1, 0, 5))?.ms, Date.parse('2026-12-31T23:59:59Z'));
    assert.equal(bsd('Dec 31 23:59:59', Date.UTC(2026, 11, 31, 12))?.ms, Date.parse('2026-12-31T23:59:59Z'));
  }
});

test('BSD timestamp: not a timestamp', () => {
  for (const s of ['Foo  6 16:57:54', 'Mar 32 16:57:54', 'Mar  6 25:57:54', 'Mar  6 16:57', 'Mar  6 16:57:54x', 'Mar 0 16:57:54', 'Mar  6  16:57:54', '']) {
    assert.equal(bsd(s), null, s);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParsedMessage } from '../../src/parse/types.js';
import { parseRfc5424, versionLength } from '../../src/parse/rfc5424.js';
import { parse, pick } from './helpers.js';

test('RFC 5424 §6.5 example 1: full header, no SD, BOM removed from MSG', () => {
  const pm = parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8");
  assert.deepEqual(pm, {
    format: 'rfc5424', facility: 4, severity: 2, timestampMs: Date.parse('2003-10-11T22:14:15.003Z'),
    hostname: 'mymachine.example.com', appName: 'su', procId: null, msgId: 'ID47', structuredData: null,
    message: "'su root' failed for lonvick on /dev/pts/8", cee: null, ceeInvalid: false, vendor: null,
  });
});

test('RFC 5424 §6.5 example 3: SD elements with params, then MSG', () => {
  const pm = parse('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...');
  assert.deepEqual(pick(pm, { format: 'rfc5424', facility: 20, severity: 5, appName: 'evntslog', message: 'An application event log entry...' }), {
    format: 'rfc5424', facility: 20, severity: 5, appName: 'evntslog', message: 'An application event log entry...',
  });
  assert.deepEqual(pm.structuredData?.toObject(), { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } });
});

test('NILVALUEs everywhere, no MSG / empty MSG / SP-only MSG', () => {
  const nil = { timestampMs: null, hostname: null, appName: null, procId: null, msgId: null, structuredData: null, message: null };
  assert.deepEqual(pick(parse('<13>1 - - - - - -'), nil), nil);
  assert.deepEqual(pick(parse('<13>1 - - - - - - '), nil), nil);
  assert.equal(parse('<13>1 - - - - - -  x').message, ' x'); // only the one separating SP is removed
  assert.equal(parse('<13>1 - - - - - - \uFEFF').message, null);
  assert.equal(parse('<13>1 - - - - - - a\nb').message, 'a\nb');
});

test('a "-" prefix is a value, not NILVALUE; field maximum lengths 255/48/128/32', () => {
  assert.deepEqual(pick(parse('<1>1 - -h -a -p -m -'), { hostname: '-h', appName: '-a', procId: '-p', msgId: '-m' }), { hostname: '-h', appName: '-a', procId: '-p', msgId: '-m' });
  assert.equal(parse(`<1>1 - ${'h'.repeat(255)} - - - -`).format, 'rfc5424');
  assert.equal(parse(`<1>1 - ${'h'.repeat(256)} - - - -`).format, 'raw');
  assert.equal(parse(`<1>1 - - ${'a'.repeat(48)} - - -`).format, 'rfc5424');
  assert.equal(parse(`<1>1 - - ${'a'.repeat(49)} - - -`).format, 'raw');
  assert.equal(parse(`<1>1 - - - ${'p'.repeat(128)} - -`).format, 'rfc5424');
  assert.equal(parse(`<1>1 - - - ${'p'.repeat(129)} - -`).format, 'raw');
  assert.equal(parse(`<1>1 - - - - ${'m'.repeat(32)} -`).format, 'rfc5424');
  assert.equal(parse(`<1>1 - - - - ${'m'.repeat(33)} -`).format, 'raw');
});

test('strict failures give format raw: PRI kept, message = everything after the PRI', () => {
  for (const line of [
    '<13>1 2003-10-11T22:14:15.003 host app - - - no offset',
    '<13>1 2003-10-11T22:14:15.0031234Z host app - - - 7 digits',
    '<13>1 - host app - - [bad sd',
    '<13>1 - host app - - [a x="1"]nospace',
    '<13>1 - host app - - x not sd',
    '<13>1 - hóst app - - - non-ascii hostname',
    '<13>1 - host',
    '<13>1 ',
  ]) {
    const pm = parse(line);
    assert.deepEqual(pm, {
      format: 'raw', facility: 1, severity: 5, timestampMs: null, hostname: null, appName: null, procId: null,
      msgId: null, structuredData: null, message: line.slice(4) === '' ? null : line.slice(4), cee: null, ceeInvalid: false, vendor: null,
    }, line);
  }
});

test('VERSION: 1..999 accepted by the grammar; a failing non-1 VERSION falls back to RFC 3164', () => {
  assert.equal(parse('<165>2 2003-08-24T05:14:15.000003-07:00 - - - - -').format, 'rfc5424');
  assert.equal(parse('<191>999 - - - - - -').format, 'rfc5424');
  const pm = parse('<13>2 apples: are red');
  assert.equal(pm.format, 'rfc3164');
  assert.equal(versionLength(Buffer.from('0 '), 0, 2), 0);
  assert.equal(versionLength(Buffer.from('1000 '), 0, 5), 0);
  assert.equal(versionLength(Buffer.from('12 '), 0, 3), 3);
});

test('parseRfc5424 leaves the message untouched on failure', () => {
  const pm = createParsedMessage();
  const b = Buffer.from('1 - h a p m [x');
  assert.equal(parseRfc5424(b, 0, b.length, pm), false);
  assert.deepEqual(pm, createParsedMessage());
});

test('SD escapes and CEE in an RFC 5424 MSG', () => {
  const pm = parse('<13>1 - h a - - [m k="a\\"b\\\\c\\]d\\e"] @cee: {"x":1}');
  assert.deepEqual(pm.structuredData?.toObject(), { m: { k: 'a"b\\c]d\\e' } });
  assert.deepEqual(pm.cee, { x: 1 });
  assert.equal(pm.message, '@cee: {"x":1}');
});

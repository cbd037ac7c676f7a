import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../src/parse/index.js';
import { parse } from './helpers.js';

test('dispatch: <PRI>1 → rfc5424, <PRI>other → rfc3164, no PRI → headerless/raw', () => {
  assert.equal(parse('<13>1 - - - - - - x').format, 'rfc5424');
  assert.equal(parse('<13>Jan  1 00:00:00 h a: x').format, 'rfc3164');
  assert.equal(parse('<13>anything').format, 'rfc3164');
  assert.equal(parse('just text').format, 'raw');
});

test('an invalid PRI is not a PRI: the line is headerless, facility 1 / severity 5', () => {
  for (const line of ['<01> @cee: {"a":1}', '<192>Jan  1 00:00:00 h a: x', '<abc>x', '<13 x']) {
    const pm = parse(line);
    assert.equal(pm.facility, 1, line);
    assert.equal(pm.severity, 5, line);
    assert.equal(pm.format, 'raw', line);
    assert.equal(pm.message, line, line);
  }
});

test('brief examples', () => {
  const a = parse('my-host 2bfbea1e-10c3-4419-bdad-7e6435882e1f:hello world!');
  assert.deepEqual([a.format, a.hostname, a.appName, a.message], ['rfc3164', 'my-host', '2bfbea1e-10c3-4419-bdad-7e6435882e1f', 'hello world!']);
  const b = parse('my-host my-process:@cee: {"logsene-app-token": "T", "message": "hello world!"}');
  assert.deepEqual([b.hostname, b.appName, b.cee], ['my-host', 'my-process', { 'logsene-app-token': 'T', message: 'hello world!' }]);
  for (const line of ['2bfbea1e-10c3-4419-bdad-7e6435882e1f My first log entry', 'My second 2bfbea1e-10c3-4419-bdad-7e6435882e1f log entry with token inside']) {
    const pm = parse(line);
    assert.deepEqual([pm.format, pm.hostname, pm.appName, pm.message], ['raw', null, null, line]);
  }
  const c = parse('<13>2026-11-21T18:57:27.931013+00:00 host tag: msg');
  assert.deepEqual([c.format, c.timestampMs, c.hostname, c.appName, c.message], ['rfc3164', Date.parse('2026-11-21T18:57:27.931Z'), 'host', 'tag', 'msg']);
});

test('parses only buf[start, end); clamps bad offsets; empty range → raw, message null', () => {
  const buf = Buffer.from('XXXX<13>1 - h a - - - hello YYYY');
  const pm = parseMessage(buf, 4, buf.length - 5, 0);
  assert.deepEqual([pm.format, pm.hostname, pm.message], ['rfc5424', 'h', 'hello']);
  assert.equal(parseMessage(buf, 10, 10, 0).message, null);
  assert.equal(parseMessage(buf, 20, 10, 0).format, 'raw');
  assert.equal(parseMessage(buf, -5, 1e9, 0).message, buf.toString());
  assert.equal(parseMessage(buf, Number.NaN, Number.NaN, Number.NaN).message, buf.toString());
  assert.equal(parseMessage(Buffer.alloc(0), 0, 0, 0).message, null);
});

test('every ParsedMessage has the same keys in the same order (one hidden class)', () => {
  const keys = JSON.stringify(Object.keys(parse('x')));
  for (const line of ['<13>1 - - - - - - x', '<13>Jan  1 00:00:00 h a[1]: {"a":1}', 'h a: x', '<13>1 broken', '']) {
    assert.equal(JSON.stringify(Object.keys(parse(line))), keys, line);
  }
});

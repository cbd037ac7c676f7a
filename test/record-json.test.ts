import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { recordLine } from '../src/record-json.js';
import { createRecord, type FrameSource, type SyslogRecord } from '../src/record.js';

const sources: FrameSource[] = [
  { record: { address: '127.0.0.1', port: 5514, transport: 'tcp' }, certFingerprint: null },
  { record: { address: '::1', port: 1, transport: 'tls', tlsPeer: 'CN=a "b"' }, certFingerprint: 'AB' },
];
const nullableString = fc.option(fc.string({ unit: 'binary' }), { nil: null });

test('recordLine is JSON.stringify(record) + LF, for any record', () => {
  fc.assert(fc.property(
    fc.record({
      app: fc.string(), receivedAtMs: fc.integer({ min: 0, max: 4e12 }), eventMs: fc.option(fc.integer({ min: -1e13, max: 1e13 }), { nil: null }),
      facility: fc.integer({ min: 0, max: 23 }), severity: fc.integer({ min: 0, max: 7 }),
      hostname: nullableString, appName: nullableString, procId: nullableString, msgId: nullableString, message: nullableString,
      sd: fc.option(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.string())), { nil: null }),
      truncated: fc.boolean(), src: fc.integer({ min: 0, max: 1 }),
      // non-integer-like extra keys keep JSON.stringify's order identical
      cee: fc.option(fc.dictionary(fc.string().filter((k) => !/^\d+$/.test(k) && !['@timestamp', 'receivedAt', 'app', 'facility', 'severity', 'hostname', 'appName', 'procId', 'msgId', 'structuredData', 'message', 'source', 'syslog', '__proto__'].includes(k)), fc.jsonValue()), { nil: null }),
    }),
    (x) => {
      const source = sources[x.src];
      const rec = createRecord(x.app, x.receivedAtMs, x.eventMs, source.record, x.truncated ? { format: 'raw', tokenSource: 'ip', truncated: true } : { format: 'rfc5424', tokenSource: 'cee' });
      Object.assign(rec, { facility: x.facility, severity: x.severity, hostname: x.hostname, appName: x.appName, procId: x.procId, msgId: x.msgId, message: x.message, structuredData: x.sd });
      if (x.cee) for (const [k, v] of Object.entries(x.cee)) (rec as SyslogRecord)[k] = v;
      assert.equal(recordLine(rec, source, x.cee !== null), JSON.stringify(rec) + '\n');
    },
  ), { numRuns: Number(process.env.FUZZ_RUNS ?? 800), seed: Number(process.env.FUZZ_SEED ?? 388817) });
});

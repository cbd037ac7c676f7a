/**
 * util-linux logger → receiver: `--tcp --octet-count --rfc5424` and `--udp` (RFC 3164);
 * token in APP-NAME (-t TOKEN with --rfc5424), TAG (-t TOKEN with --rfc3164), CEE, inline,
 * or none (source IP), plus --tcp --octet-count to [::1] with the token in CEE. The APP-NAME
 * variant also sends a MSGID and STRUCTURED-DATA with escaped characters.
 * logger sends one message per process (300 processes per variant); it cannot set HOSTNAME.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { SyslogRecord } from '../../src/record.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { runClient, type Transport } from './lib/clients.js';
import { seqLabel, seqOf } from './lib/corpus.js';
import { requireClient, runVariant, variantName, type Variant } from './lib/scenario.js';

// RFC 5424 MSGID and STRUCTURED-DATA as logger sends them; SD-PARAM values escaped per RFC 5424
// §6.3.3 (`\"`, `\\`, `\]`) on the wire, stored unescaped
const SD_ARGS = ['--msgid', 'ID47', '--sd-id', 'interop@32473', '--sd-param', 'note="a \\"q\\" back\\\\slash \\] end ü"', '--sd-param', 'n="1"'];
const SD_WANT = { 'interop@32473': { note: 'a "q" back\\slash ] end ü', n: '1' }, timeQuality: { tzKnown: '1' } };
function sdCheck(r: SyslogRecord): string | null {
  const sd = r.structuredData as Record<string, Record<string, string>> | null;
  const got = { 'interop@32473': sd?.['interop@32473'], timeQuality: { tzKnown: sd?.timeQuality?.tzKnown } };
  if (r.msgId !== 'ID47') return `msgId: got ${JSON.stringify(r.msgId)}, want "ID47"`;
  return isDeepStrictEqual(got, SD_WANT) ? null : `structuredData: got ${JSON.stringify(sd)}, want ${JSON.stringify(SD_WANT)}`;
}

const variants: Variant[] = [
  { client: 'logger', transport: 'tcp-octet', style: 'appname', format: 'rfc5424', lf: 'raw', loggerArgs: SD_ARGS, extraCheck: sdCheck },
  { client: 'logger', transport: 'tcp-octet', style: 'cee', format: 'rfc5424', lf: 'raw' },
  { client: 'logger', transport: 'tcp-octet', style: 'prefix', format: 'rfc5424', lf: 'raw' },
  { client: 'logger', transport: 'tcp-octet', style: 'none', format: 'rfc5424', lf: 'raw' },
  { client: 'logger', transport: 'udp', style: 'tag', format: 'rfc3164', lf: 'raw' },
  { client: 'logger', transport: 'udp', style: 'cee', format: 'rfc3164', lf: 'raw' },
  { client: 'logger', transport: 'udp', style: 'none', format: 'rfc3164', lf: 'raw' },
  { client: 'logger', transport: 'tcp-octet', style: 'cee', host: '::1', format: 'rfc5424', lf: 'raw' },
];

describe('interop: logger', () => {
  for (const v of variants) test(variantName(v), { timeout: 120_000 }, (t) => runVariant(t, v));

  // DESIGN §3: a frame longer than limits.maxMessageBytes is cut, stored once with
  // syslog.truncated, and its rest is discarded (never parsed as a new frame)
  for (const transport of ['tcp-octet', 'tcp'] as Transport[]) {
    test(`logger ${transport}: an 80 KB message is stored once, truncated; the next message is intact`, { timeout: 60_000 }, async (t) => {
      if (!requireClient(t, 'logger')) return;
      const token = randomUUID();
      const rx = await startTestReceiver({ apps: [{ name: 'tokapp', token }] });
      try {
        const big = `ix-big ${seqLabel(1)} ${'0123456789abcdef'.repeat(5000)} END`;
        const sent = [`ix-big ${seqLabel(0)} before`, big, `ix-big ${seqLabel(2)} after ü`];
        // token in the header (APP-NAME / TAG): a CEE token would be cut away with the JSON
        const style = transport === 'tcp-octet' ? 'appname' : 'tag';
        await runClient({ client: 'logger', transport, host: '127.0.0.1', port: rx.tcpPort, messages: sent, token, style, loggerArgs: ['--size', '200000'] });
        await rx.waitFor('tokapp', 3, 10_000);
        await new Promise((r) => setTimeout(r, 300));
        const recs = await rx.records('tokapp');
        const max = rx.config.limits.maxMessageBytes;
        const summary = recs.map((r) => ({ seq: seqOf(r.message), len: typeof r.message === 'string' ? r.message.length : null, truncated: r.syslog.truncated ?? false }));
        assert.deepEqual(summary.map((x) => [x.seq, x.truncated]), [[0, false], [1, true], [2, false]], JSON.stringify(summary));
        assert.equal(recs[0].message, sent[0]);
        assert.equal(recs[2].message, sent[2]);
        const m1 = recs[1].message;
        assert.ok(typeof m1 === 'string' && Buffer.byteLength(m1) <= max && big.startsWith(m1) && m1.length > max - 200,
          `truncated message is a prefix of the sent one, cut near maxMessageBytes (${String(m1?.length)} chars)`);
        assert.equal(recs[1].syslog.tokenSource, transport === 'tcp-octet' ? 'app-name' : 'tag');
        const rejected = (rx.receiver.stats() as { rejected: Record<string, number> }).rejected;
        assert.ok(Object.values(rejected).every((n) => n === 0), `nothing rejected: ${JSON.stringify(rejected)}`);
      } finally {
        await rx.stop();
      }
    });
  }
});

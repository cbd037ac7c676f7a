/**
 * syslog-ng 3.x → receiver: network() over TCP (RFC 3164 + LF framing), syslog() over TCP
 * (RFC 5424 + octet counting), network() over UDP; token in TAG/PROGRAM, APP-NAME, CEE
 * (`$(format-json)`), inline, or none (source IP), plus syslog() to [::1] by source IP.
 * One syslog-ng process per variant sends the whole corpus (300 messages).
 * network() sends an embedded LF raw inside an LF-framed stream (interop gotcha "ok-split"),
 * so its TCP corpus has no multi-line message; `$(format-json)` escapes it, syslog() and UDP keep it.
 */
import { describe, test } from 'node:test';
import type { SyslogRecord } from '../../src/record.js';
import { CLIENT_HOSTNAME } from './lib/clients.js';
import { runVariant, variantName, type Variant } from './lib/scenario.js';

const h = CLIENT_HOSTNAME;
/** syslog() adds `[meta sequenceId="N"]` (interop gotcha 10): it must reach structuredData. */
const metaCheck = (r: SyslogRecord): string | null =>
  /^[1-9][0-9]*$/.test(String(r.structuredData?.meta?.sequenceId)) ? null : `structuredData.meta.sequenceId missing: ${JSON.stringify(r.structuredData)}`;
const variants: Variant[] = [
  // network(), TCP, LF framing
  { client: 'syslog-ng', transport: 'tcp', style: 'tag', format: 'rfc3164', hostname: h },
  { client: 'syslog-ng', transport: 'tcp', style: 'cee', format: 'rfc3164', hostname: h, lf: 'raw' },
  { client: 'syslog-ng', transport: 'tcp', style: 'prefix', format: 'rfc3164', hostname: h },
  { client: 'syslog-ng', transport: 'tcp', style: 'none', format: 'rfc3164', hostname: h },
  // syslog(), TCP, octet counting (LEN counts a trailing LF), raw embedded LF
  { client: 'syslog-ng', transport: 'tcp-octet', style: 'appname', format: 'rfc5424', hostname: h, lf: 'raw', extraCheck: metaCheck },
  { client: 'syslog-ng', transport: 'tcp-octet', style: 'cee', format: 'rfc5424', hostname: h, lf: 'raw' },
  { client: 'syslog-ng', transport: 'tcp-octet', style: 'none', format: 'rfc5424', hostname: h, lf: 'raw' },
  // network(), UDP: one datagram per message, with a trailing LF; paced feeding
  { client: 'syslog-ng', transport: 'udp', style: 'tag', format: 'rfc3164', hostname: h, lf: 'raw', chunk: 25, chunkDelayMs: 100 },
  // IPv6 loopback, app chosen by source address ::1/128
  { client: 'syslog-ng', transport: 'tcp-octet', style: 'none', host: '::1', format: 'rfc5424', hostname: h, lf: 'raw' },
];

describe('interop: syslog-ng', () => {
  for (const v of variants) test(variantName(v), { timeout: 90_000 }, (t) => runVariant(t, v));
});

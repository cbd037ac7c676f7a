/**
 * rsyslog 8.x (omfwd) → receiver: UDP, TCP with LF framing (TCP_Framing="traditional") and
 * TCP with octet counting (TCP_Framing="octet-counted"); token in CEE, TAG, APP-NAME, inline,
 * or none (source IP). One rsyslogd process per variant sends the whole corpus (300 messages).
 */
import { describe, test } from 'node:test';
import { CLIENT_HOSTNAME } from './lib/clients.js';
import { runVariant, variantName, type Variant } from './lib/scenario.js';

const h = CLIENT_HOSTNAME;
const variants: Variant[] = [
  // UDP: one datagram per message, the raw LF stays inside its datagram; paced feeding
  { client: 'rsyslog', transport: 'udp', style: 'cee', format: 'rfc3164', hostname: h, lf: 'raw', chunk: 25, chunkDelayMs: 40 },
  { client: 'rsyslog', transport: 'udp', style: 'tag', format: 'rfc3164', hostname: h, lf: 'raw', chunk: 25, chunkDelayMs: 40 },
  { client: 'rsyslog', transport: 'udp', style: 'none', format: 'rfc3164', hostname: h, lf: 'raw', chunk: 25, chunkDelayMs: 40 },
  // TCP, LF framing: imfile escapeLF="on" sends an embedded LF as the 2 characters "\n"
  { client: 'rsyslog', transport: 'tcp', style: 'cee', format: 'rfc3164', hostname: h, lf: 'escaped' },
  { client: 'rsyslog', transport: 'tcp', style: 'tag', format: 'rfc3164', hostname: h, lf: 'escaped' },
  { client: 'rsyslog', transport: 'tcp', style: 'prefix', format: 'rfc3164', hostname: h, lf: 'escaped' },
  { client: 'rsyslog', transport: 'tcp', style: 'none', format: 'rfc3164', hostname: h, lf: 'escaped' },
  // RFC 3164 layout with an RFC 3339 timestamp (<13>2026-11-21T18:57:27.931013+00:00 host tag: msg)
  { client: 'rsyslog', transport: 'tcp', style: 'none', format: 'rfc3164', hostname: h, lf: 'escaped', rsyslogTemplate: 'RSYSLOG_ForwardFormat' },
  // TCP, octet counting, raw embedded LF (RFC 5424 with LEN counting a trailing LF; the
  // TokenCee template is an RFC 3164 line whatever the framing)
  { client: 'rsyslog', transport: 'tcp-octet', style: 'appname', format: 'rfc5424', hostname: h, lf: 'raw' },
  { client: 'rsyslog', transport: 'tcp-octet', style: 'cee', format: 'rfc3164', hostname: h, lf: 'raw' },
  { client: 'rsyslog', transport: 'tcp-octet', style: 'none', format: 'rfc5424', hostname: h, lf: 'raw' },
];

describe('interop: rsyslog', () => {
  for (const v of variants) test(variantName(v), { timeout: 90_000 }, (t) => runVariant(t, v));
});

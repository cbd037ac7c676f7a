/**
 * netcat (OpenBSD nc) → receiver: the headerless one-liners of the Sematext and Logentries
 * docs, no PRI at all: `HOST TOKEN:msg` (token as TAG), `HOST tag:@cee: {...}`, `TOKEN msg`
 * (Logentries inline token, here a token starting with a digit: DESIGN §3's reason for the
 * strict octet-counting detection), and bare lines routed by source IP. TCP: one `nc -N`
 * sends all 300 lines with LF framing; UDP: one `nc -u` per line.
 */
import { describe, test } from 'node:test';
import { CLIENT_HOSTNAME } from './lib/clients.js';
import { runVariant, variantName, type Variant } from './lib/scenario.js';

const h = CLIENT_HOSTNAME;
const variants: Variant[] = [
  { client: 'nc', transport: 'tcp', style: 'tag', format: 'rfc3164', hostname: h, appName: null },
  { client: 'nc', transport: 'tcp', style: 'cee', format: 'rfc3164', hostname: h },
  { client: 'nc', transport: 'tcp', style: 'prefix', format: 'raw', hostname: null, appName: null, digitToken: true },
  { client: 'nc', transport: 'tcp', style: 'none', format: 'raw', hostname: null, appName: null },
  { client: 'nc', transport: 'udp', style: 'prefix', format: 'raw', hostname: null, appName: null, count: 100 },
];

describe('interop: nc', () => {
  for (const v of variants) test(variantName(v), { timeout: 90_000 }, (t) => runVariant(t, v));
});

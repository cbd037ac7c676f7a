/**
 * TLS (RFC 5425) with real clients → a TLS-only receiver (certificate set from lib/certs.ts):
 * - rsyslog omfwd with the gtls driver (x509/name + PermittedPeers localhost, LF and octet
 *   counting; anon without PermittedPeers, interop gotcha 3) and the ossl driver (x509/name,
 *   LF and octet counting); 300 messages each;
 * - syslog-ng network(transport(tls)) (LF) and syslog(transport(tls)) (RFC 5425, octet
 *   counting), peer-verify(required-trusted) against the CA (IP SAN 127.0.0.1, gotcha 13);
 * - `openssl s_client -verify_return_error -quiet -no_ign_eof` and `gnutls-cli --x509cafile`
 *   piping the nc one-liners (LF framing), 50 messages each, one over [::1];
 * - client certificates: rsyslog gtls, syslog-ng and s_client present CN=interop-client to a
 *   listener with clientAuth: required; the lines carry no token and must land in the app
 *   listing the certificate's fingerprint (`tls-cert`, `source.tlsPeer`), not in the source-IP
 *   app; and a certificate with the same CN from a foreign CA (and no certificate at all) is
 *   refused at the handshake: nothing stored, counted in `tlsHandshakeFailures`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { SyslogRecord } from '../../src/record.js';
import { startTestReceiver, storedApps } from '../helpers/receiver.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { CLIENT_HOSTNAME, runClient, runTlsPipeExpectingFailure, type RunSpec } from './lib/clients.js';
import { CLIENT_CERT_NAME, interopCerts } from './lib/certs.js';
import { makeCorpus, seqOf } from './lib/corpus.js';
import { CERT_APP, requireClient, runVariant, variantName, type Variant } from './lib/scenario.js';

const h = CLIENT_HOSTNAME;
/** syslog() adds `[meta sequenceId="N"]` (interop gotcha 10): it must reach structuredData. */
const metaCheck = (r: SyslogRecord): string | null =>
  /^[1-9][0-9]*$/.test(String(r.structuredData?.meta?.sequenceId)) ? null : `structuredData.meta.sequenceId missing: ${JSON.stringify(r.structuredData)}`;

const rsyslog: Variant[] = [
  // LF framing: escapeLF="on" sends an embedded LF as the 2 characters "\n"
  { client: 'rsyslog', transport: 'tls', tls: { driver: 'gtls' }, style: 'cee', format: 'rfc3164', hostname: h, lf: 'escaped' },
  { client: 'rsyslog', transport: 'tls', tls: { driver: 'gtls', authMode: 'anon' }, style: 'tag', format: 'rfc3164', hostname: h, lf: 'escaped' },
  { client: 'rsyslog', transport: 'tls', tls: { driver: 'ossl' }, style: 'prefix', format: 'rfc3164', hostname: h, lf: 'escaped' },
  // RFC 5425 octet counting, raw embedded LF
  { client: 'rsyslog', transport: 'tls-octet', tls: { driver: 'gtls' }, style: 'appname', format: 'rfc5424', hostname: h, lf: 'raw' },
  { client: 'rsyslog', transport: 'tls-octet', tls: { driver: 'ossl' }, style: 'none', format: 'rfc5424', hostname: h, lf: 'raw' },
];
const syslogNg: Variant[] = [
  // network(): an embedded LF goes out raw inside the LF-framed stream (ok-split): no multi-line message
  { client: 'syslog-ng', transport: 'tls', style: 'tag', format: 'rfc3164', hostname: h },
  { client: 'syslog-ng', transport: 'tls-octet', style: 'appname', format: 'rfc5424', hostname: h, lf: 'raw', extraCheck: metaCheck },
];
const pipes: Variant[] = [
  { client: 'openssl', transport: 'tls', style: 'tag', format: 'rfc3164', hostname: h, appName: null, count: 50 },
  { client: 'openssl', transport: 'tls', style: 'cee', host: '::1', format: 'rfc3164', hostname: h, count: 50 },
  { client: 'gnutls-cli', transport: 'tls', style: 'prefix', format: 'raw', hostname: null, appName: null, digitToken: true, count: 50 },
];
const clientCert: Variant[] = [
  { client: 'rsyslog', transport: 'tls', tls: { driver: 'gtls', clientCert: true }, style: 'none', format: 'rfc3164', hostname: h, lf: 'escaped' },
  { client: 'syslog-ng', transport: 'tls-octet', tls: { clientCert: true }, style: 'none', format: 'rfc5424', hostname: h, lf: 'raw', extraCheck: metaCheck },
  { client: 'openssl', transport: 'tls', tls: { clientCert: true }, style: 'none', format: 'raw', hostname: null, appName: null, count: 50 },
];

describe('interop: TLS', () => {
  for (const v of [...rsyslog, ...syslogNg, ...pipes]) test(variantName(v), { timeout: 90_000 }, (t) => runVariant(t, v));
  for (const v of clientCert) test(`client certificate: ${variantName(v)}`, { timeout: 90_000 }, (t) => runVariant(t, v));

  test('client certificate: openssl s_client with a same-CN certificate from a foreign CA, or none, is refused; nothing stored', { timeout: 60_000 }, async (t) => {
    if (!requireClient(t, 'openssl')) return;
    const certs = await interopCerts();
    const token = randomUUID();
    const rx = await startTestReceiver({
      listen: { tls: { address: '127.0.0.1', port: 0, cert: certs.set.serverCert, key: certs.set.serverKey, ca: certs.set.caCert, clientAuth: 'required' } },
      apps: [
        // every refused line carries this token: stored here if a refused connection got through
        { name: 'tokapp', token },
        // the foreign certificate has the same subject: listed here too
        { name: CERT_APP, certFingerprints: [certs.client.fingerprint], certSubjects: [certs.client.subject] },
        { name: 'ipapp', allowedSources: ['127.0.0.1/32'] },
      ],
    });
    try {
      const port = rx.receiver.addresses.tls![0].port;
      const base = { client: 'openssl' as const, transport: 'tls' as const, host: '127.0.0.1', port };
      const stats = (): { tlsHandshakeFailures: number; tlsClientCertRejected: number; receivedEvents: { tls: number } } =>
        rx.receiver.stats() as ReturnType<typeof stats>;
      const refused: Array<{ what: string; spec: RunSpec }> = [
        { what: 'foreign CA', spec: { ...base, messages: makeCorpus({ label: 'foreign', count: 20, embeddedLf: false }).map((m) => m.text), token, style: 'tag', tls: { caFile: certs.set.caCert, certFile: certs.foreign.cert, keyFile: certs.foreign.key } } },
        { what: 'no certificate', spec: { ...base, messages: makeCorpus({ label: 'nocert', count: 20, embeddedLf: false }).map((m) => m.text), token, style: 'tag', tls: { caFile: certs.set.caCert } } },
      ];
      let failures = 0;
      for (const { what, spec } of refused) {
        const r = await runTlsPipeExpectingFailure(spec);
        // TLS 1.3: the client's Finished goes out before the server checks its certificate, so
        // s_client may exit 0 having "sent" everything; the refusal shows on the receiver only
        await waitFor(() => stats().tlsHandshakeFailures > failures, { timeoutMs: 5000, intervalMs: 50, onTimeout: 'return' });
        const now = stats().tlsHandshakeFailures;
        t.diagnostic(`${what}: s_client ${r.killed ? 'killed (did not exit)' : `exited ${r.code ?? r.signal}`}; tlsHandshakeFailures ${failures} → ${now}; output: ${r.output.trim().split('\n').slice(-2).join(' | ')}`);
        assert.ok(now >= failures + 1, `${what}: the handshake failure is counted (tlsHandshakeFailures ${failures} → ${now})`);
        failures = now;
      }
      // the same listener accepts the right certificate (so "nothing stored" above means refused)
      const good = makeCorpus({ label: 'goodcert', count: 5, embeddedLf: false });
      await runClient({ ...base, messages: good.map((m) => m.text), token: null, style: 'none', tls: { caFile: certs.set.caCert, certFile: certs.client.cert, keyFile: certs.client.key } });
      const recs = await rx.waitFor(CERT_APP, good.length, 10_000);
      await sleep(300);
      assert.deepEqual(recs.map((r) => [seqOf(r.message), r.syslog.tokenSource, r.source.tlsPeer]), good.map((m) => [m.seq, 'tls-cert', `CN=${CLIENT_CERT_NAME}`]));
      assert.deepEqual(storedApps(rx.config.storage.dir), [CERT_APP], 'nothing from the refused connections in any app');
      assert.ok(!(await rx.records(CERT_APP)).some((r) => /ix-(foreign|nocert)/.test(String(r.message))));
      const st = stats();
      assert.equal(st.receivedEvents.tls, good.length, 'no frame of a refused connection reached the pipeline');
      assert.equal(st.tlsClientCertRejected, 0, 'clientAuth required: refused at the handshake, not per message');
    } finally {
      await rx.stop();
    }
  });
});

/**
 * The throwaway PKI of the TLS interop tests, made with the receiver's own generator
 * (src/certs, node-forge): a CA, a server certificate (SAN localhost, 127.0.0.1, ::1: what
 * syslog-ng `required-trusted`, s_client and gnutls-cli check when connecting to an IP,
 * interop gotcha 13), a client certificate `interop-client`, and a client certificate with
 * the SAME subject issued by a foreign CA (must be refused). Made once per test process,
 * removed at exit (kept with KEEP_INTEROP_TMP=1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, generateCertSet, issueCert, type CertSetResult } from '../../../src/certs/index.js';

export const CLIENT_CERT_NAME = 'interop-client';

export interface InteropCerts {
  dir: string;
  set: CertSetResult;
  /** The client certificate the receiver's CA issued. */
  client: { cert: string; key: string; fingerprint: string; subject: string };
  /** Same CN, issued by another CA. */
  foreign: { cert: string; key: string };
}

let made: Promise<InteropCerts> | null = null;

export function interopCerts(): Promise<InteropCerts> {
  made ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interop-certs-'));
    if (process.env.KEEP_INTEROP_TMP !== '1') process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const set = await generateCertSet({ outDir: join(dir, 'pki'), clients: [CLIENT_CERT_NAME] });
    const foreignCa = createCa('foreign interop CA');
    const f = issueCert({ ca: foreignCa, commonName: CLIENT_CERT_NAME, usage: 'client' });
    const foreign = { cert: join(dir, 'foreign-client.crt'), key: join(dir, 'foreign-client.key') };
    writeFileSync(foreign.cert, f.certPem);
    writeFileSync(foreign.key, f.keyPem, { mode: 0o600 });
    const c = set.clients[CLIENT_CERT_NAME];
    return { dir, set, client: { ...c, subject: `CN=${CLIENT_CERT_NAME}` }, foreign };
  })();
  return made;
}

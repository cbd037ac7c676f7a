/**
 * The certificate files of a TLS listener (`listen.tls`, RELP over TLS): the configured
 * cert/key/CA, or — when the config names no cert and key — the set generated into `certsDir`
 * on first use (node-forge CA + server certificate; see generate.ts), reused on later starts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsListenerConfig } from '../config/schema.js';
import { ErrorCodes, ReceiverError } from '../errors.js';
import type { Logger } from '../logger.js';
import { certFingerprint } from './fingerprint.js';
import { generateCertSet } from './generate.js';

/** A TLS listener's files, resolved. */
export interface TlsFiles {
  cert: string;
  key: string;
  /** CA bundle for client certificates; null = none requested. */
  ca: string | null;
}

/** The certificate set generated (or reused) for TLS listeners without cert/key. */
export interface GeneratedCerts {
  /** Path of the CA certificate senders must trust (rsyslog StreamDriver.CAFile, syslog-ng ca-file). */
  caCert: string;
  /** SHA-256 fingerprint of the CA certificate, `AB:CD:…`. */
  caFingerprint: string;
  /** True when the set was created by this start (false: an earlier one was reused). */
  created: boolean;
}

/** Resolves listener files against one `certsDir`; generates the set at most once. */
export class TlsFileResolver {
  /** Set once a listener uses the generated set. */
  generated: GeneratedCerts | null = null;

  constructor(private readonly certsDir: string, private readonly log: Logger) {}

  /**
   * The files `t` uses.
   * @throws ReceiverError SYSLOG_ERR_TLS_CERT when the set must be generated and cannot be
   */
  async resolve(t: TlsListenerConfig): Promise<TlsFiles> {
    if (t.cert !== null && t.key !== null) return { cert: t.cert, key: t.key, ca: t.clientAuth === 'none' ? null : t.ca };
    const dir = this.certsDir;
    const files = { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), caCert: join(dir, 'ca.crt') };
    if (this.generated === null) {
      let created = false;
      if (!existsSync(files.cert) || !existsSync(files.key) || !existsSync(files.caCert)) {
        try {
          await generateCertSet({ outDir: dir });
        } catch (e) {
          throw new ReceiverError(ErrorCodes.TLS_CERT, `cannot generate TLS certificates in ${dir}: ${(e as Error).message}. Check certsDir.`, { cause: e });
        }
        created = true;
      }
      this.generated = { caCert: files.caCert, caFingerprint: certFingerprint(readFileSync(files.caCert)), created };
      this.log.info({ ...this.generated }, created ? 'generated a CA and server certificate for TLS' : 'using the generated TLS certificate set');
    }
    return { cert: files.cert, key: files.key, ca: t.clientAuth === 'none' ? null : (t.ca ?? files.caCert) };
  }
}

/**
 * Certificates for the TLS front-end (RFC 5425, port 10514): a node-forge CA with server and
 * client certificates (`generateCertSet`, used by `syslog-receiver certs`), lower-level
 * `createCa`/`issueCert` for tests, and the fingerprint/subject helpers used for RFC 5425 §4.2
 * peer authorization.
 */
export { generateCertSet, createCa, issueCert } from './generate.js';
export type { CertKeyPem, CertSetOptions, CertSetResult, IssueCertOptions } from './generate.js';
export { certFingerprint, normalizeFingerprint, subjectString } from './fingerprint.js';

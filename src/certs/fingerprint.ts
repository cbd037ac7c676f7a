/**
 * Certificate identity helpers for TLS peer authorization (RFC 5425 §4.2): the SHA-256
 * fingerprint of a certificate in the form operators copy from `openssl x509 -fingerprint
 * -sha256`, and a stable one-line subject string for logs and `source.tlsPeer`.
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

/**
 * SHA-256 fingerprint of a certificate: SHA-256 over the DER encoding, printed as
 * `openssl x509 -noout -fingerprint -sha256` prints it — 32 uppercase hex pairs joined by `:`
 * (`AB:CD:…`, 95 characters). This is the "fingerprint" of RFC 5425 §4.2.2 with the
 * `sha-256` hash (the RFC's own text form prefixes `SHA-256:`; strip that, or pass the string
 * through {@link normalizeFingerprint}, before comparing).
 *
 * @param pem a PEM certificate (the first one when several are concatenated) or DER bytes,
 *   as a string or Buffer.
 * @returns the canonical fingerprint, e.g. `9F:86:D0:…:08`.
 * @throws Error (from `crypto.X509Certificate`, code `ERR_OSSL_…`) when the input is not a
 *   certificate.
 */
export function certFingerprint(pem: string | Buffer): string {
  return new X509Certificate(pem).fingerprint256;
}

const HEX64 = /^[0-9A-Fa-f]{64}$/;
const COLON32 = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}$/;
/** Prefixes openssl and RFC 5425 put before a fingerprint, case-insensitive. */
const PREFIX = /^(?:sha-?256\s+fingerprint\s*=\s*|sha-?256\s*:\s*)/i;

/**
 * Parses a SHA-256 fingerprint as an operator may paste it into the config and returns the
 * canonical form of {@link certFingerprint} (uppercase hex pairs joined by `:`), so two
 * fingerprints can be compared with `===`.
 *
 * Accepted (surrounding whitespace ignored, hex in any case):
 * - `AB:CD:…` — 32 colon-separated pairs (openssl, Node's `fingerprint256`);
 * - `abcd…` — 64 hex digits, no separators (`sha256sum` of the DER);
 * - either of the above prefixed with `sha256 Fingerprint=` / `SHA256 Fingerprint=`
 *   (openssl 3 / 1.1 output) or `SHA256:` / `SHA-256:` (RFC 5425 §4.2.2 style).
 *
 * @returns the canonical fingerprint, or `null` when `s` is not a SHA-256 fingerprint
 *   (wrong length, other separators, non-hex, a SHA-1 fingerprint, base64, …). Never throws.
 */
export function normalizeFingerprint(s: string): string | null {
  if (typeof s !== 'string') return null;
  const body = s.trim().replace(PREFIX, '');
  let hex: string;
  if (COLON32.test(body)) hex = body.replace(/:/g, '');
  else if (HEX64.test(body)) hex = body;
  else return null;
  return hex.toUpperCase().match(/../g)!.join(':');
}

/** RFC 4514 §2.4 escaping of one attribute value. */
function escapeValue(v: string): string {
  let out = v.replace(/[\\",+;<>=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/**
 * A stable one-line subject for logs, records (`source.tlsPeer`) and subject-based
 * authorization (RFC 5425 §4.2.1 leaves the matching rule to the receiver's policy).
 *
 * Format: `TYPE=value` pairs joined by `,` with no spaces, in the order the attributes appear in
 * the certificate (the order `openssl x509 -subject` and Node's `X509Certificate.subject` print,
 * i.e. NOT RFC 4514's reversed order): e.g. `C=US,O=Example,CN=client1`, or `CN=client1,O=Example`
 * for a certificate encoded in that order. TYPE is OpenSSL's short name (`CN`, `O`, `OU`, `C`,
 * `ST`, `L`, `emailAddress`, …) or the dotted OID when OpenSSL has none. A repeated attribute
 * gives one pair per value in certificate order, grouped at its first position (`OU=a,OU=b`;
 * `/OU=a/CN=c/OU=b` gives `OU=a,OU=b,CN=c`, because Node's subject object groups them so);
 * multi-valued RDNs (`+`) are flattened into separate pairs.
 * Values are escaped as in RFC 4514 §2.4 (`\,` `\+` `\=` `\\` `\"` `\;` `\<` `\>`, a leading
 * `#`/space and a trailing space), so the string cannot be spoofed with a `,` inside a value.
 * An empty subject gives `''`.
 *
 * @param cert a parsed certificate, or the object from `tlsSocket.getPeerCertificate()`
 *   (its `.subject` object, whose key order is the certificate's order; array values are
 *   repeated attributes).
 */
export function subjectString(cert: X509Certificate | PeerCertificate): string {
  const subject = (cert instanceof X509Certificate ? cert.toLegacyObject().subject : cert.subject) as
    | Record<string, string | string[] | undefined>
    | undefined;
  if (!subject) return '';
  const parts: string[] = [];
  for (const [type, value] of Object.entries(subject)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${type}=${escapeValue(String(v))}`);
  }
  return parts.join(',');
}

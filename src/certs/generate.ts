/**
 * A private CA plus server and client certificates for the TLS front-end (RFC 5425, port 10514)
 * and for tests, built and signed with node-forge (DESIGN §9: `syslog-receiver certs`).
 *
 * Profile (RFC 5280 §4.2.1 extensions, SHA-256 with RSA signatures, v3 certificates):
 * - CA: basicConstraints cA=TRUE (critical), keyUsage keyCertSign+cRLSign (critical),
 *   subjectKeyIdentifier; 3650 days.
 * - server: basicConstraints cA=FALSE (critical), keyUsage digitalSignature+keyEncipherment
 *   (critical), extKeyUsage serverAuth+clientAuth, subjectAltName, SKI + AKI; 825 days.
 * - client: as server but extKeyUsage clientAuth only; CN = the client's name.
 *
 * RSA key pairs come from Node's `crypto.generateKeyPair` (OpenSSL, ~50–200 ms for 2048 bits)
 * and are imported into forge via PEM. forge's own `pki.rsa.generateKeyPair` delegates to the
 * same Node call unless `forge.options.usePureJavaScript` is set, in which case it takes
 * 1.2–2.2 s per 2048-bit key (measured) — so we call Node directly to make the speed certain.
 * Private keys are written as unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`).
 */
import { generateKeyPair, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import forge from 'node-forge';
import { certFingerprint } from './fingerprint.js';

const { pki } = forge;

/** A certificate and its private key, both PEM strings. */
export interface CertKeyPem {
  certPem: string;
  keyPem: string;
}

/** Options of {@link generateCertSet}. */
export interface CertSetOptions {
  /** Directory to write into; created (mode 0700) when missing, with missing parents. */
  outDir: string;
  /**
   * DNS names and IP addresses (v4 or v6, brackets allowed) for the server certificate. The
   * first one is the subject CN; default CN is `localhost`. `localhost`, `127.0.0.1` and `::1`
   * are always added to the subjectAltName. DNS names may be wildcards (`*.example.com`).
   */
  hosts?: string[];
  /**
   * Client certificate names: each gives `NAME.crt` / `NAME.key` with CN = NAME. Names are
   * 1–64 characters of `[A-Za-z0-9._-]`, start with a letter or digit, and are not `ca` or
   * `server`.
   */
  clients?: string[];
  /** Validity of the server and client certificates in days (integer ≥ 1, default 825). */
  days?: number;
  /** RSA modulus size in bits for every new key, CA included (2048–8192, multiple of 8; default 2048). */
  keyBits?: number;
}

/** Paths (absolute) and fingerprints written by {@link generateCertSet}. */
export interface CertSetResult {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** Per client name: its certificate and key paths and its SHA-256 fingerprint. */
  clients: Record<string, { cert: string; key: string; fingerprint: string }>;
  /** SHA-256 fingerprint of `ca.crt`, `AB:CD:…` form (see `certFingerprint`). */
  caFingerprint: string;
  /** SHA-256 fingerprint of `server.crt` — what senders pin under RFC 5425 §4.2.2. */
  serverFingerprint: string;
  /** True when an existing `ca.crt` + `ca.key` in `outDir` was used instead of a new CA. */
  reusedCa: boolean;
}

/** Options of {@link issueCert}. */
export interface IssueCertOptions {
  /** The issuing CA: its certificate and (unencrypted PKCS#1 or PKCS#8 RSA) private key. */
  ca: CertKeyPem;
  /** Subject CN (1–64 characters, RFC 5280 ub-common-name). */
  commonName: string;
  /**
   * subjectAltName entries, exactly these (deduplicated; no defaults added): IP addresses
   * become iPAddress, anything else a dNSName. Omitted or empty: no SAN extension.
   */
  sans?: string[];
  /** `server`: extKeyUsage serverAuth+clientAuth; `client`: clientAuth. */
  usage: 'server' | 'client';
  /** Default: now − 1 hour (clock skew allowance). */
  notBefore?: Date;
  /** Default: now + 825 days. May be in the past (expired certificates for tests). */
  notAfter?: Date;
  /** RSA modulus size (2048–8192, multiple of 8; default 2048). */
  keyBits?: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DEFAULT_LEAF_DAYS = 825;
const DEFAULT_CA_DAYS = 3650;
const DEFAULT_KEY_BITS = 2048;
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DNS_NAME = /^(?:\*\.)?(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

// ---------------------------------------------------------------------------------------------
// validation

function checkKeyBits(bits: number | undefined): number {
  const b = bits ?? DEFAULT_KEY_BITS;
  if (!Number.isInteger(b) || b < 2048 || b > 8192 || b % 8 !== 0) {
    throw new RangeError(`keyBits must be an integer multiple of 8 from 2048 to 8192, got ${String(bits)}`);
  }
  return b;
}

function checkDays(days: number | undefined, dflt: number): number {
  const d = days ?? dflt;
  if (!Number.isInteger(d) || d < 1 || d > 36500) throw new RangeError(`days must be an integer from 1 to 36500, got ${String(days)}`);
  return d;
}

function checkCommonName(cn: string): void {
  if (typeof cn !== 'string' || cn.length < 1 || cn.length > 64) {
    throw new TypeError(`commonName must be 1–64 characters (RFC 5280 ub-common-name), got ${JSON.stringify(cn)}`);
  }
}

/** A SAN entry: `{ ip, bytes }` for an address, `{ dns }` for a name, canonicalized for dedupe. */
type San = { kind: 'ip'; text: string; bytes: Buffer } | { kind: 'dns'; text: string };

function ipv6Bytes(ip: string): Buffer {
  let s = ip;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    tail.push(...ipv4Bytes(s.slice(lastColon + 1)));
    s = `${s.slice(0, lastColon + 1)}0:0`; // placeholder groups, replaced below
  }
  const [head, rest] = s.includes('::') ? s.split('::') as [string, string] : [s, undefined];
  const h = head ? head.split(':') : [];
  const r = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length) Buffer.from(tail).copy(out, 12);
  return out;
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map((p) => Number(p));
}

function parseSan(raw: string): San {
  if (typeof raw !== 'string') throw new TypeError(`host must be a string, got ${typeof raw}`);
  let s = raw.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const v = isIP(s);
  if (v === 4) {
    const bytes = Buffer.from(ipv4Bytes(s));
    return { kind: 'ip', text: [...bytes].join('.'), bytes };
  }
  if (v === 6) {
    if (s.includes('%')) throw new TypeError(`an IPv6 zone id cannot go in a certificate: ${JSON.stringify(raw)}`);
    const bytes = ipv6Bytes(s);
    return { kind: 'ip', text: bytes.toString('hex'), bytes };
  }
  if (!DNS_NAME.test(s) || s.length > 253) throw new TypeError(`not a DNS name or IP address: ${JSON.stringify(raw)}`);
  return { kind: 'dns', text: s.toLowerCase().replace(/\.$/, '') };
}

function dedupeSans(list: readonly string[]): San[] {
  const seen = new Set<string>();
  const out: San[] = [];
  for (const raw of list) {
    const san = parseSan(raw);
    const key = `${san.kind}:${san.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(san);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// forge plumbing

interface KeyPairPem {
  publicKeyPem: string;
  privateKeyPem: string;
}

function newKeyPairSync(bits: number): KeyPairPem {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

function newKeyPair(bits: number): Promise<KeyPairPem> {
  return new Promise((res, rej) => {
    generateKeyPair('rsa', {
      modulusLength: bits,
      publicExponent: 0x10001,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }, (err, publicKey: string, privateKey: string) => (err ? rej(err) : res({ publicKeyPem: publicKey, privateKeyPem: privateKey })));
  });
}

/** 16 random bytes as hex, first bit cleared (positive INTEGER) and first byte non-zero (minimal DER). */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f || 0x01;
  return b.toString('hex');
}

function loadCa(ca: CertKeyPem): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  let cert: forge.pki.Certificate;
  let key: forge.pki.rsa.PrivateKey;
  try {
    cert = pki.certificateFromPem(ca.certPem);
  } catch (err) {
    throw new Error(`CA certificate cannot be read by node-forge (it must be an RSA certificate in PEM): ${(err as Error).message}`, { cause: err });
  }
  try {
    key = pki.privateKeyFromPem(ca.keyPem);
  } catch (err) {
    throw new Error(`CA private key cannot be read (it must be an unencrypted RSA key in PEM, PKCS#1 or PKCS#8): ${(err as Error).message}`, { cause: err });
  }
  const pub = cert.publicKey as forge.pki.rsa.PublicKey;
  if (!pub.n || pub.n.compareTo(key.n) !== 0 || pub.e.compareTo(key.e) !== 0) {
    throw new Error('CA private key does not belong to the CA certificate');
  }
  return { cert, key };
}

function caKeyIdentifier(caCert: forge.pki.Certificate): string {
  const ski = caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  return ski?.subjectKeyIdentifier ? forge.util.hexToBytes(ski.subjectKeyIdentifier) : caCert.generateSubjectKeyIdentifier().getBytes();
}

function buildCa(commonName: string, days: number, kp: KeyPairPem): CertKeyPem {
  checkCommonName(commonName);
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(kp.publicKeyPem);
  cert.serialNumber = randomSerial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - HOUR_MS);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(pki.privateKeyFromPem(kp.privateKeyPem), forge.md.sha256.create());
  return { certPem: pki.certificateToPem(cert), keyPem: kp.privateKeyPem };
}

interface LeafSpec {
  commonName: string;
  sans: San[];
  usage: 'server' | 'client';
  notBefore: Date;
  notAfter: Date;
}

function buildLeaf(ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }, spec: LeafSpec, kp: KeyPairPem): CertKeyPem {
  checkCommonName(spec.commonName);
  if (!(spec.notBefore instanceof Date) || !(spec.notAfter instanceof Date) || Number.isNaN(+spec.notBefore) || Number.isNaN(+spec.notAfter)) {
    throw new TypeError('notBefore and notAfter must be valid Dates');
  }
  if (+spec.notAfter <= +spec.notBefore) throw new RangeError('notAfter must be after notBefore');
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(kp.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject([{ name: 'commonName', value: spec.commonName }]);
  cert.setIssuer(ca.cert.subject.attributes);
  const exts: unknown[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    spec.usage === 'server'
      ? { name: 'extKeyUsage', serverAuth: true, clientAuth: true }
      : { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(ca.cert) },
  ];
  if (spec.sans.length > 0) {
    exts.push({
      name: 'subjectAltName',
      altNames: spec.sans.map((s) =>
        s.kind === 'ip' ? { type: 7, value: forge.util.binary.raw.encode(new Uint8Array(s.bytes)) } : { type: 2, value: s.text }),
    });
  }
  cert.setExtensions(exts as never[]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: pki.certificateToPem(cert), keyPem: kp.privateKeyPem };
}

// ---------------------------------------------------------------------------------------------
// public API

/**
 * Creates a self-signed root CA (RFC 5280 §4.2.1.9 basicConstraints cA=TRUE, §4.2.1.3
 * keyCertSign+cRLSign, §4.2.1.2 subjectKeyIdentifier), SHA-256/RSA, valid from now − 1 h.
 * Synchronous (blocks ~0.1–0.5 s for a 2048-bit key).
 *
 * @param commonName subject and issuer CN (1–64 characters).
 * @param days validity in days (integer 1–36500, default 3650).
 * @param keyBits RSA modulus size (2048–8192, multiple of 8; default 2048).
 * @returns the CA certificate and its PKCS#8 private key, PEM.
 * @throws TypeError for a bad commonName, RangeError for bad days/keyBits.
 */
export function createCa(commonName: string, days?: number, keyBits?: number): CertKeyPem {
  const d = checkDays(days, DEFAULT_CA_DAYS);
  checkCommonName(commonName);
  return buildCa(commonName, d, newKeyPairSync(checkKeyBits(keyBits)));
}

/**
 * Issues a server or client certificate signed by `opts.ca` (a new RSA key each call), with the
 * RFC 5280 leaf profile described at the top of this module: basicConstraints cA=FALSE,
 * keyUsage digitalSignature+keyEncipherment, extKeyUsage per `usage` (§4.2.1.12),
 * subjectAltName from `sans` only (§4.2.1.6), subject/authority key identifiers. Any validity
 * window is accepted, so tests can make expired or not-yet-valid certificates, and any CA, so
 * they can make certificates from a foreign CA. Synchronous.
 *
 * @returns the certificate and its PKCS#8 private key, PEM.
 * @throws Error when the CA cert/key cannot be parsed by forge (non-RSA, encrypted key) or do
 *   not match; TypeError for a bad commonName, SAN or dates; RangeError for keyBits or
 *   notAfter ≤ notBefore.
 */
export function issueCert(opts: IssueCertOptions): CertKeyPem {
  const bits = checkKeyBits(opts.keyBits);
  const ca = loadCa(opts.ca);
  const now = Date.now();
  const spec: LeafSpec = {
    commonName: opts.commonName,
    sans: dedupeSans(opts.sans ?? []),
    usage: opts.usage === 'server' ? 'server' : opts.usage === 'client' ? 'client' : badUsage(opts.usage),
    notBefore: opts.notBefore ?? new Date(now - HOUR_MS),
    notAfter: opts.notAfter ?? new Date(now + DEFAULT_LEAF_DAYS * DAY_MS),
  };
  checkCommonName(spec.commonName);
  return buildLeaf(ca, spec, newKeyPairSync(bits));
}

function badUsage(u: unknown): never {
  throw new TypeError(`usage must be 'server' or 'client', got ${JSON.stringify(u)}`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Writes `data` to `file` with exactly `mode`: written to a fresh temporary file in the same
 * directory (created with `mode`, then chmod'ed since the umask may have removed bits) and
 * renamed over `file`, so an existing file's looser mode never applies to new key material
 * and readers never see a half-written file.
 */
async function writeFileMode(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await chmod(file, mode);
}

/**
 * Writes a complete certificate set into `opts.outDir` for the TLS front-end (RFC 5425) and its
 * clients: `ca.crt`/`ca.key`, `server.crt`/`server.key` and `NAME.crt`/`NAME.key` per client, all
 * PEM, certificates mode 0644, keys mode 0600; `outDir` is created with mode 0700 when missing
 * (an existing directory's mode is left alone).
 *
 * An existing `ca.crt` + `ca.key` pair in `outDir` is reused, so certificates already trusted by
 * senders keep working; server and client certificates are always reissued with new keys.
 * The server certificate's CN is the first host (default `localhost`); its SANs are `hosts` plus
 * `localhost`, `127.0.0.1`, `::1`, deduplicated. Leaf validity is now − 1 h to now + `days`,
 * cut to the CA's own notAfter when that is earlier (a leaf outliving its CA cannot verify).
 * New RSA keys are generated concurrently on libuv's thread pool.
 *
 * @returns absolute paths, SHA-256 fingerprints and whether the CA was reused.
 * @throws TypeError/RangeError for invalid hosts, client names, days or keyBits (before
 *   anything is written); Error when only one of `ca.crt`/`ca.key` exists, when they do not
 *   match, cannot be read by forge (non-RSA, encrypted), or the CA has expired; file system
 *   errors (EACCES, ENOSPC, …) as thrown by `node:fs`.
 */
export async function generateCertSet(opts: CertSetOptions): Promise<CertSetResult> {
  const outDir = resolve(opts.outDir);
  const days = checkDays(opts.days, DEFAULT_LEAF_DAYS);
  const bits = checkKeyBits(opts.keyBits);
  const hosts = opts.hosts ?? [];
  const serverSans = dedupeSans([...hosts, 'localhost', '127.0.0.1', '::1']);
  const serverCn = hosts.length > 0 ? hosts[0]!.trim().replace(/^\[(.*)\]$/, '$1') : 'localhost';
  checkCommonName(serverCn);
  const clients = opts.clients ?? [];
  const seen = new Set<string>();
  for (const name of clients) {
    if (typeof name !== 'string' || !CLIENT_NAME.test(name) || name === 'ca' || name === 'server') {
      throw new TypeError(`client name must be 1–64 characters of [A-Za-z0-9._-], start with a letter or digit and not be 'ca' or 'server', got ${JSON.stringify(name)}`);
    }
    if (seen.has(name)) throw new TypeError(`duplicate client name ${JSON.stringify(name)}`);
    seen.add(name);
  }

  const created = await mkdir(outDir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(outDir, 0o700);

  const caCertPath = join(outDir, 'ca.crt');
  const caKeyPath = join(outDir, 'ca.key');
  const haveCert = await exists(caCertPath);
  const haveKey = await exists(caKeyPath);
  if (haveCert !== haveKey) {
    throw new Error(`${haveCert ? caCertPath : caKeyPath} exists but ${haveCert ? caKeyPath : caCertPath} does not: ` +
      'restore the missing file, or remove the other one to create a new CA (clients trusting the old CA will then fail)');
  }
  const reusedCa = haveCert && haveKey;

  // Keys for everything new, generated concurrently.
  const [caKp, serverKp, ...clientKps] = await Promise.all([
    reusedCa ? Promise.resolve(null) : newKeyPair(bits),
    newKeyPair(bits),
    ...clients.map(() => newKeyPair(bits)),
  ]);

  let caPem: CertKeyPem;
  if (reusedCa) {
    caPem = { certPem: await readFile(caCertPath, 'utf8'), keyPem: await readFile(caKeyPath, 'utf8') };
  } else {
    caPem = buildCa('syslog-receiver CA', DEFAULT_CA_DAYS, caKp!);
  }
  const ca = loadCa(caPem);
  const now = Date.now();
  const caNotAfter = ca.cert.validity.notAfter;
  if (+caNotAfter <= now) throw new Error(`the CA in ${caCertPath} expired on ${caNotAfter.toISOString()}: remove ca.crt and ca.key to create a new one`);
  const notBefore = new Date(now - HOUR_MS);
  const notAfter = new Date(Math.min(now + days * DAY_MS, +caNotAfter));

  const server = buildLeaf(ca, { commonName: serverCn, sans: serverSans, usage: 'server', notBefore, notAfter }, serverKp!);
  const clientPems = clients.map((name, i) =>
    buildLeaf(ca, { commonName: name, sans: [], usage: 'client', notBefore, notAfter }, clientKps[i]!));

  if (!reusedCa) {
    // Key first: a crash in between leaves a lone ca.key, which the next run reports instead of overwriting.
    await writeFileMode(caKeyPath, caPem.keyPem, 0o600);
    await writeFileMode(caCertPath, caPem.certPem, 0o644);
  }
  const serverCertPath = join(outDir, 'server.crt');
  const serverKeyPath = join(outDir, 'server.key');
  await writeFileMode(serverKeyPath, server.keyPem, 0o600);
  await writeFileMode(serverCertPath, server.certPem, 0o644);
  const clientResult: CertSetResult['clients'] = {};
  for (const [i, name] of clients.entries()) {
    const pem = clientPems[i]!;
    const cert = join(outDir, `${name}.crt`);
    const key = join(outDir, `${name}.key`);
    await writeFileMode(key, pem.keyPem, 0o600);
    await writeFileMode(cert, pem.certPem, 0o644);
    clientResult[name] = { cert, key, fingerprint: certFingerprint(pem.certPem) };
  }

  return {
    caCert: caCertPath,
    caKey: caKeyPath,
    serverCert: serverCertPath,
    serverKey: serverKeyPath,
    clients: clientResult,
    caFingerprint: certFingerprint(caPem.certPem),
    serverFingerprint: certFingerprint(server.certPem),
    reusedCa,
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { certFingerprint, createCa, issueCert, normalizeFingerprint, subjectString } from '../../src/certs/index.js';
import { openssl, tempDir } from './helpers.js';

test('certFingerprint equals `openssl x509 -noout -fingerprint -sha256` and SHA-256 of the DER', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const ca = createCa('FP CA');
  const leaf = issueCert({ ca, commonName: 'fp', usage: 'client' });
  for (const [name, pem] of [['ca.crt', ca.certPem], ['leaf.crt', leaf.certPem]] as const) {
    const file = join(dir, name);
    await writeFile(file, pem);
    const out = await openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', file]);
    assert.equal(out.code, 0, out.stderr);
    const line = out.stdout.trim(); // "sha256 Fingerprint=AB:CD:…" (OpenSSL 3) / "SHA256 Fingerprint=…" (1.1)
    assert.match(line, /^sha256 Fingerprint=/i);
    const fp = certFingerprint(pem);
    assert.equal(fp, line.slice(line.indexOf('=') + 1));
    assert.equal(normalizeFingerprint(line), fp);
    assert.match(fp, /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    // Buffer input, PEM and DER
    assert.equal(certFingerprint(await readFile(file)), fp);
    const der = new X509Certificate(pem).raw;
    assert.equal(certFingerprint(der), fp);
    assert.equal(fp.replace(/:/g, ''), createHash('sha256').update(der).digest('hex').toUpperCase());
  }
  assert.throws(() => certFingerprint('not a cert'));
});

test('normalizeFingerprint: accepted spellings and rejects', () => {
  const canon = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
  const hex = canon.replace(/:/g, '');
  const ok = [
    canon,
    canon.toLowerCase(),
    hex,
    hex.toLowerCase(),
    `sha256 Fingerprint=${canon}`,
    `SHA256 Fingerprint=${canon.toLowerCase()}`,
    `SHA256:${canon}`,
    `sha256:${hex}`,
    `SHA-256:${canon}`,
    `  ${canon}\n`,
  ];
  for (const s of ok) assert.equal(normalizeFingerprint(s), canon, s);
  const bad = [
    '',
    'AB:CD',
    hex.slice(2), // 31 bytes
    `${hex}00`, // 33 bytes
    `${canon}:00`,
    canon.replace(/:/g, '-'),
    canon.replace(/:/g, ' '),
    `${canon.slice(0, -1)}G`,
    'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01', // SHA-1 length
    'A:BC:D',
    'SHA1:' + canon,
    'sha256 Fingerprint=',
    'q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=', // base64 of the same bytes
    `AB${canon.slice(2).replace(/:/g, '')}:`,
  ];
  for (const s of bad) assert.equal(normalizeFingerprint(s), null, s);
  assert.equal(normalizeFingerprint(42 as unknown as string), null);
});

test('subjectString: certificate order, repeated attributes, RFC 4514 escaping', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const crt = join(dir, 'multi.crt');
  const mk = await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', join(dir, 'k.pem'),
    '-out', crt, '-subj', '/C=US/O=Example, Inc./OU=a/OU=b\\+c/CN=client1']);
  assert.equal(mk.code, 0, mk.stderr);
  const x = new X509Certificate(await readFile(crt));
  assert.equal(subjectString(x), 'C=US,O=Example\\, Inc.,OU=a,OU=b\\+c,CN=client1');
  // a repeated attribute that is not adjacent is grouped at its first position (Node's object shape)
  const crt2 = join(dir, 'split.crt');
  assert.equal((await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', join(dir, 'k.pem'),
    '-out', crt2, '-subj', '/OU=a/CN=c/OU=b'])).code, 0);
  assert.equal(subjectString(new X509Certificate(await readFile(crt2))), 'OU=a,OU=b,CN=c');

  const ca = createCa('Test CA');
  assert.equal(subjectString(new X509Certificate(ca.certPem)), 'CN=Test CA');
  const tricky = issueCert({ ca, commonName: ' x=y,z "q" #', usage: 'client' });
  assert.equal(subjectString(new X509Certificate(tricky.certPem)), 'CN=\\ x\\=y\\,z \\"q\\" #');
  assert.equal(subjectString(new X509Certificate(issueCert({ ca, commonName: '#lead\\trail ', usage: 'client' }).certPem)),
    'CN=\\#lead\\\\trail\\ ');

  // A PeerCertificate-shaped object: key order is the certificate's; arrays are repeated attributes.
  const peer = { subject: { CN: 'client1', O: 'Example', OU: ['ops', 'sre'] } } as unknown as PeerCertificate;
  assert.equal(subjectString(peer), 'CN=client1,O=Example,OU=ops,OU=sre');
  assert.equal(subjectString({} as PeerCertificate), '');
  // same string from a parsed cert and from its legacy (getPeerCertificate-style) object
  assert.equal(subjectString(x.toLegacyObject()), subjectString(x));
});

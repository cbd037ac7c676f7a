import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCa, generateCertSet, issueCert, certFingerprint } from '../../src/certs/index.js';
import { openssl, tempDir } from './helpers.js';

const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;
const x509 = async (p: string): Promise<X509Certificate> => new X509Certificate(await readFile(p));

test('generateCertSet: CA, server and client files with the right modes, all signed by the CA', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const outDir = join(dir, 'nested', 'certs');
  const oldUmask = process.umask(0o027); // chmod must win over the umask
  let r;
  const t0 = performance.now();
  try {
    r = await generateCertSet({ outDir, clients: ['client1', 'client2'] });
  } finally {
    process.umask(oldUmask);
  }
  t.diagnostic(`full set (CA + server + 2 clients, RSA 2048): ${(performance.now() - t0).toFixed(0)} ms`);

  assert.equal(r.reusedCa, false);
  assert.equal(await mode(outDir), 0o700);
  assert.deepEqual((await readdir(outDir)).sort(),
    ['ca.crt', 'ca.key', 'client1.crt', 'client1.key', 'client2.crt', 'client2.key', 'server.crt', 'server.key']);
  assert.equal(r.caCert, join(outDir, 'ca.crt'));
  assert.equal(r.serverKey, join(outDir, 'server.key'));
  assert.deepEqual(Object.keys(r.clients), ['client1', 'client2']);
  for (const key of [r.caKey, r.serverKey, r.clients.client1!.key, r.clients.client2!.key]) {
    assert.equal(await mode(key), 0o600, key);
    const k = createPrivateKey(await readFile(key));
    assert.equal(k.asymmetricKeyType, 'rsa');
    assert.equal(k.asymmetricKeyDetails?.modulusLength, 2048);
  }
  for (const cert of [r.caCert, r.serverCert, r.clients.client1!.cert, r.clients.client2!.cert]) {
    assert.equal(await mode(cert), 0o644, cert);
  }

  const ca = await x509(r.caCert);
  const server = await x509(r.serverCert);
  const c1 = await x509(r.clients.client1!.cert);
  assert.equal(ca.ca, true);
  assert.equal(server.ca, false);
  assert.equal(ca.fingerprint256, r.caFingerprint);
  assert.equal(server.fingerprint256, r.serverFingerprint);
  assert.equal(c1.fingerprint256, r.clients.client1!.fingerprint);
  // key matches cert
  assert.ok(server.checkPrivateKey(createPrivateKey(await readFile(r.serverKey))));
  assert.ok(ca.checkPrivateKey(createPrivateKey(await readFile(r.caKey))));

  for (const leaf of [server, c1]) {
    assert.ok(leaf.verify(ca.publicKey), 'signature verifies with the CA public key');
    assert.ok(leaf.checkIssued(ca), 'issued by the CA');
    assert.ok(ca.checkIssued(ca), 'CA is self-issued');
    assert.ok(/^[0-7][0-9A-F]{31}$/.test(leaf.serialNumber), `16-byte positive serial, got ${leaf.serialNumber}`);
  }
  assert.equal(server.subject, 'CN=localhost');
  assert.equal(c1.subject, 'CN=client1');
  assert.equal(server.issuer, ca.subject);

  const san = server.subjectAltName ?? '';
  assert.match(san, /DNS:localhost/);
  assert.match(san, /IP Address:127\.0\.0\.1/);
  assert.match(san, /IP Address:0:0:0:0:0:0:0:1/);
  assert.equal(server.checkHost('localhost'), 'localhost');
  assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(server.checkIP('::1'), '::1');
  assert.equal(server.checkHost('example.com'), undefined);
  assert.equal(c1.subjectAltName, undefined);
  assert.deepEqual(server.keyUsage.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // Node: keyUsage = EKU OIDs
  assert.deepEqual(c1.keyUsage, ['1.3.6.1.5.5.7.3.2']);

  // validity: now − 1 h … now + 825 d (leaf), 3650 d (CA)
  const now = Date.now();
  const from = Date.parse(server.validFrom);
  const to = Date.parse(server.validTo);
  assert.ok(Math.abs(now - 3_600_000 - from) < 120_000, `notBefore ~ now − 1h: ${server.validFrom}`);
  assert.ok(Math.abs(now + 825 * 86_400_000 - to) < 120_000, `notAfter ~ now + 825d: ${server.validTo}`);
  assert.ok(Math.abs(now + 3650 * 86_400_000 - Date.parse(ca.validTo)) < 120_000, `CA notAfter ~ now + 3650d: ${ca.validTo}`);

  // openssl agrees: chain, purposes, extensions
  const v = await openssl(['verify', '-CAfile', r.caCert, r.serverCert]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /server\.crt: OK/);
  assert.equal((await openssl(['verify', '-purpose', 'sslserver', '-CAfile', r.caCert, r.serverCert])).code, 0);
  for (const name of ['client1', 'client2']) {
    const cv = await openssl(['verify', '-purpose', 'sslclient', '-CAfile', r.caCert, r.clients[name]!.cert]);
    assert.equal(cv.code, 0, cv.stdout + cv.stderr);
  }
  // a client-only cert is not a valid server cert
  assert.notEqual((await openssl(['verify', '-purpose', 'sslserver', '-CAfile', r.caCert, r.clients.client1!.cert])).code, 0);

  const caText = (await openssl(['x509', '-in', r.caCert, '-noout', '-text'])).stdout;
  assert.match(caText, /Basic Constraints: critical\s+CA:TRUE/);
  assert.match(caText, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
  assert.match(caText, /Subject Key Identifier/);
  assert.match(caText, /sha256WithRSAEncryption/);
  const srvText = (await openssl(['x509', '-in', r.serverCert, '-noout', '-text'])).stdout;
  assert.match(srvText, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(srvText, /Key Usage: critical\s+Digital Signature, Key Encipherment/);
  assert.match(srvText, /TLS Web Server Authentication/);
  assert.match(srvText, /Authority Key Identifier/);
  assert.match(srvText, /sha256WithRSAEncryption/);
});

test('generateCertSet: hosts become CN and SANs (DNS and IP, deduplicated, defaults always added)', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const r = await generateCertSet({
    outDir: dir,
    hosts: ['logs.example.com', '10.1.2.3', '[2001:db8::5]', 'LOCALHOST', '127.0.0.1', '0:0::1', '*.tenants.example.com', 'logs.example.com'],
    days: 30,
  });
  const server = await x509(r.serverCert);
  assert.equal(server.subject, 'CN=logs.example.com');
  assert.equal(server.subjectAltName,
    'DNS:logs.example.com, IP Address:10.1.2.3, IP Address:2001:DB8:0:0:0:0:0:5, DNS:localhost, IP Address:127.0.0.1, ' +
    'IP Address:0:0:0:0:0:0:0:1, DNS:*.tenants.example.com');
  assert.equal(server.checkHost('logs.example.com'), 'logs.example.com');
  assert.equal(server.checkHost('a.tenants.example.com'), '*.tenants.example.com'); // returns the matching SAN
  assert.equal(server.checkIP('10.1.2.3'), '10.1.2.3');
  assert.equal(server.checkIP('2001:db8::5'), '2001:db8::5');
  assert.ok(Math.abs(Date.now() + 30 * 86_400_000 - Date.parse(server.validTo)) < 120_000);
  assert.deepEqual(r.clients, {});

  const ipFirst = await generateCertSet({ outDir: dir, hosts: ['192.0.2.7'] });
  assert.equal((await x509(ipFirst.serverCert)).subject, 'CN=192.0.2.7');
});

test('generateCertSet: an existing CA is reused, server and client certs are reissued', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const first = await generateCertSet({ outDir: dir, clients: ['a'] });
  const caPemBefore = await readFile(first.caCert, 'utf8');
  const caKeyBefore = await readFile(first.caKey, 'utf8');
  // a key file left world-readable (or replaced by hand) must come back 0600
  await writeFile(first.serverKey, 'junk', { mode: 0o644 });
  await writeFile(join(dir, 'b.key'), 'junk', { mode: 0o666 });

  const second = await generateCertSet({ outDir: dir, clients: ['a', 'b'] });
  assert.equal(second.reusedCa, true);
  assert.equal(second.caFingerprint, first.caFingerprint);
  assert.equal(await readFile(second.caCert, 'utf8'), caPemBefore);
  assert.equal(await readFile(second.caKey, 'utf8'), caKeyBefore);
  assert.notEqual(second.serverFingerprint, first.serverFingerprint);
  assert.notEqual(second.clients.a!.fingerprint, first.clients.a!.fingerprint);
  assert.equal(await mode(second.serverKey), 0o600);
  assert.equal(await mode(second.clients.b!.key), 0o600);
  const ca = await x509(second.caCert);
  for (const p of [second.serverCert, second.clients.a!.cert, second.clients.b!.cert]) {
    const leaf = await x509(p);
    assert.ok(leaf.verify(ca.publicKey));
    assert.ok(leaf.checkIssued(ca));
  }
  assert.equal((await openssl(['verify', '-CAfile', second.caCert, second.serverCert])).code, 0);
  assert.ok((await readdir(dir)).every((f) => !f.endsWith('.tmp')), 'no temp files left');
});

test('generateCertSet: a CA made elsewhere (openssl, PKCS#1 key) is reused', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const mk = await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=Acme/CN=Acme Root', '-days', '10',
    '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  assert.equal(mk.code, 0, mk.stderr);
  const rsa = await openssl(['rsa', '-in', join(dir, 'ca.key'), '-traditional', '-out', join(dir, 'ca.key')]);
  assert.equal(rsa.code, 0, rsa.stderr);
  assert.match(await readFile(join(dir, 'ca.key'), 'utf8'), /BEGIN RSA PRIVATE KEY/);
  const r = await generateCertSet({ outDir: dir, clients: ['c'] });
  assert.equal(r.reusedCa, true);
  const ca = await x509(r.caCert);
  const server = await x509(r.serverCert);
  assert.ok(server.checkIssued(ca));
  assert.equal(server.issuer, 'O=Acme\nCN=Acme Root');
  // leaf validity is cut to the CA's notAfter
  assert.ok(Date.parse(server.validTo) <= Date.parse(ca.validTo));
  assert.equal((await openssl(['verify', '-CAfile', r.caCert, r.serverCert])).code, 0);
});

test('generateCertSet: bad input is rejected before anything is written', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const out = join(dir, 'x');
  await assert.rejects(generateCertSet({ outDir: out, clients: ['../evil'] }), TypeError);
  await assert.rejects(generateCertSet({ outDir: out, clients: ['server'] }), TypeError);
  await assert.rejects(generateCertSet({ outDir: out, clients: ['ca'] }), TypeError);
  await assert.rejects(generateCertSet({ outDir: out, clients: ['a', 'a'] }), /duplicate/);
  await assert.rejects(generateCertSet({ outDir: out, hosts: ['not a host'] }), TypeError);
  await assert.rejects(generateCertSet({ outDir: out, hosts: ['fe80::1%eth0'] }), TypeError);
  await assert.rejects(generateCertSet({ outDir: out, keyBits: 1024 }), RangeError);
  await assert.rejects(generateCertSet({ outDir: out, days: 0 }), RangeError);
  await assert.rejects(generateCertSet({ outDir: out, days: 1.5 }), RangeError);
  await assert.rejects(stat(out), { code: 'ENOENT' });
});

test('generateCertSet: a lone ca.crt or ca.key is an error, not silently replaced', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const r = await generateCertSet({ outDir: dir });
  const lone = join(dir, 'lone');
  await mkdir(lone);
  await writeFile(join(lone, 'ca.crt'), await readFile(r.caCert));
  await assert.rejects(generateCertSet({ outDir: lone }), /ca\.key does not/);
  const lone2 = join(dir, 'lone2');
  await mkdir(lone2);
  await writeFile(join(lone2, 'ca.key'), await readFile(r.caKey));
  await assert.rejects(generateCertSet({ outDir: lone2 }), /ca\.crt does not/);
  // mismatched pair
  const other = createCa('other');
  const mism = join(dir, 'mism');
  await mkdir(mism);
  await writeFile(join(mism, 'ca.crt'), await readFile(r.caCert));
  await writeFile(join(mism, 'ca.key'), other.keyPem);
  await assert.rejects(generateCertSet({ outDir: mism }), /does not belong/);
  // an existing outDir keeps its mode
  assert.equal(await mode(mism), 0o777 & ~process.umask());
});

test('createCa + issueCert: expired certs and certs from another CA', async () => {
  const ca = createCa('Test CA', 2);
  const caX = new X509Certificate(ca.certPem);
  assert.equal(caX.ca, true);
  assert.equal(caX.subject, 'CN=Test CA');
  assert.ok(Math.abs(Date.now() + 2 * 86_400_000 - Date.parse(caX.validTo)) < 120_000);

  const now = Date.now();
  const expired = issueCert({ ca, commonName: 'old-client', usage: 'client',
    notBefore: new Date(now - 10 * 86_400_000), notAfter: new Date(now - 86_400_000) });
  const ex = new X509Certificate(expired.certPem);
  assert.ok(ex.checkIssued(caX));
  assert.ok(ex.verify(caX.publicKey));
  assert.ok(Date.parse(ex.validTo) < now);
  assert.ok(ex.checkPrivateKey(createPrivateKey(expired.keyPem)));

  const foreignCa = createCa('Foreign CA');
  const foreign = issueCert({ ca: foreignCa, commonName: 'intruder', usage: 'client' });
  const fx = new X509Certificate(foreign.certPem);
  assert.equal(fx.checkIssued(caX), false);
  assert.equal(fx.verify(caX.publicKey), false);
  assert.equal(fx.issuer, 'CN=Foreign CA');

  const srv = issueCert({ ca, commonName: 'srv', usage: 'server', sans: ['srv.example', '::1', 'SRV.example'] });
  const sx = new X509Certificate(srv.certPem);
  assert.equal(sx.subjectAltName, 'DNS:srv.example, IP Address:0:0:0:0:0:0:0:1');
  assert.equal(createPublicKey(srv.keyPem).asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(certFingerprint(srv.certPem), sx.fingerprint256);

  assert.throws(() => issueCert({ ca: { certPem: ca.certPem, keyPem: foreignCa.keyPem }, commonName: 'x', usage: 'client' }), /does not belong/);
  assert.throws(() => issueCert({ ca, commonName: '', usage: 'client' }), TypeError);
  assert.throws(() => issueCert({ ca, commonName: 'x'.repeat(65), usage: 'client' }), TypeError);
  assert.throws(() => issueCert({ ca, commonName: 'x', usage: 'both' as 'client' }), TypeError);
  assert.throws(() => issueCert({ ca, commonName: 'x', usage: 'client', notBefore: new Date(now), notAfter: new Date(now - 1) }), RangeError);
  assert.throws(() => createCa('x', 0), RangeError);
});

test('openssl verify: an expired certificate is reported as expired', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const ca = createCa('Test CA');
  const now = Date.now();
  const expired = issueCert({ ca, commonName: 'old', usage: 'server', sans: ['localhost'],
    notBefore: new Date(now - 3 * 86_400_000), notAfter: new Date(now - 86_400_000) });
  const good = issueCert({ ca, commonName: 'new', usage: 'server', sans: ['localhost'] });
  await writeFile(join(dir, 'ca.crt'), ca.certPem);
  await writeFile(join(dir, 'expired.crt'), expired.certPem);
  await writeFile(join(dir, 'good.crt'), good.certPem);
  const v = await openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'expired.crt')]);
  assert.notEqual(v.code, 0);
  assert.match(v.stdout + v.stderr, /certificate has expired/);
  assert.equal((await openssl(['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'good.crt')])).code, 0);
});

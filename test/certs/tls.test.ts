import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { generateCertSet, issueCert, createCa, subjectString, type CertSetResult } from '../../src/certs/index.js';
import { tempDir } from './helpers.js';

interface ServerSide {
  authorized: boolean;
  authorizationError: string | null;
  subject: string;
  cn: string | undefined;
  fingerprint: string | undefined;
}

/** Starts a TLS server that records how it saw the first client, on 127.0.0.1 and an ephemeral port. */
async function startServer(opts: tls.TlsOptions): Promise<{ port: number; seen: Promise<ServerSide>; close: () => Promise<void> }> {
  let resolveSeen!: (s: ServerSide) => void;
  const seen = new Promise<ServerSide>((res) => (resolveSeen = res));
  const server = tls.createServer(opts, (socket) => {
    const peer = socket.getPeerCertificate();
    resolveSeen({
      authorized: socket.authorized,
      authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
      subject: subjectString(peer),
      cn: peer.subject?.CN as string | undefined,
      fingerprint: peer.fingerprint256,
    });
    socket.end('hi\n');
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise((res) => server.close(() => res())),
  };
}

/** Connects; resolves with the client's view once the handshake is done, or the error. */
function connect(opts: tls.ConnectionOptions): Promise<{ authorized: boolean; error?: Error; socket?: tls.TLSSocket }> {
  return new Promise((res) => {
    const socket = tls.connect(opts, () => res({ authorized: socket.authorized, socket }));
    socket.once('error', (error) => res({ authorized: false, error }));
  });
}

let shared: Promise<CertSetResult> | undefined;
let cleanupShared: (() => Promise<void>) | undefined;
after(() => cleanupShared?.());
/** One generated set for the whole file (key generation dominates the run time). */
function certSet(): Promise<CertSetResult> {
  shared ??= tempDir().then(({ dir, cleanup }) => {
    cleanupShared = cleanup;
    return generateCertSet({ outDir: dir, clients: ['client1', 'client2'] });
  });
  return shared;
}

test('TLS handshake with mutual authentication: both sides authorized, peer CN = client name', async (t) => {
  const r = await certSet();
  const ca = await readFile(r.caCert);
  const srv = await startServer({
    cert: await readFile(r.serverCert), key: await readFile(r.serverKey), ca, requestCert: true, rejectUnauthorized: true,
  });
  t.after(srv.close);
  const c = await connect({
    port: srv.port, host: 'localhost', ca, cert: await readFile(r.clients.client1!.cert), key: await readFile(r.clients.client1!.key),
  });
  assert.equal(c.error, undefined, c.error?.message);
  assert.equal(c.authorized, true, 'client trusts the server');
  const serverCert = c.socket!.getPeerCertificate();
  assert.equal(serverCert.subject.CN, 'localhost');
  assert.equal(subjectString(serverCert), 'CN=localhost');
  assert.equal(serverCert.fingerprint256, r.serverFingerprint);
  const [data] = await once(c.socket!, 'data');
  assert.equal(String(data), 'hi\n');
  c.socket!.destroy();
  const s = await srv.seen;
  assert.deepEqual(s, { authorized: true, authorizationError: null, subject: 'CN=client1', cn: 'client1', fingerprint: r.clients.client1!.fingerprint });
});

test('TLS: the server certificate matches 127.0.0.1 (IP SAN) and ::1', async (t) => {
  const r = await certSet();
  const ca = await readFile(r.caCert);
  const srv = await startServer({ cert: await readFile(r.serverCert), key: await readFile(r.serverKey) });
  t.after(srv.close);
  const byIp = await connect({ port: srv.port, host: '127.0.0.1', ca });
  assert.equal(byIp.error, undefined, byIp.error?.message);
  assert.equal(byIp.authorized, true);
  byIp.socket!.destroy();
  // ::1 as the identity to check (connection still over 127.0.0.1; the IPv6 loopback may be absent)
  const legacy = new X509Certificate(await readFile(r.serverCert)).toLegacyObject();
  assert.equal(tls.checkServerIdentity('::1', legacy), undefined);
  assert.equal(tls.checkServerIdentity('localhost', legacy), undefined);
  assert.ok(tls.checkServerIdentity('example.com', legacy) instanceof Error);
});

test('TLS: an expired client certificate is not authorized (CERT_HAS_EXPIRED)', async (t) => {
  const r = await certSet();
  const caPem = { certPem: await readFile(r.caCert, 'utf8'), keyPem: await readFile(r.caKey, 'utf8') };
  const now = Date.now();
  const expired = issueCert({ ca: caPem, commonName: 'old', usage: 'client', notBefore: new Date(now - 5 * 86_400_000), notAfter: new Date(now - 86_400_000) });
  const srv = await startServer({
    cert: await readFile(r.serverCert), key: await readFile(r.serverKey), ca: caPem.certPem, requestCert: true, rejectUnauthorized: false,
  });
  t.after(srv.close);
  const c = await connect({ port: srv.port, host: 'localhost', ca: caPem.certPem, cert: expired.certPem, key: expired.keyPem });
  const s = await srv.seen;
  c.socket?.destroy();
  assert.equal(s.authorized, false);
  assert.equal(s.authorizationError, 'CERT_HAS_EXPIRED');
  assert.equal(s.cn, 'old');
});

test('TLS: a client refuses an expired server certificate', async (t) => {
  const ca = createCa('Test CA');
  const now = Date.now();
  const expired = issueCert({ ca, commonName: 'localhost', sans: ['localhost'], usage: 'server',
    notBefore: new Date(now - 5 * 86_400_000), notAfter: new Date(now - 86_400_000) });
  const srv = await startServer({ cert: expired.certPem, key: expired.keyPem });
  t.after(srv.close);
  const c = await connect({ port: srv.port, host: 'localhost', ca: ca.certPem });
  assert.equal(c.authorized, false);
  assert.equal((c.error as NodeJS.ErrnoException | undefined)?.code, 'CERT_HAS_EXPIRED');
});

test('TLS: a client certificate from another CA is not authorized; rejectUnauthorized drops it', async (t) => {
  const r = await certSet();
  const ca = await readFile(r.caCert);
  const foreign = issueCert({ ca: createCa('Foreign CA'), commonName: 'intruder', usage: 'client' });
  const observe = await startServer({
    cert: await readFile(r.serverCert), key: await readFile(r.serverKey), ca, requestCert: true, rejectUnauthorized: false,
  });
  t.after(observe.close);
  const c = await connect({ port: observe.port, host: 'localhost', ca, cert: foreign.certPem, key: foreign.keyPem });
  const s = await observe.seen;
  c.socket?.destroy();
  assert.equal(s.authorized, false);
  assert.equal(s.authorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  assert.equal(s.subject, 'CN=intruder');

  const strict = await startServer({
    cert: await readFile(r.serverCert), key: await readFile(r.serverKey), ca, requestCert: true, rejectUnauthorized: true,
  });
  t.after(strict.close);
  const c2 = await connect({ port: strict.port, host: 'localhost', ca, cert: foreign.certPem, key: foreign.keyPem });
  // TLS 1.3: the client may finish its handshake before the server's alert arrives; it then sees the error/close.
  if (!c2.error) {
    const err = await new Promise<Error | null>((res) => {
      c2.socket!.once('error', res);
      c2.socket!.once('close', () => res(null));
      c2.socket!.resume();
    });
    assert.ok(err === null || /alert|unknown ca|ECONNRESET/i.test(`${err.message} ${(err as NodeJS.ErrnoException).code}`), String(err));
  }
  const raced = await Promise.race([strict.seen.then(() => 'seen'), new Promise((res) => setTimeout(() => res('not seen'), 200))]);
  assert.equal(raced, 'not seen', 'the strict server never accepts the connection');
});

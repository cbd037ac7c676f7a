/**
 * TLS front-end over real TLS sockets: both framings on one port, client-certificate
 * authorization and rejections, hot reload, and abuse (plain text, stalled handshakes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as netConnect, type Socket } from 'node:net';
import { readFileSync, writeFileSync, renameSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, generateCertSet, issueCert } from '../../src/certs/index.js';
import { startTestReceiver, type TestReceiver } from '../helpers/receiver.js';
import { lf, octet, rfc3164, rfc5424 } from '../helpers/frames.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/wait.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';

interface Client { socket: TLSSocket; fingerprint: string }

/** Opens a TLS connection trusting `ca`; resolves once the handshake is done (or rejects). */
function open(port: number, ca: string | Buffer, extra: { cert?: string; key?: string } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca, ...extra }, () => {
      resolve({ socket, fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? '' });
    });
    socket.once('error', reject);
  });
}

/** Writes `data` and closes; resolves when the server side has closed too. */
function sendAndClose(c: Client, data: string): Promise<void> {
  return new Promise((resolve) => {
    c.socket.on('close', () => resolve());
    c.socket.on('error', () => undefined);
    c.socket.end(data);
    c.socket.resume();
  });
}

/** Tries a handshake that must fail; resolves with the error text (or 'closed'). */
function mustFail(port: number, ca: string, extra: { cert?: string; key?: string } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca, ...extra });
    socket.on('error', (e) => resolve(e.message));
    socket.on('secureConnect', () => socket.end(lf(rfc3164('h', 'app', 'must not be stored'))));
    socket.on('close', () => resolve('closed'));
    socket.resume();
  });
}

async function setup(tls: Record<string, unknown> | Array<Record<string, unknown>>, apps: unknown[] = [{ name: 'tok', token: TOKEN }]): Promise<TestReceiver> {
  return startTestReceiver({ listen: { tls }, apps });
}

test('generated certificate set; LF and octet-counted frames on one TLS port', async () => {
  const rx = await startTestReceiver({ listen: { tls: { address: '127.0.0.1', port: 0 } }, apps: [{ name: 'tok', token: TOKEN }] });
  try {
    const g = rx.receiver.generatedCerts!;
    assert.ok(g && existsSync(g.caCert) && g.created);
    assert.equal(statSync(join(rx.dir, 'certs', 'server.key')).mode & 0o777, 0o600);
    const port = rx.receiver.addresses.tls![0].port;
    const c = await open(port, readFileSync(g.caCert));
    await sendAndClose(c, lf(`my-host ${TOKEN}:lf framed`) + octet(rfc5424({ pri: 14, timestamp: '2026-11-21T10:00:00Z', host: 'h', app: TOKEN }, 'octet\nwith LF')) + lf(`${TOKEN} logentries style`));
    const recs = await rx.waitFor('tok', 3);
    assert.deepEqual(recs.map((r) => r.message), ['lf framed', 'octet\nwith LF', 'logentries style']);
    assert.ok(recs.every((r) => r.source.transport === 'tls' && r.source.tlsPeer === undefined));
  } finally {
    await rx.stop();
  }
});

test('client certificates: mapped cert → tls-cert app; other CA, expired, none → rejected and counted', async (t) => {
  const certDir = tmpDir('srx-tls-').path;
  const set = await generateCertSet({ outDir: certDir, clients: ['client1', 'client2'] });
  const foreign = createCa('foreign CA');
  const foreignClient = issueCert({ ca: foreign, commonName: 'client1', usage: 'client' });
  const ca = { certPem: readFileSync(set.caCert, 'utf8'), keyPem: readFileSync(set.caKey, 'utf8') };
  const expired = issueCert({ ca, commonName: 'client1', usage: 'client', notBefore: new Date(Date.now() - 10 * 86400e3), notAfter: new Date(Date.now() - 86400e3) });
  const c1 = { cert: readFileSync(set.clients.client1.cert, 'utf8'), key: readFileSync(set.clients.client1.key, 'utf8') };
  const c2 = { cert: readFileSync(set.clients.client2.cert, 'utf8'), key: readFileSync(set.clients.client2.key, 'utf8') };
  const caPem = ca.certPem;
  for (const clientAuth of ['required', 'optional'] as const) {
    await t.test(`clientAuth: ${clientAuth}`, async () => {
      const rx = await setup(
        { address: '127.0.0.1', port: 0, cert: set.serverCert, key: set.serverKey, ca: set.caCert, clientAuth },
        [
          { name: 'byfp', certFingerprints: [set.clients.client1.fingerprint.replace(/:/g, '').toLowerCase()] },
          { name: 'bysubject', certSubjects: ['CN=client2'] },
          { name: 'tok', token: TOKEN },
        ],
      );
      try {
        const port = rx.receiver.addresses.tls![0].port;
        await sendAndClose(await open(port, caPem, c1), 'host app: from client1\n');
        await sendAndClose(await open(port, caPem, c2), 'host app: from client2\n');
        const failures: string[] = [];
        failures.push(await mustFail(port, caPem, { cert: foreignClient.certPem, key: foreignClient.keyPem }));
        failures.push(await mustFail(port, caPem, { cert: expired.certPem, key: expired.keyPem }));
        if (clientAuth === 'required') failures.push(await mustFail(port, caPem));
        const a = await rx.waitFor('byfp', 1);
        const b = await rx.waitFor('bysubject', 1);
        assert.equal(a.length, 1);
        assert.equal(a[0].message, 'from client1');
        assert.equal(a[0].syslog.tokenSource, 'tls-cert');
        assert.equal(a[0].source.tlsPeer, 'CN=client1');
        assert.equal(b[0].message, 'from client2');
        assert.equal(b[0].source.tlsPeer, 'CN=client2');
        await rx.receiver.flush();
        assert.equal((await rx.records('byfp')).length, 1, 'nothing from rejected certificates');
        assert.equal((await rx.records('tok')).length, 0);
        const st = rx.receiver.stats() as { tlsHandshakeFailures: number; tlsClientCertRejected: number; rejected: { unauthorized: number } };
        if (clientAuth === 'required') assert.equal(st.tlsHandshakeFailures, 3, `handshake failures counted (${failures.join(' | ')})`);
        else {
          assert.equal(st.tlsClientCertRejected, 2, 'unverified certificates counted');
          assert.equal(st.rejected.unauthorized, 2, 'their messages rejected');
        }
      } finally {
        await rx.stop();
      }
    });
  }
});

test('hot reload: new connections get the new certificate, the open one keeps working, nothing lost', async () => {
  const certDir = tmpDir('srx-tls-').path;
  const set = await generateCertSet({ outDir: certDir });
  const caPem = readFileSync(set.caCert);
  const rx = await setup({ address: '127.0.0.1', port: 0, cert: set.serverCert, key: set.serverKey });
  try {
    const port = rx.receiver.addresses.tls![0].port;
    const old = await open(port, caPem);
    assert.equal(old.fingerprint, set.serverFingerprint);
    let n = 0;
    const sendSome = (k: number): void => { for (let i = 0; i < k; i++) old.socket.write(`h ${TOKEN}: seq ${n++}\n`); };
    sendSome(100);
    // replace the files the way certbot does: write new, rename over
    const ca = { certPem: readFileSync(set.caCert, 'utf8'), keyPem: readFileSync(set.caKey, 'utf8') };
    const next = issueCert({ ca, commonName: 'localhost', sans: ['localhost', '127.0.0.1'], usage: 'server' });
    writeFileSync(set.serverKey + '.new', next.keyPem, { mode: 0o600 });
    writeFileSync(set.serverCert + '.new', next.certPem);
    renameSync(set.serverKey + '.new', set.serverKey);
    renameSync(set.serverCert + '.new', set.serverCert);
    sendSome(100);
    const deadline = Date.now() + 5000;
    let fresh = await open(port, caPem);
    while (fresh.fingerprint === set.serverFingerprint && Date.now() < deadline) {
      fresh.socket.destroy();
      await sleep(100);
      fresh = await open(port, caPem);
    }
    assert.notEqual(fresh.fingerprint, set.serverFingerprint, 'a new connection sees the new certificate');
    sendSome(100);
    await sendAndClose(fresh, `h ${TOKEN}: via new connection\n`);
    // a broken certificate is refused; the current one stays in service
    writeFileSync(set.serverCert, '-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n');
    assert.equal(rx.receiver.reloadTls(), false);
    const after = await open(port, caPem);
    assert.equal(after.fingerprint, fresh.fingerprint);
    await sendAndClose(after, `h ${TOKEN}: after bad reload\n`);
    sendSome(100);
    await sendAndClose(old, '');
    const recs = await rx.waitFor('tok', 402);
    const seqs = recs.map((r) => r.message!).filter((m) => m.startsWith('seq ')).map((m) => Number(m.slice(4)));
    assert.deepEqual(seqs, Array.from({ length: 400 }, (_, i) => i), 'the old connection lost nothing');
    assert.equal(recs.length, 402);
    const st = rx.receiver.stats() as { tlsReloadFailures: number; tlsReloads: number };
    assert.ok(st.tlsReloads >= 1 && st.tlsReloadFailures >= 1);
  } finally {
    await rx.stop();
  }
});

test('abuse: plain text, truncated handshake, 500 stalled handshakes; others still served', async () => {
  const rx = await startTestReceiver({ listen: { tls: { address: '127.0.0.1', port: 0, handshakeTimeoutMs: 1500 } }, apps: [{ name: 'tok', token: TOKEN }] });
  const stalled: Socket[] = [];
  try {
    const port = rx.receiver.addresses.tls![0].port;
    const ca = readFileSync(rx.receiver.generatedCerts!.caCert);
    const plainClosed = await new Promise<boolean>((resolve) => {
      const s = netConnect({ port, host: '127.0.0.1' }, () => s.write(`my-host ${TOKEN}:plain text to the TLS port\n`));
      s.on('error', () => undefined);
      s.on('close', () => resolve(true));
      s.resume();
      setTimeout(() => resolve(false), 5000);
    });
    assert.ok(plainClosed, 'a plain-text client is disconnected, not left hanging');
    for (let i = 0; i < 500; i++) {
      const s = netConnect({ port, host: '127.0.0.1' });
      s.on('error', () => undefined);
      if (i % 2 === 0) s.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])); // a cut ClientHello
      stalled.push(s);
    }
    const t0 = Date.now();
    await sendAndClose(await open(port, ca), `my-host ${TOKEN}:still served\n`);
    const servedMs = Date.now() - t0;
    const recs = await rx.waitFor('tok', 1);
    assert.equal(recs.length, 1);
    assert.equal(recs[0].message, 'still served');
    assert.ok(servedMs < 3000, `handshake + send took ${servedMs} ms with 500 stalled handshakes`);
    const closed = await Promise.all(stalled.map((s) => new Promise<boolean>((r) => {
      if (s.destroyed) return r(true);
      s.on('close', () => r(true));
      setTimeout(() => r(false), 8000);
    })));
    assert.ok(closed.every(Boolean), 'stalled handshakes are closed by the handshake timeout');
    const st = rx.receiver.stats() as { tlsHandshakeFailures: number };
    assert.ok(st.tlsHandshakeFailures >= 500, `counted ${st.tlsHandshakeFailures}`);
  } finally {
    for (const s of stalled) s.destroy();
    await rx.stop();
  }
});

test('listen.tls as a list: two listeners, each with its own certificate and client-certificate policy', async () => {
  const dirA = tmpDir('srx-tls-a-').path;
  const dirB = tmpDir('srx-tls-b-').path;
  const a = await generateCertSet({ outDir: dirA });
  const b = await generateCertSet({ outDir: dirB, clients: ['c1'] });
  const rx = await setup([
    { address: '127.0.0.1', port: 0, cert: a.serverCert, key: a.serverKey },
    { address: '127.0.0.1', port: 0, cert: b.serverCert, key: b.serverKey, ca: b.caCert, clientAuth: 'required' },
  ], [{ name: 'tok', token: TOKEN }, { name: 'cert', certSubjects: ['CN=c1'] }]);
  try {
    const [pa, pb] = rx.receiver.addresses.tls!.map((x) => x.port);
    const ca = readFileSync(a.caCert);
    const cb = readFileSync(b.caCert);
    const first = await open(pa, ca);
    assert.equal(first.fingerprint, a.serverFingerprint);
    await sendAndClose(first, `h ${TOKEN}: via the first listener\n`);
    assert.match(await mustFail(pb, cb.toString()), /certificate|closed|alert|socket/i, 'the second one requires a client certificate');
    const second = await open(pb, cb, { cert: readFileSync(b.clients.c1.cert, 'utf8'), key: readFileSync(b.clients.c1.key, 'utf8') });
    assert.equal(second.fingerprint, b.serverFingerprint);
    await sendAndClose(second, 'h app: via the second listener\n');
    assert.deepEqual((await rx.waitFor('tok', 1)).map((r) => r.message), ['via the first listener']);
    assert.deepEqual((await rx.waitFor('cert', 1)).map((r) => [r.message, r.syslog.tokenSource]), [['via the second listener', 'tls-cert']]);
  } finally {
    await rx.stop();
  }
});

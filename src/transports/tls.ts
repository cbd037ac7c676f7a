/**
 * TLS front-end (RFC 5425; DESIGN §3), default port 10514: the same per-frame framing
 * auto-detection, limits, backpressure and authorization as TCP — Sematext's own configs send
 * LF-framed lines here, RFC 5425 clients octet-counted frames.
 *
 * - TLS 1.2 minimum (configurable), Node's default ciphers unless `ciphers` is set.
 * - Client certificates (`clientAuth: none | optional | required`, RFC 5425 §4.2): a verified
 *   certificate's SHA-256 fingerprint and subject go with every frame, so apps that list
 *   them (`certFingerprints`, `certSubjects`) authorize its messages (`tls-cert`).
 * - Hot reload: `reload()` (SIGHUP, or a change of the cert/key/CA files) swaps the
 *   certificate for new connections with `tls.Server#setSecureContext`; open connections keep
 *   theirs. A bad new certificate is refused with a log line and the old one stays.
 * - A failed handshake (plain-text client, bad or missing client certificate, timeout) closes
 *   the connection and is counted (`tlsHandshakeFailures`).
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, createServer, type SecureContextOptions, type Server, type TLSSocket } from 'node:tls';
import { subjectString } from '../certs/fingerprint.js';
import type { TlsFiles } from '../certs/listener-files.js';
import type { TlsListenerConfig } from '../config/schema.js';
import { ErrorCodes } from '../errors.js';
import type { FrameSource } from '../record.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Transport } from '../record.js';
import { ConnectionSet, Listening, type FrontEndDeps, type SocketAcceptor } from './connection.js';
import type { FrontEnd } from './types.js';

export type { TlsFiles };

const WATCH_DEBOUNCE_MS = 300;

/** What a {@link TlsServer} needs from the front-end that uses it (syslog-over-TLS or RELP). */
export interface SecureServerHooks {
  transport: Transport;
  metrics: Metrics;
  log: Logger;
  /** Takes over each socket whose handshake completed, and limits the server's connections. */
  sessions: SocketAcceptor;
}

/**
 * A TLS server with the receiver's certificate handling: file loading with clear errors,
 * client-certificate verification → FrameSource, handshake failure counting, and hot reload.
 */
export class TlsServer {
  private readonly server: Server;
  private readonly net: Listening;
  private readonly watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | null = null;
  /** SHA-256 fingerprint of the certificate in service (for logs and tests). */
  fingerprint = '';

  /**
   * @param name config path of this listener (e.g. `listen.tls[1]`), used in logs
   * @throws Error when the files cannot be read or do not form a valid key/certificate pair
   */
  constructor(readonly name: string, private readonly cfg: TlsListenerConfig, private readonly files: TlsFiles, private readonly o: SecureServerHooks) {
    const ctx = this.loadContextOptions();
    const requestCert = cfg.clientAuth !== 'none';
    this.server = createServer({
      ...ctx,
      requestCert,
      rejectUnauthorized: cfg.clientAuth === 'required',
      handshakeTimeout: cfg.handshakeTimeoutMs,
      noDelay: true,
    }, (socket) => this.onSecure(socket));
    o.sessions.limit(this.server);
    this.server.on('tlsClientError', (err, socket) => {
      o.metrics.tlsHandshakeFailures++;
      o.log.debug({ err, source: socket.remoteAddress, listener: name }, 'TLS handshake failed');
      socket.destroy(); // Node leaves the socket open on a handshake timeout when this event has a listener
    });
    this.net = new Listening(this.server, o.log, name);
  }

  /** Reads and checks the files; throws with a message naming the file on any problem. */
  private loadContextOptions(): SecureContextOptions {
    const read = (p: string): Buffer => {
      try { return readFileSync(p); } catch (e) { throw new Error(`cannot read ${p}: ${(e as Error).message}`); }
    };
    const cert = read(this.files.cert);
    const opts: SecureContextOptions = {
      cert,
      key: read(this.files.key),
      minVersion: this.cfg.minVersion,
      maxVersion: this.cfg.maxVersion,
      ...(this.files.ca ? { ca: read(this.files.ca) } : {}),
      ...(this.cfg.ciphers ? { ciphers: this.cfg.ciphers } : {}),
    };
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(cert);
    } catch (e) {
      throw new Error(`${this.files.cert} is not a PEM certificate: ${(e as Error).message}`);
    }
    if (new Date(x509.validTo).getTime() < Date.now()) throw new Error(`${this.files.cert} expired on ${x509.validTo}`);
    try {
      createSecureContext(opts); // OpenSSL checks that the key matches the certificate
    } catch (e) {
      throw new Error(`${this.files.cert} / ${this.files.key}: ${(e as Error).message}`);
    }
    this.fingerprint = x509.fingerprint256;
    return opts;
  }

  private onSecure(socket: TLSSocket): void {
    let source: FrameSource;
    const record = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: this.o.transport };
    if (this.cfg.clientAuth !== 'none') {
      const peer = socket.getPeerCertificate();
      const presented = peer !== null && typeof peer === 'object' && peer.raw !== undefined;
      if (socket.authorized && presented) {
        source = { record: { ...record, tlsPeer: subjectString(peer) }, certFingerprint: peer.fingerprint256 };
      } else {
        if (presented) this.o.metrics.tlsClientCertRejected++;
        source = { record, certFingerprint: null };
      }
    } else source = { record, certFingerprint: null };
    this.o.sessions.accept(socket, source);
  }

  get listening(): boolean { return this.net.listening; }

  /** Binds; rejects with the socket error. Starts watching the certificate files. */
  async start(): Promise<AddressInfo> {
    const a = await this.net.start(this.cfg.address, this.cfg.port);
    this.watchFiles();
    return a;
  }

  /**
   * Re-reads cert/key/CA and uses them for new connections; open connections are untouched.
   * @returns true when the new certificate is in service; false (old one kept, error logged) otherwise
   */
  reload(): boolean {
    const before = this.fingerprint;
    try {
      this.server.setSecureContext(this.loadContextOptions());
    } catch (e) {
      this.fingerprint = before;
      this.o.metrics.tlsReloadFailures++;
      this.o.log.error({ err: e, code: ErrorCodes.TLS_RELOAD, listener: this.name }, 'TLS certificate reload refused; the previous certificate stays in service');
      return false;
    }
    this.o.metrics.tlsReloads++;
    if (this.fingerprint !== before) this.o.log.info({ listener: this.name, fingerprint: this.fingerprint }, 'TLS certificate reloaded');
    return true;
  }

  /** Watches the directories of the files (editors and certbot replace files by rename). */
  private watchFiles(): void {
    const paths = [this.files.cert, this.files.key, ...(this.files.ca ? [this.files.ca] : [])];
    const dirs = new Map<string, Set<string>>();
    for (const p of paths) {
      const d = dirname(p);
      if (!dirs.has(d)) dirs.set(d, new Set());
      dirs.get(d)!.add(basename(p));
    }
    for (const [dir, names] of dirs) {
      try {
        const w = watch(dir, (_event, file) => {
          if (file !== null && !names.has(file.toString())) return;
          if (this.debounce) clearTimeout(this.debounce);
          this.debounce = setTimeout(() => { this.debounce = null; this.reload(); }, WATCH_DEBOUNCE_MS);
        });
        w.on('error', () => undefined);
        w.unref();
        this.watchers.push(w);
      } catch (e) {
        this.o.log.warn({ err: e, code: ErrorCodes.TLS_WATCH, dir }, 'cannot watch certificate files; reload with SIGHUP');
      }
    }
  }

  /**
   * Stops accepting and the file watchers; resolves once every connection has closed (the
   * caller closes them, e.g. after `closeConnections`).
   */
  close(closeConnections: () => unknown): Promise<void> {
    for (const w of this.watchers) w.close();
    if (this.debounce) clearTimeout(this.debounce);
    return this.net.close(closeConnections);
  }
}

/** The syslog-over-TLS front-end: a {@link TlsServer} feeding RFC 6587 framed connections. */
export class TlsListener implements FrontEnd {
  readonly kind = 'tls';
  private readonly conns: ConnectionSet;
  private readonly secure: TlsServer;

  /**
   * @param name config path (`listen.tls`, `listen.tls[1]`)
   * @throws Error when the certificate files are unusable (see {@link TlsServer})
   */
  constructor(readonly name: string, cfg: TlsListenerConfig, files: TlsFiles, deps: FrontEndDeps) {
    const conns = new ConnectionSet({ ...deps, transport: 'tls' });
    this.conns = conns;
    this.secure = new TlsServer(name, cfg, files, { transport: 'tls', metrics: deps.metrics, log: deps.log, sessions: conns });
  }

  /** SHA-256 fingerprint of the certificate in service. */
  get fingerprint(): string { return this.secure.fingerprint; }

  start(): Promise<AddressInfo> { return this.secure.start(); }

  get listening(): boolean { return this.secure.listening; }

  reload(): boolean { return this.secure.reload(); }

  /** Stops accepting and closes every connection. */
  stop(): Promise<void> { return this.secure.close(() => this.conns.closeAll()); }
}

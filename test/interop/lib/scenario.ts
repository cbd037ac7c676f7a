/**
 * One interop variant end to end: start a real receiver (ephemeral ports, temp store) with
 * a token app, a decoy token app and a source-IP app; let one real client process send a
 * corpus of messages; then check the store: every message stored exactly once, under the
 * right app, message text intact and token-free, `syslog.tokenSource` as expected, the token
 * nowhere in the store, nothing stored for any other app. TLS variants run against a TLS-only
 * receiver with a certificate set from lib/certs.ts; with `tls.clientCert` the listener
 * requires a client certificate and an extra app is chosen by its fingerprint (`tls-cert`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { RECORD_KEYS, type SyslogRecord, type TokenSource } from '../../../src/record.js';
import { startTestReceiver, storedApps } from '../../helpers/receiver.js';
import { sleep } from '../../helpers/wait.js';
import { CLIENT_TAG, isTls, missingClient, missingRsyslogDriver, runClient, type ClientName, type RsyslogTlsDriver, type TokenStyle, type Transport } from './clients.js';
import { CLIENT_CERT_NAME, interopCerts } from './certs.js';
import { makeCorpus, seqOf, type SentMessage } from './corpus.js';

export interface Variant {
  client: ClientName;
  transport: Transport;
  style: TokenStyle;
  host?: '127.0.0.1' | '::1';
  /** How an embedded LF reaches the receiver; omit to send no multi-line message (LF-framed raw senders split it). */
  lf?: 'raw' | 'escaped';
  /** `syslog.format` expected (what the client sends; headerless nc lines: rfc3164 for `HOST TAG:msg`, else raw). */
  format: 'rfc3164' | 'rfc5424' | 'raw';
  /** HOSTNAME expected in the records; undefined = not checked (logger sends the machine's name). */
  hostname?: string | null;
  /** APP-NAME expected; default null for tag/appname tokens, else the clients' tag "interop". */
  appName?: string | null;
  count?: number;
  /** Use a token whose first character is a digit (9 in 16 random UUIDs). */
  digitToken?: boolean;
  /** logger: extra arguments (e.g. --msgid, --sd-id, --sd-param). */
  loggerArgs?: string[];
  /** Extra per-record check: returns a problem description, or null. */
  extraCheck?: (r: SyslogRecord) => string | null;
  /** rsyslog output template for the source-IP variants (default: the transport's). */
  rsyslogTemplate?: string;
  /** Paced feeding of the input file (UDP). */
  chunk?: number;
  chunkDelayMs?: number;
  /** TLS transports: rsyslog stream driver (default gtls), auth mode (default x509/name, peer localhost). */
  tls?: TlsVariant;
}

export interface TlsVariant {
  driver?: RsyslogTlsDriver;
  authMode?: 'x509/name' | 'anon';
  /**
   * The listener requires a client certificate (clientAuth: required, ca); the client sends
   * its own (CN=interop-client) and the messages carry no token (style none): they must land
   * in the app that lists the certificate's fingerprint, `tokenSource` tls-cert, not in the
   * source-IP app (127.0.0.1 is still allowed there).
   */
  clientCert?: boolean;
}

/** The app a certificate variant's messages belong to (certFingerprints). */
export const CERT_APP = 'certapp';

const TOKEN_SOURCE: Record<TokenStyle, TokenSource> = { tag: 'tag', appname: 'app-name', cee: 'cee', prefix: 'inline', none: 'ip' };
/** UDP may lose datagrams on a busy machine (interop gotcha 14); never more than this share. */
export const UDP_MAX_LOSS = 0.01;

export function variantName(v: Variant): string {
  const tok = v.tls?.clientCert ? 'client certificate, no token' : v.style === 'none' ? 'source-ip' : `token in ${v.style}`;
  const tls = !isTls(v.transport) ? ''
    : v.client === 'rsyslog' ? ` ${v.tls?.driver ?? 'gtls'} ${v.tls?.authMode ?? 'x509/name'}`
      : v.client === 'syslog-ng' ? ` ${v.transport === 'tls' ? 'network()' : 'syslog()'} ${v.tls?.authMode === 'anon' ? 'optional-untrusted' : 'required-trusted'}` : '';
  return `${v.client} ${v.transport}${tls}${v.host === '::1' ? ' [::1]' : ''}${v.rsyslogTemplate ? ` ${v.rsyslogTemplate}` : ''}, ${tok}`;
}

/** Skips (or, with REQUIRE_INTEROP=1, fails) when the client is missing. Returns false when skipped. */
export function requireClient(t: TestContext, client: ClientName, rsyslogDriver?: RsyslogTlsDriver): boolean {
  const missing = missingClient(client) ?? (client === 'rsyslog' && rsyslogDriver ? missingRsyslogDriver(rsyslogDriver) : null);
  if (!missing) return true;
  if (process.env.REQUIRE_INTEROP === '1') assert.fail(`${missing} (REQUIRE_INTEROP=1: interop clients are required; run scripts/install-interop-clients.sh)`);
  t.skip(missing);
  return false;
}

let ipv6: Promise<boolean> | null = null;
/** True when a socket can bind ::1 (containers without IPv6 cannot). */
export function ipv6Loopback(): Promise<boolean> {
  ipv6 ??= new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
  return ipv6;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const short = (s: unknown, n = 160): string => {
  const j = JSON.stringify(s) ?? String(s);
  return j.length > n ? `${j.slice(0, n)}…(${j.length} chars)` : j;
};

/** Runs the variant as the body of test `t`. */
export async function runVariant(t: TestContext, v: Variant): Promise<void> {
  const tls = isTls(v.transport);
  if (!requireClient(t, v.client, tls ? v.tls?.driver ?? 'gtls' : undefined)) return;
  if (v.tls?.clientCert && v.style !== 'none') throw new Error('client-certificate variants send no token (style none)');
  const host = v.host ?? '127.0.0.1';
  if (host === '::1' && !(await ipv6Loopback())) {
    t.skip('no IPv6 loopback (::1) on this machine');
    return;
  }
  let token = randomUUID();
  while (v.digitToken && !/^[0-9]/.test(token)) token = randomUUID();
  const decoy = randomUUID();
  const tokenApp = 'tokapp';
  const ipApp = 'ipapp';
  const app = v.tls?.clientCert ? CERT_APP : v.style === 'none' ? ipApp : tokenApp;
  const certs = tls ? await interopCerts() : null;
  const rx = await startTestReceiver({
    ...(certs ? {
      listen: {
        tls: {
          address: host, port: 0, cert: certs.set.serverCert, key: certs.set.serverKey,
          ...(v.tls?.clientCert ? { ca: certs.set.caCert, clientAuth: 'required' } : {}),
        },
      },
    } : {}),
    apps: [
      { name: tokenApp, token },
      { name: 'decoy', token: decoy },
      { name: ipApp, allowedSources: [host === '::1' ? '::1/128' : '127.0.0.1/32'] },
      ...(certs && v.tls?.clientCert ? [{ name: CERT_APP, certFingerprints: [certs.client.fingerprint] }] : []),
    ],
  }, host);
  try {
    const label = `${v.client}-${v.transport}-${v.style}`.replace(/[^a-z0-9-]/g, '');
    const corpus = makeCorpus({ label, count: v.count, embeddedLf: v.lf !== undefined });
    const udp = v.transport === 'udp';
    const port = certs ? rx.receiver.addresses.tls![0].port : udp ? rx.udpPort : rx.tcpPort;
    const run = await runClient({
      client: v.client, transport: v.transport, host, port,
      // the client certificate is offered to every TLS variant; only a listener asking for one gets it
      tls: certs ? { caFile: certs.set.caCert, certFile: certs.client.cert, keyFile: certs.client.key, driver: v.tls?.driver, authMode: v.tls?.authMode } : undefined,
      messages: corpus.map((m) => m.text), token: v.style === 'none' ? null : token, style: v.style,
      chunk: v.chunk, chunkDelayMs: v.chunkDelayMs, rsyslogTemplate: v.rsyslogTemplate, loggerArgs: v.loggerArgs,
    });
    await rx.waitFor(app, corpus.length, udp ? 3000 : 15_000);
    await sleep(300); // let any late duplicate arrive
    const recs = await rx.records(app);

    const problems = checkRecords(v, corpus, recs, app, host);
    const missing = corpus.filter((m) => !recs.some((r) => seqOf(r.message) === m.seq));
    const stats = rx.receiver.stats() as { rejected: Record<string, number>; receivedEvents: Record<string, number>; tlsHandshakeFailures: number; tlsClientCertRejected: number };
    t.diagnostic(`${variantName(v)}: sent ${run.sent} in ${run.elapsedMs} ms, stored ${recs.length}, missing ${missing.length}, rejected ${JSON.stringify(stats.rejected)}`);
    if (missing.length > 0) {
      const list = `seq ${missing.slice(0, 10).map((m) => `${m.seq}(${m.kind})`).join(', ')}${missing.length > 10 ? ', …' : ''}`;
      if (udp && missing.length <= Math.floor(corpus.length * UDP_MAX_LOSS)) {
        t.diagnostic(`UDP loss tolerated (≤ ${UDP_MAX_LOSS * 100}%): ${missing.length} of ${corpus.length} lost: ${list}`);
        console.log(`# ${variantName(v)}: UDP lost ${missing.length}/${corpus.length} datagrams (${list})`);
      } else {
        problems.push(`${missing.length} of ${corpus.length} messages never stored under "${app}": ${list}`);
      }
    }
    for (const r of Object.keys(stats.rejected)) {
      if (stats.rejected[r] > 0) problems.push(`receiver rejected ${stats.rejected[r]} frame(s) (${r})`);
    }
    if (tls && (stats.tlsHandshakeFailures > 0 || stats.tlsClientCertRejected > 0)) {
      problems.push(`TLS: ${stats.tlsHandshakeFailures} failed handshake(s), ${stats.tlsClientCertRejected} rejected client certificate(s)`);
    }

    // nothing under another app
    const apps = storedApps(rx.config.storage.dir);
    for (const other of apps) {
      if (other === app) continue;
      const stray = await rx.records(other);
      problems.push(`${stray.length} record(s) stored under "${other}" (expected only "${app}"), e.g. ${short(stray[0])}`);
    }
    // the token must not reach storage, in any file
    for (const f of filesUnder(rx.config.storage.dir)) {
      const text = readFileSync(f, 'utf8').toLowerCase();
      if (text.includes(token.toLowerCase())) problems.push(`the token appears in stored file ${f.slice(rx.dir.length)}`);
      if (text.includes('logsene-app-token')) problems.push(`the token field name appears in stored file ${f.slice(rx.dir.length)}`);
    }
    // the Prometheus scrape agrees with what was sent and stored
    const scrape = await rx.metrics();
    const metric = (name: string): number => Number(scrape.split('\n').find((l) => l.startsWith(name + ' '))?.split(' ')[1] ?? NaN);
    const storedMetric = metric(`syslog_receiver_stored_events_total{app="${app}"}`);
    if (storedMetric !== recs.length) problems.push(`/metrics stored_events_total{app="${app}"} = ${storedMetric}, store has ${recs.length}`);
    const transport = udp ? 'udp' : tls ? 'tls' : 'tcp';
    const receivedMetric = metric(`syslog_receiver_received_events_total{transport="${transport}"}`);
    if (!(receivedMetric >= recs.length)) problems.push(`/metrics received_events_total{transport="${transport}"} = ${receivedMetric} < ${recs.length} stored`);
    if (process.env.INTEROP_METRICS_FILE) {
      const lines = scrape.split('\n').filter((l) => l.startsWith('syslog_receiver_') && !l.endsWith(' 0'));
      appendFileSync(process.env.INTEROP_METRICS_FILE, `# ${variantName(v)}\n${lines.join('\n')}\n`);
    }
    assert.deepEqual(problems.slice(0, 25), [], `${variantName(v)}: ${problems.length} problem(s)`);
  } finally {
    await rx.stop();
  }
}

/** Per-record checks; returns human-readable problems (empty = all good). */
export function checkRecords(v: Variant, corpus: SentMessage[], recs: SyslogRecord[], app: string, host: string): string[] {
  const problems: string[] = [];
  const bySeq = new Map(corpus.map((m) => [m.seq, m]));
  const seen = new Map<number, number>();
  const wantSource: TokenSource = v.tls?.clientCert ? 'tls-cert' : TOKEN_SOURCE[v.style];
  const wantPeer = v.tls?.clientCert ? `CN=${CLIENT_CERT_NAME}` : undefined;
  const wantAppName = v.appName !== undefined ? v.appName : v.style === 'tag' || v.style === 'appname' ? null : CLIENT_TAG;
  const wantTransport = isTls(v.transport) ? 'tls' : v.transport === 'udp' ? 'udp' : 'tcp';
  const utc = new Date().getTimezoneOffset() === 0 && new Date(2020, 6, 1).getTimezoneOffset() === 0;
  for (const r of recs) {
    const seq = seqOf(r.message);
    const sent = seq === null ? undefined : bySeq.get(seq);
    if (seq === null || !sent) {
      problems.push(`unexpected record (no known seq): message=${short(r.message)}`);
      continue;
    }
    const n = (seen.get(seq) ?? 0) + 1;
    seen.set(seq, n);
    if (n === 2) problems.push(`seq ${seq} (${sent.kind}) stored more than once`);
    const p = (what: string, got: unknown, want: unknown): void => {
      problems.push(`seq ${seq} (${sent.kind}) ${what}: got ${short(got)}, want ${short(want)}`);
    };
    const wantMessage = sent.kind === 'multiline' && v.lf === 'escaped' ? sent.text.replace(/\n/g, '\\n') : sent.text;
    if (r.message !== wantMessage) p('message', r.message, wantMessage);
    if (r.app !== app) p('app', r.app, app);
    if (r.syslog?.tokenSource !== wantSource) p('syslog.tokenSource', r.syslog?.tokenSource, wantSource);
    if (r.syslog?.format !== v.format) p('syslog.format', r.syslog?.format, v.format);
    if (r.syslog?.truncated) p('syslog.truncated', r.syslog.truncated, undefined);
    if (r.appName !== wantAppName) p('appName', r.appName, wantAppName);
    if (v.hostname !== undefined && r.hostname !== v.hostname) p('hostname', r.hostname, v.hostname);
    if (r.facility !== 1 || r.severity !== 5) p('facility/severity', [r.facility, r.severity], [1, 5]);
    if (r.source?.transport !== wantTransport) p('source.transport', r.source?.transport, wantTransport);
    if (r.source?.address !== host) p('source.address', r.source?.address, host);
    if (r.source?.tlsPeer !== wantPeer) p('source.tlsPeer', r.source?.tlsPeer, wantPeer);
    if ('logsene-app-token' in r) p('CEE token key', 'present', 'removed');
    const extra = v.extraCheck?.(r);
    if (extra) problems.push(`seq ${seq} (${sent.kind}): ${extra}`);
    const missingKeys = RECORD_KEYS.filter((k) => !(k in r));
    if (missingKeys.length) p('record keys', missingKeys, 'all present');
    const ts = Date.parse(r['@timestamp']);
    const rcv = Date.parse(r.receivedAt);
    if (Number.isNaN(ts) || Number.isNaN(rcv)) p('timestamps', [r['@timestamp'], r.receivedAt], 'ISO 8601');
    // the clients stamp each message when they read it: the event time must be close to the
    // receive time (RFC 3164 stamps carry no zone: checked only when this machine runs in UTC)
    else if ((v.format === 'rfc5424' || (v.format === 'rfc3164' && utc)) && Math.abs(ts - rcv) > 120_000) {
      p('@timestamp vs receivedAt', r['@timestamp'], `within 2 min of ${r.receivedAt}`);
    }
  }
  return problems;
}

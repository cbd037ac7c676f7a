/**
 * Connecting to JetStream with the `storage.jetstream` keys, shared by the JetStream sink
 * (receivers publish) and the archiver (it consumes): credentials, TLS, and the stream itself.
 */
import { readFile } from 'node:fs/promises';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, type JetStreamManager } from '@nats-io/jetstream';
import type { JetStreamConfig } from '../config/schema.js';

/** Client options for the credentials and TLS of `o` (files are read here). @throws the read error of a credentials file */
async function connectionOptions(o: JetStreamConfig): Promise<Partial<ConnectionOptions>> {
  const c: Partial<ConnectionOptions> = {};
  if (o.user !== null) { c.user = o.user; c.pass = o.password ?? ''; }
  if (o.token !== null) c.token = o.token;
  if (o.nkeySeedFile !== null) c.authenticator = nkeyAuthenticator(new TextEncoder().encode((await readFile(o.nkeySeedFile, 'utf8')).trim()));
  if (o.credsFile !== null) c.authenticator = credsAuthenticator(await readFile(o.credsFile));
  if (o.tls !== null) c.tls = { ...(o.tls.ca !== null ? { caFile: o.tls.ca } : {}), ...(o.tls.cert !== null ? { certFile: o.tls.cert } : {}), ...(o.tls.key !== null ? { keyFile: o.tls.key } : {}) };
  return c;
}

/**
 * Connects to `o.servers` (any of them; reconnects forever, every 250 ms) as client `name`.
 * @throws the client's error when no server answers or the credentials are refused
 */
export async function connectJetStream(o: JetStreamConfig, name: string): Promise<NatsConnection> {
  return connect({ servers: o.servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, name, ...(await connectionOptions(o)) });
}

/** JetStream's duplicate window for the stream we create (2 minutes, the server default), ns. */
const DUPLICATE_WINDOW_NS = 120e9;

/**
 * Checks that stream `o.stream` exists, or creates it (`createStream`): subjects
 * `<subjectPrefix>.>`, `replicas`, `maxBytes` with discard policy "new" (a full stream refuses
 * publishes instead of dropping old messages), a 2-minute duplicate window.
 * @throws Error when it is missing and `createStream` is false; the server's error otherwise
 */
export async function ensureStream(jsm: JetStreamManager, o: JetStreamConfig): Promise<void> {
  const exists = await jsm.streams.info(o.stream).then(() => true, () => false);
  if (exists) return;
  if (!o.createStream) throw new Error(`JetStream stream ${o.stream} does not exist (storage.jetstream.createStream is false)`);
  await jsm.streams.add({
    name: o.stream,
    subjects: [`${o.subjectPrefix}.>`],
    num_replicas: o.replicas,
    max_bytes: o.maxBytes > 0 ? o.maxBytes : -1,
    discard: DiscardPolicy.New,
    duplicate_window: DUPLICATE_WINDOW_NS,
  });
}

/**
 * Config shape, defaults and validation (DESIGN §8), as one zod 4 schema: {@link ConfigSchema}.
 *
 * YAML keys are camelCase with units in their names. Every default is written once, in the
 * schema below; the `DEFAULT_*` constants are the schema's own output for empty input, and the
 * first-run YAML (config/load.ts) is generated from them. {@link validateConfig} reports every
 * error at once, each as `path: message` (e.g. `apps[1].token: must be a UUID …`), and returns
 * a deep-frozen {@link Config}.
 *
 * Cross-field checks (duplicate names, tokens, certificate owners, overlapping sources, TLS
 * ports, cert/key pairs …) are `superRefine`s with a `when` that lets them run even when some
 * field elsewhere is invalid, so they are reported together with the field errors. They read a
 * partly parsed value: a field that failed keeps its raw input, so every check tests the type
 * of what it reads.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { normalizeFingerprint } from '../certs/fingerprint.js';
import { ErrorCodes } from '../errors.js';
import { parseCidr } from './cidr.js';

/** One socket listener: bind address and port (0 = ephemeral, for tests). */
export interface ListenerConfig {
  /** IPv4 or IPv6 literal (no host names). */
  address: string;
  /** 0–65535; 0 = an ephemeral port. */
  port: number;
}

/** The UDP listener. */
export interface UdpListenerConfig extends ListenerConfig {
  /**
   * Kernel receive buffer asked for (SO_RCVBUF), bytes; the kernel caps it at
   * `net.core.rmem_max` and reports double the granted size (both are logged at start).
   * Bursts above what the receiver drains are lost here first.
   */
  recvBufferBytes: number;
  /**
   * How the socket is read: `native` — a thread of the native addon with recvmmsg(2)
   * (`native/udp_reader.c`, Linux, built at install); `dgram` — Node's dgram on the main thread;
   * `auto` — native when the addon loaded, else dgram (logged at start).
   */
  reader: UdpReaderKind;
}

/** `listen.udp.reader` values. */
export const UDP_READERS = ['auto', 'native', 'dgram'] as const;
export type UdpReaderKind = (typeof UDP_READERS)[number];

/** Client-certificate policy of a TLS listener (RFC 5425 §4.2). */
export type ClientAuth = 'none' | 'optional' | 'required';

/** One TLS listener (RFC 5425; DESIGN §3). Paths resolve against the config file. */
export interface TlsListenerConfig extends ListenerConfig {
  /** PEM server certificate (chain) and key; both null → a generated set in `certsDir`. */
  cert: string | null;
  key: string | null;
  /** PEM CA bundle that client certificates must chain to; required unless clientAuth is none. */
  ca: string | null;
  clientAuth: ClientAuth;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  /**
   * Highest TLS version offered. TLSv1.2 helps send-and-forget clients that never read: over
   * TLS 1.3 the server's post-handshake session tickets stay unread in their socket, and their
   * close() then resets the connection, discarding whatever they had not sent yet.
   */
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list; null = Node's default. */
  ciphers: string | null;
  /** A connection that has not finished its handshake by then is closed, ms. */
  handshakeTimeoutMs: number;
}

/**
 * The RELP listener (DESIGN §5). With `tls: true` it speaks RELP over TLS using the same
 * certificate and client-certificate settings as a TLS listener (`cert`/`key` absent → the
 * generated set in certsDir).
 */
export interface RelpListenerConfig extends TlsListenerConfig {
  tls: boolean;
  /**
   * What a failed store write does to the session: `nack` answers the frames `rsp 500`
   * (RELP's error response); `close` drops the session without answering them, so a client
   * resends every unacked frame after reconnecting — needed for zero loss with rsyslog, whose
   * librelp forgets a frame answered 500 instead of resending it.
   */
  onWriteError: 'nack' | 'close';
  /** Per session: frames read but not yet acknowledged above which the socket is paused. */
  maxUnackedFrames: number;
}

/**
 * An HTTP(S) intake listener (the HTTP intake issue): Elasticsearch/OpenSearch `_bulk` and
 * document APIs, Loggly and Logentries inputs. With `tls: true` it speaks HTTPS with the same
 * certificate options as a TLS listener (`cert`/`key` absent → the generated set in certsDir).
 */
export interface HttpListenerConfig extends TlsListenerConfig {
  tls: boolean;
  /** The request line and headers must have arrived within this, ms; else the socket is closed. */
  headerTimeoutMs: number;
  /** The whole request (headers and body) must have arrived within this, ms; else 408 and close. */
  bodyTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
  /** Requests being read or waiting for their acks at once, per listener; more wait unread (backpressure). */
  maxConcurrentRequests: number;
}

/** `listen:` — a listener absent here is not started. Its keys are {@link LISTEN_KEYS}. */
export interface ListenConfig {
  udp?: UdpListenerConfig;
  tcp?: ListenerConfig;
  /** One or more TLS listeners (`listen.tls` may be a mapping or a list). */
  tls?: TlsListenerConfig[];
  relp?: RelpListenerConfig;
  /** One or more HTTP(S) intake listeners (`listen.http` may be a mapping or a list). */
  http?: HttpListenerConfig[];
  /** HTTP `/metrics` and `/healthz`; keep it on a private address. */
  admin?: ListenerConfig;
  /** The web page and its read API (`/`, `/api/v1/…`), 127.0.0.1:9515 by default; `tls: true` for HTTPS. */
  web?: WebListenerConfig;
}

/**
 * The web page's listener (issue 13): its own port, never the admin one. With `tls: true` it
 * speaks HTTPS with the same certificate options as a TLS listener (`cert`/`key` absent → the
 * generated set in certsDir).
 */
export interface WebListenerConfig extends TlsListenerConfig {
  tls: boolean;
}

/** `web:` — who may read the stored logs through the web page and its API. */
export interface WebConfig {
  /** Operator keys (UUIDs, lowercased): they read every app. */
  adminKeys: string[];
  /** A page session (the `sr_session` cookie) ends this long after its login, seconds. */
  sessionTtlSeconds: number;
}

/** One tenant. `token` is a UUID (any case); `allowedSources` are CIDRs or plain addresses. */
export interface AppConfig {
  /** 1–64 of `A-Z a-z 0-9 . _ -`, starting alphanumeric; names the store directory. */
  name: string;
  /** Lowercased UUID; null = none. */
  token: string | null;
  allowedSources: string[];
  /** SHA-256 fingerprints of client certificates, canonical `AB:CD:…` form. */
  certFingerprints: string[];
  /** Client certificate subjects, as `CN=…,O=…` in certificate order (see certs/fingerprint.ts). */
  certSubjects: string[];
  /** Token-bucket rate limit, events/s; null = none. */
  maxEventsPerSecond: number | null;
  /** Token-bucket size (events allowed at once); null = maxEventsPerSecond. */
  burstEvents: number | null;
  /** Daily volume cap in received bytes per UTC day; null = none. */
  maxBytesPerDay: number | null;
  /** Keys (UUIDs, lowercased) that read this app through the web API; never an intake token. */
  readKeys: string[];
}

/** `storage:` — the embedded file store (DESIGN §7). */
export interface StorageConfig {
  /** Root of `<app>/<YYYY-MM-DD>.ndjson`; relative paths resolve against the config file. */
  dir: string;
  /** fdatasync every batch (the durability promise); false only for throwaway setups. */
  fsync: boolean;
  /** Longest a record waits in memory before its batch is written, ms. */
  flushIntervalMs: number;
  /** Day files older than this many days are deleted (hourly and at start); 0 = forever. */
  retentionDays: number;
  /** Size cap of the whole store, bytes: the oldest days are deleted first; 0 = none. */
  maxBytes: number;
  /** Pending bytes in the batcher above which stream sockets are paused. */
  highWaterBytes: number;
  /** Where records are stored: `file` (the per-app NDJSON files under `dir`) or `jetstream` (a NATS JetStream stream). */
  type: StorageType;
  /** `storage.jetstream`: the stream for `type: jetstream` (its defaults when absent); null with `type: file` and no such key. */
  jetstream: JetStreamConfig | null;
}

/** `storage.type` values. */
export const STORAGE_TYPES = ['file', 'jetstream'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/** `storage.jetstream:` — the NATS JetStream stream records are published to (the scale-out issue). */
export interface JetStreamConfig {
  /** `nats://host:port` (or `tls://`) URLs of the cluster's servers. */
  servers: string[];
  /** Stream name; created at start when missing and `createStream` is true. */
  stream: string;
  /** Subject of a record: `<subjectPrefix>.<app>` (never the token). */
  subjectPrefix: string;
  /** Replicas of a stream the receiver creates (1, 3 or 5 in practice). */
  replicas: number;
  /** Size limit of a stream the receiver creates, bytes; 0 = none. Discard policy "new": a full stream is backpressure, never silent loss. */
  maxBytes: number;
  /** Unacknowledged publishes per receiver at most. */
  maxInFlight: number;
  /** Create the stream at start when it is missing; false: it must exist. */
  createStream: boolean;
  /** A publish without a PubAck after this long is retried with the same Nats-Msg-Id, ms. */
  ackTimeoutMs: number;
  /** First part of every Nats-Msg-Id (a random part per start follows); null = the host name. */
  instanceId: string | null;
  /** Credentials, at most one kind: user + password, token, an NKey seed file or a creds (JWT) file. Paths resolve against the config file. */
  user: string | null;
  password: string | null;
  token: string | null;
  nkeySeedFile: string | null;
  credsFile: string | null;
  /** TLS to the servers: CA (PEM) to verify them, client certificate and key when they require one; null = as the URLs say. */
  tls: { ca: string | null; cert: string | null; key: string | null } | null;
}

/** `archive:` — `syslog-receiver archive`: the durable pull consumer that writes the stream into `storage.dir` (the scale-out issue). */
export interface ArchiveConfig {
  /** Durable consumer name; also names the archive's journal `<storage.dir>/.archive-<durable>.journal`. One archiver process per durable. */
  durable: string;
  /** The subjects this archiver takes (`<subjectPrefix>.>` when null): one archiver per filter spreads the apps over several processes. */
  filterSubject: string | null;
  /** Messages per fetch and per group commit at most. */
  batchSize: number;
  /** A fetch returns what it has after this long, ms (the archive's latency at low rates). */
  maxWaitMs: number;
  /** The consumer's ack wait: an unacknowledged message is redelivered after this long, ms. */
  ackWaitMs: number;
}

/** `outputs[].type` values: where an output ships records (the forwarding issue). */
export const OUTPUT_TYPES = ['elasticsearch', 'http', 'syslog'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

/**
 * One entry of `outputs:` (the forwarding issue): a copy of each app's stored records, shipped
 * at least once to Elasticsearch/OpenSearch (`_bulk`), an HTTP(S) NDJSON API, or another syslog
 * receiver (RFC 5424, octet counting, over TCP or TLS). The store is the outbox: the output
 * reads the day files behind a cursor of its own (`<storage.dir>/.outputs/<name>/`).
 */
export interface OutputConfig {
  /** 1–64 of `A-Z a-z 0-9 . _ -`, starting alphanumeric; names its state directory, logs and metrics. */
  name: string;
  type: OutputType;
  /** The app names it ships; null = every app in the store. */
  apps: string[] | null;
  /**
   * `elasticsearch`: the base URL (`http(s)://host:9200[/prefix]`); `http`: the URL template
   * (`{app}` and `{token}` are replaced, URL-encoded); `syslog`: `tcp://host:port` or `tls://host:port`.
   */
  url: string;
  /** `elasticsearch`: the index of a record, `{app}` and the day of receipt (`{yyyy}`, `{MM}`, `{dd}`, `{yyyy.MM.dd}`). */
  index: string;
  /**
   * Per-app secrets of this output (app name → value), never the app's intake token: `{token}` in
   * an `http` URL; the APP-NAME of `syslog` messages (another receiver's token). An app without
   * one is not shipped by an output whose URL needs `{token}`.
   */
  tokens: Record<string, string>;
  /** Credentials, at most one kind: basic (username + password), `apiKey` (Elasticsearch `ApiKey`), `bearerToken`. */
  username: string | null;
  password: string | null;
  apiKey: string | null;
  bearerToken: string | null;
  /** Extra request headers (`http`, `elasticsearch`). */
  headers: Record<string, string>;
  /** gzip request bodies (`http`, `elasticsearch`). */
  gzip: boolean;
  /** Records per request at most. */
  batchMaxRecords: number;
  /** Bytes of records per request at most (a longer single record goes alone). */
  batchMaxBytes: number;
  /** A batch that is not full waits this long for more records, ms. */
  batchDelayMs: number;
  /** A request (or, for syslog, a connect and write) without an answer by then is retried, ms. */
  timeoutMs: number;
  /** First retry delay, ms; doubled per attempt (with jitter) up to {@link maxBackoffMs}. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** `/healthz` reports the output once its oldest unshipped record is older than this, s. */
  maxLagSeconds: number;
  /** TLS to the destination: CA (PEM) to verify it, client certificate and key; null = system CAs. */
  tls: { ca: string | null; cert: string | null; key: string | null; rejectUnauthorized: boolean } | null;
}

/** `pipeline:` — how many threads parse, authorize and serialize (DESIGN §9). */
export interface PipelineConfig {
  /**
   * Parse threads: `auto` = `os.availableParallelism()` (the CPUs this process may run on);
   * 1 = everything on the main thread; N > 1 = N worker threads, with the sockets, quotas, the
   * store and RELP on the main thread.
   */
  workers: number | 'auto';
}

/** `limits:` */
export interface LimitsConfig {
  /** A frame longer than this is cut to it and stored with `syslog.truncated`, bytes. */
  maxMessageBytes: number;
  /** Per stream listener; extra connections are closed at once and counted. */
  maxConnections: number;
  /** A stream connection silent for this long is closed, ms (0 = never). */
  idleTimeoutMs: number;
  /** Largest HTTP request body, bytes, after gzip/deflate decoding too; larger → 413. */
  maxHttpBodyBytes: number;
}

/** `auth:` — the CEE field names that carry a token (DESIGN §6 rule 1). */
export interface AuthConfig {
  tokenFields: string[];
}

/** The validated, frozen configuration. */
export interface Config {
  listen: ListenConfig;
  /** Where a generated certificate set lives (TLS listeners without cert/key). */
  certsDir: string;
  apps: AppConfig[];
  storage: StorageConfig;
  limits: LimitsConfig;
  pipeline: PipelineConfig;
  auth: AuthConfig;
  archive: ArchiveConfig;
  /** Forwarding: where copies of the stored records go (empty = none). */
  outputs: OutputConfig[];
  /** The web page's keys (`listen.web` serves it). */
  web: WebConfig;
  /** SIGTERM/SIGINT: flush and exit within this, ms; past it the process exits 1 anyway. */
  shutdownTimeoutMs: number;
  /** pino level for our own logs. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** The listener names of `listen:`, in the order they are started and described. */
export const LISTEN_KEYS = ['udp', 'tcp', 'tls', 'relp', 'http', 'admin', 'web'] as const;
/** One of {@link LISTEN_KEYS}. */
export type ListenKey = (typeof LISTEN_KEYS)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
const CLIENT_AUTH = ['none', 'optional', 'required'] as const;
const APP_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A token: an RFC 4122 UUID in 8-4-4-4-12 hex form, any case (DESIGN §6). */
export function isToken(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) { if (c !== 45) return false; continue; }
    const hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (!hex) return false;
  }
  return true;
}

/**
 * Thrown by {@link validateConfig} and config/load.ts with every problem found.
 * `errors` are `path: message` strings (`apps[1].token: must be a UUID …`, `(yaml): …` for
 * syntax errors); `message` is `<source> is invalid:` followed by one `  - error` line each.
 */
export class ConfigError extends Error {
  readonly code = ErrorCodes.CONFIG_INVALID;
  constructor(readonly errors: string[], source = 'config') {
    super(`${source} is invalid:\n  - ${errors.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

// ---------------------------------------------------------------------------------------------
// Building blocks. Each leaf carries its own message, so an issue never shows zod's default text.

type Obj = Record<string, unknown>;
/** A plain mapping (not null, not an array), as YAML parses one. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
type Ctx = z.core.$RefinementCtx;
/** Runs a refinement even when fields inside its value failed (they keep their raw input). */
const always = { when: () => true } as const;

const NON_EMPTY = 'must be a non-empty string';

/** An integer in [min, max]; one message for a wrong type, a fraction and the range. */
const int = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const str = () => z.string({ error: NON_EMPTY }).min(1, { error: NON_EMPTY, abort: true });
const bool = () => z.boolean({ error: 'must be true or false' });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });
/** An optional non-empty string: absent or null → null. */
const optStr = () => str().nullable().default(null);
const address = () => str().superRefine((v, ctx) => {
  if (isIP(v) === 0) ctx.addIssue({ code: 'custom', message: `"${v}" is not an IPv4 or IPv6 address` });
});
/** A list of `item`; absent or null → `[]`. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === null ? undefined : v), z.array(item, { error: 'must be a list' }).default([]));

/**
 * A YAML mapping with exactly the keys of `shape`: an unknown key is reported once per key,
 * with the known ones (see {@link formatIssues}); anything but a mapping is `must be a mapping`.
 */
function mapping<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = `unknown key (known: ${Object.keys(shape).join(', ')})`;
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? known : 'must be a mapping') });
}
/** null (an empty YAML value, `udp:`) reads as `{}`, so every key of the mapping takes its default. */
const nullAsEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === null ? {} : v), schema);

// ---------------------------------------------------------------------------------------------
// Listeners

const listenerShape = (addr: string, port: number) => ({
  address: address().default(addr),
  port: int(0, 65535).default(port),
});

/** `{address, port}`; absent → not started; null or `{}` → started with these defaults. */
const listener = (addr: string, port: number) => nullAsEmpty(mapping(listenerShape(addr, port)));

const tlsShape = (port: number) => ({
  ...listenerShape('0.0.0.0', port),
  cert: optStr(),
  key: optStr(),
  ca: optStr(),
  clientAuth: oneOf(CLIENT_AUTH).default('none'),
  minVersion: oneOf(TLS_VERSIONS).default('TLSv1.2'),
  maxVersion: oneOf(TLS_VERSIONS).default('TLSv1.3'),
  ciphers: optStr(),
  handshakeTimeoutMs: int(100, 600_000).default(10_000),
});

/** Cross-field checks of one TLS (or RELP) listener mapping; `t` is partly parsed. */
function checkTls(t: unknown, ctx: Ctx): void {
  if (!isObj(t)) return;
  const given = (v: unknown): boolean => v !== undefined && v !== null;
  if (given(t.cert) !== given(t.key)) {
    ctx.addIssue({ code: 'custom', path: [], message: 'set both cert and key, or neither (a certificate set is then generated in certsDir)' });
  }
  if ((t.clientAuth === 'optional' || t.clientAuth === 'required') && !given(t.ca) && given(t.cert)) {
    ctx.addIssue({ code: 'custom', path: ['ca'], message: `required when clientAuth is ${t.clientAuth} (the CA that client certificates must chain to)` });
  }
  if (t.minVersion === 'TLSv1.3' && t.maxVersion === 'TLSv1.2') {
    ctx.addIssue({ code: 'custom', path: ['maxVersion'], message: 'is below minVersion' });
  }
}

const TlsListenerSchema = nullAsEmpty(mapping(tlsShape(10514)).superRefine(checkTls, always));

const RelpListenerSchema = mapping({
  ...tlsShape(20514),
  tls: bool().default(false),
  maxUnackedFrames: int(1, 1_000_000).default(1024),
  onWriteError: oneOf(['nack', 'close']).default('nack'),
}).superRefine(checkTls, always);

const HttpListenerSchema = nullAsEmpty(mapping({
  ...tlsShape(9200),
  tls: bool().default(false),
  headerTimeoutMs: int(100, 600_000).default(10_000),
  bodyTimeoutMs: int(100, 3_600_000).default(60_000),
  keepAliveTimeoutMs: int(100, 3_600_000).default(65_000),
  maxConcurrentRequests: int(1, 100_000).default(64),
}).superRefine(checkTls, always).superRefine((h, ctx) => {
  // the whole request includes its headers (Node refuses a header timeout above the request timeout)
  if (isObj(h) && typeof h.headerTimeoutMs === 'number' && typeof h.bodyTimeoutMs === 'number' && h.bodyTimeoutMs < h.headerTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['bodyTimeoutMs'], message: `must be at least headerTimeoutMs (${h.headerTimeoutMs}): it bounds the whole request, headers included` });
  }
}, always));

/** A mapping (one listener) or a list of them; absent or null → none. Output: always a list. */
const oneOrMore = <T extends z.ZodType>(schema: T, what: string) => z.union([schema, z.array(schema).superRefine((l, ctx) => checkPorts(l, ctx, what), always)], { error: 'must be a mapping or a list of mappings' })
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : Array.isArray(v) ? v : [v]))
  .optional();

const ListenSchema = nullAsEmpty(mapping({
  udp: nullAsEmpty(mapping({ ...listenerShape('0.0.0.0', 514), recvBufferBytes: int(0, 2 ** 31 - 1).default(8 * 1024 * 1024), reader: oneOf(UDP_READERS).default('auto') })).optional(),
  tcp: listener('0.0.0.0', 514).optional(),
  tls: oneOrMore(TlsListenerSchema, 'TLS'),
  /** Absent or null → not started. */
  relp: RelpListenerSchema.nullish().transform((v) => v ?? undefined).optional(),
  http: oneOrMore(HttpListenerSchema, 'HTTP'),
  admin: listener('127.0.0.1', 9514).optional(),
  web: nullAsEmpty(mapping({ ...tlsShape(9515), address: address().default('127.0.0.1'), tls: bool().default(false) }).superRefine(checkTls, always)).optional(),
} satisfies Record<ListenKey, z.ZodType>).superRefine(checkListen, always)
  // a key given as `undefined` (from code, not YAML) means "not started", like an absent one
  .transform((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as typeof l)).prefault({});

/** At least one listener. `l` is partly parsed. */
function checkListen(l: unknown, ctx: Ctx): void {
  if (!isObj(l)) return;
  // a malformed listener (`tls: 5`) counts as given: it is reported by itself
  const given = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
  if (l.udp === undefined && l.tcp === undefined && !given(l.tls) && !given(l.relp) && !given(l.http)) {
    ctx.addIssue({ code: 'custom', path: [], message: 'no listener configured (add listen.udp, listen.tcp, listen.tls, listen.relp and/or listen.http)' });
  }
}

/** Listeners of one kind (`what`: TLS, HTTP) on distinct address:port (port 0 excepted). `list` is partly parsed. */
function checkPorts(list: unknown, ctx: Ctx, what: string): void {
  if (!Array.isArray(list)) return;
  const ports = new Set<string>();
  list.forEach((t: unknown, i) => {
    if (!isObj(t) || typeof t.address !== 'string' || isIP(t.address) === 0 || !Number.isInteger(t.port)) return;
    const k = `${t.address}:${String(t.port)}`;
    if (t.port !== 0 && ports.has(k)) ctx.addIssue({ code: 'custom', path: [i, 'port'], message: `${k} is used by another ${what} listener` });
    ports.add(k);
  });
}

// ---------------------------------------------------------------------------------------------
// Apps

const TOKEN_MSG = 'must be a UUID like 2bfbea1e-10c3-4419-bdad-7e6435882e1f (make one with `syslog-receiver token new`)';
const FINGERPRINT_MSG = 'is not a SHA-256 fingerprint (64 hex digits, with or without colons, as `openssl x509 -fingerprint -sha256` prints)';
const SUBJECT_MSG = 'must be a subject like CN=client1,O=Example';
const cidrMsg = (iss: { input?: unknown }): string => `"${String(iss.input)}" is not an IPv4/IPv6 address or CIDR`;

const AppSchema = nullAsEmpty(mapping({
  name: str().regex(APP_NAME_RE, { error: 'must be 1-64 of A-Z a-z 0-9 . _ - (it names a directory), starting alphanumeric' }),
  token: z.string({ error: TOKEN_MSG }).refine(isToken, { error: TOKEN_MSG }).transform((t) => t.toLowerCase()).nullable().default(null),
  allowedSources: z.array(z.string({ error: cidrMsg }).refine((c) => parseCidr(c) !== null, { error: cidrMsg }), { error: 'must be a list of CIDRs' }).default([]),
  /** Normalized to the canonical `AB:CD:…` form. */
  certFingerprints: list(z.string({ error: FINGERPRINT_MSG })
    .refine((f) => normalizeFingerprint(f) !== null, { error: FINGERPRINT_MSG })
    .transform((f) => normalizeFingerprint(f)!)),
  certSubjects: list(z.string({ error: SUBJECT_MSG }).min(1, { error: SUBJECT_MSG })),
  maxEventsPerSecond: int(1, 10_000_000).nullable().default(null),
  burstEvents: int(1, 100_000_000).nullable().default(null),
  maxBytesPerDay: int(1, Number.MAX_SAFE_INTEGER).nullable().default(null),
  readKeys: list(keySchema()),
}).superRefine(checkApp, always));

/** A web read key: a UUID like a token (`token new --read` makes one), lowercased. */
function keySchema() {
  return z.string({ error: TOKEN_MSG }).refine(isToken, { error: TOKEN_MSG }).transform((t) => t.toLowerCase());
}

/** An app must be reachable somehow. Only when none of the four is given at all: a bad one is reported by itself. */
function checkApp(a: unknown, ctx: Ctx): void {
  if (!isObj(a)) return;
  const given = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
  if (!given(a.token) && !given(a.allowedSources) && !given(a.certFingerprints) && !given(a.certSubjects)) {
    ctx.addIssue({ code: 'custom', path: [], message: 'needs a token, allowedSources, certFingerprints or certSubjects, or it can never receive anything' });
  }
}

/**
 * Across apps: unique names and tokens, a certificate fingerprint or subject mapped to one app
 * only, no address in two apps' allowedSources (DESIGN §6 rule 4). Only well-formed values take
 * part; malformed ones are reported by their own schema.
 */
function checkApps(apps: unknown, ctx: Ctx): void {
  if (!Array.isArray(apps)) return;
  const names = new Set<string>();
  const tokens = new Map<string, string>();
  const owners = { certFingerprints: new Map<string, string>(), certSubjects: new Map<string, string>() };
  const nets: Array<{ app: number; cidr: string; address: string; prefix: number; family: 'ipv4' | 'ipv6'; bl: BlockList }> = [];
  apps.forEach((a: unknown, i) => {
    if (!isObj(a)) return;
    const name = isNonEmptyString(a.name) ? a.name : '';
    if (name) {
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate app name "${name}"` });
      names.add(name);
    }
    if (typeof a.token === 'string' && isToken(a.token)) {
      const token = a.token.toLowerCase();
      const other = tokens.get(token);
      if (other !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'token'], message: `same token as app "${other}"` });
      else tokens.set(token, name);
    }
    for (const what of ['certFingerprints', 'certSubjects'] as const) {
      const values = Array.isArray(a[what]) ? (a[what] as unknown[]) : [];
      for (const raw of values) {
        const v = what === 'certFingerprints' ? (typeof raw === 'string' ? normalizeFingerprint(raw) : null) : (isNonEmptyString(raw) ? raw : null);
        if (v === null) continue;
        const other = owners[what].get(v);
        if (other !== undefined && other !== name) ctx.addIssue({ code: 'custom', path: [i, what], message: `${v} is already mapped to app "${other}"` });
        owners[what].set(v, name);
      }
    }
    for (const c of Array.isArray(a.allowedSources) ? (a.allowedSources as unknown[]) : []) {
      const n = typeof c === 'string' ? parseCidr(c) : null;
      if (n === null) continue;
      const bl = new BlockList();
      bl.addSubnet(n.address, n.prefix, n.family);
      nets.push({ app: i, cidr: c as string, ...n, bl });
    }
  });
  for (let x = 0; x < nets.length; x++) {
    for (let y = x + 1; y < nets.length; y++) {
      const a = nets[x], b = nets[y];
      if (a.app === b.app || a.family !== b.family) continue;
      const overlap = a.prefix <= b.prefix ? a.bl.check(b.address, b.family) : b.bl.check(a.address, a.family);
      if (overlap) {
        ctx.addIssue({ code: 'custom', path: [b.app, 'allowedSources'], message: `${b.cidr} overlaps ${a.cidr} of apps[${a.app}] (an address may belong to one app only)` });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Storage, limits, auth, root

/** A NATS subject token: no `.`, `*`, `>` or whitespace. */
const SUBJECT_TOKEN_RE = /^[A-Za-z0-9_-]+$/;
const NATS_URL_RE = /^(nats|tls):\/\/[^\s/]+(:\d+)?$/;
const JetStreamSchema = mapping({
  servers: z.array(str().regex(NATS_URL_RE, { error: 'must be a nats://host:port or tls://host:port URL' }), { error: 'must be a list of URLs' }).min(1, { error: 'must list at least one server' }).default(['nats://127.0.0.1:4222']),
  stream: str().regex(SUBJECT_TOKEN_RE, { error: 'must be a stream name: A-Z a-z 0-9 _ -' }).default('SYSLOG'),
  subjectPrefix: str().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: 'must be subject tokens separated by dots (no * or >)' }).default('syslog'),
  replicas: int(1, 5).default(1),
  maxBytes: int(0, Number.MAX_SAFE_INTEGER).default(0),
  maxInFlight: int(1, 65_536).default(1024),
  createStream: bool().default(true),
  ackTimeoutMs: int(100, 600_000).default(5000),
  instanceId: optStr(),
  user: optStr(),
  password: optStr(),
  token: optStr(),
  nkeySeedFile: optStr(),
  credsFile: optStr(),
  tls: nullAsEmpty(mapping({ ca: optStr(), cert: optStr(), key: optStr() })).nullable().default(null),
}).superRefine((j, ctx) => {
  const kinds = [j.user !== null || j.password !== null, j.token !== null, j.nkeySeedFile !== null, j.credsFile !== null].filter(Boolean).length;
  if (kinds > 1) ctx.addIssue({ code: 'custom', path: [], message: 'give one kind of credentials: user + password, token, nkeySeedFile or credsFile' });
  if ((j.user === null) !== (j.password === null)) ctx.addIssue({ code: 'custom', path: [j.user === null ? 'user' : 'password'], message: 'user and password go together' });
});

const StorageSchema = nullAsEmpty(mapping({
  dir: str().default('data'),
  fsync: bool().default(true),
  flushIntervalMs: int(0, 60_000).default(20),
  retentionDays: int(0, 36_500).default(14),
  maxBytes: int(0, Number.MAX_SAFE_INTEGER).default(0),
  highWaterBytes: int(65_536, 2 ** 32).default(4 * 1024 * 1024),
  type: oneOf(STORAGE_TYPES).default('file'),
  jetstream: nullAsEmpty(JetStreamSchema).nullable().default(null),
})).transform((s) => (s.type === 'jetstream' && s.jetstream === null ? { ...s, jetstream: JetStreamSchema.parse({}) } : s)).prefault({});

const LimitsSchema = nullAsEmpty(mapping({
  maxMessageBytes: int(480, 16 * 1024 * 1024).default(65_536),
  maxConnections: int(1, 1_000_000).default(10_000),
  idleTimeoutMs: int(0, 2 ** 31 - 1).default(600_000),
  maxHttpBodyBytes: int(1024, 2 ** 30).default(10 * 1024 * 1024),
})).prefault({});

const PipelineSchema = nullAsEmpty(mapping({
  workers: z.custom<number | 'auto'>((v) => v === 'auto' || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 256), { error: 'must be auto or an integer from 1 to 256' }).default('auto'),
})).prefault({});

const ArchiveSchema = nullAsEmpty(mapping({
  durable: str().regex(SUBJECT_TOKEN_RE, { error: 'must be a consumer name: A-Z a-z 0-9 _ -' }).default('syslog-archive'),
  filterSubject: str().regex(/^[A-Za-z0-9_-]+(\.([A-Za-z0-9_-]+|\*))*(\.>)?$/, { error: 'must be a NATS subject (tokens separated by dots, * and a final > allowed)' }).nullable().default(null),
  batchSize: int(1, 100_000).default(2000),
  maxWaitMs: int(10, 60_000).default(200),
  ackWaitMs: int(1000, 3_600_000).default(30_000),
})).prefault({});

const OUTPUT_URL: Record<OutputType, RegExp> = { elasticsearch: /^https?:\/\/[^\s/]+(\/\S*)?$/, http: /^https?:\/\/[^\s/]+(\/\S*)?$/, syslog: /^(tcp|tls):\/\/[^\s/]+:\d+$/ };
const OUTPUT_URL_MSG: Record<OutputType, string> = { elasticsearch: 'must be an http:// or https:// URL', http: 'must be an http:// or https:// URL', syslog: 'must be tcp://host:port or tls://host:port' };
const stringMap = (what: string) => z.record(z.string(), z.string({ error: `must be a ${what} string` }).min(1, { error: `must be a non-empty ${what}` }), { error: 'must be a mapping' }).default({});
const OutputSchema = z.preprocess(checkOutputKeys, mapping({
  name: str().regex(APP_NAME_RE, { error: 'must be 1-64 of A-Z a-z 0-9 . _ - (it names a directory), starting alphanumeric' }),
  type: oneOf(OUTPUT_TYPES),
  apps: z.array(str(), { error: 'must be a list of app names' }).nullable().default(null),
  url: str(),
  index: str().default('logs-{app}-{yyyy.MM.dd}'),
  tokens: stringMap('secret'),
  username: optStr(),
  password: optStr(),
  apiKey: optStr(),
  bearerToken: optStr(),
  headers: stringMap('header value'),
  gzip: bool().default(false),
  batchMaxRecords: int(1, 100_000).default(1000),
  batchMaxBytes: int(1024, 1024 ** 3).default(5 * 1024 * 1024),
  batchDelayMs: int(0, 600_000).default(1000),
  timeoutMs: int(100, 3_600_000).default(30_000),
  minBackoffMs: int(1, 3_600_000).default(500),
  maxBackoffMs: int(1, 3_600_000).default(60_000),
  maxLagSeconds: int(1, 365 * 86_400).default(300),
  tls: nullAsEmpty(mapping({ ca: optStr(), cert: optStr(), key: optStr(), rejectUnauthorized: bool().default(true) })).nullable().default(null),
}).superRefine(checkOutput, always));

/** Keys given (before defaults) that the output's type does not use. */
const UNUSED_KEYS: Record<OutputType, readonly string[]> = {
  elasticsearch: ['tokens'],
  http: ['index'],
  syslog: ['index', 'username', 'password', 'apiKey', 'bearerToken', 'headers', 'gzip'],
};

/** Reports keys the entry's type ignores (raw input, before defaults); returns the input unchanged. */
function checkOutputKeys(o: unknown, ctx: Ctx): unknown {
  if (!isObj(o) || !(OUTPUT_TYPES as readonly unknown[]).includes(o.type)) return o;
  for (const k of UNUSED_KEYS[o.type as OutputType]) {
    if (o[k] !== undefined && o[k] !== null) ctx.addIssue({ code: 'custom', path: [k], message: `is not used by a ${String(o.type)} output`, input: o[k] });
  }
  return o;
}

/** One output's cross-field rules; `o` is partly parsed. */
function checkOutput(o: unknown, ctx: Ctx): void {
  if (!isObj(o)) return;
  const type = (OUTPUT_TYPES as readonly unknown[]).includes(o.type) ? (o.type as OutputType) : null;
  if (type !== null && typeof o.url === 'string' && !OUTPUT_URL[type].test(o.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: `${OUTPUT_URL_MSG[type]} (type ${type})` });
  const given = (k: string): boolean => o[k] !== undefined && o[k] !== null;
  const kinds = [given('username') || given('password'), given('apiKey'), given('bearerToken')].filter(Boolean).length;
  if (kinds > 1) ctx.addIssue({ code: 'custom', path: [], message: 'give one kind of credentials: username + password, apiKey or bearerToken' });
  if (given('username') !== given('password')) ctx.addIssue({ code: 'custom', path: [given('username') ? 'password' : 'username'], message: 'username and password go together' });
  if (typeof o.url === 'string' && o.url.includes('{token}') && type === 'elasticsearch') ctx.addIssue({ code: 'custom', path: ['url'], message: '{token} is for http outputs (an elasticsearch output authenticates with username/password, apiKey or bearerToken)' });
  if (typeof o.minBackoffMs === 'number' && typeof o.maxBackoffMs === 'number' && o.maxBackoffMs < o.minBackoffMs) ctx.addIssue({ code: 'custom', path: ['maxBackoffMs'], message: `must be at least minBackoffMs (${o.minBackoffMs})` });
}

/** Across outputs, and against `apps:`: unique names, known app names, a token for every app when the URL needs `{token}`. */
function checkOutputs(c: { outputs: unknown; apps: unknown }, ctx: Ctx): void {
  if (!Array.isArray(c.outputs)) return;
  const appNames = Array.isArray(c.apps) ? c.apps.filter(isObj).map((a) => a.name).filter(isNonEmptyString) : [];
  const names = new Set<string>();
  c.outputs.forEach((o: unknown, i) => {
    if (!isObj(o)) return;
    if (isNonEmptyString(o.name)) {
      if (names.has(o.name)) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'name'], message: `duplicate output name "${o.name}"` });
      names.add(o.name);
    }
    const apps = Array.isArray(o.apps) ? o.apps.filter(isNonEmptyString) : null;
    apps?.forEach((a, j) => {
      if (!appNames.includes(a)) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'apps', j], message: `"${a}" is not an app of apps:` });
    });
    if (isObj(o.tokens)) {
      for (const a of Object.keys(o.tokens)) if (!appNames.includes(a)) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'tokens', a], message: `"${a}" is not an app of apps:` });
      if (typeof o.url === 'string' && o.url.includes('{token}')) {
        for (const a of apps ?? appNames) if (appNames.includes(a) && !(a in o.tokens)) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'tokens'], message: `has no token for app "${a}" (the url needs {token})` });
      }
    }
  });
}

/**
 * Web keys against intake tokens: a read or admin key is never an app's token (the token is
 * written into senders' configs and logs; reading must need its own secret). Duplicates within
 * one list are reported; the same key in two apps' readKeys reads both.
 */
function checkKeys(c: { apps: unknown; web: unknown }, ctx: Ctx): void {
  const apps = Array.isArray(c.apps) ? c.apps.filter(isObj) : [];
  const tokens = new Map<string, string>();
  for (const a of apps) if (typeof a.token === 'string') tokens.set(a.token.toLowerCase(), String(a.name));
  const check = (keys: unknown, path: Array<string | number>): void => {
    if (!Array.isArray(keys)) return;
    const seen = new Set<string>();
    keys.forEach((k, j) => {
      if (typeof k !== 'string') return;
      const key = k.toLowerCase();
      const owner = tokens.get(key);
      if (owner !== undefined) ctx.addIssue({ code: 'custom', path: [...path, j], message: `is the intake token of app "${owner}": a read key must be its own secret (syslog-receiver token new --read <app>)` });
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [...path, j], message: 'is listed twice' });
      seen.add(key);
    });
  };
  (Array.isArray(c.apps) ? c.apps : []).forEach((a: unknown, i) => { if (isObj(a)) check(a.readKeys, ['apps', i, 'readKeys']); });
  if (isObj(c.web)) check(c.web.adminKeys, ['web', 'adminKeys']);
}

const TOKEN_FIELDS_MSG = 'must be a non-empty list of field names';
const AuthSchema = nullAsEmpty(mapping({
  tokenFields: z.array(str(), { error: TOKEN_FIELDS_MSG }).min(1, { error: TOKEN_FIELDS_MSG }).default(['logsene-app-token']),
})).prefault({});

/**
 * The whole config file. Input: the parsed YAML document (plain objects, arrays, scalars);
 * null or undefined reads as an empty document. Output: a {@link Config} with every default
 * applied (not yet frozen; {@link validateConfig} freezes it and formats the issues).
 */
export const ConfigSchema = z.preprocess((v) => v ?? {}, mapping({
  listen: ListenSchema,
  apps: z.array(AppSchema, { error: 'must be a list' }).superRefine(checkApps, always).default([]),
  storage: StorageSchema,
  limits: LimitsSchema,
  pipeline: PipelineSchema,
  auth: AuthSchema,
  archive: ArchiveSchema,
  outputs: list(OutputSchema),
  web: nullAsEmpty(mapping({
    adminKeys: list(keySchema()),
    sessionTtlSeconds: int(60, 31_536_000).default(43_200),
  })).prefault({}),
  logLevel: oneOf(LOG_LEVELS).default('info'),
  certsDir: str().default('certs'),
  shutdownTimeoutMs: int(100, 600_000).default(10_000),
}).superRefine(checkOutputs, always).superRefine(checkKeys, always).superRefine((c, ctx) => {
  // with JetStream an app name is a subject token (`<subjectPrefix>.<app>`): no dots
  if (c.storage.type !== 'jetstream') return;
  c.apps.forEach((a, i) => {
    if (!SUBJECT_TOKEN_RE.test(a.name)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'name'], message: `"${a.name}" is not a NATS subject token (storage.type jetstream: A-Z a-z 0-9 _ - only, no dots)` });
  });
}));

// The hand-written interfaces above (kept for their docs) and the schema's output must agree.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const schemaMatchesConfig: Same<z.output<typeof ConfigSchema>, Config> = true;
const listenKeysMatchSchema: Same<keyof z.output<typeof ListenSchema>, ListenKey> = true;
void schemaMatchesConfig; void listenKeysMatchSchema;

// ---------------------------------------------------------------------------------------------
// Defaults: what the schema makes of empty input (never written a second time).

/**
 * The schema's output for a document that starts every listener with `{}` and sets nothing
 * else: every default in one object (deep-frozen). The first-run YAML is written from it.
 */
export const DEFAULT_CONFIG: Config = deepFreeze(ConfigSchema.parse({
  listen: Object.fromEntries(LISTEN_KEYS.map((k) => [k, {}])),
}));
/** `listen.udp: {}` — 0.0.0.0:514, an 8 MiB receive buffer. */
export const DEFAULT_UDP: UdpListenerConfig = DEFAULT_CONFIG.listen.udp!;
/** `listen.tcp: {}` — 0.0.0.0:514. */
export const DEFAULT_TCP: ListenerConfig = DEFAULT_CONFIG.listen.tcp!;
/** `listen.tls: {}` — 0.0.0.0:10514, no client certificates, a generated certificate set. */
export const DEFAULT_TLS: TlsListenerConfig = DEFAULT_CONFIG.listen.tls![0];
/** `listen.relp: {}` — 0.0.0.0:20514, plain RELP. */
export const DEFAULT_RELP: RelpListenerConfig = DEFAULT_CONFIG.listen.relp!;
/** `listen.http: {}` — 0.0.0.0:9200, plain HTTP. */
export const DEFAULT_HTTP: HttpListenerConfig = DEFAULT_CONFIG.listen.http![0];
/** `listen.admin: {}` — 127.0.0.1:9514. */
export const DEFAULT_ADMIN: ListenerConfig = DEFAULT_CONFIG.listen.admin!;
/** `listen.web: {}` — 127.0.0.1:9515, plain HTTP. */
export const DEFAULT_WEB: WebListenerConfig = DEFAULT_CONFIG.listen.web!;
/** `storage:` absent. */
export const DEFAULT_STORAGE: StorageConfig = DEFAULT_CONFIG.storage;
/** `limits:` absent. */
export const DEFAULT_LIMITS: LimitsConfig = DEFAULT_CONFIG.limits;
/** `auth:` absent. */
export const DEFAULT_AUTH: AuthConfig = DEFAULT_CONFIG.auth;
// ---------------------------------------------------------------------------------------------
// Issues → `path: message`

type Issue = z.core.$ZodIssue;

/** `['apps', 1, 'token']` → `apps[1].token`; `[]` → `(root)`. */
function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s === '' ? String(k) : `.${String(k)}`;
  return s === '' ? '(root)' : s;
}

/**
 * One `path: message` per problem: an unknown-keys issue becomes one line per key, and a
 * failed union (listen.tls: mapping or list) reports the errors of the branch that matches
 * the input's shape, or its own message when neither does.
 */
function formatIssues(issues: readonly Issue[], base: readonly PropertyKey[] = []): string[] {
  const out: string[] = [];
  for (const iss of issues) {
    const path = [...base, ...iss.path];
    if (iss.code === 'unrecognized_keys') {
      for (const k of iss.keys) out.push(`${formatPath(path)}.${k}: ${iss.message}`);
    } else if (iss.code === 'invalid_union') {
      const branch = iss.errors.find((errs) => !errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
      if (branch) out.push(...formatIssues(branch, path));
      else out.push(`${formatPath(path)}: ${iss.message}`);
    } else {
      out.push(`${formatPath(path)}: ${iss.message}`);
    }
  }
  return [...new Set(out)];
}

/**
 * Validates a parsed YAML document (plain objects, arrays, scalars; null/undefined = empty)
 * against {@link ConfigSchema}, applying every default. Relative paths are returned as written
 * (config/load.ts resolves them against the config file).
 * @param source names the config in the error message (a file path; default `config`)
 * @returns the config, deep-frozen
 * @throws ConfigError listing every problem at once, each as `path: message`
 */
export function validateConfig(input: unknown, source = 'config'): Config {
  const r = ConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(formatIssues(r.error.issues), source);
  return deepFreeze(r.data);
}

/** One `name address:port` entry per configured listener, e.g. `tls 0.0.0.0:10514`, in {@link LISTEN_KEYS} order. */
export function describeListeners(listen: ListenConfig): string[] {
  return LISTEN_KEYS.flatMap((k) => {
    const v = listen[k];
    const list: ListenerConfig[] = v === undefined ? [] : Array.isArray(v) ? v : [v];
    return list.map((l) => {
      const secure = (k === 'relp' || k === 'http' || k === 'web') && (l as HttpListenerConfig).tls;
      const name = k === 'relp' && secure ? 'relp+tls' : k;
      const scheme = k === 'admin' ? 'http://' : k === 'http' || k === 'web' ? (secure ? 'https://' : 'http://') : '';
      return `${name} ${scheme}${l.address}:${l.port}`;
    });
  });
}

/** Freezes `o` and everything reachable from it (in place); returns `o`. */
export function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

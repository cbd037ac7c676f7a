/**
 * Config shape, defaults and validation (DESIGN §8). YAML keys are camelCase with units in
 * their names; every default lives here. {@link validateConfig} reports every error at
 * once, each with its path (e.g. `apps[1].token`), and returns a frozen {@link Config}.
 */
import { BlockList, isIP } from 'node:net';
import { normalizeFingerprint } from '../certs/fingerprint.js';

/** One socket listener: bind address and port (0 = ephemeral, for tests). */
export interface ListenerConfig {
  address: string;
  port: number;
}

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

/** `listen:` — a listener absent here is not started. */
export interface ListenConfig {
  udp?: ListenerConfig;
  tcp?: ListenerConfig;
  /** One or more TLS listeners (`listen.tls` may be a mapping or a list). */
  tls?: TlsListenerConfig[];
  relp?: RelpListenerConfig;
  /** HTTP `/metrics` and `/healthz`; keep it on a private address. */
  admin?: ListenerConfig;
}

/** One tenant. `token` is a UUID (any case); `allowedSources` are CIDRs or plain addresses. */
export interface AppConfig {
  name: string;
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
}

/** `limits:` */
export interface LimitsConfig {
  /** A frame longer than this is cut to it and stored with `syslog.truncated`, bytes. */
  maxMessageBytes: number;
  /** Per stream listener; extra connections are closed at once and counted. */
  maxConnections: number;
  /** A stream connection silent for this long is closed, ms (0 = never). */
  idleTimeoutMs: number;
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
  auth: AuthConfig;
  /** SIGTERM/SIGINT: flush and exit within this, ms; past it the process exits 1 anyway. */
  shutdownTimeoutMs: number;
  /** pino level for our own logs. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export const DEFAULT_UDP: ListenerConfig = { address: '0.0.0.0', port: 514 };
export const DEFAULT_TCP: ListenerConfig = { address: '0.0.0.0', port: 514 };
export const DEFAULT_TLS: TlsListenerConfig = {
  address: '0.0.0.0', port: 10514, cert: null, key: null, ca: null, clientAuth: 'none',
  minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: null, handshakeTimeoutMs: 10000,
};
export const DEFAULT_STORAGE: StorageConfig = {
  dir: 'data', fsync: true, flushIntervalMs: 20, retentionDays: 14, maxBytes: 0, highWaterBytes: 16 * 1024 * 1024,
};
export const DEFAULT_LIMITS: LimitsConfig = { maxMessageBytes: 65536, maxConnections: 10000, idleTimeoutMs: 600000 };
export const DEFAULT_AUTH: AuthConfig = { tokenFields: ['logsene-app-token'] };
const TLS_KEYS = ['address', 'port', 'cert', 'key', 'ca', 'clientAuth', 'minVersion', 'maxVersion', 'ciphers', 'handshakeTimeoutMs'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

/** Thrown by {@link validateConfig}/load with every problem found; `errors` are `path: message`. */
export class ConfigError extends Error {
  readonly code = 'SYSLOG_ERR_CONFIG_INVALID';
  constructor(readonly errors: string[], source = 'config') {
    super(`${source} is invalid:\n  - ${errors.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects errors while reading a plain object against the schema. */
class Reader {
  readonly errors: string[] = [];
  err(path: string, msg: string): void { this.errors.push(`${path}: ${msg}`); }

  obj(v: unknown, path: string, known: readonly string[]): Obj {
    if (v === undefined || v === null) return {};
    if (!isObj(v)) { this.err(path, 'must be a mapping'); return {}; }
    for (const k of Object.keys(v)) if (!known.includes(k)) this.err(`${path}.${k}`, `unknown key (known: ${known.join(', ')})`);
    return v;
  }

  int(v: unknown, path: string, def: number, min: number, max: number): number {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.err(path, `must be an integer from ${min} to ${max}`);
      return def;
    }
    return v;
  }

  bool(v: unknown, path: string, def: boolean): boolean {
    if (v === undefined) return def;
    if (typeof v !== 'boolean') { this.err(path, 'must be true or false'); return def; }
    return v;
  }

  /** Validates a list, mapping each item; bad items are reported by `f` and left out. */
  list<T>(v: unknown, path: string, f: (item: unknown, itemPath: string) => T | null): T[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) { this.err(path, 'must be a list'); return []; }
    const out: T[] = [];
    v.forEach((item, i) => { const x = f(item, `${path}[${i}]`); if (x !== null) out.push(x); });
    return out;
  }

  str(v: unknown, path: string, def: string): string {
    if (v === undefined) return def;
    if (typeof v !== 'string' || v.length === 0) { this.err(path, 'must be a non-empty string'); return def; }
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, def: T, allowed: readonly T[]): T {
    if (v === undefined) return def;
    if (!allowed.includes(v as T)) { this.err(path, `must be one of ${allowed.join(', ')}`); return def; }
    return v as T;
  }

  optStr(v: unknown, path: string): string | null {
    return v === undefined || v === null ? null : this.str(v, path, '');
  }

  relp(v: unknown, path: string): RelpListenerConfig {
    const o = this.obj(v, path, [...TLS_KEYS, 'tls', 'maxUnackedFrames', 'onWriteError']);
    const { tls: _tls, maxUnackedFrames: _m, onWriteError: _w, ...rest } = o;
    return {
      ...this.tls(rest, path, { ...DEFAULT_TLS, port: 20514 }, false),
      tls: this.bool(o.tls, `${path}.tls`, false),
      maxUnackedFrames: this.int(o.maxUnackedFrames, `${path}.maxUnackedFrames`, 1024, 1, 1_000_000),
      onWriteError: this.oneOf(o.onWriteError, `${path}.onWriteError`, 'nack', ['nack', 'close'] as const),
    };
  }

  tls(v: unknown, path: string, d: TlsListenerConfig = DEFAULT_TLS, checkKeys = true): TlsListenerConfig {
    const o = checkKeys ? this.obj(v, path, TLS_KEYS) : (v as Obj);
    const base = this.listener({ address: o.address, port: o.port }, path, d)!;
    const cert = this.optStr(o.cert, `${path}.cert`);
    const key = this.optStr(o.key, `${path}.key`);
    if ((cert === null) !== (key === null)) this.err(path, 'set both cert and key, or neither (a certificate set is then generated in certsDir)');
    const clientAuth = this.oneOf(o.clientAuth, `${path}.clientAuth`, d.clientAuth, ['none', 'optional', 'required'] as const);
    const ca = this.optStr(o.ca, `${path}.ca`);
    if (clientAuth !== 'none' && ca === null && cert !== null) this.err(`${path}.ca`, `required when clientAuth is ${clientAuth} (the CA that client certificates must chain to)`);
    return {
      ...base, cert, key, ca, clientAuth,
      minVersion: this.oneOf(o.minVersion, `${path}.minVersion`, d.minVersion, ['TLSv1.2', 'TLSv1.3'] as const),
      maxVersion: this.oneOf(o.maxVersion, `${path}.maxVersion`, d.maxVersion, ['TLSv1.2', 'TLSv1.3'] as const),
      ciphers: this.optStr(o.ciphers, `${path}.ciphers`),
      handshakeTimeoutMs: this.int(o.handshakeTimeoutMs, `${path}.handshakeTimeoutMs`, d.handshakeTimeoutMs, 100, 600000),
    };
  }

  listener(v: unknown, path: string, def: ListenerConfig): ListenerConfig | undefined {
    if (v === undefined) return undefined;
    const o = this.obj(v, path, ['address', 'port']);
    const address = this.str(o.address, `${path}.address`, def.address);
    if (isIP(address) === 0) this.err(`${path}.address`, `"${address}" is not an IPv4 or IPv6 address`);
    return { address, port: this.int(o.port, `${path}.port`, def.port, 0, 65535) };
  }
}

/** Splits `a.b.c.d/nn` or an address into [address, prefix]; null when malformed. */
export function parseCidr(s: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const slash = s.indexOf('/');
  const address = slash < 0 ? s : s.slice(0, slash);
  const fam = isIP(address);
  if (fam === 0) return null;
  const max = fam === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  return { address, prefix, family: fam === 4 ? 'ipv4' : 'ipv6' };
}

const APP_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Validates a parsed YAML document against the schema, applying defaults.
 * @throws ConfigError listing every problem with its path
 */
export function validateConfig(input: unknown, source = 'config'): Config {
  const r = new Reader();
  const root = r.obj(input, '(root)', ['listen', 'apps', 'storage', 'limits', 'auth', 'logLevel', 'certsDir', 'shutdownTimeoutMs']);
  const l = r.obj(root.listen, 'listen', ['udp', 'tcp', 'tls', 'relp', 'admin']);
  const listen: ListenConfig = {};
  const udp = r.listener(l.udp, 'listen.udp', DEFAULT_UDP);
  const tcp = r.listener(l.tcp, 'listen.tcp', DEFAULT_TCP);
  if (udp) listen.udp = udp;
  if (tcp) listen.tcp = tcp;
  if (l.tls !== undefined && l.tls !== null) {
    listen.tls = Array.isArray(l.tls) ? l.tls.map((t, i) => r.tls(t, `listen.tls[${i}]`)) : [r.tls(l.tls, 'listen.tls')];
    const ports = new Set<string>();
    listen.tls.forEach((t, i) => {
      const k = `${t.address}:${t.port}`;
      if (t.port !== 0 && ports.has(k)) r.err(`listen.tls[${i}].port`, `${k} is used by another TLS listener`);
      ports.add(k);
    });
  }
  if (l.relp !== undefined && l.relp !== null) listen.relp = r.relp(l.relp, 'listen.relp');
  const admin = r.listener(l.admin, 'listen.admin', { address: '127.0.0.1', port: 9514 });
  if (admin) listen.admin = admin;
  if (!udp && !tcp && !listen.tls?.length && !listen.relp) r.err('listen', 'no listener configured (add listen.udp, listen.tcp, listen.tls and/or listen.relp)');

  const apps: AppConfig[] = [];
  if (root.apps !== undefined && !Array.isArray(root.apps)) r.err('apps', 'must be a list');
  const names = new Set<string>();
  const tokens = new Map<string, string>();
  const certOwners = new Map<string, string>();
  const subjectOwners = new Map<string, string>();
  (Array.isArray(root.apps) ? root.apps : []).forEach((a, i) => {
    const p = `apps[${i}]`;
    const o = r.obj(a, p, ['name', 'token', 'allowedSources', 'certFingerprints', 'certSubjects', 'maxEventsPerSecond', 'burstEvents', 'maxBytesPerDay']);
    const optInt = (k: string, max: number): number | null => (o[k] === undefined || o[k] === null ? null : r.int(o[k], `${p}.${k}`, 0, 1, max));
    const name = r.str(o.name, `${p}.name`, '');
    if (name && !APP_NAME_RE.test(name)) r.err(`${p}.name`, 'must be 1-64 of A-Z a-z 0-9 . _ - (it names a directory), starting alphanumeric');
    if (names.has(name)) r.err(`${p}.name`, `duplicate app name "${name}"`);
    names.add(name);
    let token: string | null = null;
    if (o.token !== undefined && o.token !== null) {
      if (typeof o.token !== 'string' || !isToken(o.token)) r.err(`${p}.token`, 'must be a UUID like 2bfbea1e-10c3-4419-bdad-7e6435882e1f (make one with `syslog-receiver token new`)');
      else {
        token = o.token.toLowerCase();
        const other = tokens.get(token);
        if (other !== undefined) r.err(`${p}.token`, `same token as app "${other}"`);
        tokens.set(token, name);
      }
    }
    const allowedSources: string[] = [];
    if (o.allowedSources !== undefined) {
      if (!Array.isArray(o.allowedSources)) r.err(`${p}.allowedSources`, 'must be a list of CIDRs');
      else o.allowedSources.forEach((c, j) => {
        if (typeof c !== 'string' || parseCidr(c) === null) r.err(`${p}.allowedSources[${j}]`, `"${String(c)}" is not an IPv4/IPv6 address or CIDR`);
        else allowedSources.push(c);
      });
    }
    const certFingerprints = r.list(o.certFingerprints, `${p}.certFingerprints`, (f, fp) => {
      const n = typeof f === 'string' ? normalizeFingerprint(f) : null;
      if (n === null) r.err(fp, 'is not a SHA-256 fingerprint (64 hex digits, with or without colons, as `openssl x509 -fingerprint -sha256` prints)');
      return n;
    });
    const certSubjects = r.list(o.certSubjects, `${p}.certSubjects`, (f, fp) => {
      if (typeof f !== 'string' || f.length === 0) { r.err(fp, 'must be a subject like CN=client1,O=Example'); return null; }
      return f;
    });
    for (const [list, map, what] of [[certFingerprints, certOwners, 'certFingerprints'], [certSubjects, subjectOwners, 'certSubjects']] as const) {
      for (const v of list) {
        const other = map.get(v);
        if (other !== undefined && other !== name) r.err(`${p}.${what}`, `${v} is already mapped to app "${other}"`);
        map.set(v, name);
      }
    }
    if (token === null && allowedSources.length === 0 && certFingerprints.length === 0 && certSubjects.length === 0) {
      r.err(p, 'needs a token, allowedSources, certFingerprints or certSubjects, or it can never receive anything');
    }
    apps.push({
      name, token, allowedSources, certFingerprints, certSubjects,
      maxEventsPerSecond: optInt('maxEventsPerSecond', 10_000_000),
      burstEvents: optInt('burstEvents', 100_000_000),
      maxBytesPerDay: optInt('maxBytesPerDay', Number.MAX_SAFE_INTEGER),
    });
  });

  checkSourceOverlap(apps, r);

  const s = r.obj(root.storage, 'storage', ['dir', 'fsync', 'flushIntervalMs', 'retentionDays', 'maxBytes', 'highWaterBytes']);
  const storage: StorageConfig = {
    dir: r.str(s.dir, 'storage.dir', DEFAULT_STORAGE.dir),
    fsync: r.bool(s.fsync, 'storage.fsync', DEFAULT_STORAGE.fsync),
    flushIntervalMs: r.int(s.flushIntervalMs, 'storage.flushIntervalMs', DEFAULT_STORAGE.flushIntervalMs, 0, 60000),
    retentionDays: r.int(s.retentionDays, 'storage.retentionDays', DEFAULT_STORAGE.retentionDays, 0, 36500),
    maxBytes: r.int(s.maxBytes, 'storage.maxBytes', DEFAULT_STORAGE.maxBytes, 0, Number.MAX_SAFE_INTEGER),
    highWaterBytes: r.int(s.highWaterBytes, 'storage.highWaterBytes', DEFAULT_STORAGE.highWaterBytes, 65536, 2 ** 32),
  };

  const lim = r.obj(root.limits, 'limits', ['maxMessageBytes', 'maxConnections', 'idleTimeoutMs']);
  const limits: LimitsConfig = {
    maxMessageBytes: r.int(lim.maxMessageBytes, 'limits.maxMessageBytes', DEFAULT_LIMITS.maxMessageBytes, 480, 16 * 1024 * 1024),
    maxConnections: r.int(lim.maxConnections, 'limits.maxConnections', DEFAULT_LIMITS.maxConnections, 1, 1_000_000),
    idleTimeoutMs: r.int(lim.idleTimeoutMs, 'limits.idleTimeoutMs', DEFAULT_LIMITS.idleTimeoutMs, 0, 2 ** 31 - 1),
  };

  const au = r.obj(root.auth, 'auth', ['tokenFields']);
  let tokenFields = DEFAULT_AUTH.tokenFields;
  if (au.tokenFields !== undefined) {
    if (!Array.isArray(au.tokenFields) || au.tokenFields.length === 0 || !au.tokenFields.every((f) => typeof f === 'string' && f.length > 0)) {
      r.err('auth.tokenFields', 'must be a non-empty list of field names');
    } else tokenFields = au.tokenFields as string[];
  }

  let logLevel: Config['logLevel'] = 'info';
  if (root.logLevel !== undefined) {
    if (!LOG_LEVELS.includes(root.logLevel as Config['logLevel'])) r.err('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
    else logLevel = root.logLevel as Config['logLevel'];
  }

  const certsDir = r.str(root.certsDir, 'certsDir', 'certs');
  const shutdownTimeoutMs = r.int(root.shutdownTimeoutMs, 'shutdownTimeoutMs', 10_000, 100, 600_000);
  for (const [i, t] of (listen.tls ?? []).entries()) {
    if (t.minVersion === 'TLSv1.3' && t.maxVersion === 'TLSv1.2') r.err(`listen.tls[${i}].maxVersion`, 'is below minVersion');
  }
  if (r.errors.length > 0) throw new ConfigError(r.errors, source);
  return deepFreeze({ listen, certsDir, apps, storage, limits, auth: { tokenFields }, shutdownTimeoutMs, logLevel });
}

/** One `name address:port` entry per configured listener, e.g. `tls 0.0.0.0:10514`. */
export function describeListeners(listen: ListenConfig): string[] {
  const at = (l: ListenerConfig): string => `${l.address}:${l.port}`;
  return [
    ...(listen.udp ? [`udp ${at(listen.udp)}`] : []),
    ...(listen.tcp ? [`tcp ${at(listen.tcp)}`] : []),
    ...(listen.tls ?? []).map((t) => `tls ${at(t)}`),
    ...(listen.relp ? [`relp${listen.relp.tls ? '+tls' : ''} ${at(listen.relp)}`] : []),
    ...(listen.admin ? [`admin http://${at(listen.admin)}`] : []),
  ];
}

/** DESIGN §6 rule 4: an address may belong to one app only; overlapping CIDRs are an error. */
function checkSourceOverlap(apps: AppConfig[], r: Reader): void {
  const nets = apps.flatMap((a, i) => a.allowedSources.map((c) => {
    const n = parseCidr(c)!;
    const bl = new BlockList();
    bl.addSubnet(n.address, n.prefix, n.family);
    return { app: i, cidr: c, ...n, bl };
  }));
  for (let x = 0; x < nets.length; x++) {
    for (let y = x + 1; y < nets.length; y++) {
      const a = nets[x], b = nets[y];
      if (a.app === b.app || a.family !== b.family) continue;
      const overlap = a.prefix <= b.prefix ? a.bl.check(b.address, b.family) : b.bl.check(a.address, a.family);
      if (overlap) r.err(`apps[${b.app}].allowedSources`, `${b.cidr} overlaps ${a.cidr} of apps[${a.app}] (an address may belong to one app only)`);
    }
  }
}

/** Freezes `o` and everything reachable from it. */
export function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * YAML config file → validated, frozen {@link Config} (DESIGN §8), and the first-run default,
 * which is generated from the schema's defaults. Relative paths (`storage.dir`, `certsDir`, TLS
 * files, outputs' TLS files) resolve against the config file's directory.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { ErrorCodes, ReceiverError } from '../errors.js';
import { ConfigError, DEFAULT_CONFIG, LISTEN_KEYS, deepFreeze, isObj, validateConfig, type Config, type ListenKey } from './schema.js';

/** Config file used when `--config` is not given. */
export const DEFAULT_CONFIG_FILE = 'syslog-receiver.yaml';

/**
 * Parses YAML text (YAML 1.2; duplicate keys are errors) and validates it with
 * {@link validateConfig}.
 * @param baseDir directory that relative paths resolve against
 * @param source names the config in the error message (the file path)
 * @returns the config with absolute paths, deep-frozen
 * @throws ConfigError with every problem (YAML syntax errors as `(yaml): …` lines, else `path: message`)
 */
export function parseConfig(text: string, baseDir: string, source = 'config', opts: LoadOptions = {}): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => `(yaml): ${e.message.split('\n')[0]}`), source);
  let raw = (doc.toJS() ?? {}) as unknown;
  // a command that opens no listener (archive) accepts a config without any: validated as if it had `listen.tcp: {}`
  if (opts.listenersOptional === true && isObj(raw) && (raw.listen === undefined || raw.listen === null)) raw = { ...raw, listen: { tcp: {} } };
  const cfg = validateConfig(raw, source);
  return resolvePaths(cfg, baseDir);
}

/** How {@link loadConfigFile} reads a file. */
export interface LoadOptions {
  /** Accept a file without `listen:` (for `archive`, which listens on nothing). */
  listenersOptional?: boolean;
}

/**
 * Reads and validates a config file.
 * @throws ReceiverError SYSLOG_ERR_CONFIG_READ when unreadable; ConfigError when invalid
 */
export function loadConfigFile(path: string, opts: LoadOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ReceiverError(ErrorCodes.CONFIG_READ, `cannot read config ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(text, dirname(resolve(path)), path, opts);
}

/** Resolves every relative path of `cfg` (store, certsDir, TLS files) against `baseDir`. */
function resolvePaths(cfg: Config, baseDir: string): Config {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const opt = (p: string | null): string | null => (p === null ? null : abs(p));
  const files = <T extends { cert: string | null; key: string | null; ca: string | null }>(t: T): T => ({ ...t, cert: opt(t.cert), key: opt(t.key), ca: opt(t.ca) });
  const listen = { ...cfg.listen };
  if (listen.tls) listen.tls = listen.tls.map(files);
  if (listen.relp) listen.relp = files(listen.relp);
  if (listen.web) listen.web = files(listen.web);
  const j = cfg.storage.jetstream;
  const jetstream = j === null ? null : { ...j, nkeySeedFile: opt(j.nkeySeedFile), credsFile: opt(j.credsFile), tls: j.tls === null ? null : files(j.tls) };
  const outputs = cfg.outputs.map((o) => (o.tls === null ? o : { ...o, tls: files(o.tls) }));
  return deepFreeze({ ...cfg, listen, outputs, certsDir: abs(cfg.certsDir), storage: { ...cfg.storage, dir: abs(cfg.storage.dir), jetstream } });
}

/** `{ k: v, … }` of the given keys of `o`, in that order, as a YAML flow mapping (`yaml` quotes what needs it, e.g. `"::"`). */
function flow<T extends object>(o: T, keys: ReadonlyArray<keyof T & string>): string {
  return stringify(Object.fromEntries(keys.map((k) => [k, o[k]])), { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

/**
 * The config written on first start: every listener of {@link LISTEN_KEYS} (udp, tcp, tls,
 * relp, http, admin) at its default address and port, one app `default` with `token`, and every
 * `storage`, `limits` and `pipeline` key at its default. All values come from the schema's defaults
 * ({@link DEFAULT_CONFIG}), so the file always says what an empty one would mean; it loads
 * with {@link parseConfig} as it is.
 * @param token the app's token, a UUID (default: a fresh random one)
 */
export function defaultConfigText(token: string = randomUUID()): string {
  const { listen, storage, limits, pipeline } = DEFAULT_CONFIG;
  const at = ['address', 'port'] as const;
  const lines: Record<ListenKey, string> = {
    udp: `  udp:  ${flow(listen.udp!, [...at, 'recvBufferBytes'])}`,
    tcp: `  tcp:  ${flow(listen.tcp!, at)}`,
    tls: '  # RFC 5425 TLS; without cert/key a CA + server certificate are generated into certsDir\n' +
      `  tls:  ${flow(listen.tls![0], [...at, 'clientAuth'])}`,
    relp: '  # RELP: acknowledged only once stored durably; tls: true for RELP over TLS\n' +
      `  relp: ${flow(listen.relp!, [...at, 'tls'])}`,
    http: '  # HTTP(S) intake: Elasticsearch _bulk (index = app token), Loggly, Logentries; tls: true for HTTPS\n' +
      `  http: ${flow(listen.http![0], [...at, 'tls'])}`,
    admin: '  # Prometheus /metrics and /healthz\n' +
      `  admin: ${flow(listen.admin!, at)}`,
    web: '  # the web page and its read API (keys: apps[].readKeys, web.adminKeys); tls: true for HTTPS\n' +
      `  web:  ${flow(listen.web!, [...at, 'tls'])}`,
  };
  const keys = <T extends object>(o: T): Array<keyof T & string> => Object.keys(o) as Array<keyof T & string>;
  return `# syslog-receiver config (written on first start). Reference: README.md "Config reference".
listen:
${LISTEN_KEYS.map((k) => lines[k]).join('\n')}
apps:
  - name: default
    token: ${stringify(token).trimEnd()}
    # allowedSources: [192.0.2.0/24]   # senders authorized by source address, no token needed
    # readKeys: []   # keys that read this app on the web page: syslog-receiver token new --read default
storage: ${flow(storage, keys(storage).filter((k) => k !== 'jetstream'))}
limits:  ${flow(limits, keys(limits))}
# auto = one pipeline thread per CPU this process may use (1 = everything on one thread)
pipeline: ${flow(pipeline, keys(pipeline))}
`;
}

/**
 * Writes the default config to `path` unless it exists.
 * @returns the new app token, or null when the file already existed
 * @throws ReceiverError SYSLOG_ERR_CONFIG_WRITE when it cannot be written
 */
export function writeDefaultConfig(path: string): string | null {
  if (existsSync(path)) return null;
  const token = randomUUID();
  try {
    writeFileSync(path, defaultConfigText(token), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw new ReceiverError(ErrorCodes.CONFIG_WRITE, `cannot write the first-run config ${path}: ${(err as Error).message}. Check the directory's permissions, or pass --config`, { cause: err });
  }
  return token;
}

/**
 * YAML config file → validated, frozen {@link Config} (DESIGN §8), and the first-run default.
 * Relative `storage.dir` resolves against the config file's directory.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ErrorCodes, ReceiverError } from '../errors.js';
import { ConfigError, deepFreeze, validateConfig, type Config } from './schema.js';

/** Config file used when `--config` is not given. */
export const DEFAULT_CONFIG_FILE = 'syslog-receiver.yaml';

/**
 * Parses YAML text and validates it.
 * @param baseDir directory that relative paths resolve against
 * @throws ConfigError (YAML syntax errors are reported with line numbers, as `(yaml)` paths)
 */
export function parseConfig(text: string, baseDir: string, source = 'config'): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => `(yaml): ${e.message.split('\n')[0]}`), source);
  const cfg = validateConfig(doc.toJS() ?? {}, source);
  return resolvePaths(cfg, baseDir);
}

/**
 * Reads and validates a config file.
 * @throws ReceiverError SYSLOG_ERR_CONFIG_READ when unreadable; ConfigError when invalid
 */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ReceiverError(ErrorCodes.CONFIG_READ, `cannot read config ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(text, dirname(resolve(path)), path);
}

/** Resolves every relative path of `cfg` (store, certsDir, TLS files) against `baseDir`. */
function resolvePaths(cfg: Config, baseDir: string): Config {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const opt = (p: string | null): string | null => (p === null ? null : abs(p));
  const files = <T extends { cert: string | null; key: string | null; ca: string | null }>(t: T): T => ({ ...t, cert: opt(t.cert), key: opt(t.key), ca: opt(t.ca) });
  const listen = { ...cfg.listen };
  if (listen.tls) listen.tls = listen.tls.map(files);
  if (listen.relp) listen.relp = files(listen.relp);
  return deepFreeze({ ...cfg, listen, certsDir: abs(cfg.certsDir), storage: { ...cfg.storage, dir: abs(cfg.storage.dir) } });
}

/** The config written on first start: every implemented listener, one app `default`. */
export function defaultConfigText(token: string = randomUUID()): string {
  return `# syslog-receiver config (written on first start). Reference: README.md "Config reference".
listen:
  udp:  { address: 0.0.0.0, port: 514 }
  tcp:  { address: 0.0.0.0, port: 514 }
  # RFC 5425 TLS; without cert/key a CA + server certificate are generated into certsDir
  tls:  { address: 0.0.0.0, port: 10514, clientAuth: none }
  # RELP: acknowledged only once stored durably; tls: true for RELP over TLS
  relp: { address: 0.0.0.0, port: 20514, tls: false }
  # Prometheus /metrics and /healthz
  admin: { address: 127.0.0.1, port: 9514 }
apps:
  - name: default
    token: ${token}
    # allowedSources: [192.0.2.0/24]   # senders authorized by source address, no token needed
storage: { dir: data, fsync: true, flushIntervalMs: 20, retentionDays: 14 }
limits:  { maxMessageBytes: 65536, maxConnections: 10000, idleTimeoutMs: 600000 }
`;
}

/**
 * Writes the default config to `path` unless it exists.
 * @returns the new app token, or null when the file already existed
 */
export function writeDefaultConfig(path: string): string | null {
  if (existsSync(path)) return null;
  const token = randomUUID();
  writeFileSync(path, defaultConfigText(token), { mode: 0o600, flag: 'wx' });
  return token;
}

/**
 * Error codes (DESIGN §8): `SYSLOG_ERR_<AREA>_<CONDITION>`. Every error the receiver raises
 * to an operator carries one of these in `code`, and the message says what to change.
 *
 * | code | meaning |
 * |---|---|
 * | SYSLOG_ERR_CONFIG_INVALID | the config is not valid YAML or failed validation; `errors` lists `path: problem` |
 * | SYSLOG_ERR_CONFIG_READ | the config file could not be read (missing, permissions) |
 * | SYSLOG_ERR_LISTEN_PERMISSION | EACCES binding a port (< 1024 without root/CAP_NET_BIND_SERVICE) |
 * | SYSLOG_ERR_LISTEN_IN_USE | EADDRINUSE: another process holds the port |
 * | SYSLOG_ERR_LISTEN_FAILED | any other bind failure |
 * | SYSLOG_ERR_TLS_CERT | a TLS listener's certificate/key/CA cannot be read, does not match, expired, or cannot be generated |
 * | SYSLOG_ERR_RELOAD_NO_PROCESS | `reload` found no running receiver (no or stale pid file) |
 * | SYSLOG_ERR_STORE_OPEN | the store directory could not be created or scanned at start |
 * | SYSLOG_ERR_STORE_WRITE | the store could not write or sync a batch (ENOSPC, EIO …); logged with this code |
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'SYSLOG_ERR_CONFIG_INVALID',
  CONFIG_READ: 'SYSLOG_ERR_CONFIG_READ',
  LISTEN_PERMISSION: 'SYSLOG_ERR_LISTEN_PERMISSION',
  LISTEN_IN_USE: 'SYSLOG_ERR_LISTEN_IN_USE',
  LISTEN_FAILED: 'SYSLOG_ERR_LISTEN_FAILED',
  TLS_CERT: 'SYSLOG_ERR_TLS_CERT',
  RELOAD_NO_PROCESS: 'SYSLOG_ERR_RELOAD_NO_PROCESS',
  STORE_OPEN: 'SYSLOG_ERR_STORE_OPEN',
  STORE_WRITE: 'SYSLOG_ERR_STORE_WRITE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error meant for the operator: `message` says what happened and what to change. */
export class ReceiverError extends Error {
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReceiverError';
  }
}

/**
 * Turns a bind failure into an operator message naming the port and the config key.
 * @param key config path of the listener, e.g. `listen.tcp`
 */
export function bindError(err: NodeJS.ErrnoException, key: string, address: string, port: number): ReceiverError {
  const where = `${key} (${address} port ${port})`;
  if (err.code === 'EACCES') {
    return new ReceiverError(ErrorCodes.LISTEN_PERMISSION,
      `cannot bind ${where}: permission denied. Ports below 1024 need root or CAP_NET_BIND_SERVICE ` +
      `(e.g. \`sudo setcap cap_net_bind_service=+ep $(command -v node)\`), or set ${key}.port to 1024 or above in the config.`, { cause: err });
  }
  if (err.code === 'EADDRINUSE') {
    return new ReceiverError(ErrorCodes.LISTEN_IN_USE,
      `cannot bind ${where}: address already in use (another syslog daemon such as rsyslog? check \`ss -lntup | grep :${port}\`), ` +
      `or set ${key}.port to a free port in the config.`, { cause: err });
  }
  return new ReceiverError(ErrorCodes.LISTEN_FAILED, `cannot bind ${where}: ${err.message}. Check ${key} in the config.`, { cause: err });
}

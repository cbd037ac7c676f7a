/**
 * Error codes (DESIGN §8): `SYSLOG_ERR_<AREA>_<CONDITION>`, the one table of them. Every error
 * the receiver raises to an operator carries one of these in `code` (and the message says what
 * to change); every failure it logs (error/fatal, and warn for a failure such as a refused TLS
 * reload) is logged as `{ err, code }`. What each code means is in README.md ("error code |
 * meaning" table, under CLI); test/errors.test.ts keeps that table, these constants and their
 * use in src/ identical.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'SYSLOG_ERR_CONFIG_INVALID',
  CONFIG_READ: 'SYSLOG_ERR_CONFIG_READ',
  CONFIG_WRITE: 'SYSLOG_ERR_CONFIG_WRITE',
  RELOAD_NO_PROCESS: 'SYSLOG_ERR_RELOAD_NO_PROCESS',
  RELOAD_REFUSED: 'SYSLOG_ERR_RELOAD_REFUSED',
  LISTEN_PERMISSION: 'SYSLOG_ERR_LISTEN_PERMISSION',
  LISTEN_IN_USE: 'SYSLOG_ERR_LISTEN_IN_USE',
  LISTEN_FAILED: 'SYSLOG_ERR_LISTEN_FAILED',
  LISTEN_SOCKET: 'SYSLOG_ERR_LISTEN_SOCKET',
  TLS_CERT: 'SYSLOG_ERR_TLS_CERT',
  TLS_RELOAD: 'SYSLOG_ERR_TLS_RELOAD',
  TLS_WATCH: 'SYSLOG_ERR_TLS_WATCH',
  STORE_OPEN: 'SYSLOG_ERR_STORE_OPEN',
  STORE_WRITE: 'SYSLOG_ERR_STORE_WRITE',
  STORE_RETENTION: 'SYSLOG_ERR_STORE_RETENTION',
  STORE_OVER_LIMIT: 'SYSLOG_ERR_STORE_OVER_LIMIT',
  STORE_READ: 'SYSLOG_ERR_STORE_READ',
  STORE_NO_APP: 'SYSLOG_ERR_STORE_NO_APP',
  STORE_OPTION: 'SYSLOG_ERR_STORE_OPTION',
  STORE_OUTPUT: 'SYSLOG_ERR_STORE_OUTPUT',
  SINK_REJECTED: 'SYSLOG_ERR_SINK_REJECTED',
  SINK_DOWN: 'SYSLOG_ERR_SINK_DOWN',
  SINK_HOUSEKEEPING: 'SYSLOG_ERR_SINK_HOUSEKEEPING',
  WORKER_FAILED: 'SYSLOG_ERR_WORKER_FAILED',
  ADMIN_METRICS: 'SYSLOG_ERR_ADMIN_METRICS',
  SHUTDOWN_TIMEOUT: 'SYSLOG_ERR_SHUTDOWN_TIMEOUT',
  ARCHIVE_CONFIG: 'SYSLOG_ERR_ARCHIVE_CONFIG',
  ARCHIVE_OPEN: 'SYSLOG_ERR_ARCHIVE_OPEN',
  ARCHIVE_COMMIT: 'SYSLOG_ERR_ARCHIVE_COMMIT',
  ARCHIVE_CONSUMER: 'SYSLOG_ERR_ARCHIVE_CONSUMER',
  HTTP_REQUEST_FAILED: 'SYSLOG_ERR_HTTP_REQUEST_FAILED',
  OUTPUT_START: 'SYSLOG_ERR_OUTPUT_START',
  OUTPUT_RETRY: 'SYSLOG_ERR_OUTPUT_RETRY',
  OUTPUT_DEAD_LETTER: 'SYSLOG_ERR_OUTPUT_DEAD_LETTER',
  OUTPUT_CURSOR: 'SYSLOG_ERR_OUTPUT_CURSOR',
  OUTPUT_LOST: 'SYSLOG_ERR_OUTPUT_LOST',
  OUTPUT_FAILED: 'SYSLOG_ERR_OUTPUT_FAILED',
  WEB_REQUEST: 'SYSLOG_ERR_WEB_REQUEST',
  CLI_UNEXPECTED: 'SYSLOG_ERR_CLI_UNEXPECTED',
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

/**
 * Our own logs (pino, JSON to stderr). One child logger per component; nothing is logged per
 * message at `info`. Tokens are never logged.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Root logger writing JSON lines to stderr (fd 2) at `level`. */
export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

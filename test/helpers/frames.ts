/**
 * Builders for the syslog messages and stream frames tests send. Each returns exactly the bytes
 * a test would otherwise spell out by hand (see the examples); parser unit tests keep their
 * literal inputs, these are for tests that need "a valid message / frame of this shape".
 */

/** Header fields of {@link rfc3164} beyond host and tag. */
export interface Rfc3164Options {
  /** PRI value (default 13: user.notice). */
  pri?: number;
  /** BSD timestamp (default `Nov 21 10:00:00`). */
  timestamp?: string;
}

/**
 * An RFC 3164 (BSD) message, no terminator: `rfc3164('h', TOKEN, 'hi')` is
 * `<13>Nov 21 10:00:00 h ${TOKEN}: hi`.
 */
export function rfc3164(host: string, tag: string, msg: string, { pri = 13, timestamp = 'Nov 21 10:00:00' }: Rfc3164Options = {}): string {
  return `<${pri}>${timestamp} ${host} ${tag}: ${msg}`;
}

/** Header fields of {@link rfc5424}; every one not given is the NILVALUE `-` (PRI: 13). */
export interface Rfc5424Header {
  pri?: number;
  timestamp?: string;
  host?: string;
  app?: string;
  procId?: string;
  msgId?: string;
  /** STRUCTURED-DATA as written, e.g. `[ex@1 k="v"]`. */
  sd?: string;
}

/**
 * An RFC 5424 message (VERSION 1), no terminator: `rfc5424({ host: 'h', app: 'nginx' }, 'hi')` is
 * `<13>1 - h nginx - - - hi`.
 */
export function rfc5424(h: Rfc5424Header, msg: string): string {
  const { pri = 13, timestamp = '-', host = '-', app = '-', procId = '-', msgId = '-', sd = '-' } = h;
  return `<${pri}>1 ${timestamp} ${host} ${app} ${procId} ${msgId} ${sd} ${msg}`;
}

/** RFC 6587 octet counting: `MSG-LEN SP MSG`, MSG-LEN in bytes (`octet('<13>hé')` is `7 <13>hé`). */
export function octet(msg: string): string;
export function octet(msg: Buffer): Buffer;
export function octet(msg: string | Buffer): string | Buffer {
  return typeof msg === 'string' ? `${Buffer.byteLength(msg)} ${msg}` : Buffer.concat([Buffer.from(`${msg.length} `), msg]);
}

/** RFC 6587 non-transparent framing with LF as the trailer: `msg` + `\n`. */
export function lf(msg: string): string;
export function lf(msg: Buffer): Buffer;
export function lf(msg: string | Buffer): string | Buffer {
  return typeof msg === 'string' ? `${msg}\n` : Buffer.concat([msg, Buffer.from('\n')]);
}

/**
 * A RELP frame: `TXNR SP COMMAND SP DATALEN [SP DATA] LF` (DATALEN in bytes; no DATA part when
 * it is empty): `relp(1, 'syslog', 'abc')` is `1 syslog 3 abc\n`, `relp(2, 'close')` is `2 close 0\n`.
 */
export function relp(txnr: number, command: string, data = ''): string {
  const len = Buffer.byteLength(data);
  return len > 0 ? `${txnr} ${command} ${len} ${data}\n` : `${txnr} ${command} 0\n`;
}

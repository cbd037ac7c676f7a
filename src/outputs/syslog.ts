/**
 * The `syslog` output's destination: each record as an RFC 5424 message (§6), octet-counted
 * (RFC 6587 §3.4.1, RFC 5425 §4.3) over one TCP or TLS connection, to another receiver or an
 * rsyslog/syslog-ng (`imtcp`, `network()`). The APP-NAME is the output's token for the app
 * (`tokens:`, e.g. the app's token at the other receiver) when it has one, else the record's
 * own. A CEE record (extra top-level keys) is sent as `@cee: {…}` with those keys and `message`.
 *
 * Delivery: a batch counts as delivered once the socket has taken every byte (plain syslog has
 * no acknowledgement); a connect failure, an error or a close before that retries the whole
 * batch on a new connection, so the peer may see a record twice (at least once).
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { OutputConfig } from '../config/schema.js';
import { RECORD_KEYS, type SyslogRecord } from '../record.js';
import { ItemStatus, wholeResult, type DeliveryResult, type Destination, type OutRecord } from './types.js';

const FIXED = new Set<string>(RECORD_KEYS);
/** RFC 5424 §6: field lengths of the header (in PRINTUSASCII characters). */
const MAX = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const;

/** A header field: PRINTUSASCII (33–126) only, cut to `max`; `-` (NILVALUE) when empty. */
function field(v: unknown, max: number): string {
  if (typeof v !== 'string' || v.length === 0) return '-';
  let out = '';
  for (let i = 0; i < v.length && out.length < max; i++) {
    const c = v.charCodeAt(i);
    out += c >= 33 && c <= 126 ? v[i] : '_';
  }
  return out;
}

/** SD-NAME: PRINTUSASCII except `=`, SP, `]`, `"`, up to 32. */
function sdName(v: string): string {
  let out = '';
  for (let i = 0; i < v.length && out.length < 32; i++) {
    const c = v.charCodeAt(i);
    if (c >= 33 && c <= 126 && c !== 61 && c !== 93 && c !== 34) out += v[i];
  }
  return out || '_';
}

/** STRUCTURED-DATA (§6.3) from the stored object form; PARAM-VALUE escapes `"`, `\` and `]`. */
function structuredData(sd: unknown): string {
  if (sd === null || typeof sd !== 'object') return '-';
  let out = '';
  for (const [id, params] of Object.entries(sd as Record<string, Record<string, unknown>>)) {
    out += `[${sdName(id)}`;
    if (params !== null && typeof params === 'object') {
      for (const [k, v] of Object.entries(params)) out += ` ${sdName(k)}="${String(v).replace(/["\\\]]/g, '\\$&')}"`;
    }
    out += ']';
  }
  return out || '-';
}

/**
 * One stored record as an RFC 5424 SYSLOG-MSG (without framing):
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`.
 * @param appName the APP-NAME to send instead of the record's (a token), or null
 * @returns null when the line is not a JSON object (not one of our records), or cannot be
 *   written as one message (CEE nested deeper than this thread's stack can serialize)
 */
export function formatRfc5424(line: Buffer, appName: string | null): string | null {
  try {
    const rec = JSON.parse(line.toString('utf8')) as SyslogRecord;
    return rec === null || typeof rec !== 'object' || Array.isArray(rec) ? null : format(rec, appName);
  } catch {
    return null;
  }
}

function format(rec: SyslogRecord, appName: string | null): string {
  const facility = Number.isInteger(rec.facility) && rec.facility >= 0 && rec.facility <= 23 ? rec.facility : 1;
  const severity = Number.isInteger(rec.severity) && rec.severity >= 0 && rec.severity <= 7 ? rec.severity : 5;
  const ts = typeof rec['@timestamp'] === 'string' ? field(rec['@timestamp'], 64) : '-';
  const extra: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let cee = false;
  for (const k of Object.keys(rec)) if (!FIXED.has(k)) { extra[k] = rec[k]; cee = true; }
  const msg = cee ? `@cee: ${JSON.stringify({ ...extra, message: rec.message })}` : (rec.message ?? '');
  const app = appName ?? rec.appName;
  return `<${facility * 8 + severity}>1 ${ts} ${field(rec.hostname, MAX.hostname)} ${field(app, MAX.appName)} ${field(rec.procId, MAX.procId)} ${field(rec.msgId, MAX.msgId)} ${structuredData(rec.structuredData)}${msg === '' ? '' : ` ${msg}`}`;
}

export class SyslogDestination implements Destination {
  readonly type = 'syslog';
  private socket: Socket | null = null;
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;
  private readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
  /** Why the connection broke, once it did (the next send reconnects). */
  private broken: Error | null = null;

  /** @throws Error when a TLS file cannot be read */
  constructor(private readonly cfg: OutputConfig) {
    const u = new URL(cfg.url);
    this.secure = u.protocol === 'tls:';
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port);
    const t = cfg.tls;
    const read = (p: string | null | undefined): Buffer | undefined => (p === null || p === undefined ? undefined : readFileSync(p));
    this.tls = { ca: read(t?.ca), cert: read(t?.cert), key: read(t?.key), rejectUnauthorized: t?.rejectUnauthorized ?? true };
  }

  accepts(): boolean { return true; }

  async send(app: string, records: readonly OutRecord[]): Promise<DeliveryResult> {
    const token = this.cfg.tokens[app] ?? null;
    const frames: Buffer[] = [];
    const res = wholeResult(records.length, ItemStatus.Delivered, null);
    records.forEach((r, i) => {
      const msg = formatRfc5424(r.line, token);
      if (msg === null) {
        res.status[i] = ItemStatus.Rejected;
        res.detail[i] = 'not a JSON record (or nested too deep): cannot be sent as syslog';
        return;
      }
      const body = Buffer.from(msg, 'utf8');
      frames.push(Buffer.from(`${body.length} `), body);
    });
    if (frames.length === 0) return res;
    try {
      const socket = await this.connection();
      await this.write(socket, Buffer.concat(frames));
    } catch (err) {
      this.drop();
      for (let i = 0; i < res.status.length; i++) if (res.status[i] === ItemStatus.Delivered) res.status[i] = ItemStatus.Retry;
      res.error = `${this.cfg.url}: ${(err as Error).message}`;
    }
    return res;
  }

  /** The open connection, or a new one (connect bounded by timeoutMs). */
  private connection(): Promise<Socket> {
    if (this.socket !== null && this.broken === null && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.drop();
    return new Promise((resolve, reject) => {
      const opts = { host: this.host, port: this.port, timeout: this.cfg.timeoutMs };
      const s = this.secure
        ? tlsConnect({ ...opts, servername: this.host, ...this.tls, ALPNProtocols: undefined })
        : netConnect(opts);
      const ready = this.secure ? 'secureConnect' : 'connect';
      const fail = (err: Error): void => { s.destroy(); reject(err); };
      s.once('timeout', () => fail(new Error(`no connection within timeoutMs (${this.cfg.timeoutMs} ms)`)));
      s.once('error', fail);
      s.once(ready, () => {
        s.removeListener('error', fail);
        s.removeAllListeners('timeout');
        s.setTimeout(0);
        s.setNoDelay(true);
        this.broken = null;
        s.on('error', (err) => { this.broken = err; });
        s.on('close', () => { this.broken ??= new Error('connection closed by the peer'); });
        s.on('data', () => undefined); // a peer that talks back (none should) must not stall the socket
        this.socket = s;
        resolve(s);
      });
    });
  }

  /** Writes `data`; resolves once the socket took it all, within timeoutMs. */
  private write(s: Socket, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`write not taken within timeoutMs (${this.cfg.timeoutMs} ms)`)), this.cfg.timeoutMs);
      s.write(data, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else if (this.broken !== null) reject(this.broken);
        else resolve();
      });
    });
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = null;
    this.broken = null;
  }

  close(): Promise<void> {
    this.drop();
    return Promise.resolve();
  }
}

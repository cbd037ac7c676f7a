/**
 * The one record type every front-end produces (DESIGN §2). Field names are RFC 5424's,
 * camelCased. Every field is always present (null when absent); records are written as NDJSON
 * straight from the parse result by `writeRecord` (record-json.ts), in {@link RECORD_KEYS} order.
 */

/** Every transport a frame can arrive on: the one list metrics, config and front-ends use. */
export const TRANSPORTS = ['udp', 'tcp', 'tls', 'relp', 'http', 'https'] as const;
/** Transport a frame arrived on. */
export type Transport = (typeof TRANSPORTS)[number];

/**
 * Which syslog grammar the line matched (DESIGN §4); `json` is an HTTP event that was one JSON
 * object (HTTP intake), `raw` also an HTTP text event.
 */
export const SYSLOG_FORMATS = ['rfc5424', 'rfc3164', 'raw', 'json'] as const;
export type SyslogFormat = (typeof SYSLOG_FORMATS)[number];

/**
 * Where the app was resolved from (DESIGN §6), in resolution order for syslog; HTTP intake:
 * `index` (an Elasticsearch index name: the path or a bulk item's `_index`), `url` (the Loggly or
 * Logentries path), `header` (`Authorization: Bearer` / `Basic`).
 */
export const TOKEN_SOURCES = ['cee', 'app-name', 'tag', 'inline', 'tls-cert', 'ip', 'index', 'url', 'header'] as const;
export type TokenSource = (typeof TOKEN_SOURCES)[number];

/** RFC 5424 §6.3 STRUCTURED-DATA: `{ sdId: { paramName: unescapedValue } }` (the stored form). */
export type StructuredData = Record<string, Record<string, string>>;

/**
 * STRUCTURED-DATA as the parser leaves it: the bytes `buf[start, end)` (byte offsets) of the
 * frame, `1*SD-ELEMENT` already checked against RFC 5424 §6.3 by parse/structured-data.ts.
 * Valid only while those bytes are unchanged, i.e. while the frame is being handled;
 * record-sd.ts turns them into the object form or writes their JSON.
 */
export interface StructuredDataBytes {
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * The part of a parse result a record is made of: what `writeRecord` (record-json.ts) reads.
 * parse/types.ts `ParsedMessage` extends it (and documents the fields); it is declared here
 * because the record layer may not import parse/.
 */
export interface RecordFields {
  format: SyslogFormat;
  /** 0–23; 1 (user) when the line has no PRI (RFC 3164 §4.3.3). */
  facility: number;
  /** 0–7; 5 (notice) when the line has no PRI. */
  severity: number;
  /** Event time, epoch ms UTC; null when the header has none (or NILVALUE). */
  timestampMs: number | null;
  hostname: string | null;
  /** RFC 5424 APP-NAME, or the RFC 3164 TAG name without `[pid]` and `:`. */
  appName: string | null;
  /** RFC 5424 PROCID, or the RFC 3164 TAG's bracketed pid. */
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredDataBytes | null;
  /**
   * MSG as UTF-8 text (a leading BOM removed), or null when empty/absent; for CEE the raw MSG,
   * ignored by the writer (the record's message then comes from {@link cee}).
   */
  message: string | null;
  /** The JSON object after `@cee:` (or a bare-JSON MSG), merged at the record's top level; null when MSG is not CEE. */
  cee: Record<string, unknown> | null;
  /**
   * Fields a vendor dialect parser read from the line, as ONE top-level member written right after
   * `syslog` (before CEE keys): `cisco`, `fortigate`, `panos` or `docker` (see parse/vendor/);
   * null when no dialect matched. A CEE key of the same name is dropped (counted).
   */
  vendor: VendorFields | null;
}

/** The vendor member names, the only keys {@link RecordFields.vendor} may have. */
export const VENDOR_KEYS = ['cisco', 'fortigate', 'panos', 'docker'] as const;
export type VendorKey = (typeof VENDOR_KEYS)[number];

/** {@link RecordFields.vendor}: the member's name and its object (string, number and null leaves; nested objects allowed). */
export interface VendorFields {
  key: VendorKey;
  fields: Record<string, unknown>;
}

/** `source` member: the peer a frame came from. */
export interface RecordSource {
  address: string;
  port: number;
  transport: Transport;
  /** Subject of the verified TLS client certificate (`CN=…,O=…`); absent otherwise. */
  tlsPeer?: string;
}

/** Per-connection (or per-datagram) facts a front-end passes with each frame. */
export interface FrameSource {
  /** Stored as the record's `source` (shared by every record of the connection). */
  record: RecordSource;
  /** SHA-256 fingerprint (`AB:CD:…`) of a verified TLS client certificate, else null. */
  certFingerprint: string | null;
}

/** `syslog` member: how the frame was read. `truncated` is present only when true. */
export interface RecordSyslogMeta {
  format: SyslogFormat;
  tokenSource: TokenSource;
  truncated?: true;
}

/** Stored record, one per accepted message (DESIGN §2). CEE keys are merged at top level. */
export interface SyslogRecord {
  /** Event time, ISO 8601 UTC with ms; receive time when the message carries none. */
  '@timestamp': string;
  /** When the receiver read the frame, ISO 8601 UTC with ms. */
  receivedAt: string;
  /** Tenant name from the registry; never the token. */
  app: string;
  facility: number;
  severity: number;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredData | null;
  message: string | null;
  source: RecordSource;
  syslog: RecordSyslogMeta;
  [ceeField: string]: unknown;
}

/** Keys the receiver owns: a CEE field with one of these names is dropped (DESIGN §2). */
export const RECEIVER_OWNED_KEYS: ReadonlySet<string> = new Set(['app', 'source', 'receivedAt', 'syslog']);

/** Every key of the fixed part of a record, in storage order. */
export const RECORD_KEYS = [
  '@timestamp', 'receivedAt', 'app', 'facility', 'severity', 'hostname', 'appName', 'procId',
  'msgId', 'structuredData', 'message', 'source', 'syslog',
] as const;

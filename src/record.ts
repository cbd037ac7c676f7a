/**
 * The one record type every front-end produces (DESIGN §2). Field names are RFC 5424's,
 * camelCased. Every field is always present (null when absent) and every record is made
 * by {@link createRecord}, so V8 keeps a single hidden class on the hot path.
 */

/** Every transport a frame can arrive on: the one list metrics, config and front-ends use. */
export const TRANSPORTS = ['udp', 'tcp', 'tls', 'relp'] as const;
/** Transport a frame arrived on. */
export type Transport = (typeof TRANSPORTS)[number];

/** Which syslog grammar the line matched (DESIGN §4). */
export type SyslogFormat = 'rfc5424' | 'rfc3164' | 'raw';

/** Where the app was resolved from (DESIGN §6), in resolution order. */
export type TokenSource = 'cee' | 'app-name' | 'tag' | 'inline' | 'tls-cert' | 'ip';

/** RFC 5424 §6.3 STRUCTURED-DATA: `{ sdId: { paramName: unescapedValue } }`. */
export type StructuredData = Record<string, Record<string, string>>;

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

const metaCache = new Map<string, RecordSyslogMeta>();

/**
 * The shared, frozen `syslog` member for this combination (there are 36): records point to it
 * instead of each carrying a new object.
 */
export function syslogMeta(format: SyslogFormat, tokenSource: TokenSource, truncated: boolean): RecordSyslogMeta {
  const key = format + '|' + tokenSource + (truncated ? '|t' : '');
  let m = metaCache.get(key);
  if (m === undefined) {
    m = Object.freeze(truncated ? { format, tokenSource, truncated: true as const } : { format, tokenSource });
    metaCache.set(key, m);
  }
  return m;
}

/** Keys the receiver owns: a CEE field with one of these names is dropped (DESIGN §2). */
export const RECEIVER_OWNED_KEYS: ReadonlySet<string> = new Set(['app', 'source', 'receivedAt', 'syslog']);

/** Every key of the fixed part of a record, in storage order. */
export const RECORD_KEYS = [
  '@timestamp', 'receivedAt', 'app', 'facility', 'severity', 'hostname', 'appName', 'procId',
  'msgId', 'structuredData', 'message', 'source', 'syslog',
] as const;

/**
 * Creates a record with every field present.
 * @param receivedAtMs receive time, epoch ms
 * @param eventMs event time, epoch ms, or null to use the receive time
 */
export function createRecord(
  app: string,
  receivedAtMs: number,
  eventMs: number | null,
  source: RecordSource,
  syslog: RecordSyslogMeta,
): SyslogRecord {
  const receivedAt = receivedIso.format(receivedAtMs) ?? new Date(0).toISOString();
  return {
    '@timestamp': eventMs === null ? receivedAt : eventIso.format(eventMs) ?? receivedAt,
    receivedAt,
    app,
    facility: 1,
    severity: 5,
    hostname: null,
    appName: null,
    procId: null,
    msgId: null,
    structuredData: null,
    message: null,
    source,
    syslog,
  };
}

/**
 * Epoch ms → ISO 8601 string, remembering the last answer: frames of one socket read share
 * their receive time, and a sender's event times repeat within a second, so most calls are
 * a compare instead of a Date + toISOString.
 */
class IsoCache {
  private lastMs = NaN;
  private lastIso: string | null = null;

  /** @returns the ISO string, or null when `ms` is outside Date's range */
  format(ms: number): string | null {
    if (ms !== this.lastMs) {
      const d = new Date(ms);
      this.lastIso = Number.isNaN(d.getTime()) ? null : d.toISOString();
      this.lastMs = ms;
    }
    return this.lastIso;
  }
}

const receivedIso = new IsoCache();
const eventIso = new IsoCache();

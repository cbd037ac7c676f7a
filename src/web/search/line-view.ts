/**
 * A {@link LineView} over one stored line inside a block read from a day file, without parsing
 * the whole JSON when it can avoid it: the block is a byte string (one char per byte,
 * `buf.toString('latin1')`), and the fixed fields are found by their keys.
 *
 * Why finding a key is safe: our writer (record-json.ts) starts every record with `@timestamp`
 * and writes `receivedAt, app, facility, severity, hostname, appName, procId, msgId,
 * structuredData, message, source, syslog` in that order, then the CEE keys. Inside a JSON
 * string every `"` is escaped, so `"hostname":` (a quote right after `e`) can only be a key; and
 * until `structuredData` no value is an object, so the first such key is the top-level one. For
 * `message` and `source.address`, which come after `structuredData`, the fast path is taken only
 * when `structuredData` is null; any other line (structured data, a line from another writer)
 * falls back to `JSON.parse`, and so does a string value with an escape in it.
 */
import { toByteString, type LineView } from '../query/index.js';

const SIGNATURE = '{"@timestamp":"';
const KEYS = {
  hostname: '"hostname":',
  appName: '"appName":',
  procId: '"procId":',
  msgId: '"msgId":',
} as const;
const SD_NULL_MESSAGE = '"structuredData":null,"message":';
const SOURCE_ADDRESS = '"source":{"address":';
const SEVERITY = '"severity":';
const FACILITY = '"facility":';

type StrField = 'message' | 'hostname' | 'appName' | 'msgId' | 'procId';

/** One reusable view: {@link reset} points it at the next line (no allocation per line). */
export class RawLineView implements LineView {
  private buf: Buffer = Buffer.alloc(0);
  private s = '';
  private start = 0;
  private end = 0;
  /** Offset of `s[0]` in `buf`. */
  private base = 0;
  private ours = false;
  private parsed: Record<string, unknown> | null | undefined = undefined;

  /**
   * @param buf the bytes the block string was made from
   * @param s `buf.toString('latin1', base, …)`
   * @param start first char of the line in `s`
   * @param end index of the line's LF in `s` (or the end of the line)
   */
  reset(buf: Buffer, s: string, base: number, start: number, end: number): this {
    this.buf = buf;
    this.s = s;
    this.base = base;
    this.start = start;
    this.end = end;
    this.ours = s.startsWith(SIGNATURE, start);
    this.parsed = undefined;
    return this;
  }

  /** The line as UTF-8 text (what the API returns). */
  text(): string {
    return this.buf.toString('utf8', this.base + this.start, this.base + this.end);
  }

  str(field: StrField): string | null {
    if (this.ours) {
      if (field !== 'message') {
        const k = this.s.indexOf(KEYS[field], this.start);
        if (k !== -1 && k < this.end) return this.stringAt(k + KEYS[field].length);
      } else {
        const k = this.s.indexOf(SD_NULL_MESSAGE, this.start);
        if (k !== -1 && k < this.end) return this.stringAt(k + SD_NULL_MESSAGE.length);
      }
    }
    return fromRecord(this.record(), field);
  }

  host(): string | null {
    const h = this.str('hostname');
    if (h !== null) return h;
    const sd = this.ours ? this.s.indexOf('"structuredData":null,', this.start) : -1;
    if (sd !== -1 && sd < this.end) {
      const k = this.s.indexOf(SOURCE_ADDRESS, sd);
      if (k !== -1 && k < this.end) return this.stringAt(k + SOURCE_ADDRESS.length);
    }
    const src = this.record()?.source;
    const a = typeof src === 'object' && src !== null ? (src as Record<string, unknown>).address : null;
    return typeof a === 'string' ? toByteString(a) : null;
  }

  severity(): number | null {
    return this.numberField(SEVERITY, 'severity');
  }

  facility(): number | null {
    return this.numberField(FACILITY, 'facility');
  }

  record(): Record<string, unknown> | null {
    if (this.parsed === undefined) {
      this.parsed = null;
      try {
        const v: unknown = JSON.parse(this.text());
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) this.parsed = v as Record<string, unknown>;
      } catch { /* not JSON: no fields */ }
    }
    return this.parsed;
  }

  private numberField(key: string, field: 'severity' | 'facility'): number | null {
    if (this.ours) {
      const k = this.s.indexOf(key, this.start);
      if (k !== -1 && k < this.end) {
        let v = 0, p = k + key.length, digits = 0;
        for (let c = this.s.charCodeAt(p) - 48; c >= 0 && c <= 9; c = this.s.charCodeAt(++p) - 48) { v = v * 10 + c; digits++; }
        if (digits > 0 && digits < 4) return v;
      }
    }
    const v = this.record()?.[field];
    return typeof v === 'number' ? v : null;
  }

  /** The JSON value at `p` when it is a string (as a byte string) or null; else the slow path's answer. */
  private stringAt(p: number): string | null {
    const s = this.s;
    if (s.charCodeAt(p) !== 34) return null; // null, or not a string
    const q = s.indexOf('"', p + 1);
    if (q === -1 || q >= this.end) return null;
    const bs = s.indexOf('\\', p + 1);
    if (bs === -1 || bs > q) return s.slice(p + 1, q);
    // an escape inside: find the real closing quote, then decode the JSON string
    let i = p + 1;
    while (i < this.end) {
      const c = s.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 34) break;
      else i++;
    }
    try {
      return toByteString(JSON.parse(this.buf.toString('utf8', this.base + p, this.base + i + 1)) as string);
    } catch {
      return null;
    }
  }
}

/** A string field of a parsed record as a byte string; null when absent or not a string. */
function fromRecord(r: Record<string, unknown> | null, field: StrField): string | null {
  const v = r?.[field];
  return typeof v === 'string' ? toByteString(v) : null;
}

/**
 * What the query matcher reads of one stored line ({@link LineView}), the byte-string form its
 * strings take ({@link toByteString}), and the reference view over a parsed record
 * ({@link recordView}; the scanner has its own over the raw bytes, search/line-view.ts).
 *
 * Byte strings: the UTF-8 bytes of a text, one JS char (0x00–0xFF) per byte — what
 * `Buffer#toString('latin1')` gives for those bytes. The matcher compares in this form so that
 * a query folds ASCII letters only and compares every other byte exactly, the same way over a
 * decoded field and over the raw stored line (the prefilter). A lone surrogate has no UTF-8 form:
 * it becomes the bytes of U+FFFD (EF BF BD), as Buffer does.
 */

/** A top-level string field of a record that {@link LineView.str} reads. */
export type LineStrField = 'message' | 'hostname' | 'appName' | 'msgId' | 'procId';

/**
 * One stored line under test; fields are read lazily by the matcher. Every string a view returns
 * is a BYTE STRING: the UTF-8 bytes of the text, one JS char per byte (what Buffer#latin1Slice
 * gives).
 */
export interface LineView {
  /** a top-level string field, null when null/absent/not a string */
  str(field: LineStrField): string | null;
  /** hostname, or source.address when hostname is null */
  host(): string | null;
  /** the `severity` number, null when absent or not a number */
  severity(): number | null;
  /** the `facility` number, null when absent or not a number */
  facility(): number | null;
  /** the whole parsed record (ordinary JS strings, NOT byte strings), or null when the line is not a JSON object; used for sd.* and other fields */
  record(): Record<string, unknown> | null;
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * The UTF-8 bytes of s as a byte string (one char per byte). ASCII text is returned as is; a
 * lone surrogate becomes EF BF BD (U+FFFD).
 */
export function toByteString(s: string): string {
  return ASCII_ONLY.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/**
 * Reference LineView over a parsed record (slow path / tests): `str` and `host` convert the
 * record's strings with {@link toByteString} on each call; `severity` / `facility` are the
 * record's numbers; `record()` is `record` itself. A null record (a line that is not a JSON
 * object) has no fields: every method returns null.
 */
export function recordView(record: Record<string, unknown> | null): LineView {
  return new RecordView(record);
}

class RecordView implements LineView {
  constructor(private readonly rec: Record<string, unknown> | null) {}

  str(field: LineStrField): string | null {
    const v = this.rec === null ? undefined : own(this.rec, field);
    return typeof v === 'string' ? toByteString(v) : null;
  }

  host(): string | null {
    const h = this.str('hostname');
    if (h !== null || this.rec === null) return h;
    const src = own(this.rec, 'source');
    const a = typeof src === 'object' && src !== null ? own(src as Record<string, unknown>, 'address') : undefined;
    return typeof a === 'string' ? toByteString(a) : null;
  }

  severity(): number | null {
    return this.num('severity');
  }

  facility(): number | null {
    return this.num('facility');
  }

  record(): Record<string, unknown> | null {
    return this.rec;
  }

  private num(key: string): number | null {
    const v = this.rec === null ? undefined : own(this.rec, key);
    return typeof v === 'number' ? v : null;
  }
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

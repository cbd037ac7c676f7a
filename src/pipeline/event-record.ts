/**
 * Event → stored record for front-ends that parse their own payloads (HTTP intake): a JSON
 * object becomes a record under the CEE rules (its keys merged at top level, `message` and
 * `@timestamp` honoured, receiver-owned and typed keys dropped and counted — record-json.ts), a
 * text event becomes `message`. No token reaches storage: the fields named in `auth.tokenFields`
 * are deleted and every known token is removed from the text or the object (token hygiene).
 */
import type { FrameSource, RecordFields, TokenSource } from '../record.js';
import { writeRecord, type RecordCounters } from '../record-json.js';

/** One event as a front-end read it: a JSON object, or else a text line. */
export interface IntakeEvent {
  /** The event when it is one JSON object (the caller's object; it is changed: token fields removed). */
  json: Record<string, unknown> | null;
  /** The event as text when it is not JSON (no trailing LF). */
  text: string | null;
  /**
   * Keys the front-end adds to a text event (Loggly's `tags`), stored after `message`; null for
   * none. (For a JSON event the front-end sets them on `json`.)
   */
  extra: Record<string, unknown> | null;
  /** Bytes it took on the wire (after decompression): what quotas charge. */
  bytes: number;
}

/** Token hygiene (pipeline/record-maker.ts RecordMaker: every known token removed and counted). */
export interface TokenHygiene {
  scrubText(s: string | null): string | null;
  scrubObject(o: Record<string, unknown>): void;
}

/** facility user (1), severity notice (5): what a syslog line without PRI gets (RFC 3164 §4.3.3). */
const FACILITY = 1;
const SEVERITY = 5;

/** Writes {@link IntakeEvent}s as records; one per thread (it reuses one fields object). */
export class EventRecordWriter {
  private readonly fields: RecordFields = {
    format: 'json', facility: FACILITY, severity: SEVERITY, timestampMs: null, hostname: null, appName: null,
    procId: null, msgId: null, structuredData: null, message: null, cee: null, vendor: null,
  };

  constructor(private tokenFields: readonly string[]) {}

  /** `auth.tokenFields` after a reload. */
  configure(tokenFields: readonly string[]): void { this.tokenFields = tokenFields; }

  /**
   * Removes the tokens from `ev`: the token fields are deleted, then `hygiene` removes every known
   * token from the text, or from the object's keys and strings at any depth (and from `extra`).
   * Call once per event, before the first {@link write}.
   */
  scrub(ev: IntakeEvent, hygiene: TokenHygiene): void {
    const j = ev.json;
    if (j !== null) {
      for (const f of this.tokenFields) if (Object.prototype.hasOwnProperty.call(j, f)) delete j[f];
      hygiene.scrubObject(j);
    } else if (ev.text !== null) ev.text = hygiene.scrubText(ev.text) ?? '';
    if (ev.extra !== null) hygiene.scrubObject(ev.extra);
  }

  /**
   * Writes the record line of `ev` (and its LF) into `out` at `pos`.
   * @returns the offset after the LF, or -1 when `out` has too little room (nothing is kept)
   */
  write(out: Buffer, pos: number, ev: IntakeEvent, app: string, tokenSource: TokenSource, source: FrameSource, receivedAtMs: number, counters: RecordCounters): number {
    const f = this.fields;
    const text = ev.text === '' ? null : ev.text;
    f.format = ev.json !== null ? 'json' : 'raw';
    f.cee = ev.json ?? (ev.extra === null ? null : { message: text, ...ev.extra });
    f.message = ev.json !== null ? null : text;
    return writeRecord(out, pos, f, app, tokenSource, source, receivedAtMs, false, counters);
  }
}

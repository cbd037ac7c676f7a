/**
 * Strings of the short header fields that repeat from line to line (HOSTNAME, APP-NAME, PROCID,
 * MSGID): a stream from one sender has the same few values in every line, so the last string
 * decoded for a field is reused when the next one has the same bytes. Saves a string
 * allocation (and its garbage) per field per message. One instance per field; module state,
 * so one per thread.
 */

/** Longest field remembered, bytes (RFC 5424: HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32). */
const MAX_BYTES = 64;

interface Slices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** The last string of one header field and its bytes. */
export class FieldText {
  private readonly last = new Uint8Array(MAX_BYTES);
  private length = -1;
  private text = '';

  /** @param utf8 decode as UTF-8 (APP-NAME, PROCID of RFC 3164 TAGs); else latin1 (ASCII-only fields) */
  constructor(private readonly utf8: boolean) {}

  /** `buf[a, b)` decoded, the previous string when the bytes are the same. */
  of(buf: Buffer, a: number, b: number): string {
    const n = b - a;
    const last = this.last;
    if (n === this.length) {
      let i = 0;
      while (i < n && buf[a + i] === last[i]) i++;
      if (i === n) return this.text;
    }
    const b2 = buf as unknown as Slices;
    const text = this.utf8 ? b2.utf8Slice(a, b) : b2.latin1Slice(a, b);
    if (n <= MAX_BYTES) {
      for (let i = 0; i < n; i++) last[i] = buf[a + i];
      this.length = n;
      this.text = text;
    }
    return text;
  }
}

/**
 * Pieces of the Cisco IOS header shared by the Cisco reader (cisco.ts) and the RFC 3164 reader
 * (rfc3164.ts, which skips the same prefixes on Cisco lines that carry no `%FAC-SEV-MNEMONIC`).
 * Bytes only, no allocation, never throws.
 */

const SP = 0x20;
const COLON = 0x3a;
/** Longest counter / sequence number read: 15 digits stay an exact JS number. */
const NUMBER_MAX_DIGITS = 15;

/** Where {@link readCiscoNumbers} leaves its result. */
export interface CiscoNumbers {
  /** The message counter (`643: `, IOS's per-destination syslog counter), -1 when absent or disabled (bare `: `). */
  counter: number;
  /** The `service sequence-numbers` number (`000104: `, the second number), -1 when absent. */
  sequence: number;
  /** Offset just after the numbers and their `: ` (the start offset when there are none). */
  end: number;
}

/** A fresh result object (callers keep one per module: parsing is synchronous). */
export function createCiscoNumbers(): CiscoNumbers {
  return { counter: -1, sequence: -1, end: 0 };
}

/**
 * Reads the numeric prefixes IOS puts before its timestamp, at `buf[p]` (bytes up to `end`):
 * `COUNTER ": "` then optionally `SEQUENCE ": "`, where COUNTER may be empty (`<189>: Mar 12 …`,
 * `no logging message-counter syslog` still sends the `: `) and each number is 1..15 digits.
 * rsyslog's pmciscoios reads the same counter (0..n digits + `": "`, mandatory there); go-syslog
 * calls the two numbers messageCounter and sequence. A lone number is the counter; after a bare
 * `: ` a number is the sequence number.
 * @returns the number of prefixes read (0, 1 or 2); `out` is filled in every case.
 */
export function readCiscoNumbers(buf: Buffer, p: number, end: number, out: CiscoNumbers): number {
  out.counter = -1;
  out.sequence = -1;
  out.end = p;
  let n = 0;
  for (let k = 0; k < 2; k++) {
    let q = p;
    let v = 0;
    while (q < end && q - p < NUMBER_MAX_DIGITS && buf[q] >= 0x30 && buf[q] <= 0x39) {
      v = v * 10 + (buf[q] - 0x30);
      q++;
    }
    if (q === p && k > 0) break; // only the first may be empty
    if (q + 1 >= end || buf[q] !== COLON || buf[q + 1] !== SP) break;
    if (q > p) {
      if (k === 0) out.counter = v;
      else out.sequence = v;
    }
    p = q + 2;
    out.end = p;
    n++;
  }
  return n;
}

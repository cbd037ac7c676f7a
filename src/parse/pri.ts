/**
 * PRI part of a syslog header: `"<" PRIVAL ">"` (RFC 5424 §6.2.1, RFC 3164 §4.1.1).
 * PRIVAL is 1–3 digits, value 0..191, without leading zeros (only `<0>` may start with 0).
 */

const LT = 0x3c; // <
const GT = 0x3e; // >
const D0 = 0x30;
const D9 = 0x39;

/**
 * Reads a PRI at `buf[start]`, looking no further than `end` (exclusive, byte offsets).
 * @returns -1 when there is no valid PRI; otherwise `prival | (bytesConsumed << 8)`, where
 *   prival is 0..191 (`facility = prival >> 3`, `severity = prival & 7`) and bytesConsumed
 *   (3..5) counts `<`, the digits and `>`. Decode with {@link priValue} / {@link priLength}.
 */
export function parsePri(buf: Buffer, start: number, end: number): number {
  if (start >= end || buf[start] !== LT) return -1;
  let i = start + 1;
  let value = 0;
  let digits = 0;
  while (i < end && digits < 4) {
    const c = buf[i];
    if (c < D0 || c > D9) break;
    value = value * 10 + (c - D0);
    digits++;
    i++;
  }
  if (digits === 0 || digits > 3 || i >= end || buf[i] !== GT) return -1;
  if (digits > 1 && buf[start + 1] === D0) return -1; // leading zero ("<01>", "<00>")
  if (value > 191) return -1;
  return value | ((i + 1 - start) << 8);
}

/** PRIVAL (0..191) of a non-negative {@link parsePri} result. */
export function priValue(packed: number): number {
  return packed & 0xff;
}

/** Bytes consumed (3..5) by the PRI of a non-negative {@link parsePri} result. */
export function priLength(packed: number): number {
  return packed >> 8;
}

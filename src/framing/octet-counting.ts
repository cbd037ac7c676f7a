/**
 * RFC 6587 §3.4.1 octet-counting header: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN = NONZERO-DIGIT
 * 0*8DIGIT. Per DESIGN §3 a frame is octet-counted only when the byte after the SP is `<`
 * (a PRI), so a Logentries line starting with a digit-led UUID is never misread.
 */

/** The header is not (or cannot become) an octet-counting header: the frame is non-transparent. */
export const NOT_OCTET_COUNTED = -1;
/** More bytes are needed to decide (the input ended inside the header). */
export const NEED_MORE = -2;


/**
 * Reads an octet-counting header at `buf[pos]`.
 * @returns MSG-LEN (≥ 1, bytes) with the header's byte length in `out.headerBytes`;
 *   {@link NOT_OCTET_COUNTED}; or {@link NEED_MORE} when `end` cuts the header (incl. the `<` check).
 */
export function readOctetCountHeader(buf: Buffer, pos: number, end: number, out: { headerBytes: number }): number {
  let c = buf[pos];
  if (c < 0x31 || c > 0x39) return NOT_OCTET_COUNTED; // [1-9]
  let len = c - 0x30;
  let i = pos + 1;
  for (; ; i++) {
    if (i >= end) return NEED_MORE;
    c = buf[i];
    if (c === 0x20) break;
    if (c < 0x30 || c > 0x39 || i - pos >= 9) return NOT_OCTET_COUNTED;
    len = len * 10 + (c - 0x30);
  }
  // i is at SP; the next byte must be '<'
  if (i + 1 >= end) return NEED_MORE;
  if (buf[i + 1] !== 0x3c) return NOT_OCTET_COUNTED;
  out.headerBytes = i + 1 - pos;
  return len;
}

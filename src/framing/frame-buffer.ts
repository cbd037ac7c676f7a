/**
 * The bytes of one frame that spans socket reads, gathered in a buffer that grows by doubling
 * (amortized O(n) copies, whatever the split of the stream). Callers bound `length` by their
 * size limit. Shared by the RFC 6587 framer and the RELP frame parser.
 */
export class FrameBuffer {
  /** Backing store; valid bytes are [0, length). */
  bytes: Buffer = Buffer.allocUnsafe(0);
  /** Bytes gathered so far. */
  length = 0;

  /** Appends src[start, end). */
  append(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const need = this.length + n;
    if (need > this.bytes.length) {
      let cap = this.bytes.length || 1024;
      while (cap < need) cap *= 2;
      const grown = Buffer.allocUnsafe(cap);
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    src.copy(this.bytes, this.length, start, end);
    this.length = need;
  }
}

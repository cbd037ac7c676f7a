/**
 * RFC 6587 §3.4.2 non-transparent framing: a frame ends at LF (a CR before it is dropped) or
 * NUL (seen from some old senders). Also the trailer rules shared by datagrams (DESIGN §3).
 */

export const LF = 0x0a;
export const CR = 0x0d;
export const NUL = 0x00;

/**
 * End of the payload in buf[start, end) after dropping ONE trailing LF, CRLF or NUL
 * (rsyslog RSYSLOG_SyslogProtocol23Format and syslog-ng syslog() put an LF inside MSG-LEN;
 * syslog-ng and `nc -u` end datagrams with LF).
 */
export function trimTrailer(buf: Buffer, start: number, end: number): number {
  if (end > start) {
    const last = buf[end - 1];
    if (last === LF) {
      end--;
      if (end > start && buf[end - 1] === CR) end--;
    } else if (last === NUL) end--;
  }
  return end;
}

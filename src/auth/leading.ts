/**
 * A token that prefixes the raw line (issue 14 §4): `TOKEN <13>Jun 12 09:15:02 web-01 app: msg`
 * as forwarders that prepend it send it, and Docker's `logentries` driver (`TOKEN` + two spaces +
 * the line with `line-only=true`, `TOKEN` + spaces + Go time + `map[…]` by default).
 */
import { appForToken, uuidBytesAt, type TokenTable } from './token.js';

/** What {@link leadingToken} found: the token's app and where the payload starts (byte offset). */
export interface LeadingToken {
  app: string;
  payload: number;
}

/**
 * A known token (any case) at `buf[start]`, followed by at least one ASCII space U+0020; every
 * space after it is skipped (Docker writes two or three). A token followed by other whitespace
 * or by nothing is left to the inline rule (auth/token.ts findInlineToken).
 * @returns null when the frame `buf[start, end)` does not start that way, or nothing follows
 */
export function leadingToken(buf: Buffer, start: number, end: number, tokens: TokenTable): LeadingToken | null {
  if (end - start < 38 || buf[start + 36] !== 0x20 || !uuidBytesAt(buf, start)) return null;
  const app = appForToken(tokens, buf.toString('latin1', start, start + 36));
  if (app === null) return null;
  let p = start + 37;
  while (p < end && buf[p] === 0x20) p++;
  return p === end ? null : { app, payload: p };
}

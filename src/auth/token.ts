/**
 * Token lookup and Logentries-style inline tokens (DESIGN §6 rules 2 and 3; issue 14 §4). Tokens
 * are UUIDs (36 characters, 8-4-4-4-12), compared case-insensitively.
 */

/** Known tokens (lower case) → app name. */
export type TokenTable = ReadonlyMap<string, string>;

/** The app of `candidate` when it is a known token (any case), else null. */
export function appForToken(tokens: TokenTable, candidate: string | null): string | null {
  if (candidate === null || candidate.length !== 36) return null;
  return tokens.get(candidate) ?? tokens.get(candidate.toLowerCase()) ?? null;
}

/** U+0020, the one separator removed next to a token (issue 14 §4). */
const SPACE = 0x20;

/**
 * Unicode White_Space (UCD PropList): ASCII HT, LF, VT, FF, CR and SP, then U+0085, U+00A0,
 * U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. (U+FEFF, which JavaScript's
 * `\s` includes, is not whitespace.) `c` is a UTF-16 code unit: none of these is a surrogate.
 */
export function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** True when `text[s, s + 36)` has a UUID's dashes (8-4-4-4-12); the caller checks s + 36 ≤ length. */
export function uuidDashesAt(text: string, s: number): boolean {
  return text.charCodeAt(s + 8) === 0x2d && text.charCodeAt(s + 13) === 0x2d && text.charCodeAt(s + 18) === 0x2d && text.charCodeAt(s + 23) === 0x2d;
}

/** True when `buf[s, s + 36)` has a UUID's dashes (8-4-4-4-12) and hex digits elsewhere (any case); the caller checks s + 36 ≤ end. */
export function uuidBytesAt(buf: Buffer, s: number): boolean {
  if (buf[s + 8] !== 0x2d || buf[s + 13] !== 0x2d || buf[s + 18] !== 0x2d || buf[s + 23] !== 0x2d) return false;
  for (let i = s; i < s + 36; i++) {
    if (i === s + 8 || i === s + 13 || i === s + 18 || i === s + 23) continue;
    const c = buf[i] | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Result of {@link findInlineToken}: the app and the token's [start, end) in the message. */
export interface InlineToken {
  app: string;
  start: number;
  end: number;
}

/**
 * Finds the first known token of `message` delimited on both sides by whitespace (any Unicode
 * White_Space, {@link isWhitespace}) or the message's start or end (Logentries: `TOKEN My first
 * log entry`, `My second TOKEN log entry`). Scans with native `indexOf('-')` and checks only
 * runs shaped like a UUID. A UUID that is not a known token is skipped.
 */
export function findInlineToken(tokens: TokenTable, message: string): InlineToken | null {
  const len = message.length;
  let from = 8;
  while (from < len) {
    const dash = message.indexOf('-', from);
    if (dash < 0) return null;
    const s = dash - 8;
    const e = s + 36;
    if (
      e <= len && uuidDashesAt(message, s) &&
      (s === 0 || isWhitespace(message.charCodeAt(s - 1))) &&
      (e === len || isWhitespace(message.charCodeAt(e)))
    ) {
      const app = appForToken(tokens, message.slice(s, e));
      if (app !== null) return { app, start: s, end: e };
      from = e + 9;
    } else from = dash + 1;
  }
  return null;
}

/**
 * `message` without [start, end) and ONE adjacent ASCII space U+0020 (the following one, else the
 * preceding one; other whitespace such as a tab or U+00A0 stays), per issue 14 §4 — only when
 * the token stands alone, i.e. its other side is whitespace or the text's start or end: a token
 * glued to a word (`text TOKENx`) leaves `text x`, not `textx`.
 * @returns null when nothing is left
 */
export function removeToken(message: string, start: number, end: number): string | null {
  const len = message.length;
  if (end < len && message.charCodeAt(end) === SPACE && (start === 0 || isWhitespace(message.charCodeAt(start - 1)))) end++;
  else if (start > 0 && message.charCodeAt(start - 1) === SPACE && (end === len || isWhitespace(message.charCodeAt(end)))) start--;
  const out = message.slice(0, start) + message.slice(end);
  return out.length === 0 ? null : out;
}

/**
 * `text` with every known token (any app's, any case, even inside a word) removed, each with one
 * adjacent ASCII space ({@link removeToken}); `count.n` is raised by the number removed. A removal
 * that joins the text around it into a new token removes that one too. Scans with native
 * `indexOf('-')`; only UUID-shaped runs are looked up.
 * @returns null when nothing is left
 */
export function scrubTokens(text: string, tokens: TokenTable, count: { n: number }): string | null {
  let out = text;
  let from = 8;
  while (from < out.length) {
    const dash = out.indexOf('-', from);
    if (dash < 0) break;
    const s = dash - 8;
    if (s >= 0 && s + 36 <= out.length && uuidDashesAt(out, s) && appForToken(tokens, out.slice(s, s + 36)) !== null) {
      const rest = removeToken(out, s, s + 36);
      count.n++;
      if (rest === null) return null;
      out = rest;
      // the text around the removal may now form a token starting up to 35 characters earlier
      from = s - 28 > 8 ? s - 28 : 8;
    } else from = dash + 1;
  }
  return out;
}

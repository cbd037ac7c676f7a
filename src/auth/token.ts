/**
 * Token lookup and Logentries-style inline tokens (DESIGN §6 rules 2 and 3). Tokens are UUIDs
 * (36 characters, 8-4-4-4-12), compared case-insensitively.
 */

/** Known tokens (lower case) → app name. */
export type TokenTable = ReadonlyMap<string, string>;

/** The app of `candidate` when it is a known token (any case), else null. */
export function appForToken(tokens: TokenTable, candidate: string | null): string | null {
  if (candidate === null || candidate.length !== 36) return null;
  return tokens.get(candidate) ?? tokens.get(candidate.toLowerCase()) ?? null;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;

/** Result of {@link findInlineToken}: the app and the token's [start, end) in the message. */
export interface InlineToken {
  app: string;
  start: number;
  end: number;
}

/**
 * Finds the first whitespace-delimited word of `message` that is a known token (Logentries:
 * `TOKEN My first log entry`, `My second TOKEN log entry`). Scans with native `indexOf('-')`
 * and checks only words shaped like a UUID. A UUID that is not a known token is skipped.
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
      e <= len &&
      message.charCodeAt(s + 13) === 0x2d && message.charCodeAt(s + 18) === 0x2d && message.charCodeAt(s + 23) === 0x2d &&
      (s === 0 || isSpace(message.charCodeAt(s - 1))) &&
      (e === len || isSpace(message.charCodeAt(e)))
    ) {
      const app = appForToken(tokens, message.slice(s, e));
      if (app !== null) return { app, start: s, end: e };
      from = e + 9;
    } else from = dash + 1;
  }
  return null;
}

/**
 * `message` without [start, end) and ONE adjacent space (the following one, else the
 * preceding one), per DESIGN §6 rule 3. Returns null when nothing is left.
 */
export function removeToken(message: string, start: number, end: number): string | null {
  if (end < message.length && isSpace(message.charCodeAt(end))) end++;
  else if (start > 0 && isSpace(message.charCodeAt(start - 1))) start--;
  const out = message.slice(0, start) + message.slice(end);
  return out.length === 0 ? null : out;
}

/**
 * `message` with every further occurrence of `token` (any case, even inside a word) removed,
 * each with one adjacent space, so a matched token never reaches storage (DESIGN §6).
 * Scans with native `indexOf('-')` and compares only UUID-shaped candidates.
 */
export function scrubToken(message: string, token: string): string | null {
  const lower = token.toLowerCase();
  let out: string | null = message;
  let from = 8;
  while (out !== null && from < out.length) {
    const dash = out.indexOf('-', from);
    if (dash < 0) break;
    const s = dash - 8;
    if (s + 36 <= out.length && out.charCodeAt(s + 13) === 0x2d && out.slice(s, s + 36).toLowerCase() === lower) {
      out = removeToken(out, s, s + 36);
      // the removal may join the text around it into a new copy starting up to 35 chars earlier
      from = s - 28 > 8 ? s - 28 : 8;
    } else from = dash + 1;
  }
  return out;
}

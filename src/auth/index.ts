/**
 * Authorization (DESIGN §6): decides which app a parsed message belongs to, first match wins:
 * 1. a CEE/bare-JSON token field holding a known token (`cee`),
 * 2. RFC 5424 APP-NAME / RFC 3164 TAG equal to a known token (`app-name` / `tag`),
 * 3. the first known token of MSG delimited by whitespace (any Unicode White_Space) or MSG's
 *    start or end (`inline`; a token that prefixes the whole line is found before parsing,
 *    leading.ts),
 * 4. a verified TLS client certificate whose fingerprint or subject an app lists (`tls-cert`),
 * 5. the source address inside one app's `allowedSources` (`ip`).
 * On a match the token that matched is removed; every other known token (further copies of it,
 * other apps' tokens) is left to token hygiene (hygiene.ts), which the caller runs after this.
 */
import type { ParsedMessage } from '../parse/types.js';
import type { FrameSource, TokenSource } from '../record.js';
import type { AppRegistry } from './registry.js';
import { appForToken, findInlineToken, removeToken } from './token.js';

/** Outcome of {@link authorize}: the app and how it was found. */
export interface Authorization {
  app: string;
  tokenSource: TokenSource;
}

/**
 * Resolves the app of `msg`, mutating `msg` to strip the token that matched: the token fields are
 * deleted from `msg.cee`, `appName` is nulled, or the inline token is cut out of `message` with
 * one adjacent ASCII space.
 * @param tokenFields CEE field names that may carry a token (config `auth.tokenFields`)
 * @returns null when nothing authorizes the message (it must be rejected)
 */
export function authorize(
  msg: ParsedMessage,
  source: FrameSource,
  registry: AppRegistry,
  tokenFields: readonly string[],
): Authorization | null {
  const tokens = registry.tokens;
  if (tokens.size > 0) {
    const cee = msg.cee;
    if (cee !== null) {
      for (let i = 0; i < tokenFields.length; i++) {
        const v = cee[tokenFields[i]];
        if (typeof v !== 'string') continue;
        const app = appForToken(tokens, v);
        if (app !== null) {
          for (let j = 0; j < tokenFields.length; j++) delete cee[tokenFields[j]];
          return { app, tokenSource: 'cee' };
        }
      }
    }
    const byName = appForToken(tokens, msg.appName);
    if (byName !== null) {
      msg.appName = null;
      return { app: byName, tokenSource: msg.format === 'rfc5424' ? 'app-name' : 'tag' };
    }
    if (cee === null && msg.message !== null) {
      const hit = findInlineToken(tokens, msg.message);
      if (hit !== null) {
        msg.message = removeToken(msg.message, hit.start, hit.end);
        return { app: hit.app, tokenSource: 'inline' };
      }
    }
  }
  if (source.certFingerprint !== null) {
    const byCert = registry.certFingerprints.get(source.certFingerprint) ?? registry.certSubjects.get(source.record.tlsPeer ?? '');
    if (byCert !== undefined) return { app: byCert, tokenSource: 'tls-cert' };
  }
  const byIp = registry.sources.lookup(source.record.address);
  return byIp === null ? null : { app: byIp, tokenSource: 'ip' };
}

/**
 * Authorization (DESIGN §6): decides which app a parsed message belongs to, first match wins:
 * 1. a CEE/bare-JSON token field holding a known token (`cee`),
 * 2. RFC 5424 APP-NAME / RFC 3164 TAG equal to a known token (`app-name` / `tag`),
 * 3. the first whitespace-delimited word of MSG that is a known token (`inline`),
 * 4. a verified TLS client certificate whose fingerprint or subject an app lists (`tls-cert`),
 * 5. the source address inside one app's `allowedSources` (`ip`).
 * On a match the token is removed from the message so it never reaches storage.
 */
import type { ParsedMessage } from '../parse/types.js';
import type { FrameSource, TokenSource } from '../record.js';
import type { AppRegistry } from './registry.js';
import { appForToken, findInlineToken, removeToken, scrubToken } from './token.js';

/** Outcome of {@link authorize}: the app and how it was found. */
export interface Authorization {
  app: string;
  tokenSource: TokenSource;
}

/**
 * Resolves the app of `msg`, mutating `msg` to strip the token: the token field is deleted
 * from `msg.cee`, `appName` is nulled, or the inline token is cut out of `message`.
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
          if (typeof cee.message === 'string') cee.message = scrubToken(cee.message, v);
          return { app, tokenSource: 'cee' };
        }
      }
    }
    const byName = appForToken(tokens, msg.appName);
    if (byName !== null) {
      if (msg.message !== null) msg.message = scrubToken(msg.message, msg.appName!);
      if (cee !== null && typeof cee.message === 'string') cee.message = scrubToken(cee.message, msg.appName!);
      msg.appName = null;
      return { app: byName, tokenSource: msg.format === 'rfc5424' ? 'app-name' : 'tag' };
    }
    if (cee === null && msg.message !== null) {
      const hit = findInlineToken(tokens, msg.message);
      if (hit !== null) {
        const token = msg.message.slice(hit.start, hit.end);
        const rest = removeToken(msg.message, hit.start, hit.end);
        msg.message = rest === null ? null : scrubToken(rest, token);
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

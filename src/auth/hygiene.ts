/**
 * Token hygiene (issue 14 §5): no known token — of any app, not only the one that authorized the
 * line — may reach storage. {@link countFrameTokens} looks at the frame's bytes once (cheap: a
 * stride-4 byte probe for a UUID's dashes; a line without a UUID-shaped run costs that probe and
 * nothing else); only when a known token is left after authorization does {@link TokenScrubber}
 * walk the parsed fields: hostname, appName, procId, msgId, message, STRUCTURED-DATA (names and
 * values), CEE keys and values at any depth and the vendor member. Each occurrence is removed with
 * one adjacent ASCII space (token.ts removeToken) and counted; a field that was only the token
 * becomes null (an SD value becomes "", an SD name or CEE key that held one is dropped).
 */
import type { ParsedMessage } from '../parse/types.js';
import { StructuredDataSpan } from '../parse/structured-data.js';
import type { StructuredData } from '../record.js';
import { appForToken, scrubTokens, uuidBytesAt, type TokenTable } from './token.js';

/**
 * Counts the known tokens (any case) in frame bytes `buf[start, end)` (byte offsets), stopping at
 * `max`. Probes every 4th byte for `-`: a UUID's dashes sit at offsets 8, 13, 18 and 23, one of
 * which every stride-4 walk lands on; each dash found tries the four starts it could belong to.
 * No allocation unless a run is UUID-shaped (then one 36-byte string for the lookup).
 */
export function countFrameTokens(buf: Buffer, start: number, end: number, tokens: TokenTable, max: number): number {
  if (tokens.size === 0 || end - start < 36) return 0;
  let n = 0;
  // the last start counted: overlapping candidates of one dash run are not counted twice
  let last = -36;
  for (let i = start + 8; i < end; i += 4) {
    if (buf[i] !== 0x2d) continue;
    for (const off of OFFSETS) {
      const s = i - off;
      if (s < start || s < last + 36 || s + 36 > end || !uuidBytesAt(buf, s)) continue;
      if (appForToken(tokens, buf.toString('latin1', s, s + 36)) === null) continue;
      last = s;
      if (++n >= max) return n;
    }
  }
  return n;
}
const OFFSETS = [23, 18, 13, 8] as const;

/** True when `buf[start, end)` holds a JSON `\u` escape (a CEE string could spell a token with it). */
export function hasUnicodeEscape(buf: Buffer, start: number, end: number): boolean {
  // a view bounds the native search to the frame (the batch buffer goes on after it)
  return buf.subarray(start, end).indexOf('\\u', 0, 'latin1') !== -1;
}

/** Objects nested deeper than this are left as they are (JSON.parse limits the depth anyway). */
const MAX_DEPTH = 64;

/**
 * Removes every known token from a parsed message (see the module comment). One per thread; it
 * keeps the table it was made with (a reload makes a new one).
 */
export class TokenScrubber {
  /** Occurrences removed since the owner last took them (`tokens_scrubbed_total`). */
  readonly count = { n: 0 };

  constructor(private readonly tokens: TokenTable) {}

  /** `s` without known tokens; null stays null. */
  text(s: string | null): string | null {
    return s === null || s.length < 36 ? s : scrubTokens(s, this.tokens, this.count);
  }

  /** Scrubs every field of `pm` in place. */
  message(pm: ParsedMessage): void {
    pm.hostname = this.text(pm.hostname);
    pm.appName = this.text(pm.appName);
    pm.procId = this.text(pm.procId);
    pm.msgId = this.text(pm.msgId);
    if (pm.structuredData !== null) pm.structuredData = this.structuredData(pm.structuredData);
    // a CEE record's message comes from the object (the raw MSG text is not stored)
    if (pm.cee !== null) this.object(pm.cee, 0);
    else pm.message = this.text(pm.message);
    if (pm.vendor !== null) this.object(pm.vendor.fields, 0);
  }

  /** Keys and values of a JSON object or array, in place, at any depth (up to {@link MAX_DEPTH}). */
  object(o: Record<string, unknown> | unknown[], depth: number): void {
    if (depth >= MAX_DEPTH) return;
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) o[i] = this.value(o[i], depth);
      return;
    }
    for (const k of Object.keys(o)) {
      const v = this.value(o[k], depth);
      const key = this.text(k);
      if (key === k) {
        o[k] = v;
        continue;
      }
      delete o[k];
      if (key !== null && !Object.prototype.hasOwnProperty.call(o, key)) Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }

  private value(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v !== null && typeof v === 'object') this.object(v as Record<string, unknown>, depth + 1);
    return v;
  }

  /** The SD bytes again without tokens (a new buffer), or the same span when none is in them. */
  private structuredData(sd: StructuredDataSpan): StructuredDataSpan | null {
    const before = this.count.n;
    const obj = sd.toObject();
    const clean: StructuredData = Object.create(null) as StructuredData;
    let ids = 0;
    for (const id of Object.keys(obj)) {
      const cid = this.text(id);
      if (cid !== id) continue; // an SD-ID with a token in it: the element is dropped
      const params: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const name of Object.keys(obj[id])) {
        if (this.text(name) !== name) continue; // a PARAM-NAME with a token: the param is dropped
        params[name] = this.text(obj[id][name]) ?? '';
      }
      clean[id] = params;
      ids++;
    }
    if (this.count.n === before) return sd;
    if (ids === 0) return null;
    const bytes = Buffer.from(sdText(clean), 'utf8');
    return new StructuredDataSpan(bytes, 0, bytes.length);
  }
}

/** RFC 5424 §6.3 STRUCTURED-DATA text of `sd`: `"`, `\` and `]` in values escaped with `\`. */
function sdText(sd: StructuredData): string {
  let out = '';
  for (const id of Object.keys(sd)) {
    out += '[' + id;
    for (const name of Object.keys(sd[id])) out += ' ' + name + '="' + sd[id][name].replace(/["\\\]]/g, '\\$&') + '"';
    out += ']';
  }
  return out;
}

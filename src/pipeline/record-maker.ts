/** {@link RecordMaker.counters}: what writing records drops, and what token hygiene removes. */
export interface MakerCounters extends RecordCounters {
  /** Known tokens removed from records by token hygiene (auth/hygiene.ts), `tokens_scrubbed_total`. */
  tokensScrubbed: number;
}

/** Token sources whose rule removes the matching token itself (the other ones leave it to hygiene). */
const REMOVES_ITS_TOKEN: ReadonlySet<string> = new Set(['cee', 'app-name', 'tag', 'inline']);

/**
 * Frame → stored record (DESIGN §4–§6): parse, authorize (the token is stripped), remove every
 * other known token (issue 14 §5), serialize the NDJSON line in place. This part needs no state beyond the app registry, so the same code runs
 * on the main thread (RELP, `pipeline.workers: 1`) and in every parse worker (DESIGN §9).
 */
import { countFrameTokens, hasUnicodeEscape, TokenScrubber } from '../auth/hygiene.js';
import { authorize, type Authorization } from '../auth/index.js';
import { leadingToken } from '../auth/leading.js';
import { AppRegistry } from '../auth/registry.js';
import { appForToken } from '../auth/token.js';
import type { AppConfig } from '../config/schema.js';
import { parseAfterToken, parseMessage, type ParsedMessage } from '../parse/index.js';
import type { FrameSource } from '../record.js';
import { writeRecord, type RecordCounters } from '../record-json.js';

export class RecordMaker {
  private registry: AppRegistry;
  private scrubber: TokenScrubber;
  private tokenFields: readonly string[];
  /** The message read by the last successful {@link authorize}. */
  private parsed: ParsedMessage | null = null;
  /** Its app and token source. */
  auth: Authorization | null = null;
  /** CEE keys dropped while writing (see {@link writeRecord}). */
  readonly counters: MakerCounters = { ceeKeysDropped: 0, tokensScrubbed: 0 };

  constructor(apps: readonly AppConfig[], tokenFields: readonly string[]) {
    this.registry = new AppRegistry(apps);
    this.scrubber = new TokenScrubber(this.registry.tokens);
    this.tokenFields = tokenFields;
  }

  /** Applies reloaded apps and token fields from the next frame on. */
  configure(apps: readonly AppConfig[], tokenFields: readonly string[]): void {
    this.registry = new AppRegistry(apps);
    this.scrubber = new TokenScrubber(this.registry.tokens);
    this.tokenFields = tokenFields;
  }

  /** Token hygiene for records made elsewhere (HTTP intake events); counted in {@link counters}. */
  scrubText(s: string | null): string | null {
    const out = this.scrubber.text(s);
    this.takeScrubbed();
    return out;
  }

  /** {@link scrubText} of every key and string of a JSON object, at any depth, in place. */
  scrubObject(o: Record<string, unknown>): void {
    this.scrubber.object(o, 0);
    this.takeScrubbed();
  }

  /** Moves the scrubber's removals into {@link counters}. */
  private takeScrubbed(): void {
    const c = this.scrubber.count;
    this.counters.tokensScrubbed += c.n;
    c.n = 0;
  }

  /**
   * Parses frame `buf[start, end)` and finds its app ({@link auth}); the token that matched is
   * removed from the parsed message, and so is every other known token in it (counted in
   * `counters.tokensScrubbed`). A known token that prefixes the line (a forwarder's
   * `TOKEN <PRI>…`, Docker's `logentries` driver) is taken off before parsing. The frame's bytes
   * are probed once for known tokens (auth/hygiene.ts countFrameTokens): a line without a
   * UUID-shaped run pays that probe only. Never throws on input.
   * @param receivedAtMs when the frame was read, epoch ms (RFC 3164 year inference)
   * @returns false when nothing authorizes it (it must be rejected)
   */
  authorize(buf: Buffer, start: number, end: number, source: FrameSource, receivedAtMs: number): boolean {
    const tokens = this.registry.tokens;
    const known = countFrameTokens(buf, start, end, tokens, 2);
    const lead = known > 0 ? leadingToken(buf, start, end, tokens) : null;
    let parsed: ParsedMessage;
    if (lead !== null) {
      parsed = parseAfterToken(buf, lead.payload, end, receivedAtMs);
      this.auth = { app: lead.app, tokenSource: 'inline' };
    } else {
      parsed = parseMessage(buf, start, end, receivedAtMs);
      this.auth = authorize(parsed, source, this.registry, this.tokenFields);
    }
    if (this.auth === null) {
      this.parsed = null;
      return false;
    }
    const removed = lead !== null || REMOVES_ITS_TOKEN.has(this.auth.tokenSource) ? 1 : 0;
    if (known > removed || (parsed.cee !== null && hasUnicodeEscape(buf, start, end))) {
      this.scrubber.message(parsed);
      this.takeScrubbed();
    }
    this.parsed = parsed;
    return true;
  }

  /** The app of `token` when it is a known token (any case), else null. */
  appForToken(token: string): string | null {
    return appForToken(this.registry.tokens, token);
  }

  /** True when the last authorized message's MSG looked like CEE/JSON but was not one object. */
  get ceeInvalid(): boolean { return this.parsed?.ceeInvalid ?? false; }

  /**
   * Writes the last authorized message's record line into `out` at `pos`.
   * @returns the offset after its LF, or -1 when `out` has too little room (nothing is kept)
   */
  write(out: Buffer, pos: number, truncated: boolean, source: FrameSource, receivedAtMs: number): number {
    const a = this.auth!;
    return writeRecord(out, pos, this.parsed!, a.app, a.tokenSource, source, receivedAtMs, truncated, this.counters);
  }
}

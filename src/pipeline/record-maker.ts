/**
 * Frame → stored record (DESIGN §4–§6): parse, authorize (the token is stripped), serialize the
 * NDJSON line in place. This part needs no state beyond the app registry, so the same code runs
 * on the main thread (RELP, `pipeline.workers: 1`) and in every parse worker (DESIGN §9).
 */
import { authorize, type Authorization } from '../auth/index.js';
import { AppRegistry } from '../auth/registry.js';
import { appForToken } from '../auth/token.js';
import type { AppConfig } from '../config/schema.js';
import { parseMessage, type ParsedMessage } from '../parse/index.js';
import type { FrameSource } from '../record.js';
import { writeRecord, type RecordCounters } from '../record-json.js';

export class RecordMaker {
  private registry: AppRegistry;
  private tokenFields: readonly string[];
  /** The message read by the last successful {@link authorize}. */
  private parsed: ParsedMessage | null = null;
  /** Its app and token source. */
  auth: Authorization | null = null;
  /** CEE keys dropped while writing (see {@link writeRecord}). */
  readonly counters: RecordCounters = { ceeKeysDropped: 0 };

  constructor(apps: readonly AppConfig[], tokenFields: readonly string[]) {
    this.registry = new AppRegistry(apps);
    this.tokenFields = tokenFields;
  }

  /** Applies reloaded apps and token fields from the next frame on. */
  configure(apps: readonly AppConfig[], tokenFields: readonly string[]): void {
    this.registry = new AppRegistry(apps);
    this.tokenFields = tokenFields;
  }

  /**
   * Parses frame `buf[start, end)` and finds its app ({@link auth}); the token is removed from
   * the parsed message. Never throws on input.
   * @param receivedAtMs when the frame was read, epoch ms (RFC 3164 year inference)
   * @returns false when nothing authorizes it (it must be rejected)
   */
  authorize(buf: Buffer, start: number, end: number, source: FrameSource, receivedAtMs: number): boolean {
    const parsed = parseMessage(buf, start, end, receivedAtMs);
    this.auth = authorize(parsed, source, this.registry, this.tokenFields);
    this.parsed = this.auth === null ? null : parsed;
    return this.auth !== null;
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

/**
 * The `http` output's destination: one NDJSON `POST` per batch (the stored lines, LF after
 * each) to the output's URL template, with `{app}` and `{token}` — the output's own secret for
 * the app (`tokens:`), e.g. Loggly's `https://logs-01.loggly.com/bulk/{token}/tag/syslog/` —
 * replaced. Any 2xx delivers the batch; a retryable status (5xx, 429, …) or a network failure
 * retries it; any other 4xx dead-letters the whole batch with the answer.
 */
import type { OutputConfig } from '../config/schema.js';
import { describeAnswer, HttpClient, retryableStatus, type HttpAnswer } from './http-client.js';
import { ItemStatus, wholeResult, type DeliveryResult, type Destination, type OutRecord } from './types.js';

const LF = Buffer.from('\n');

export class HttpDestination implements Destination {
  readonly type = 'http';
  private readonly http: HttpClient;

  constructor(private readonly cfg: OutputConfig, userAgent: string) {
    this.http = new HttpClient(cfg, userAgent);
  }

  /** The URL for `app`; null when it needs a `{token}` the output has none for. */
  urlFor(app: string): string | null {
    const token = this.cfg.tokens[app];
    if (this.cfg.url.includes('{token}') && token === undefined) return null;
    return this.cfg.url.replaceAll('{app}', encodeURIComponent(app)).replaceAll('{token}', encodeURIComponent(token ?? ''));
  }

  accepts(app: string): boolean { return this.urlFor(app) !== null; }

  async send(app: string, records: readonly OutRecord[]): Promise<DeliveryResult> {
    const url = this.urlFor(app);
    if (url === null) return wholeResult(records.length, ItemStatus.Retry, `no token for app "${app}" in this output's tokens:`);
    const parts: Buffer[] = [];
    for (const r of records) parts.push(r.line, LF);
    let a: HttpAnswer;
    try {
      a = await this.http.post(url, Buffer.concat(parts), 'application/x-ndjson');
    } catch (err) {
      return wholeResult(records.length, ItemStatus.Retry, (err as Error).message);
    }
    if (a.status >= 200 && a.status <= 299) return wholeResult(records.length, ItemStatus.Delivered, null);
    return wholeResult(records.length, retryableStatus(a.status) ? ItemStatus.Retry : ItemStatus.Rejected, describeAnswer(a), a.retryAfterMs);
  }

  close(): Promise<void> { return this.http.close(); }
}

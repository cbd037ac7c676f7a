/**
 * The `elasticsearch` output's destination (OpenSearch too): one `POST <url>/_bulk` per batch,
 * a `create` action per record with a deterministic `_id` ({@link recordId}), so a batch sent
 * again after a timeout or a crash cannot store a record twice: the copy already there answers
 * 409, which counts as delivered. Per-item results are read item by item (Elasticsearch bulk
 * API: `errors`, `items[].create.status`): 429 and 5xx items are retried, other 4xx items are
 * dead-lettered with their error. A whole-request failure applies to every record.
 */
import { createHash } from 'node:crypto';
import type { OutputConfig } from '../config/schema.js';
import { describeAnswer, HttpClient, retryableStatus, type HttpAnswer } from './http-client.js';
import { ItemStatus, wholeResult, type DeliveryResult, type Destination, type OutRecord } from './types.js';

/**
 * The `_id` of a stored record: base64url of SHA-1 over app, day, byte offset and the line
 * (27 characters). The same stored line always gets the same id; a different line written at
 * the same place (after a power loss took unsynced bytes) gets another one.
 */
export function recordId(app: string, r: OutRecord): string {
  return createHash('sha1').update(`${app}\0${r.day}\0${r.offset}\0`).update(r.line).digest('base64url');
}

/**
 * The index of a record: `index` with `{app}`, `{yyyy}`, `{MM}`, `{dd}` and `{yyyy.MM.dd}`
 * replaced (the UTC day of receipt), lowercased as Elasticsearch requires.
 */
export function indexName(template: string, app: string, day: string): string {
  const [y, m, d] = day.split('-');
  return template.replaceAll('{app}', app).replaceAll('{yyyy.MM.dd}', `${y}.${m}.${d}`).replaceAll('{yyyy}', y).replaceAll('{MM}', m).replaceAll('{dd}', d).toLowerCase();
}

/** Length of a {@link recordId} (base64url of 20 bytes). */
const ID_CHARS = 27;
const ACTION_END = '"}}\n';

export class ElasticsearchDestination implements Destination {
  readonly type = 'elasticsearch';
  private readonly http: HttpClient;
  private readonly bulkUrl: string;

  constructor(private readonly cfg: OutputConfig, userAgent: string) {
    this.http = new HttpClient(cfg, userAgent);
    this.bulkUrl = `${cfg.url.replace(/\/+$/, '')}/_bulk`;
  }

  accepts(): boolean { return true; }

  async send(app: string, records: readonly OutRecord[]): Promise<DeliveryResult> {
    // one buffer: `{"create":{"_index":"<index>","_id":"<27 chars>"}}` LF, the line, LF per record
    let size = 0;
    const prefixes: string[] = [];
    let lastDay = '';
    let prefix = '';
    for (const r of records) {
      if (r.day !== lastDay) { prefix = `{"create":{"_index":${JSON.stringify(indexName(this.cfg.index, app, r.day))},"_id":"`; lastDay = r.day; }
      prefixes.push(prefix);
      size += Buffer.byteLength(prefix) + ID_CHARS + ACTION_END.length + r.line.length + 1;
    }
    const body = Buffer.allocUnsafe(size);
    let at = 0;
    records.forEach((r, i) => {
      at += body.write(prefixes[i], at);
      at += body.write(recordId(app, r), at, 'latin1');
      at += body.write(ACTION_END, at, 'latin1');
      at += r.line.copy(body, at);
      body[at++] = 0x0a;
    });
    let a: HttpAnswer;
    try {
      a = await this.http.post(this.bulkUrl, body, 'application/x-ndjson');
    } catch (err) {
      return wholeResult(records.length, ItemStatus.Retry, (err as Error).message);
    }
    if (a.status < 200 || a.status > 299) {
      return wholeResult(records.length, retryableStatus(a.status) ? ItemStatus.Retry : ItemStatus.Rejected, describeAnswer(a), a.retryAfterMs);
    }
    return bulkItemResults(records.length, a);
  }

  close(): Promise<void> { return this.http.close(); }
}

/** An item's error as JSON text, at most 1000 characters (`?` when it cannot be written: nested too deep). */
function itemError(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    return '?';
  }
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

/**
 * Reads a 2xx bulk answer item by item (Elasticsearch bulk API response: `errors`, `items[].<action>.status`).
 * An answer that is not a bulk response for `n` items retries everything; never throws.
 */
export function bulkItemResults(n: number, a: HttpAnswer): DeliveryResult {
  let items: unknown;
  let errors: unknown;
  try {
    const body = JSON.parse(a.body) as { errors?: unknown; items?: unknown };
    items = body.items;
    errors = body.errors;
  } catch {
    items = undefined;
  }
  if (!Array.isArray(items) || items.length !== n) {
    return wholeResult(n, ItemStatus.Retry, `not a bulk answer for ${n} items: ${describeAnswer(a)}`);
  }
  const res = wholeResult(n, ItemStatus.Delivered, null, a.retryAfterMs);
  if (errors === false) return res;
  for (let i = 0; i < n; i++) {
    const item = items[i] as Record<string, { status?: unknown; error?: unknown }> | null;
    const result = item === null || typeof item !== 'object' ? undefined : Object.values(item)[0];
    const status = typeof result?.status === 'number' ? result.status : 0;
    if ((status >= 200 && status <= 299) || status === 409) continue;
    const why = `item status ${status}: ${itemError(result?.error ?? result ?? null)}`;
    if (status !== 0 && !retryableStatus(status)) {
      res.status[i] = ItemStatus.Rejected;
      res.detail[i] = why;
    } else {
      res.status[i] = ItemStatus.Retry;
    }
    res.error ??= why;
  }
  return res;
}

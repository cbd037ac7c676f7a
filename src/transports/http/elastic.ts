/**
 * Response bodies in the shapes Elasticsearch 8.x answers with (its REST API reference), so
 * that clients and shippers which check them — the Elastic client's product check (the
 * `X-Elastic-Product` header and `GET /`), rsyslog `omelasticsearch`'s bulk reply parser,
 * OpenSearch clients, Beats' and Logstash's template setup — go on sending.
 */
import type { ProbeName } from './routes.js';

/** Sent on every response (the Elastic client 8+ refuses a server without it). */
export const PRODUCT_HEADER = { 'x-elastic-product': 'Elasticsearch' } as const;

/** An Elasticsearch error body: `{"error":{"root_cause":[…],"type","reason"},"status"}`. */
export function esError(status: number, type: string, reason: string): string {
  return JSON.stringify({ error: { root_cause: [{ type, reason }], type, reason }, status });
}

const ROOT = JSON.stringify({
  name: 'syslog-receiver',
  cluster_name: 'syslog-receiver',
  cluster_uuid: 'syslog-receiver-http-intake',
  version: {
    number: '8.11.0',
    build_flavor: 'default',
    build_type: 'tar',
    build_hash: 'syslog-receiver',
    build_date: '2023-11-04T10:04:57.184859352Z',
    build_snapshot: false,
    lucene_version: '9.8.0',
    minimum_wire_compatibility_version: '7.17.0',
    minimum_index_compatibility_version: '7.0.0',
  },
  tagline: 'You Know, for Search',
});

/** The body of a probe, and its content type. */
export function probeBody(name: ProbeName): { type: string; body: string } {
  switch (name) {
    case 'root': return { type: 'application/json', body: ROOT };
    case 'health': return { type: 'text/plain; charset=UTF-8', body: `${Math.floor(Date.now() / 1000)} 00:00:00 syslog-receiver green 1 1 0 0 0 0 0 0 - 100.0%\n` };
    case 'nodes': return { type: 'application/json', body: JSON.stringify({ _nodes: { total: 1, successful: 1, failed: 0 }, cluster_name: 'syslog-receiver', nodes: {} }) };
    case 'license': return { type: 'application/json', body: JSON.stringify({ license: { status: 'active', type: 'basic', uid: 'syslog-receiver' } }) };
    case 'xpack': return { type: 'application/json', body: JSON.stringify({ build: {}, license: { status: 'active', type: 'basic', mode: 'basic' }, features: {} }) };
    case 'acknowledged': return { type: 'application/json', body: '{"acknowledged":true}' };
    case 'exists': return { type: 'application/json', body: '{}' };
  }
}

/** What the bulk or document response says about one stored (or failed) item. */
export interface ItemResult {
  action: string;
  index: string;
  id: string;
  status: number;
  /** Present when `status` is not 2xx. */
  error?: { type: string; reason: string };
}

const CREATED_TAIL = ',"_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":';

/**
 * One item's JSON: `{"_index","_id",` then the created fields or `status` + `error`, without its
 * closing brace. `quotedIndex` is `_index` already JSON-quoted.
 */
function itemJson(r: ItemResult, seq: number, quotedIndex: string): string {
  const head = `{"_index":${quotedIndex},"_id":${JSON.stringify(r.id)}`;
  return r.error !== undefined ? `${head},"status":${r.status},"error":${JSON.stringify(r.error)}` : `${head}${CREATED_TAIL}${seq},"_primary_term":1,"status":${r.status}`;
}

/**
 * `{"took","errors","items":[{<action>:{…}}]}` — the bulk API's response, written as one string
 * (no object per item: a bulk of 1,000 is answered with one concatenation; the index name, the
 * same for most items, quoted once).
 */
export function bulkResponse(results: readonly ItemResult[], tookMs: number): string {
  let errors = false;
  for (const r of results) if (r.status >= 300) errors = true;
  let out = `{"took":${tookMs},"errors":${errors},"items":[`;
  let lastIndex: string | null = null;
  let quotedIndex = '';
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r.index !== lastIndex) { lastIndex = r.index; quotedIndex = JSON.stringify(r.index); }
    // action names come from a fixed set (events.ts): no quoting needed
    out += `${i === 0 ? '' : ','}{"${r.action}":${itemJson(r, i, quotedIndex)}}}`;
  }
  return out + ']}';
}

/** The index API's response for one created document. */
export function docResponse(r: ItemResult): string {
  return `${itemJson(r, 0, JSON.stringify(r.index))}}`;
}

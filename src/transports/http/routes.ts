/**
 * The HTTP intake's URL space: method + path → what the request is. The APIs it mimics:
 * - Elasticsearch / OpenSearch (the index name is the app token, as Sematext's receiver has it):
 *   `_bulk` (RFC-less NDJSON bulk API), `_doc`, `_create`, the pre-7.x typed paths Sematext's
 *   older examples use (`/<token>/<type>[/<id>]`), and what shippers probe or install before
 *   sending (`GET /`, `_cat/health`, `_nodes/http`, templates, `_license`, `_xpack`, ILM).
 * - Loggly: `/inputs/<token>[/tag/<tags>]` (one event) and `/bulk/<token>[/tag/<tags>]`.
 * - Logentries / InsightOps: `/v1/noformat/<token>` (text lines).
 * The query string is ignored (`?refresh=…`, `?pretty`); trailing slashes are allowed.
 */

/** What a request asks for. */
export type Route =
  /** Elasticsearch `_bulk`; `index` from the path, else each item's `_index`. */
  | { kind: 'bulk'; index: string | null }
  /** Elasticsearch single document (`_doc`, `_create`, typed path); `id` from the path. */
  | { kind: 'doc'; index: string; id: string | null; create: boolean }
  /** Loggly: one event (`inputs`) or one per line (`bulk`), with tags from the path. */
  | { kind: 'loggly'; token: string; bulk: boolean; tags: string[] }
  /** Logentries `noformat`: one event per line. */
  | { kind: 'logentries'; token: string }
  /** A probe or setup call answered from constants (elastic.ts). */
  | { kind: 'probe'; name: ProbeName };

export type ProbeName = 'root' | 'health' | 'nodes' | 'acknowledged' | 'exists' | 'license' | 'xpack';

/** A route, or the status to answer (404 unknown path, 405 a known path with another method, 400 a bad escape). */
export type RouteResult = Route | { kind: 'error'; status: 400 | 404 | 405; allow?: string };

const POST = new Set(['POST', 'PUT']);
const READ = new Set(['GET', 'HEAD']);

function segments(path: string): string[] | null {
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '') continue;
    try {
      out.push(decodeURIComponent(s));
    } catch {
      return null;
    }
  }
  return out;
}

const tagsOf = (s: string | undefined): string[] => (s === undefined ? [] : s.split(',').map((t) => t.trim()).filter((t) => t !== ''));

/**
 * Resolves `method` and `url` (the request target, origin form) to a route.
 * Never throws.
 */
export function route(method: string, url: string): RouteResult {
  const s = segments(url);
  if (s === null) return { kind: 'error', status: 400 };
  const m = method.toUpperCase();
  const need = (allowed: Set<string>, r: Route): RouteResult => (allowed.has(m) ? r : { kind: 'error', status: 405, allow: [...allowed].join(', ') });
  const n = s.length;
  if (n === 0) return need(READ, { kind: 'probe', name: 'root' });
  const [a, b, c, d] = s;
  // Loggly and Logentries first: their first segment is never a token
  if ((a === 'inputs' || a === 'bulk') && (n <= 2 || (n === 4 && c === 'tag'))) return need(POST, { kind: 'loggly', token: b ?? '', bulk: a === 'bulk', tags: tagsOf(d) });
  if (a === 'v1' && b === 'noformat' && n === 3) return need(POST, { kind: 'logentries', token: c });
  if (a.startsWith('_')) {
    if (a === '_bulk' && n === 1) return need(POST, { kind: 'bulk', index: null });
    if (a === '_cat' && b === 'health' && n === 2) return need(READ, { kind: 'probe', name: 'health' });
    if (a === '_nodes' && (n === 1 || (n === 2 && b === 'http'))) return need(READ, { kind: 'probe', name: 'nodes' });
    if (a === '_license' && n === 1) return need(READ, { kind: 'probe', name: 'license' });
    if (a === '_xpack' && n === 1) return need(READ, { kind: 'probe', name: 'xpack' });
    if ((a === '_template' || a === '_index_template' || a === '_component_template') && n === 2) return setup(m);
    if ((a === '_ilm' && b === 'policy' && n === 3) || (a === '_ingest' && b === 'pipeline' && n === 3)) return setup(m);
    return { kind: 'error', status: 404 };
  }
  // /<index>/...
  // index exists / create index (PUT only: Elasticsearch answers POST /<index> 405, and a body
  // posted there would be events dropped with a 200)
  if (n === 1) return m === 'POST' ? { kind: 'error', status: 405, allow: 'GET, HEAD, PUT' } : setup(m);
  if (b === '_bulk' && n === 2) return need(POST, { kind: 'bulk', index: a });
  if (b === '_doc' && n <= 3) return need(n === 2 ? new Set(['POST']) : POST, { kind: 'doc', index: a, id: c ?? null, create: false });
  if (b === '_create' && n === 3) return need(POST, { kind: 'doc', index: a, id: c, create: true });
  if (!b.startsWith('_')) {
    // pre-7.x typed paths: /<index>/<type>, /<index>/<type>/<id>, /<index>/<type>/_bulk
    if (n === 2) return need(new Set(['POST']), { kind: 'doc', index: a, id: null, create: false });
    if (n === 3 && c === '_bulk') return need(POST, { kind: 'bulk', index: a });
    if (n === 3 && !c.startsWith('_')) return need(POST, { kind: 'doc', index: a, id: c, create: false });
  }
  return { kind: 'error', status: 404 };
}

/** Templates, ILM policies, pipelines, index creation: PUT/POST acknowledged, GET/HEAD "exists". */
function setup(m: string): RouteResult {
  if (POST.has(m)) return { kind: 'probe', name: 'acknowledged' };
  if (READ.has(m)) return { kind: 'probe', name: 'exists' };
  return { kind: 'error', status: 405, allow: 'GET, HEAD, POST, PUT' };
}

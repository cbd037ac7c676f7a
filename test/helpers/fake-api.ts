/**
 * A scripted fake HTTP API for tests of the outputs (forwarders to Elasticsearch / OpenSearch
 * `POST /_bulk` and to generic NDJSON-over-HTTP APIs). It speaks real HTTP (or HTTPS with `tls`)
 * on 127.0.0.1, records every request (body already decoded from gzip/deflate/br), and answers
 * each one through {@link FakeApi.script}: a fixed status/body, `'hang'`, `'reset'`, or
 * `'default'` — a small in-memory Elasticsearch that is enough for a bulk-ingest client:
 *
 * - `GET /` (and `HEAD /`): 200 with an ES 8.x-like info document;
 * - `POST /_bulk`, `POST /<index>/_bulk`: NDJSON `create` / `index` actions (each followed by
 *   its document line), stored in {@link FakeApi.docs}; `create` of an id that exists → item 409
 *   `version_conflict_engine_exception`; {@link FakeApiOptions.itemStatus} overrides any item;
 *   a malformed body → 400 `illegal_argument_exception`;
 * - any other `POST`: 200 `{"response":"ok"}`, its non-empty lines kept in {@link FakeApi.lines}
 *   (a Loggly-like `/bulk/<token>/tag/x/` intake, a generic NDJSON sink);
 * - anything else: 404 with an ES-shaped error.
 *
 * Every response carries `x-elastic-product: Elasticsearch` (which the official ES client checks
 * on each 2xx answer) unless {@link FakeApiOptions.elasticProductHeader} is false or a scripted
 * reply sets the header itself.
 *
 * ```ts
 * const api = await startFakeApi();
 * api.script = (req) => (req.n === 1 ? { status: 503, headers: { 'retry-after': '2' } } : 'default');
 * // … point the output at api.url, run it …
 * assert.equal(api.docs.size, 3);
 * await api.close();
 * ```
 */
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** One request the fake received, recorded once its whole body has arrived. */
export interface ApiRequest {
  /**
   * 1-based index in {@link FakeApi.requests}, counted when the body is complete (so
   * `api.requests[r.n - 1] === r`). A request whose client went away mid-body is not recorded.
   */
  n: number;
  /** `GET`, `POST`, … as sent. */
  method: string;
  /** The request target as sent: path plus query string, e.g. `/logs-x/_bulk?refresh=false`. */
  path: string;
  /** Request headers, names lower-cased (node:http). */
  headers: IncomingHttpHeaders;
  /**
   * The body, decoded when `content-encoding` is gzip / x-gzip / deflate / br (a list is undone
   * right to left). When decoding fails it is the raw bytes and {@link decodeError} says why.
   */
  body: Buffer;
  /** Why the body could not be decoded (unknown or corrupt content-encoding), else undefined. */
  decodeError?: string;
  /** {@link body} as UTF-8 text. */
  text(): string;
  /** When the request's headers arrived, epoch ms (`Date.now()`). */
  at: number;
}

/**
 * How the fake answers one request:
 * - `{ status, headers?, body? }`: that status; `body` a string (sent as is, `text/plain` unless
 *   `headers` give a content type) or any other value (sent as JSON, `application/json`);
 * - `'hang'`: never answer — the socket stays open until the client gives up or
 *   {@link FakeApi.close} is called;
 * - `'reset'`: destroy the socket without answering (the client sees the connection closed);
 * - `'default'`: the built-in Elasticsearch / generic-intake behaviour (module doc).
 */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string | object }
  | 'hang'
  | 'reset'
  | 'default';

/** Decides the answer to a request; may be async (e.g. to delay the answer). */
export type ApiScript = (req: ApiRequest) => Reply | Promise<Reply>;

/** One document as stored by the built-in `_bulk` handler. */
export interface StoredDoc {
  /** The `_index` it was written to (from the action, else from the request path). */
  index: string;
  /** Its `_id` (from the action, else a generated 20-character id). */
  id: string;
  /** The parsed document line. */
  doc: unknown;
  /** The document line exactly as received (no trailing newline). */
  raw: string;
}

/** One bulk item as seen by {@link FakeApiOptions.itemStatus}. */
export interface BulkItem extends StoredDoc {
  action: 'create' | 'index';
}

/** Options of {@link startFakeApi}. */
export interface FakeApiOptions {
  /**
   * Overrides the status of one `_bulk` item: return e.g. 429 (error type
   * `es_rejected_execution_exception`), 400 (`mapper_parsing_exception`), 409, 404, 500, 503;
   * or undefined for the normal outcome (201 created, 200 updated, 409 for a `create` of an
   * existing id). An item with an overridden non-2xx status is not stored; one with an
   * overridden 2xx status is stored (replacing what was there).
   */
  itemStatus?: (item: BulkItem, req: ApiRequest) => number | undefined;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** `version.number` in the `GET /` document (default `8.15.0`). */
  version?: string;
  /** Add `x-elastic-product: Elasticsearch` to every response (default true). */
  elasticProductHeader?: boolean;
}

/** A running fake API (see {@link startFakeApi}). */
export interface FakeApi {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`), no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request received so far, in order of completion (see {@link ApiRequest.n}). */
  readonly requests: ApiRequest[];
  /** Decides each answer; replace it at any time. Default: `() => 'default'`. */
  script: ApiScript;
  /** Documents stored by the built-in `_bulk` handler, keyed `` `${_index}/${_id}` ``. */
  readonly docs: Map<string, StoredDoc>;
  /**
   * How many times each `_id` arrived in a `_bulk` request, whatever the item's outcome (409,
   * overridden status, …; not counted when the whole request was malformed) — so a test can
   * assert that no item was sent twice. Keyed by `_id` alone (generated ids included).
   */
  readonly received: Map<string, number>;
  /** Non-empty lines of the decoded bodies of `POST`s to non-ES paths, with the path (incl. query). */
  readonly lines: Array<{ path: string; line: string }>;
  /**
   * Polls `pred` every 20 ms until it returns true (resolves true) or `timeoutMs` ms have passed
   * (resolves false after one last check). Never rejects unless `pred` throws.
   */
  waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Destroys every open socket (hanging requests included) and closes the server. Idempotent. */
  close(): Promise<void>;
}

interface JsonReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
}

const ES_PRODUCT = 'Elasticsearch';

/**
 * Starts a fake API on 127.0.0.1 on a free port. Close it with {@link FakeApi.close} (e.g. in
 * `t.after`).
 */
export async function startFakeApi(opts: FakeApiOptions = {}): Promise<FakeApi> {
  const sockets = new Set<Socket>();
  const requests: ApiRequest[] = [];
  const docs = new Map<string, StoredDoc>();
  const received = new Map<string, number>();
  const lines: Array<{ path: string; line: string }> = [];
  const versions = new Map<string, number>();
  let seqNo = 0;
  const productHeader = opts.elasticProductHeader ?? true;
  const clusterUuid = randomBytes(16).toString('base64url').slice(0, 22);

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => { /* the client went away mid-body: not recorded */ });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const decoded = decodeBody(raw, req.headers['content-encoding']);
      const body = decoded.body;
      const rec: ApiRequest = {
        n: requests.length + 1,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body,
        text: () => body.toString('utf8'),
        at,
      };
      if (decoded.error !== undefined) rec.decodeError = decoded.error;
      requests.push(rec);
      void answer(rec, req, res);
    });
  };

  async function answer(rec: ApiRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await api.script(rec);
    } catch (err) {
      reply = { status: 500, body: { error: { type: 'fake_api_script_error', reason: String(err) }, status: 500 } };
    }
    if (reply === 'hang') return;
    if (reply === 'reset') { req.socket.destroy(); return; }
    if (reply === 'default') reply = builtIn(rec);
    send(res, reply, rec.method === 'HEAD');
  }

  function send(res: ServerResponse, reply: JsonReply, head: boolean): void {
    if (res.destroyed || res.writableEnded) return;
    let payload: Buffer = Buffer.alloc(0);
    let type: string | undefined;
    if (typeof reply.body === 'string') { payload = Buffer.from(reply.body, 'utf8'); type = 'text/plain; charset=utf-8'; }
    else if (reply.body !== undefined) { payload = Buffer.from(JSON.stringify(reply.body), 'utf8'); type = 'application/json'; }
    try {
      res.statusCode = reply.status;
      if (productHeader) res.setHeader('x-elastic-product', ES_PRODUCT);
      if (type !== undefined) res.setHeader('content-type', type);
      res.setHeader('content-length', payload.length);
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      res.end(head ? undefined : payload);
    } catch (_err) {
      // a bad scripted status or header value: answer 500 instead of throwing out of the server
      if (!res.headersSent) {
        res.removeHeader('content-type');
        res.statusCode = 500;
        res.end(`fake-api: cannot send the scripted reply: ${String(_err)}`);
      } else res.destroy();
    }
  }

  // ---- built-in behaviour -----------------------------------------------------------------

  function esError(status: number, type: string, reason: string): JsonReply {
    return { status, body: { error: { root_cause: [{ type, reason }], type, reason }, status } };
  }

  function builtIn(rec: ApiRequest): JsonReply {
    const q = rec.path.indexOf('?');
    const pathname = q < 0 ? rec.path : rec.path.slice(0, q);
    const method = rec.method.toUpperCase();
    if (rec.decodeError !== undefined) return esError(400, 'parse_exception', `cannot decode the request body: ${rec.decodeError}`);
    if ((method === 'GET' || method === 'HEAD') && pathname === '/') return { status: 200, body: infoDoc() };
    const bulk = /^\/(?:([^/]+)\/)?_bulk\/?$/.exec(pathname);
    if (bulk !== null && (method === 'POST' || method === 'PUT')) {
      let pathIndex: string | undefined;
      try {
        pathIndex = bulk[1] === undefined ? undefined : decodeURIComponent(bulk[1]);
      } catch (_err) {
        return esError(400, 'illegal_argument_exception', `invalid index name in path [${bulk[1]}]`);
      }
      return bulkReply(rec, pathIndex);
    }
    if (method === 'POST') {
      for (const line of rec.text().split(/\r?\n/)) if (line.trim() !== '') lines.push({ path: rec.path, line });
      return { status: 200, body: { response: 'ok' } };
    }
    return esError(404, 'resource_not_found_exception', `no handler found for uri [${rec.path}] and method [${rec.method}]`);
  }

  function infoDoc(): object {
    return {
      name: 'fake-node-1',
      cluster_name: 'fake-cluster',
      cluster_uuid: clusterUuid,
      version: {
        number: opts.version ?? '8.15.0',
        build_flavor: 'default',
        build_type: 'docker',
        build_hash: '0000000000000000000000000000000000000000',
        build_date: '2024-08-05T10:05:34.233336849Z',
        build_snapshot: false,
        lucene_version: '9.11.1',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      tagline: 'You Know, for Search',
    };
  }

  function bulkReply(rec: ApiRequest, pathIndex: string | undefined): JsonReply {
    const text = rec.text();
    if (text.length > 0 && !text.endsWith('\n')) {
      return esError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
    }
    const all = text.split('\n');
    // First pass: parse and validate everything; a malformed request changes nothing.
    const items: BulkItem[] = [];
    for (let i = 0; i < all.length; i++) {
      const actionLine = all[i];
      if (actionLine.trim() === '') continue;
      let action: unknown;
      try {
        action = JSON.parse(actionLine);
      } catch (err) {
        return esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}]: ${(err as Error).message}`);
      }
      if (action === null || typeof action !== 'object' || Array.isArray(action) || Object.keys(action).length !== 1) {
        return esError(400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected a single object with one action`);
      }
      const [name, metaRaw] = Object.entries(action)[0] as [string, unknown];
      if (name !== 'create' && name !== 'index') {
        return esError(400, 'illegal_argument_exception', `Action/metadata line [${i + 1}] contains an unsupported action [${name}] (this fake supports create and index)`);
      }
      const meta = (metaRaw !== null && typeof metaRaw === 'object' ? metaRaw : {}) as Record<string, unknown>;
      const index = typeof meta._index === 'string' ? meta._index : pathIndex;
      if (index === undefined || index === '') {
        return esError(400, 'action_request_validation_exception', `Validation Failed: 1: index is missing for the action on line [${i + 1}];`);
      }
      const docLine = all[i + 1];
      if (docLine === undefined || docLine.trim() === '') {
        return esError(400, 'illegal_argument_exception', `The bulk request has no document line after the action on line [${i + 1}]`);
      }
      let doc: unknown;
      try {
        doc = JSON.parse(docLine);
      } catch (err) {
        return esError(400, 'illegal_argument_exception', `Malformed document line [${i + 2}]: ${(err as Error).message}`);
      }
      const id = typeof meta._id === 'string' && meta._id !== '' ? meta._id : generateId();
      items.push({ action: name, index, id, doc, raw: docLine });
      i++;
    }
    // Second pass: apply.
    let errors = false;
    const out = items.map((item) => {
      received.set(item.id, (received.get(item.id) ?? 0) + 1);
      const key = `${item.index}/${item.id}`;
      const exists = docs.has(key);
      let status = opts.itemStatus?.(item, rec) ?? (item.action === 'create' && exists ? 409 : exists ? 200 : 201);
      if (!Number.isInteger(status) || status < 100 || status > 599) status = 500;
      if (status >= 200 && status < 300) {
        const version = (versions.get(key) ?? 0) + 1;
        versions.set(key, version);
        docs.set(key, { index: item.index, id: item.id, doc: item.doc, raw: item.raw });
        return {
          [item.action]: {
            _index: item.index,
            _id: item.id,
            _version: version,
            result: exists ? 'updated' : 'created',
            _shards: { total: 2, successful: 1, failed: 0 },
            _seq_no: seqNo++,
            _primary_term: 1,
            status,
          },
        };
      }
      errors = true;
      return { [item.action]: { _index: item.index, _id: item.id, status, error: itemError(status, item, versions.get(key)) } };
    });
    return { status: 200, body: { took: 1, errors, items: out } };
  }

  function itemError(status: number, item: BulkItem, currentVersion: number | undefined): Record<string, unknown> {
    const where = { index_uuid: 'fake-index-uuid', shard: '0', index: item.index };
    switch (status) {
      case 409:
        return {
          type: 'version_conflict_engine_exception',
          reason: `[${item.id}]: version conflict, document already exists (current version [${currentVersion ?? 1}])`,
          ...where,
        };
      case 429:
        return {
          type: 'es_rejected_execution_exception',
          reason: 'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1, max_coordinating_and_primary_bytes=0]',
        };
      case 400:
        return {
          type: 'mapper_parsing_exception',
          reason: `failed to parse field [message] of type [keyword] in document with id '${item.id}'`,
          caused_by: { type: 'illegal_argument_exception', reason: 'fake: rejected by itemStatus' },
        };
      case 404:
        return { type: 'index_not_found_exception', reason: `no such index [${item.index}]`, ...where };
      case 503:
        return { type: 'unavailable_shards_exception', reason: `[${item.index}][0] primary shard is not active`, ...where };
      default:
        return { type: 'exception', reason: `fake: item status ${status}`, ...where };
    }
  }

  // ---- server -----------------------------------------------------------------------------

  const server: Server = opts.tls === undefined
    ? createHttpServer(handler)
    : createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that resets mid-request must not crash the test process.
  server.on('clientError', (_err, s: Socket) => { s.destroy(); });
  server.on('tlsClientError', () => { /* handshake failures are the client's business */ });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('fake-api: no TCP address');
  const port = addr.port;

  let closing: Promise<void> | null = null;
  const api: FakeApi = {
    url: `${opts.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    port,
    requests,
    script: () => 'default',
    docs,
    received,
    lines,
    async waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
      const end = Date.now() + Math.max(0, timeoutMs);
      for (;;) {
        if (pred()) return true;
        if (Date.now() >= end) return false;
        await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, end - Date.now()))));
      }
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
  return api;
}

/** Undoes `content-encoding` (a comma-separated list is applied left to right, so undone right to left). */
function decodeBody(raw: Buffer, encoding: string | undefined): { body: Buffer; error?: string } {
  if (encoding === undefined || raw.length === 0) return { body: raw };
  const codings = encoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  let body = raw;
  try {
    for (const c of codings.reverse()) {
      if (c === 'gzip' || c === 'x-gzip') body = gunzipSync(body);
      else if (c === 'deflate') {
        // RFC 9110 says zlib-wrapped; some clients send raw deflate.
        try { body = inflateSync(body); } catch (_err) { body = inflateRawSync(body); }
      } else if (c === 'br') body = brotliDecompressSync(body);
      else return { body: raw, error: `unsupported content-encoding [${c}]` };
    }
  } catch (err) {
    return { body: raw, error: `content-encoding [${encoding}]: ${(err as Error).message}` };
  }
  return { body };
}

/** A 20-character URL-safe id like the ones Elasticsearch generates. */
function generateId(): string {
  return randomBytes(15).toString('base64url');
}

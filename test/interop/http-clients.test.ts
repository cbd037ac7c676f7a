/**
 * Real HTTP clients → the receiver's HTTP(S) intake (issue 11, listen.http): each sends a few
 * thousand numbered events (`seq=NNNNNNN <label> …`) to a real in-process receiver on an
 * ephemeral 127.0.0.1 port, and the store is read back: every event stored exactly once, under
 * the app whose token the client used, with `source.transport` http (https for the TLS runs),
 * `syslog.format` json, `syslog.tokenSource` index, and no token string anywhere in the store.
 *
 * Why each client:
 * - logsene-js: Sematext's own Node.js shipper, the library the issue's users run. It posts
 *   NDJSON to `<url>/_bulk` with the token as every item's `_index` (or to `/<token>/_bulk` with
 *   `useIndexInBulkUrl`), `_type` in each action, `Connection: close`, node-fetch, 500 events
 *   per request, fire-and-forget (no retry unless disk buffering is on: it is off here, so a
 *   failed request is a loss the test sees).
 * - @elastic/elasticsearch (v9): the official Elasticsearch client, what Beats-style and
 *   application loggers (winston/pino transports) use. It refuses a server whose responses lack
 *   `X-Elastic-Product: Elasticsearch`, sends `application/vnd.elasticsearch+x-ndjson;
 *   compatible-with=9`, parses responses only with a JSON content type, retries 502/503/504;
 *   its bulk helper splits by bytes and sends concurrent requests; `compression: true` gzips.
 * - @opensearch-project/opensearch: the OpenSearch client (the Elasticsearch 7 fork: no product
 *   check, OpenSearch vendor content types), `bulk()` with a body array, on `/_bulk` and
 *   `/<token>/_bulk`, and its own bulk helper.
 * - rsyslog omelasticsearch (package rsyslog-elasticsearch): what Sematext's docs tell syslog
 *   users to configure. libcurl, a `HEAD /_cat/health` health check before sending, `_bulk` with
 *   `{"index":{"_index": "<searchIndex>","_type":"<searchType>"}}` actions (no `_type` with
 *   esVersion.major 8), `usehttps` + `tls.cacert` for HTTPS.
 * - curl: the form-encoded example from Sematext's docs (`-d '{…}'` sends
 *   `application/x-www-form-urlencoded`), a `_bulk` file with `--data-binary @file` (curl 7.88
 *   also sends `Expect: 100-continue` for such a body) and the same gzip-compressed.
 *
 * Missing rsyslog omelasticsearch or curl: skipped with the reason; with REQUIRE_INTEROP=1 it
 * fails. Install them with scripts/install-interop-clients.sh. Knob: HTTP_INTEROP_COUNT
 * (events per client and case, default 3000). KEEP_INTEROP_TMP=1 keeps rsyslog's and curl's
 * temp dirs.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client as EsClient } from '@elastic/elasticsearch';
import { Client as OsClient } from '@opensearch-project/opensearch';
import Logsene from 'logsene-js';
import { startTestReceiver, storedApps, type TestReceiver } from '../helpers/receiver.js';
import { tmpDir, type TmpDir } from '../helpers/tmp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import type { SyslogRecord } from '../../src/record.js';
import { startChild, stopChild, which, type Child } from './lib/clients.js';
import { StoreTail } from './lib/relp.js';

const COUNT = Number(process.env.HTTP_INTEROP_COUNT ?? 3000);
/** A whole client run (send + store) must end within this. */
const RUN_MS = 90_000;
/** rsyslog: no new stored line for this long → give up early. */
const STALL_MS = 20_000;
const KEEP = process.env.KEEP_INTEROP_TMP === '1';
const BASE_TS = Date.parse('2026-01-02T03:04:05.000Z');

/** A client's temp dir (config, input, bodies): removed by cleanup() and at exit, unless KEEP_INTEROP_TMP=1. */
function clientDir(prefix: string): TmpDir {
  if (!KEEP) return tmpDir(prefix);
  const path = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => { console.error(`# KEEP_INTEROP_TMP=1: kept ${path}`); });
  return { path, cleanup: () => { /* kept */ } };
}

// ---------------------------------------------------------------- events and checks

/** The message of event `seq`: 7-digit number first (StoreTail reads it), some UTF-8 and JSON-escaped characters. */
function line(seq: number, label: string): string {
  const n = String(seq).padStart(7, '0');
  return `seq=${n} ${label} http line grüße 日本 🙂 "q" back\\slash tab\there 100% end=${n}`;
}

/** `@timestamp` of event `seq` (distinct per event, ms precision). */
function ts(seq: number): string {
  return new Date(BASE_TS + seq).toISOString();
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

type Check = (r: SyslogRecord) => string | null;

interface Expect {
  app: string;
  transport: 'http' | 'https';
  tokenSource?: 'index' | 'url' | 'header';
  format?: 'json' | 'raw';
}

/** What every HTTP record must look like (spec "Records"): app, source, syslog meta, the PRI-less defaults. */
function baseCheck(e: Expect): Check {
  return (r) => {
    if (r.app !== e.app) return `app ${r.app} (want ${e.app})`;
    if (r.source?.transport !== e.transport) return `source.transport ${r.source?.transport} (want ${e.transport})`;
    if (r.source?.address !== '127.0.0.1') return `source.address ${r.source?.address}`;
    if (r.syslog?.format !== (e.format ?? 'json')) return `syslog.format ${r.syslog?.format}`;
    if (r.syslog?.tokenSource !== (e.tokenSource ?? 'index')) return `syslog.tokenSource ${r.syslog?.tokenSource}`;
    if (r.syslog?.truncated) return 'syslog.truncated';
    if (r.facility !== 1 || r.severity !== 5) return `facility/severity ${r.facility}/${r.severity} (want 1/5)`;
    for (const k of ['hostname', 'appName', 'procId', 'msgId', 'structuredData'] as const) {
      if (r[k] !== null) return `${k} ${JSON.stringify(r[k])} (want null)`;
    }
    if ('logsene-app-token' in r) return 'logsene-app-token field stored';
    if (typeof r.receivedAt !== 'string' || Number.isNaN(Date.parse(r.receivedAt))) return `receivedAt ${r.receivedAt}`;
    return null;
  };
}

const both = (a: Check, b: Check): Check => (r) => a(r) ?? b(r);

/**
 * Every message of `want` is stored exactly once in `recs`, nothing else is, and each record
 * passes its check. Fails naming the first missing / duplicated / unexpected / bad ones.
 */
function assertExactlyOnce(recs: SyslogRecord[], want: Map<string, Check>, what: string): void {
  const seen = new Map<string, number>();
  const unexpected: string[] = [];
  const bad: string[] = [];
  let badCount = 0;
  for (const r of recs) {
    const m = typeof r.message === 'string' ? r.message : JSON.stringify(r.message);
    const check = want.get(m);
    if (!check) {
      if (unexpected.length < 5) unexpected.push(JSON.stringify(r).slice(0, 300));
      continue;
    }
    seen.set(m, (seen.get(m) ?? 0) + 1);
    const why = check(r);
    if (why) {
      badCount++;
      if (bad.length < 5) bad.push(`${m.slice(0, 40)}: ${why} — ${JSON.stringify(r).slice(0, 400)}`);
    }
  }
  const missing = [...want.keys()].filter((m) => !seen.has(m));
  const dups = [...seen.entries()].filter(([, n]) => n > 1);
  const problems: string[] = [];
  if (missing.length) problems.push(`${missing.length}/${want.size} missing (first: ${missing.slice(0, 3).map((m) => m.slice(0, 30)).join(' | ')})`);
  if (dups.length) problems.push(`${dups.length} stored more than once (first: ${dups.slice(0, 3).map(([m, n]) => `${m.slice(0, 30)} ×${n}`).join(' | ')})`);
  if (unexpected.length) problems.push(`${recs.length - [...seen.values()].reduce((a, b) => a + b, 0)} unexpected record(s): ${unexpected.join('\n  ')}`);
  if (badCount) problems.push(`${badCount} record(s) failing checks:\n  ${bad.join('\n  ')}`);
  assert.equal(problems.length, 0, `${what}: ${recs.length} records stored\n${problems.join('\n')}`);
}

/** Messages of `seqs` (label) → check. */
function wantLines(seqs: number[], label: string, check: Check, into = new Map<string, Check>()): Map<string, Check> {
  for (const s of seqs) into.set(line(s, label), check);
  return into;
}

/** Every file under the store: no token (any case) in its bytes. */
function assertNoTokenInStore(storeDir: string, tokens: string[]): void {
  const found: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) { walk(p); continue; }
      if (!e.isFile()) continue;
      const text = readFileSync(p, 'latin1').toLowerCase();
      for (const tok of tokens) if (text.includes(tok.toLowerCase()) || p.toLowerCase().includes(tok.toLowerCase())) found.push(`${p}: ${tok}`);
    }
  };
  walk(storeDir);
  assert.deepEqual(found, [], 'a token was stored');
}

/** `syslog_receiver_http_requests_total` by status (empty when the metric is not exported). */
function httpStatuses(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of metrics.split('\n')) {
    if (!l.startsWith('syslog_receiver_http_requests_total{')) continue;
    const status = /status="(\d+)"/.exec(l)?.[1];
    const v = Number(l.slice(l.lastIndexOf(' ') + 1));
    if (status && v > 0) out[status] = (out[status] ?? 0) + v;
  }
  return out;
}

/** The value of one Prometheus sample (`name{labels}` exactly as exported), 0 when absent. */
function sampleValue(metrics: string, nameAndLabels: string): number {
  const l = metrics.split('\n').find((x) => x.startsWith(`${nameAndLabels} `));
  return l ? Number(l.slice(l.lastIndexOf(' ') + 1)) : 0;
}

/**
 * The receiver's own counters agree: no HTTP request answered with an error status (4xx/5xx),
 * `events` events received over `transport`, none rejected.
 */
async function assertMetrics(t: TestContext, rx: TestReceiver, transport: 'http' | 'https', events: number): Promise<void> {
  const m = await rx.metrics();
  const statuses = httpStatuses(m);
  t.diagnostic(`http responses by status: ${JSON.stringify(statuses)}`);
  const errors = Object.entries(statuses).filter(([s]) => Number(s) >= 400);
  assert.deepEqual(errors, [], `error responses counted in syslog_receiver_http_requests_total: ${JSON.stringify(statuses)}`);
  assert.equal(sampleValue(m, `syslog_receiver_received_events_total{transport="${transport}"}`), events, `syslog_receiver_received_events_total{transport="${transport}"}`);
  const rejected = m.split('\n').filter((l) => l.startsWith('syslog_receiver_rejected_events_total{') && Number(l.slice(l.lastIndexOf(' ') + 1)) > 0);
  assert.deepEqual(rejected, [], 'rejected events');
}

// ---------------------------------------------------------------- receiver

/** The apps of every test receiver (name → token); `decoy` never gets a record. */
const APP_NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'r', 'decoy'] as const;
type Apps = Record<(typeof APP_NAMES)[number], string>;

function newTokens(): Apps {
  return Object.fromEntries(APP_NAMES.map((n) => [n, randomUUID()])) as Apps;
}

async function startHttpReceiver(tokens: Apps, tls = false): Promise<{ rx: TestReceiver; port: number; url: string; ca: string | null }> {
  const rx = await startTestReceiver({
    listen: { http: { address: '127.0.0.1', port: 0, ...(tls ? { tls: true } : {}) } },
    apps: APP_NAMES.map((name) => ({ name, token: tokens[name] })),
  });
  const port = rx.receiver.addresses.http![0]!.port;
  const ca = tls ? rx.receiver.generatedCerts?.caCert ?? null : null;
  if (tls) assert.ok(ca && existsSync(ca), `tls: true without cert/key: the generated CA (receiver.generatedCerts.caCert) must exist, got ${ca}`);
  return { rx, port, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, ca };
}

/** The end-of-test checks shared by every client: only the expected app dirs, no token stored. */
async function assertStoreClean(rx: TestReceiver, tokens: Apps, apps: string[]): Promise<void> {
  await rx.receiver.flush();
  assert.deepEqual(storedApps(rx.config.storage.dir), [...apps].sort(), 'apps with stored records');
  assertNoTokenInStore(rx.config.storage.dir, Object.values(tokens));
}

// ---------------------------------------------------------------- client availability

/** Skips the test (or fails it with REQUIRE_INTEROP=1) when `missing` is set. */
function requireClient(t: TestContext, missing: string | null): boolean {
  if (!missing) return true;
  if (process.env.REQUIRE_INTEROP === '1') assert.fail(`${missing} (REQUIRE_INTEROP=1: interop clients are required; run scripts/install-interop-clients.sh)`);
  t.skip(missing);
  return false;
}

let omesMissing: string | null | undefined;
/** Why rsyslog cannot forward with omelasticsearch here (null = it can): `rsyslogd -N1` on a config with the action. */
function missingOmelasticsearch(): string | null {
  if (omesMissing !== undefined) return omesMissing;
  omesMissing = ((): string | null => {
    const bin = which('rsyslogd');
    if (!bin) return 'rsyslogd not installed';
    const w = tmpDir('http-omes-check-');
    try {
      const conf = join(w.path, 'check.conf');
      writeFileSync(conf, `global(workDirectory="${w.path}")\nmodule(load="omelasticsearch")\n`
        + 'action(type="omelasticsearch" server="127.0.0.1" serverport="1" searchIndex="x" bulkmode="on")\n');
      const r = spawnSync(bin, ['-N1', '-f', conf], { encoding: 'utf8', timeout: 20_000 });
      const out = `${r.stdout}${r.stderr}`;
      if (r.status !== 0 || /could not load module|error/i.test(out)) {
        return `rsyslog omelasticsearch (package rsyslog-elasticsearch) not usable: ${out.split('\n').filter((l) => /could not load|error|unknown/i.test(l)).slice(0, 2).join(' | ') || `rsyslogd -N1 exited ${r.status}`}`;
      }
      return null;
    } finally {
      w.cleanup();
    }
  })();
  return omesMissing;
}

const missingCurl = (): string | null => (which('curl') ? null : 'curl not installed');

// ---------------------------------------------------------------- logsene-js

type LogseneClient = Logsene & EventEmitter;

/**
 * logs `seqs` through a logsene-js client pointed at `url` and waits until the client has
 * shipped them all (its `log` events, one per successful bulk request, carry the count).
 * Fails on any `x-logsene-error` (a request or an item the receiver refused).
 */
async function shipWithLogsene(url: string, token: string, seqs: number[], label: string,
  opts: { useIndexInBulkUrl?: boolean; ca?: string; tokenField?: (seq: number) => boolean } = {}): Promise<void> {
  // disk buffering off (no storage directory, no LOGSENE_TMP_DIR): a failed request is not kept
  // and retried later, so a loss shows in the store instead of being papered over
  delete process.env.LOGSENE_TMP_DIR;
  const options = {
    useIndexInBulkUrl: opts.useIndexInBulkUrl ?? false,
    silent: true,
    ...(opts.ca ? { httpOptions: { ca: readFileSync(opts.ca) } } : {}),
  };
  const client = new Logsene(token, 'logs', url, undefined, options) as LogseneClient;
  let shipped = 0;
  const errors: unknown[] = [];
  client.on('log', (e: { count: number }) => { shipped += e.count; });
  client.on('x-logsene-error', (e: unknown) => { errors.push(e); });
  for (const s of seqs) {
    const fields: Record<string, unknown> = { '@timestamp': BASE_TS + s, seq: s, label };
    if (opts.tokenField?.(s)) fields['logsene-app-token'] = token;
    client.log('info', line(s, label), fields);
  }
  client.send(() => { /* the rest of the buffer */ });
  await waitFor(() => shipped >= seqs.length || errors.length > 0, { timeoutMs: RUN_MS, intervalMs: 50, onTimeout: 'return' });
  assert.deepEqual(errors.map((e) => JSON.stringify(e, (_k, v: unknown) => (typeof v === 'string' && v.length > 300 ? `${v.slice(0, 300)}…` : v)).slice(0, 600)), [], 'logsene-js errors');
  assert.equal(shipped, seqs.length, `logsene-js shipped ${shipped}/${seqs.length} events within ${RUN_MS} ms`);
}

/** What logsene-js adds to every event: `@timestamp` from the field, `os.host`, the custom fields. */
function logseneCheck(label: string): Check {
  return (r) => {
    const seq = Number(/^seq=(\d{7})/.exec(String(r.message))?.[1]);
    if (r['@timestamp'] !== ts(seq)) return `@timestamp ${r['@timestamp']} (want ${ts(seq)})`;
    if (r.seq !== seq || r.label !== label) return `seq/label ${String(r.seq)}/${String(r.label)}`;
    const os = r.os as { host?: unknown } | undefined;
    if (os?.host !== hostname()) return `os.host ${JSON.stringify(os?.host)}`;
    return null;
  };
}

// ---------------------------------------------------------------- curl

interface CurlResult { status: number; body: string; stderr: string }

/** Runs curl (bounded: --max-time and a kill timeout), returns the HTTP status and body. */
function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(which('curl') ?? 'curl', ['-sS', '--max-time', '60', '-w', '\n%{http_code}', ...args],
      { timeout: 70_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        const nl = stdout.lastIndexOf('\n');
        const status = Number(stdout.slice(nl + 1));
        if (err && !status) { reject(new Error(`curl ${args.join(' ')}: ${err.message}\n${stderr}`)); return; }
        resolve({ status, body: stdout.slice(0, Math.max(nl, 0)), stderr });
      });
  });
}

/** A bulk response that accepted every item: errors false, `n` items each 2xx. */
function assertBulkOk(body: unknown, n: number, what: string): void {
  const b = body as { errors?: unknown; items?: Array<Record<string, { status?: number; error?: unknown }>> };
  assert.ok(Array.isArray(b.items), `${what}: bulk response without items: ${JSON.stringify(body).slice(0, 300)}`);
  const failed = b.items.map((it) => Object.values(it)[0]).filter((r) => !r || !r.status || r.status >= 300);
  assert.deepEqual(failed.slice(0, 3), [], `${what}: ${failed.length} failed items`);
  assert.equal(b.items.length, n, `${what}: items`);
  assert.equal(b.errors, false, `${what}: errors`);
}

/** NDJSON bulk body for `seqs`: `{"index":{…}}` + the document, LF-terminated. */
function bulkBody(seqs: number[], label: string, action: (seq: number) => Record<string, unknown>): string {
  const parts: string[] = [];
  for (const s of seqs) {
    parts.push(JSON.stringify(action(s)), JSON.stringify({ '@timestamp': ts(s), message: line(s, label), seq: s, client: label }));
  }
  return `${parts.join('\n')}\n`;
}

const docCheck = (label: string): Check => (r) => {
  const seq = Number(/^seq=(\d{7})/.exec(String(r.message))?.[1]);
  if (r['@timestamp'] !== ts(seq)) return `@timestamp ${r['@timestamp']} (want ${ts(seq)})`;
  if (r.seq !== seq || r.client !== label) return `seq/client ${String(r.seq)}/${String(r.client)}`;
  return null;
};

/** The curl cases against one receiver: Sematext's form-encoded `_doc` example (and its legacy `/<token>/<type>/` form), a `_bulk` file, the same gzip-compressed. */
async function runCurl(t: TestContext, url: string, tokens: Apps, transport: 'http' | 'https', ca: string | null,
  apps: { doc: keyof Apps; bulk: keyof Apps }): Promise<Map<string, Map<string, Check>>> {
  const w = clientDir('http-curl-');
  const tlsArgs = ca ? ['--cacert', ca] : [];
  try {
    // 1. the docs' example, verbatim apart from the receiver URL: -d (form-encoded content type)
    const hello1 = JSON.stringify({ '@timestamp': '2026-01-02T03:04:05.678Z', message: 'Hello World!' });
    const r1 = await curl([...tlsArgs, '-XPOST', `${url}/${tokens[apps.doc]}/_doc/`, '-d', hello1]);
    assert.equal(r1.status, 201, `curl _doc: ${r1.status} ${r1.body} ${r1.stderr}`);
    const j1 = JSON.parse(r1.body) as { result?: string; _id?: unknown };
    assert.equal(j1.result, 'created', `curl _doc response ${r1.body}`);
    assert.equal(typeof j1._id, 'string', `curl _doc response _id ${r1.body}`);
    // the older form of the same example: /<token>/<type>/
    const hello2 = JSON.stringify({ '@timestamp': '2026-01-02T03:04:06.789Z', message: 'Hello World!' });
    const r2 = await curl([...tlsArgs, '-XPOST', `${url}/${tokens[apps.doc]}/example/`, '-d', hello2]);
    assert.ok(r2.status === 200 || r2.status === 201, `curl /<token>/example/: ${r2.status} ${r2.body} ${r2.stderr}`);

    // 2. a bulk file, per-item _index, --data-binary (curl: form content type, Expect: 100-continue)
    const bulkSeqs = range(1, COUNT);
    const bulkFile = join(w.path, 'bulk.ndjson');
    writeFileSync(bulkFile, bulkBody(bulkSeqs, 'curl-bulk', () => ({ index: { _index: tokens[apps.bulk] } })));
    const r3 = await curl([...tlsArgs, '-XPOST', `${url}/_bulk`, '--data-binary', `@${bulkFile}`]);
    assert.equal(r3.status, 200, `curl _bulk: ${r3.status} ${r3.body.slice(0, 300)} ${r3.stderr}`);
    assertBulkOk(JSON.parse(r3.body), COUNT, 'curl _bulk');

    // 3. the same shape gzip-compressed, token in the path (no _index in the actions)
    const gzSeqs = range(COUNT + 1, 2 * COUNT);
    const gzFile = join(w.path, 'bulk.ndjson.gz');
    writeFileSync(gzFile, gzipSync(bulkBody(gzSeqs, 'curl-gzip', () => ({ index: {} }))));
    const r4 = await curl([...tlsArgs, '-XPOST', `${url}/${tokens[apps.bulk]}/_bulk`, '-H', 'Content-Encoding: gzip', '--data-binary', `@${gzFile}`]);
    assert.equal(r4.status, 200, `curl gzip _bulk: ${r4.status} ${r4.body.slice(0, 300)} ${r4.stderr}`);
    assertBulkOk(JSON.parse(r4.body), COUNT, 'curl gzip _bulk');
    t.diagnostic(`curl ${transport}: 2 _doc + ${COUNT} _bulk + ${COUNT} gzip _bulk events sent`);

    const doc = new Map<string, Check>();
    doc.set('Hello World!', baseCheck({ app: apps.doc, transport }));
    const bulk = wantLines(bulkSeqs, 'curl-bulk', both(baseCheck({ app: apps.bulk, transport }), docCheck('curl-bulk')));
    wantLines(gzSeqs, 'curl-gzip', both(baseCheck({ app: apps.bulk, transport }), docCheck('curl-gzip')), bulk);
    return new Map([[apps.doc, doc], [apps.bulk, bulk]]);
  } finally {
    w.cleanup();
  }
}

/** The two `Hello World!` records of runCurl: exactly one per request, each with its @timestamp. */
function assertHelloWorld(recs: SyslogRecord[], check: Check): void {
  const hello = recs.filter((r) => r.message === 'Hello World!');
  assert.deepEqual(hello.map((r) => r['@timestamp']).sort(), ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:06.789Z'], 'curl _doc records');
  for (const r of hello) assert.equal(check(r), null, JSON.stringify(r));
  assert.equal(recs.length, hello.length, `only the curl _doc records in the app (${recs.length})`);
}

// ---------------------------------------------------------------- rsyslog omelasticsearch

interface OmesSpec {
  port: number;
  token: string;
  count: number;
  label: string;
  /** HTTPS: usehttps="on" + tls.cacert (libcurl verifies the certificate and 127.0.0.1 against its SAN). */
  caFile?: string;
  /** esVersion.major (8: no `_type` in the bulk actions); undefined = the parameter left out (`_type` = searchType). */
  esVersionMajor?: number;
  searchType?: string;
}

interface OmesSender {
  child: Child;
  dir: string;
  /** omelasticsearch's errorFile (requests/replies it considered failed), '' when none. */
  errors(): string;
  statsTail(n: number): string;
  stop(): Promise<void>;
}

/** rsyslogd -n with imfile reading `count` numbered lines → omelasticsearch bulkmode, token as searchIndex. */
function startOmelasticsearch(spec: OmesSpec): OmesSender {
  const bin = which('rsyslogd');
  if (!bin) throw new Error('rsyslogd not installed');
  const w = clientDir('http-omes-');
  const input = join(w.path, 'input.log');
  const errFile = join(w.path, 'es-errors.json');
  const statsFile = join(w.path, 'stats.log');
  const params = [
    'server="127.0.0.1"', `serverport="${spec.port}"`, `searchIndex="${spec.token}"`, 'bulkmode="on"', 'template="esjson"',
    `errorFile="${errFile}"`,
    ...(spec.esVersionMajor !== undefined ? [`esVersion.major="${spec.esVersionMajor}"`] : []),
    ...(spec.searchType !== undefined ? [`searchType="${spec.searchType}"`] : []),
    ...(spec.caFile ? ['usehttps="on"', `tls.cacert="${spec.caFile}"`] : []),
    'action.resumeRetryCount="-1"', 'action.resumeInterval="1"',
  ];
  const conf = `global(workDirectory="${w.path}" localHostname="interop-host")
main_queue(queue.size="100000" queue.dequeueBatchSize="500" queue.timeoutShutdown="5000")
module(load="impstats" interval="1" log.syslog="off" log.file="${statsFile}")
module(load="imfile" mode="inotify")
module(load="omelasticsearch")
# the document: @timestamp, host, program and the line as message, each JSON-escaped
template(name="esjson" type="list") {
  constant(value="{\\"@timestamp\\":\\"")
  property(name="timereported" dateFormat="rfc3339")
  constant(value="\\",\\"host\\":\\"")
  property(name="hostname" format="json")
  constant(value="\\",\\"program\\":\\"")
  property(name="programname" format="json")
  constant(value="\\",\\"message\\":\\"")
  property(name="msg" format="json")
  constant(value="\\"}")
}
input(type="imfile" file="${input}" tag="interop:" facility="user" severity="notice" maxLinesAtOnce="0" ruleset="es")
ruleset(name="es") {
  action(type="omelasticsearch" name="es" ${params.join(' ')})
}
`;
  const confFile = join(w.path, 'client.conf');
  writeFileSync(confFile, conf);
  const check = spawnSync(bin, ['-N1', '-f', confFile], { encoding: 'utf8', timeout: 20_000 });
  if (check.status !== 0) {
    w.cleanup();
    throw new Error(`rsyslogd -N1 rejected the config:\n${check.stdout}${check.stderr}\n${conf}`);
  }
  writeFileSync(input, range(1, spec.count).map((s) => `${line(s, spec.label)}\n`).join(''));
  const child = startChild(bin, ['-n', '-f', confFile, '-i', join(w.path, 'client.pid')]);
  return {
    child,
    dir: w.path,
    errors: () => (existsSync(errFile) ? readFileSync(errFile, 'utf8') : ''),
    statsTail: (n) => (existsSync(statsFile) ? readFileSync(statsFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n') : '(no stats.log)'),
    async stop() {
      await stopChild(child);
      w.cleanup();
    },
  };
}

/**
 * Runs one omelasticsearch sender into `app` and waits on the store (StoreTail: each number as it
 * lands) until every line is there, then a little longer for duplicates; asserts exactly once.
 */
async function runOmelasticsearch(t: TestContext, rx: TestReceiver, port: number, app: string, token: string,
  opts: { label: string; transport: 'http' | 'https'; caFile?: string; esVersionMajor?: number; searchType?: string }): Promise<void> {
  const base = baseCheck({ app, transport: opts.transport });
  const tail = new StoreTail(rx.config.storage.dir, app, COUNT, (r, seq) => {
    const rec = r as SyslogRecord;
    if (rec.message !== line(seq, opts.label)) return `message ${JSON.stringify(rec.message)}`;
    if (rec.host !== 'interop-host' || rec.program !== 'interop') return `host/program ${String(rec.host)}/${String(rec.program)}`;
    if (Number.isNaN(Date.parse(rec['@timestamp']))) return `@timestamp ${rec['@timestamp']}`;
    return base(rec);
  });
  const sender = startOmelasticsearch({ port, token, count: COUNT, label: opts.label, caFile: opts.caFile, esVersionMajor: opts.esVersionMajor, searchType: opts.searchType });
  const t0 = Date.now();
  try {
    let last = 0;
    let lastChange = Date.now();
    while (tail.distinct() < COUNT) {
      const n = tail.poll();
      if (n !== last) { last = n; lastChange = Date.now(); }
      if (tail.distinct() >= COUNT) break;
      const stalled = Date.now() - lastChange > STALL_MS;
      if (stalled || Date.now() - t0 > RUN_MS || !sender.child.running()) {
        assert.fail(`omelasticsearch: ${tail.distinct()}/${COUNT} stored after ${Date.now() - t0} ms`
          + `${stalled ? ` (nothing new for ${STALL_MS} ms)` : ''}${sender.child.running() ? '' : ' (rsyslogd exited)'}\n`
          + `rsyslog output:\n${sender.child.output().slice(-2000)}\nerrorFile:\n${sender.errors().slice(0, 2000)}\nimpstats:\n${sender.statsTail(6)}\n`
          + `store problems: ${JSON.stringify(tail.problems.slice(0, 5))}`);
      }
      await sleep(100);
    }
    t.diagnostic(`omelasticsearch ${opts.transport}: ${COUNT} lines stored in ${Date.now() - t0} ms`);
    await sleep(1500); // a resent batch would land now
    tail.poll();
  } finally {
    await sender.stop();
  }
  await rx.receiver.flush();
  tail.poll();
  sample(t, `omelasticsearch ${opts.transport}`, (await rx.records(app)).slice(-1));
  const dups = tail.duplicates();
  assert.equal(sender.errors(), '', 'omelasticsearch errorFile');
  assert.deepEqual(tail.problems.slice(0, 10), [], `omelasticsearch: store problems (${tail.badRecords} bad records)`);
  assert.equal(tail.missing().count, 0, `omelasticsearch: missing ${JSON.stringify(tail.missing())}`);
  assert.equal(dups.extra, 0, `omelasticsearch: duplicates ${JSON.stringify(dups)}`);
  assert.equal(tail.lines, COUNT, 'omelasticsearch: stored lines');
  assert.deepEqual(tail.filesWithoutTrailingLf(), [], 'torn store files');
}

// ---------------------------------------------------------------- Elasticsearch / OpenSearch clients

function esDoc(seq: number, label: string): Record<string, unknown> {
  return { '@timestamp': ts(seq), message: line(seq, label), seq, client: label, service: { name: 'interop', version: '1.0' } };
}

const esDocCheck = (label: string): Check => (r) => {
  const why = docCheck(label)(r);
  if (why) return why;
  const svc = r.service as { name?: unknown; version?: unknown } | undefined;
  if (svc?.name !== 'interop' || svc.version !== '1.0') return `service ${JSON.stringify(r.service)}`;
  const seq = Number(r.seq);
  if (seq % 100 === 0 && r.id !== `es-${seq}`) return `id ${JSON.stringify(r.id)} (want es-${seq}: the bulk item's _id)`;
  return null;
};

/** helpers.bulk of `seqs` into `token`; create actions, `_id` on every 100th; flushBytes small enough for several concurrent requests. */
async function esHelperBulk(client: EsClient, token: string, seqs: number[], label: string): Promise<void> {
  const dropped: unknown[] = [];
  const stats = await client.helpers.bulk({
    datasource: seqs.map((s) => esDoc(s, label)),
    onDocument: (doc) => ({ create: { _index: token, ...(Number(doc.seq) % 100 === 0 ? { _id: `es-${String(doc.seq)}` } : {}) } }),
    flushBytes: 64 * 1024,
    concurrency: 4,
    onDrop: (d) => { dropped.push({ status: d.status, error: d.error }); },
  });
  assert.deepEqual(dropped.slice(0, 3), [], `${label}: dropped documents (${dropped.length})`);
  assert.equal(stats.successful, seqs.length, `${label}: ${JSON.stringify(stats)}`);
  assert.equal(stats.failed, 0, `${label}: ${JSON.stringify(stats)}`);
  assert.equal(stats.retry, 0, `${label}: retried documents ${JSON.stringify(stats)}`);
  assert.equal(stats.aborted, false, `${label}: aborted`);
}

/** The @elastic/elasticsearch cases: info(), helpers.bulk (plain and gzip-compressed), index() with and without id, create(). */
async function runElastic(t: TestContext, url: string, tokens: Apps, transport: 'http' | 'https', ca: string | null): Promise<Map<string, Map<string, Check>>> {
  const tls = ca ? { tls: { ca: readFileSync(ca) } } : {};
  const client = new EsClient({ node: url, ...tls, requestTimeout: 60_000 });
  const gzClient = new EsClient({ node: url, ...tls, requestTimeout: 60_000, compression: true });
  try {
    // GET /: the version JSON (the product check passes on its X-Elastic-Product header)
    const info = await client.info();
    assert.match(String(info.version?.number), /^8\./, `info(): ${JSON.stringify(info)}`);
    assert.equal(info.tagline, 'You Know, for Search');

    await esHelperBulk(client, tokens.a, range(1, COUNT), 'es-bulk');
    await esHelperBulk(gzClient, tokens.c, range(1, Math.ceil(COUNT / 3)), 'es-bulk-gzip');

    const i1 = await client.index({ index: tokens.b, document: esDoc(1, 'es-index') });
    assert.equal(i1.result, 'created', `index(): ${JSON.stringify(i1)}`);
    assert.equal(typeof i1._id, 'string');
    const i2 = await client.index({ index: tokens.b, id: 'es-200', document: esDoc(200, 'es-index') });
    assert.equal(i2.result, 'created', `index({ id }): ${JSON.stringify(i2)}`);
    assert.equal(i2._id, 'es-200');
    const i3 = await client.create({ index: tokens.b, id: 'es-300', document: esDoc(300, 'es-index') });
    assert.equal(i3.result, 'created', `create({ id }): ${JSON.stringify(i3)}`);
    assert.equal(i3._id, 'es-300');
    t.diagnostic(`elasticsearch ${transport}: ${COUNT} + ${Math.ceil(COUNT / 3)} (gzip) bulk documents, 3 single documents sent`);
  } finally {
    await client.close();
    await gzClient.close();
  }
  return new Map([
    ['a', wantLines(range(1, COUNT), 'es-bulk', both(baseCheck({ app: 'a', transport }), esDocCheck('es-bulk')))],
    ['b', wantLines([1, 200, 300], 'es-index', both(baseCheck({ app: 'b', transport }), esDocCheck('es-index')))],
    ['c', wantLines(range(1, Math.ceil(COUNT / 3)), 'es-bulk-gzip', both(baseCheck({ app: 'c', transport }), esDocCheck('es-bulk-gzip')))],
  ]);
}

/** One stored record, shortened, as a test diagnostic (what the client's events became). */
function sample(t: TestContext, what: string, recs: SyslogRecord[]): void {
  if (recs.length) t.diagnostic(`${what} sample record: ${JSON.stringify(recs[recs.length - 1]).slice(0, 700)}`);
}

/** Events runElastic sends: two bulk-helper runs and three single documents. */
const ES_EVENTS = COUNT + Math.ceil(COUNT / 3) + 3;
/** Events runCurl sends: two `_doc` and two bulks of COUNT. */
const CURL_EVENTS = 2 + 2 * COUNT;

/** Reads each app's records and asserts each expectation map exactly. */
async function assertApps(t: TestContext, rx: TestReceiver, want: Map<string, Map<string, Check>>, what: string): Promise<void> {
  for (const [app, msgs] of want) {
    const recs = await rx.records(app);
    sample(t, `${what}, app ${app}`, recs);
    assertExactlyOnce(recs, msgs, `${what}, app ${app}`);
  }
}

// ---------------------------------------------------------------- the tests

describe('HTTP intake with real clients (plain HTTP)', () => {
  test('logsene-js: /_bulk with the token as each item\'s _index, and /<token>/_bulk (useIndexInBulkUrl)', async (t) => {
    const tokens = newTokens();
    const { rx, url } = await startHttpReceiver(tokens);
    try {
      const half = Math.ceil(COUNT / 2);
      // a: the default, url + /_bulk, per-item _index; every 10th event also carries the token in logsene-app-token
      await shipWithLogsene(url, tokens.a, range(1, COUNT), 'logsene-a', { tokenField: (s) => s % 10 === 0 });
      // b: /<token>/_bulk, what logsene-js does for a Sematext URL
      await shipWithLogsene(url, tokens.b, range(1, half), 'logsene-b', { useIndexInBulkUrl: true });
      await assertApps(t, rx, new Map([
        ['a', wantLines(range(1, COUNT), 'logsene-a', both(baseCheck({ app: 'a', transport: 'http' }), logseneCheck('logsene-a')))],
        ['b', wantLines(range(1, half), 'logsene-b', both(baseCheck({ app: 'b', transport: 'http' }), logseneCheck('logsene-b')))],
      ]), 'logsene-js');
      await assertStoreClean(rx, tokens, ['a', 'b']);
      await assertMetrics(t, rx, 'http', COUNT + half);
    } finally {
      await rx.stop();
    }
  });

  test('@elastic/elasticsearch: info(), helpers.bulk (and gzip), index(), create()', async (t) => {
    const tokens = newTokens();
    const { rx, url } = await startHttpReceiver(tokens);
    try {
      const want = await runElastic(t, url, tokens, 'http', null);
      await assertApps(t, rx, want, 'elasticsearch');
      await assertStoreClean(rx, tokens, ['a', 'b', 'c']);
      await assertMetrics(t, rx, 'http', ES_EVENTS);
    } finally {
      await rx.stop();
    }
  });

  test('@opensearch-project/opensearch: bulk() on /_bulk and /<token>/_bulk, helpers.bulk, index()', async (t) => {
    const tokens = newTokens();
    const { rx, url } = await startHttpReceiver(tokens);
    const client = new OsClient({ node: url, requestTimeout: 60_000 });
    try {
      const half = Math.ceil(COUNT / 2);
      const chunks = (seqs: number[], n: number): number[][] => Array.from({ length: Math.ceil(seqs.length / n) }, (_, i) => seqs.slice(i * n, (i + 1) * n));
      // a: body arrays of 500 documents, per-item _index on /_bulk, then no _index on /<token>/_bulk
      for (const part of chunks(range(1, half), 500)) {
        const body = part.flatMap((s) => [{ index: { _index: tokens.a } }, esDoc(s, 'os-bulk')]);
        const res = await client.bulk({ body });
        assert.equal(res.statusCode, 200);
        assertBulkOk(res.body, part.length, 'opensearch bulk /_bulk');
      }
      for (const part of chunks(range(half + 1, COUNT), 500)) {
        const body = part.flatMap((s) => [{ create: {} }, esDoc(s, 'os-bulk')]);
        const res = await client.bulk({ index: tokens.a, body });
        assert.equal(res.statusCode, 200);
        assertBulkOk(res.body, part.length, 'opensearch bulk /<token>/_bulk');
      }
      // b: the helper
      const dropped: unknown[] = [];
      const stats = await client.helpers.bulk({
        datasource: range(1, COUNT).map((s) => esDoc(s, 'os-helper')),
        onDocument: () => ({ create: { _index: tokens.b } }),
        flushBytes: 64 * 1024,
        concurrency: 4,
        onDrop: (d) => { dropped.push({ status: d.status, error: d.error }); },
      });
      assert.deepEqual(dropped.slice(0, 3), [], `opensearch helper: dropped ${dropped.length}`);
      assert.equal(stats.successful, COUNT, JSON.stringify(stats));
      assert.equal(stats.failed, 0, JSON.stringify(stats));
      assert.equal(stats.retry, 0, JSON.stringify(stats));
      // c: one document
      const one = await client.index({ index: tokens.c, body: esDoc(1, 'os-index') });
      assert.equal(one.statusCode, 201, JSON.stringify(one.body));
      assert.equal((one.body as { result?: string }).result, 'created');
      t.diagnostic(`opensearch: ${COUNT} bulk() + ${COUNT} helpers.bulk + 1 index() documents sent`);

      await assertApps(t, rx, new Map([
        ['a', wantLines(range(1, COUNT), 'os-bulk', both(baseCheck({ app: 'a', transport: 'http' }), docCheck('os-bulk')))],
        ['b', wantLines(range(1, COUNT), 'os-helper', both(baseCheck({ app: 'b', transport: 'http' }), docCheck('os-helper')))],
        ['c', wantLines([1], 'os-index', both(baseCheck({ app: 'c', transport: 'http' }), docCheck('os-index')))],
      ]), 'opensearch');
      await assertStoreClean(rx, tokens, ['a', 'b', 'c']);
      await assertMetrics(t, rx, 'http', 2 * COUNT + 1);
    } finally {
      await client.close();
      await rx.stop();
    }
  });

  test('rsyslog omelasticsearch: imfile → bulkmode, token as searchIndex, esVersion.major 8', async (t) => {
    if (!requireClient(t, missingOmelasticsearch())) return;
    const tokens = newTokens();
    const { rx, port } = await startHttpReceiver(tokens);
    try {
      await runOmelasticsearch(t, rx, port, 'a', tokens.a, { label: 'omes-http', transport: 'http', esVersionMajor: 8 });
      await assertStoreClean(rx, tokens, ['a']);
      await assertMetrics(t, rx, 'http', COUNT);
    } finally {
      await rx.stop();
    }
  });

  test('curl: Sematext\'s form-encoded _doc example, a _bulk file, the same gzip-compressed', async (t) => {
    if (!requireClient(t, missingCurl())) return;
    const tokens = newTokens();
    const { rx, url } = await startHttpReceiver(tokens);
    try {
      const want = await runCurl(t, url, tokens, 'http', null, { doc: 'a', bulk: 'b' });
      sample(t, 'curl _doc', await rx.records('a'));
      sample(t, 'curl _bulk', await rx.records('b'));
      assertHelloWorld(await rx.records('a'), want.get('a')!.get('Hello World!')!);
      assertExactlyOnce(await rx.records('b'), want.get('b')!, 'curl, app b');
      await assertStoreClean(rx, tokens, ['a', 'b']);
      await assertMetrics(t, rx, 'http', CURL_EVENTS);
    } finally {
      await rx.stop();
    }
  });
});

describe('HTTP intake with real clients over HTTPS (listen.http tls: true, generated certificate set)', () => {
  // one receiver (one certificate set) for every client, each client in apps of its own
  let tokens: Apps;
  let rx: TestReceiver;
  let port: number;
  let url: string;
  let ca: string;
  /** Events sent by the cases that ran (a name pattern may run only some). */
  let sent = 0;
  before(async () => {
    tokens = newTokens();
    const r = await startHttpReceiver(tokens, true);
    ({ rx, port, url } = r);
    ca = r.ca!;
  });
  after(async () => { await rx?.stop(); });

  test('@elastic/elasticsearch with tls.ca (apps a, b, c)', async (t) => {
    const want = await runElastic(t, url, tokens, 'https', ca);
    sent += ES_EVENTS;
    await assertApps(t, rx, want, 'elasticsearch https');
  });

  test('curl --cacert (apps d, e)', async (t) => {
    if (!requireClient(t, missingCurl())) return;
    const want = await runCurl(t, url, tokens, 'https', ca, { doc: 'd', bulk: 'e' });
    sent += CURL_EVENTS;
    assertHelloWorld(await rx.records('d'), want.get('d')!.get('Hello World!')!);
    assertExactlyOnce(await rx.records('e'), want.get('e')!, 'curl https, app e');
  });

  test('logsene-js with an https Agent trusting the CA (app f)', async (t) => {
    await shipWithLogsene(url, tokens.f, range(1, COUNT), 'logsene-https', { ca });
    sent += COUNT;
    sample(t, 'logsene-js https', await rx.records('f'));
    assertExactlyOnce(await rx.records('f'), wantLines(range(1, COUNT), 'logsene-https',
      both(baseCheck({ app: 'f', transport: 'https' }), logseneCheck('logsene-https'))), 'logsene-js https');
  });

  test('rsyslog omelasticsearch usehttps + tls.cacert, legacy _type "events" (app r)', async (t) => {
    if (!requireClient(t, missingOmelasticsearch())) return;
    await runOmelasticsearch(t, rx, port, 'r', tokens.r, { label: 'omes-https', transport: 'https', caFile: ca, searchType: 'events' });
    sent += COUNT;
  });

  test('store: only the apps written, no token anywhere; metrics: no error response, every event received, none rejected', async (t) => {
    const used = ['a', 'b', 'c', 'd', 'e', 'f', 'r'].filter((app) => existsSync(join(rx.config.storage.dir, app)));
    t.diagnostic(`apps written: ${used.join(' ')}`);
    await assertStoreClean(rx, tokens, used);
    await assertMetrics(t, rx, 'https', sent);
  });
});

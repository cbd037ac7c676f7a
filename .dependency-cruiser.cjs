// Layer rules for src/ (`npm run check:layers` = `depcruise src --config .dependency-cruiser.cjs`,
// run by `npm test`). Paths are regexes on the path from the repository root. Most layers are
// allow-lists ("may import only ..."): a new import outside the list fails until the rule is
// changed on purpose. Type-only imports count (tsPreCompilationDeps), so `import type` of a
// module is a dependency on it like any other.
//
// The layers (DESIGN §1, §9), bottom up:
//   record.ts, record-json.ts                      the record and its NDJSON form
//   parse/ ; auth/                                 bytes -> ParsedMessage ; token/IP -> app
//   framing/                                       byte stream -> frames (a leaf)
//   sinks/types.ts + sinks/batch.ts                the Sink interface; sinks/file.ts etc. implement it
//   pipeline/                                      Intake = parse + auth + quota + batcher + acker
//   transports/                                    front-ends: sockets -> frames -> Intake
//   admin/                                         /metrics, /healthz
//   outputs/                                       forwarding: the store -> Elasticsearch, HTTP, syslog
//   web/                                           the web page and its read API over the store
//   receiver.ts, frontends.ts, cli.ts, index.ts    the composition root: the only code that
//                                                  names concrete sinks and front-ends
// config/, certs/, store/, logger.ts, metrics.ts, errors.ts are shared by several layers.

/** `src/record.ts` and `src/record-json.ts` (and any later `src/record-*.ts`). */
const RECORD = '^src/record[^/]*\\.ts$';
/** Leaf modules anyone may import. */
const LOGGER = '^src/logger\\.ts$';
const METRICS = '^src/metrics\\.ts$';
const ERRORS = '^src/errors\\.ts$';
/** The native addon loader (build/Release/*.node). */
const NATIVE = '^src/native\\.ts$';
const CONFIG_SCHEMA = '^src/config/schema\\.ts$';
const COMPOSITION_ROOT = '^src/(receiver|frontends|cli|index)\\.ts$';
/** `syslog-receiver archive`: the stream → the file store (a composition root of its own: it names FileSink). */
const ARCHIVE = '^src/archive/';
/** The Sink interface: the only part of sinks/ the pipeline sees. */
const SINK_INTERFACE = '^src/sinks/(types|batch)\\.ts$';
/** Concrete front-ends (what frontends.ts registers). */
const FRONT_ENDS = '^src/(transports/(udp|tcp|tls|relp|http/listener)|admin/server|web/index)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---- whole-graph rules ----
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles (type-only ones included: they still tie the layers together).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A src/ module nothing imports and that imports nothing is dead code (ambient .d.ts declarations excepted).',
      from: { path: '^src/', orphan: true, pathNot: ['\\.d\\.ts$'] },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import must resolve (a relative `.js` specifier must name an existing `.ts` file); an unresolved one would also slip past every rule below.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment: 'src/ ships (dist/): it may not import a devDependency.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },

    // ---- composition root ----
    {
      name: 'composition-root-is-a-root',
      severity: 'error',
      comment: 'Nothing below the composition root imports it (cli.ts and index.ts start a Receiver; receiver.ts uses frontends.ts).',
      from: { pathNot: '^src/(receiver|cli|index)\\.ts$' },
      to: { path: COMPOSITION_ROOT },
    },
    {
      name: 'concrete-sinks-only-from-composition-root',
      severity: 'error',
      comment: 'Only the composition root picks a concrete sink; everything else sees the Sink interface (sinks/types.ts, sinks/batch.ts).',
      from: { pathNot: [COMPOSITION_ROOT, ARCHIVE, '^src/sinks/'] },
      to: { path: '^src/sinks/', pathNot: SINK_INTERFACE },
    },
    {
      name: 'front-ends-only-from-composition-root',
      severity: 'error',
      comment: 'Only frontends.ts (and receiver.ts) name concrete front-ends; transports may build on each other (relp over tls), and the web page serves HTTPS with the TLS server of transports/tls.ts.',
      from: { pathNot: [COMPOSITION_ROOT, '^src/transports/', '^src/web/server\\.ts$'] },
      to: { path: FRONT_ENDS },
    },

    // ---- layers ----
    {
      name: 'transports-allowed-imports',
      severity: 'error',
      comment:
        'A front-end sees the pipeline only through pipeline/intake.ts (never the batcher, acker or a sink), and never admin/, receiver.ts or frontends.ts.',
      from: { path: '^src/transports/' },
      to: {
        path: '^src/',
        pathNot: ['^src/transports/', '^src/pipeline/intake\\.ts$', '^src/framing/', '^src/record\\.ts$', CONFIG_SCHEMA, '^src/certs/', LOGGER, METRICS, ERRORS, NATIVE],
      },
    },
    {
      name: 'transports-config-types-only',
      severity: 'error',
      comment: 'Front-ends take their config as types (`import type`): the zod schema stays out of their runtime graph.',
      from: { path: '^src/transports/' },
      to: { path: CONFIG_SCHEMA, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'admin-allowed-imports',
      severity: 'error',
      comment: 'admin/ may use transports/connection.ts and transports/types.ts (not the reverse: see transports-allowed-imports), never the pipeline, sinks or store.',
      from: { path: '^src/admin/' },
      to: {
        path: '^src/',
        pathNot: ['^src/admin/', '^src/transports/(connection|types)\\.ts$', RECORD, CONFIG_SCHEMA, LOGGER, METRICS, ERRORS],
      },
    },
    {
      name: 'pipeline-allowed-imports',
      severity: 'error',
      comment:
        'The pipeline reaches sinks only through the Sink interface (never sinks/file.ts, sinks/retention.ts) and never imports transports, admin, store, receiver or frontends.',
      from: { path: '^src/pipeline/' },
      to: {
        path: '^src/',
        pathNot: ['^src/pipeline/', '^src/parse/', '^src/auth/', RECORD, SINK_INTERFACE, CONFIG_SCHEMA, LOGGER, METRICS, ERRORS],
      },
    },
    {
      name: 'pipeline-config-types-only',
      severity: 'error',
      comment: 'The pipeline takes its config as types (`import type`).',
      from: { path: '^src/pipeline/' },
      to: { path: CONFIG_SCHEMA, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'parse-allowed-imports',
      severity: 'error',
      comment: 'Parsing is the bottom layer above the record: it imports only parse/ and record*.ts (not auth, pipeline, framing, config or anything upward).',
      from: { path: '^src/parse/' },
      to: { path: '^src/', pathNot: ['^src/parse/', RECORD] },
    },
    {
      name: 'auth-allowed-imports',
      severity: 'error',
      comment:
        'auth/ authorizes a parsed message: it may import parse/types.ts (ParsedMessage), parse/structured-data.ts (token hygiene rewrites STRUCTURED-DATA), record*.ts, config/schema.ts (AppConfig types) and config/cidr.ts (parseCidr at run time, without zod: the parse workers load auth/), never upward.',
      from: { path: '^src/auth/' },
      to: { path: '^src/', pathNot: ['^src/auth/', '^src/parse/types\\.ts$', '^src/parse/structured-data\\.ts$', '^src/config/cidr\\.ts$', RECORD, CONFIG_SCHEMA, ERRORS] },
    },
    {
      name: 'framing-is-a-leaf',
      severity: 'error',
      comment: 'framing/ turns bytes into frames and knows nothing else.',
      from: { path: '^src/framing/' },
      to: { path: '^src/', pathNot: ['^src/framing/', ERRORS] },
    },
    {
      name: 'record-is-a-leaf',
      severity: 'error',
      comment: 'record.ts and record-json.ts are the data model every layer shares: they import only each other.',
      from: { path: RECORD },
      to: { path: '^src/', pathNot: RECORD },
    },
    {
      name: 'sinks-allowed-imports',
      severity: 'error',
      comment:
        'Sinks store records: they may use the store layout (store/layout.ts) and its durable line log (store/line-log.ts), record*.ts, config types, errors, logger and metrics; never the pipeline, transports, admin, receiver or frontends.',
      from: { path: '^src/sinks/' },
      to: { path: '^src/', pathNot: ['^src/sinks/', '^src/store/(layout|line-log)\\.ts$', RECORD, CONFIG_SCHEMA, LOGGER, METRICS, ERRORS] },
    },
    {
      name: 'archive-allowed-imports',
      severity: 'error',
      comment: 'The archiver consumes the stream and writes through the file sink: sinks/, the store layout, config types, errors and logger; never the pipeline, transports, admin or the receiver.',
      from: { path: ARCHIVE },
      to: { path: '^src/', pathNot: [ARCHIVE, '^src/sinks/', '^src/store/(layout|line-log)\\.ts$', '^src/outputs/index\\.ts$', CONFIG_SCHEMA, LOGGER, ERRORS] },
    },
    {
      name: 'outputs-allowed-imports',
      severity: 'error',
      comment: 'Outputs read the store (its layout) and ship it: record*.ts, config/ (the `outputs` command loads the config file), errors and logger; never sinks, the pipeline, transports, admin or the receiver. The process that writes the store (receiver.ts, archive/) drives them through outputs/index.ts.',
      from: { path: '^src/outputs/' },
      to: { path: '^src/', pathNot: ['^src/outputs/', '^src/store/(layout|line-log)\\.ts$', '^src/config/', RECORD, LOGGER, ERRORS] },
    },
    {
      name: 'outputs-through-their-index',
      severity: 'error',
      comment: 'Outside outputs/, only outputs/index.ts (the Outputs unit) and outputs/commands.ts (the `outputs` CLI command) are used.',
      from: { pathNot: '^src/outputs/' },
      to: { path: '^src/outputs/', pathNot: '^src/outputs/(index|commands)\\.ts$' },
    },
    {
      name: 'web-allowed-imports',
      severity: 'error',
      comment: 'The web page reads the store (layout, reader, filter, the append feed) and serves HTTP(S) with the transports\' listener plumbing (connection, tls, types); config as types only; never sinks, the pipeline (except its thread starter), outputs or the receiver.',
      from: { path: '^src/web/' },
      to: {
        path: '^src/',
        pathNot: ['^src/web/', '^src/store/(layout|reader|filter|append-feed)\\.ts$', '^src/transports/(connection|tls|types)\\.ts$', '^src/certs/listener-files\\.ts$', '^src/pipeline/thread\\.ts$', CONFIG_SCHEMA, LOGGER, METRICS, ERRORS],
      },
    },
    {
      name: 'web-config-types-only',
      severity: 'error',
      comment: 'The web front-end takes its config as types (`import type`), like the other front-ends.',
      from: { path: '^src/web/' },
      to: { path: CONFIG_SCHEMA, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-through-its-index',
      severity: 'error',
      comment: 'Outside web/, only web/index.ts is used.',
      from: { pathNot: '^src/web/' },
      to: { path: '^src/web/', pathNot: '^src/web/index\\.ts$' },
    },
    {
      name: 'store-allowed-imports',
      severity: 'error',
      comment:
        'store/ is the read side (reader, tail/search CLI) plus the layout sinks write: it may use config/ (the CLI loads the config file), record*.ts, errors and logger; never sinks, the pipeline or transports.',
      from: { path: '^src/store/' },
      to: { path: '^src/', pathNot: ['^src/store/', '^src/config/', RECORD, LOGGER, ERRORS] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports (`import type`, `import { type X }`) are dependencies too: a layer that
    // imports another's types depends on it.
    tsPreCompilationDeps: true,
    // Resolve through tsconfig.json (NodeNext): `./x.js` specifiers name `./x.ts` files.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

/**
 * The registry of front-end kinds (DESIGN §9): for each `listen:` key, which entries the config
 * has and how one becomes a {@link FrontEnd}. The receiver binds, stops, health-checks, describes
 * and reloads whatever this returns; adding a front-end is one new file plus one entry here.
 */
import type { Registry } from 'prom-client';
import { AdminServer, type HealthCheck } from './admin/server.js';
import type { TlsFileResolver, TlsFiles } from './certs/listener-files.js';
import { LISTEN_KEYS, type HttpListenerConfig, type ListenConfig, type ListenerConfig, type RelpListenerConfig, type TlsListenerConfig, type UdpListenerConfig, type WebListenerConfig } from './config/schema.js';
import { ErrorCodes, ReceiverError } from './errors.js';
import type { FrontEndDeps } from './transports/connection.js';
import { HttpListener } from './transports/http/listener.js';
import { RelpListener } from './transports/relp.js';
import { TcpListener } from './transports/tcp.js';
import { TlsListener } from './transports/tls.js';
import type { FrontEnd, ListenKey } from './transports/types.js';
import { UdpListener } from './transports/udp.js';
import { WebServer, type WebDeps } from './web/index.js';

/** What a factory may use. */
export interface FrontEndContext {
  /** For front-ends that feed frames; `log` is already this listener's child logger. */
  deps: FrontEndDeps;
  tlsFiles: TlsFileResolver;
  /** For the admin endpoint: its metrics registry (made on first use, so no admin → no collectors). */
  prometheus: () => Registry;
  health: HealthCheck;
  /** For the web page: the store it reads, the config in force, the store's append feed. */
  web: Omit<WebDeps, 'log' | 'metrics'>;
}

/** One configured listener. */
export interface ListenerEntry<C extends ListenerConfig = ListenerConfig> {
  kind: ListenKey;
  /** Config path: `listen.udp`, `listen.tls[1]` (used in errors and logs). */
  name: string;
  /** Key in the "receiver started" log's `listen` map: `udp`, `tls`, `tls[1]`. */
  label: string;
  cfg: C;
}

interface Kind<C extends ListenerConfig> {
  /** The entries of this kind in `listen`, in config order. */
  entries(listen: ListenConfig): C[];
  /**
   * Builds the front-end (not bound yet).
   * @throws ReceiverError when its configuration cannot work (unusable certificates)
   */
  create(ctx: FrontEndContext, e: ListenerEntry<C>): Promise<FrontEnd>;
}

const one = <C>(c: C | undefined): C[] => (c === undefined ? [] : [c]);

/**
 * Builds a front-end that may use TLS: resolves its certificate files first (when `tls`), and
 * turns a certificate problem found while building it into SYSLOG_ERR_TLS_CERT naming the listener.
 */
async function secured(ctx: FrontEndContext, e: ListenerEntry<TlsListenerConfig>, tls: boolean, build: (files: TlsFiles | null) => FrontEnd): Promise<FrontEnd> {
  const files = tls ? await ctx.tlsFiles.resolve(e.cfg) : null;
  try {
    return build(files);
  } catch (err) {
    throw new ReceiverError(ErrorCodes.TLS_CERT, `${e.name}: ${(err as Error).message}. Fix ${e.name}.cert/key/ca, or remove cert and key to use a generated set.`, { cause: err });
  }
}

const KINDS: { [K in ListenKey]: Kind<K extends 'tls' ? TlsListenerConfig : K extends 'relp' ? RelpListenerConfig : K extends 'http' ? HttpListenerConfig : K extends 'web' ? WebListenerConfig : K extends 'udp' ? UdpListenerConfig : ListenerConfig> } = {
  udp: { entries: (l) => one(l.udp), create: async (ctx, e) => new UdpListener(e.name, e.cfg, ctx.deps) },
  tcp: { entries: (l) => one(l.tcp), create: async (ctx, e) => new TcpListener(e.name, e.cfg, ctx.deps) },
  tls: {
    entries: (l) => [...(l.tls ?? [])],
    create: (ctx, e) => secured(ctx, e, true, (files) => new TlsListener(e.name, e.cfg, files!, ctx.deps)),
  },
  relp: {
    entries: (l) => one(l.relp),
    create: (ctx, e) => secured(ctx, e, e.cfg.tls, (files) => new RelpListener(e.name, e.cfg, files, ctx.deps)),
  },
  http: {
    entries: (l) => [...(l.http ?? [])],
    create: (ctx, e) => secured(ctx, e, e.cfg.tls, (files) => new HttpListener(e.name, e.cfg, files, ctx.deps)),
  },
  admin: { entries: (l) => one(l.admin), create: async (ctx, e) => new AdminServer(e.name, e.cfg, ctx.prometheus(), ctx.health, ctx.deps.log) },
  web: {
    entries: (l) => one(l.web),
    create: (ctx, e) => secured(ctx, e, e.cfg.tls, (files) => new WebServer(e.name, e.cfg, files, { ...ctx.web, log: ctx.deps.log, metrics: ctx.deps.metrics })),
  },
};

/** Every configured listener, in `LISTEN_KEYS` order (udp, tcp, tls…, relp, http…, admin, web). */
export function listenerEntries(listen: ListenConfig): ListenerEntry[] {
  return LISTEN_KEYS.flatMap((kind) => {
    const list = KINDS[kind].entries(listen);
    return list.map((cfg, i) => ({
      kind,
      name: list.length === 1 ? `listen.${kind}` : `listen.${kind}[${i}]`,
      label: i === 0 ? kind : `${kind}[${i}]`,
      cfg,
    }));
  });
}

/** Builds the front-end for one entry (see {@link Kind.create}). */
export function createFrontEnd(ctx: FrontEndContext, e: ListenerEntry): Promise<FrontEnd> {
  return (KINDS[e.kind] as Kind<ListenerConfig>).create(ctx, e);
}

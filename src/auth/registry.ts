/**
 * The app registry: the config's `apps:` turned into lookup structures (tokens, source
 * CIDRs). Immutable; a config reload builds a new one and swaps it in at once (DESIGN §6).
 */
import type { AppConfig } from '../config/schema.js';
import { SourceAllowlist } from './ip-allowlist.js';
import type { TokenTable } from './token.js';

export class AppRegistry {
  /** Lower-case token → app name. */
  readonly tokens: TokenTable;
  readonly sources: SourceAllowlist;
  /** App names, in config order. */
  readonly names: readonly string[];
  /** Client-certificate SHA-256 fingerprint (`AB:CD:…`) → app name. */
  readonly certFingerprints: ReadonlyMap<string, string>;
  /** Client-certificate subject (`CN=…,O=…`) → app name. */
  readonly certSubjects: ReadonlyMap<string, string>;

  constructor(apps: readonly AppConfig[]) {
    const tokens = new Map<string, string>();
    for (const a of apps) if (a.token) tokens.set(a.token.toLowerCase(), a.name);
    this.tokens = tokens;
    this.sources = new SourceAllowlist(apps);
    this.names = apps.map((a) => a.name);
    this.certFingerprints = new Map(apps.flatMap((a) => a.certFingerprints.map((f) => [f, a.name] as const)));
    this.certSubjects = new Map(apps.flatMap((a) => a.certSubjects.map((f) => [f, a.name] as const)));
  }
}

/**
 * DESIGN §6 rule 4: a source address inside one app's `allowedSources` authorizes the
 * message for that app. CIDR checks use Node's `net.BlockList`; results are cached per
 * address in an LRU (the same few senders send most lines).
 */
import { BlockList } from 'node:net';
import { LRUCache } from 'lru-cache';
import { parseCidr } from '../config/cidr.js';

const NONE = '';

/** Maps a peer address (IPv4, IPv6, or IPv4-mapped IPv6 as dual-stack sockets report it) to an app. */
export class SourceAllowlist {
  private readonly lists: Array<{ app: string; list: BlockList }> = [];
  private readonly cache = new LRUCache<string, string>({ max: 10000 });

  /** @param apps app name → CIDR strings, already validated (no overlaps between apps) */
  constructor(apps: ReadonlyArray<{ name: string; allowedSources: readonly string[] }>) {
    for (const a of apps) {
      if (a.allowedSources.length === 0) continue;
      const list = new BlockList();
      for (const c of a.allowedSources) {
        const n = parseCidr(c);
        if (n) list.addSubnet(n.address, n.prefix, n.family);
      }
      this.lists.push({ app: a.name, list });
    }
  }

  /** True when no app has allowedSources (the lookup can be skipped). */
  get empty(): boolean { return this.lists.length === 0; }

  /** The app whose allowedSources contain `address`, or null. */
  lookup(address: string): string | null {
    if (this.lists.length === 0) return null;
    let app = this.cache.get(address);
    if (app === undefined) {
      app = NONE;
      let addr = address;
      let family: 'ipv4' | 'ipv6' = address.includes(':') ? 'ipv6' : 'ipv4';
      if (family === 'ipv6' && address.startsWith('::ffff:') && address.includes('.')) {
        addr = address.slice(7);
        family = 'ipv4';
      }
      for (const l of this.lists) {
        if (l.list.check(addr, family)) { app = l.app; break; }
      }
      this.cache.set(address, app);
    }
    return app === NONE ? null : app;
  }
}

/**
 * CIDR notation (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6), without the config schema: the
 * parse workers need it for `allowedSources` and must not load zod (~15 MB of RSS per thread).
 */
import { isIP } from 'node:net';

/**
 * Splits `a.b.c.d/nn`, `x::y/nn` or a plain address into address, prefix length and family
 * (a plain address is a /32 or /128).
 * @returns null when malformed (not an IP literal, or a prefix out of range)
 */
export function parseCidr(s: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const slash = s.indexOf('/');
  const address = slash < 0 ? s : s.slice(0, slash);
  const fam = isIP(address);
  if (fam === 0) return null;
  const max = fam === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  return { address, prefix, family: fam === 4 ? 'ipv4' : 'ipv6' };
}

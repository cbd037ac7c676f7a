/**
 * Who may read what through the web API: per-app read keys (`apps[].readKeys`) and operator keys
 * (`web.adminKeys`), and the page's login sessions.
 *
 * A presented key is hashed (SHA-256) and compared with every known key's hash with
 * `crypto.timingSafeEqual`, all of them, every time: how long a check takes does not depend on
 * how much of a key was right. Keys are never logged; a session is a random 256-bit id that maps
 * to the hash of the key it logged in with, so a reload that removes the key ends its sessions.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema.js';

/** What one key may read: every app (admin) or the listed ones. */
export interface Access {
  admin: boolean;
  apps: ReadonlySet<string>;
  /** SHA-256 of the key (identifies it without keeping it). */
  keyHash: Buffer;
}

interface Known {
  hash: Buffer;
  admin: boolean;
  apps: Set<string>;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class KeyRing {
  private known: Known[] = [];
  private readonly sessions = new Map<string, { keyHash: Buffer; expiresMs: number }>();

  constructor(config: Config) {
    this.configure(config);
  }

  /** Takes the keys of a (re)loaded config; sessions of removed keys stop working at once. */
  configure(config: Config): void {
    const byHash = new Map<string, Known>();
    const entry = (key: string): Known => {
      const hash = sha256(key.toLowerCase());
      const hex = hash.toString('hex');
      let k = byHash.get(hex);
      if (k === undefined) byHash.set(hex, (k = { hash, admin: false, apps: new Set() }));
      return k;
    };
    for (const a of config.apps) for (const key of a.readKeys) entry(key).apps.add(a.name);
    for (const key of config.web.adminKeys) entry(key).admin = true;
    this.known = [...byHash.values()];
    this.sessionTtlMs = config.web.sessionTtlSeconds * 1000;
  }

  private sessionTtlMs = 0;

  /**
   * The access a presented key grants, or null for an unknown key (an intake token, a revoked or
   * mistyped key). Constant time in the key's content (see the module doc).
   */
  check(key: string): Access | null {
    return this.byHash(sha256(key.trim().toLowerCase()));
  }

  /** The access of a key hash (sessions, open tail streams re-checked after a reload). */
  byHash(hash: Buffer): Access | null {
    let found: Known | null = null;
    for (const k of this.known) if (timingSafeEqual(k.hash, hash) && found === null) found = k;
    return found === null ? null : { admin: found.admin, apps: found.apps, keyHash: found.hash };
  }

  /**
   * Starts a page session for a checked key.
   * @returns the session id for the `sr_session` cookie (43 base64url characters)
   */
  openSession(access: Access, nowMs = Date.now()): string {
    this.sweep(nowMs);
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { keyHash: access.keyHash, expiresMs: nowMs + this.sessionTtlMs });
    return id;
  }

  /** The access of a session cookie's id: null when unknown, expired, or its key was removed. */
  session(id: string, nowMs = Date.now()): Access | null {
    const s = this.sessions.get(id);
    if (s === undefined) return null;
    if (s.expiresMs <= nowMs) {
      this.sessions.delete(id);
      return null;
    }
    return this.byHash(s.keyHash);
  }

  /** Ends a session (logout). */
  closeSession(id: string): void {
    this.sessions.delete(id);
  }

  /** Seconds a new session lasts (the cookie's Max-Age). */
  get sessionTtlSeconds(): number {
    return Math.floor(this.sessionTtlMs / 1000);
  }

  private sweep(nowMs: number): void {
    for (const [id, s] of this.sessions) if (s.expiresMs <= nowMs || this.byHash(s.keyHash) === null) this.sessions.delete(id);
  }
}

/** Whether `access` may read `app`. */
export function mayRead(access: Access, app: string): boolean {
  return access.admin || access.apps.has(app);
}

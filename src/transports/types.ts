/**
 * The interface every listener implements (DESIGN §9): syslog front-ends (UDP, TCP, TLS, RELP),
 * the admin endpoint, and later HTTP intake and the web page. The receiver binds, stops,
 * health-checks, describes and reloads them in one loop; `frontends.ts` is the registry that
 * turns `listen:` entries into front-ends.
 */
import type { AddressInfo } from 'node:net';
import type { LISTEN_KEYS } from '../config/schema.js';

/** A `listen:` key: the kinds of front-end. */
export type ListenKey = (typeof LISTEN_KEYS)[number];

export interface FrontEnd {
  /** Which `listen:` key configured it (`udp`, `tcp`, `tls`, `relp`, `http`, `admin`, `web`). */
  readonly kind: ListenKey;
  /** Its config path, used in errors and logs: `listen.tcp`, `listen.tls[1]`. */
  readonly name: string;
  /**
   * Binds its address and port.
   * @returns the bound address (the real port when the config says 0)
   * @throws the socket error (EADDRINUSE, EACCES …); the receiver turns it into a ReceiverError
   */
  start(): Promise<AddressInfo>;
  /** Stops accepting and closes its connections (RELP: after the last acks). Idempotent. */
  stop(): Promise<void>;
  /** True while bound (for `/healthz`). */
  readonly listening: boolean;
  /** Re-reads what can change without a restart (TLS certificates). @returns false when refused */
  reload?(): boolean;
}

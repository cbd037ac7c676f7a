/**
 * restartNeeded(prev, next): the config paths a live reload cannot apply (listeners, storage,
 * certsDir); a pure function of two validated configs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restartNeeded } from '../../src/config/diff.js';
import { validateConfig, type Config } from '../../src/config/schema.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const TOKEN2 = 'c0ffee00-1111-4222-8333-444455556666';

/** A typical config document; `patch` replaces top-level keys (undefined deletes one). */
function doc(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    listen: { udp: { address: '127.0.0.1', port: 5514 }, tcp: { address: '127.0.0.1', port: 5514 }, admin: { port: 9514 } },
    apps: [{ name: 'a', token: TOKEN }],
    storage: { dir: '/var/lib/srx', flushIntervalMs: 20 },
    certsDir: '/etc/srx/certs',
    logLevel: 'info',
  };
  const out = { ...base, ...patch };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
const cfg = (patch: Record<string, unknown> = {}): Config => validateConfig(doc(patch));
const listen = (l: Record<string, unknown>): Record<string, unknown> => ({ ...(doc().listen as Record<string, unknown>), ...l });

test('identical configs (separately validated, equal but not the same objects) → []', () => {
  const a = cfg();
  const b = cfg();
  assert.notEqual(a, b);
  assert.deepEqual(restartNeeded(a, b), []);
  assert.deepEqual(restartNeeded(a, a), []);
});

test('a changed listener port → [listen.tcp]; address too; removing or adding a listener', () => {
  assert.deepEqual(restartNeeded(cfg(), cfg({ listen: listen({ tcp: { address: '127.0.0.1', port: 6514 } }) })), ['listen.tcp']);
  assert.deepEqual(restartNeeded(cfg(), cfg({ listen: listen({ tcp: { address: '0.0.0.0', port: 5514 } }) })), ['listen.tcp']);
  assert.deepEqual(restartNeeded(cfg(), cfg({ listen: listen({ udp: undefined }) })), ['listen.udp'], 'a removed listener');
  assert.deepEqual(restartNeeded(cfg(), cfg({ listen: listen({ admin: { port: 9515 } }) })), ['listen.admin']);
  assert.deepEqual(restartNeeded(cfg(), cfg({ listen: listen({ relp: { port: 20514 } }) })), ['listen.relp'], 'an added RELP listener');
});

test('an added TLS listener → [listen.tls]; a TLS setting change too; mapping and one-item list are the same', () => {
  const tls = { address: '127.0.0.1', port: 10514 };
  assert.deepEqual(restartNeeded(cfg(), cfg({ listen: listen({ tls }) })), ['listen.tls']);
  assert.deepEqual(restartNeeded(cfg({ listen: listen({ tls }) }), cfg({ listen: listen({ tls: [tls, { address: '127.0.0.1', port: 10515 }] }) })), ['listen.tls'], 'a second TLS listener');
  assert.deepEqual(restartNeeded(cfg({ listen: listen({ tls }) }), cfg({ listen: listen({ tls: { ...tls, minVersion: 'TLSv1.3' } }) })), ['listen.tls']);
  assert.deepEqual(restartNeeded(cfg({ listen: listen({ tls }) }), cfg({ listen: listen({ tls: [tls] }) })), [], 'listen.tls as a mapping or a one-item list is the same config');
});

test('storage change → [storage]; certsDir → [certsDir]; several at once in a fixed order', () => {
  assert.deepEqual(restartNeeded(cfg(), cfg({ storage: { dir: '/var/lib/srx', flushIntervalMs: 50 } })), ['storage']);
  assert.deepEqual(restartNeeded(cfg(), cfg({ storage: { dir: '/srv/srx', flushIntervalMs: 20 } })), ['storage']);
  assert.deepEqual(restartNeeded(cfg(), cfg({ storage: { dir: '/var/lib/srx', flushIntervalMs: 20, fsync: true } })), [], 'spelling out a default changes nothing');
  assert.deepEqual(restartNeeded(cfg(), cfg({ certsDir: '/etc/srx/other' })), ['certsDir']);
  const all = cfg({ listen: listen({ udp: { address: '127.0.0.1', port: 1 }, tcp: undefined }), storage: { dir: '/srv' }, certsDir: '/c' });
  assert.deepEqual(restartNeeded(cfg(), all), ['listen.udp', 'listen.tcp', 'storage', 'certsDir']);
});

test('apps, tokens, quotas, limits, auth, logLevel, shutdownTimeoutMs changes → [] (applied live)', () => {
  const next = cfg({
    apps: [{ name: 'a', token: TOKEN2, maxEventsPerSecond: 10 }, { name: 'b', allowedSources: ['10.0.0.0/8'] }],
    limits: { maxMessageBytes: 8192, maxConnections: 10, idleTimeoutMs: 1000 },
    auth: { tokenFields: ['tok'] },
    logLevel: 'debug',
    shutdownTimeoutMs: 5000,
  });
  assert.deepEqual(restartNeeded(cfg(), next), []);
  assert.deepEqual(restartNeeded(next, cfg()), []);
});

test('restartNeeded is pure: same answer every time, inputs untouched, symmetric', () => {
  const a = cfg();
  const b = cfg({ listen: listen({ tcp: { address: '127.0.0.1', port: 6514 } }), storage: { dir: '/srv' } });
  const before = [JSON.stringify(a), JSON.stringify(b)];
  const first = restartNeeded(a, b);
  assert.deepEqual(restartNeeded(a, b), first);
  assert.deepEqual(restartNeeded(b, a), first, 'the same paths differ either way');
  assert.notEqual(restartNeeded(a, b), first, 'a new array each call');
  assert.deepEqual([JSON.stringify(a), JSON.stringify(b)], before);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.listen), 'validated configs are frozen (a mutation would throw)');
});

test('pipeline.workers needs a restart (the worker threads are started once)', () => {
  assert.deepEqual(restartNeeded(cfg(), cfg({ pipeline: { workers: 3 } })), ['pipeline']);
  assert.deepEqual(restartNeeded(cfg({ pipeline: { workers: 'auto' } }), cfg()), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import {
  ConfigError, DEFAULT_ADMIN, DEFAULT_WEB, DEFAULT_AUTH, DEFAULT_CONFIG, DEFAULT_HTTP, DEFAULT_LIMITS, DEFAULT_RELP, DEFAULT_STORAGE, DEFAULT_TCP, DEFAULT_TLS, DEFAULT_UDP,
  LISTEN_KEYS, describeListeners, validateConfig,
} from '../../src/config/schema.js';
import { defaultConfigText, parseConfig } from '../../src/config/load.js';

const T1 = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';

function errorsOf(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.errors;
  }
  assert.fail('expected a ConfigError');
}

test('defaults fill everything; the result is frozen', () => {
  const c = validateConfig({ listen: { tcp: {} }, apps: [{ name: 'a', token: T1 }] });
  assert.deepEqual(c.listen, { tcp: { address: '0.0.0.0', port: 514 } });
  assert.equal(c.storage.fsync, true);
  assert.equal(c.storage.flushIntervalMs, 20);
  assert.equal(c.limits.maxMessageBytes, 65536);
  assert.deepEqual(c.auth.tokenFields, ['logsene-app-token']);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.apps[0]));
  assert.equal((c.listen as Record<string, unknown>).udp, undefined, 'a listener absent from listen: is not started');
});

test('every error is reported at once, with its path', () => {
  const errs = errorsOf({
    listen: { tcp: { port: 70000, address: 'nope' }, syslog: {} },
    apps: [
      { name: 'ok', token: T1 },
      { name: 'ok', token: T1.toUpperCase() },
      { name: 'bad/name', token: 'not-a-uuid' },
      { name: 'x', allowedSources: ['10.0.0.0/33'] },
      { name: 'y' },
    ],
    storage: { fsync: 'yes' },
    limits: { maxMessageBytes: 10 },
  });
  const has = (p: string): boolean => errs.some((e) => e.startsWith(p));
  for (const p of ['listen.tcp.port', 'listen.tcp.address', 'listen.syslog', 'apps[1].name', 'apps[1].token', 'apps[2].name', 'apps[2].token',
    'apps[3].allowedSources[0]', 'apps[4]', 'storage.fsync', 'limits.maxMessageBytes']) {
    assert.ok(has(p), `missing error for ${p}: ${errs.join(' | ')}`);
  }
});

test('an address may belong to one app only', () => {
  const errs = errorsOf({ listen: { udp: {} }, apps: [
    { name: 'a', allowedSources: ['10.0.0.0/8'] },
    { name: 'b', allowedSources: ['10.1.2.3'] },
    { name: 'c', allowedSources: ['2001:db8::/32', '10.0.0.0/8'] },
  ] });
  assert.ok(errs.some((e) => e.startsWith('apps[1].allowedSources') && e.includes('overlaps')), errs.join(' | '));
  assert.ok(errs.some((e) => e.startsWith('apps[2].allowedSources')), errs.join(' | '));
  validateConfig({ listen: { udp: {} }, apps: [{ name: 'a', allowedSources: ['10.0.0.0/16'] }, { name: 'b', allowedSources: ['10.1.0.0/16'] }] });
});

test('YAML: syntax errors are reported; the first-run default config loads', () => {
  assert.throws(() => parseConfig('listen: [\n', '/tmp'), ConfigError);
  const c = parseConfig(defaultConfigText(T1), '/srv/syslog');
  assert.equal(c.apps[0].name, 'default');
  assert.equal(c.apps[0].token, T1);
  assert.equal(c.storage.dir, '/srv/syslog/data');
  assert.ok(c.listen.udp && c.listen.tcp);
});

test('the first-run YAML is generated from the schema defaults and loads as it is', () => {
  const text = defaultConfigText(T1);
  const yaml = parseYaml(text) as Record<string, Record<string, unknown>>;
  // every listener, at the schema's default address and port
  assert.deepEqual(Object.keys(yaml.listen), [...LISTEN_KEYS]);
  const defaults = { udp: DEFAULT_UDP, tcp: DEFAULT_TCP, tls: DEFAULT_TLS, relp: DEFAULT_RELP, http: DEFAULT_HTTP, admin: DEFAULT_ADMIN, web: DEFAULT_WEB };
  for (const k of LISTEN_KEYS) {
    const l = yaml.listen[k] as Record<string, unknown>;
    assert.equal(l.address, defaults[k].address, `listen.${k}.address`);
    assert.equal(l.port, defaults[k].port, `listen.${k}.port`);
  }
  assert.equal((yaml.listen.tls as Record<string, unknown>).clientAuth, DEFAULT_TLS.clientAuth);
  assert.equal((yaml.listen.relp as Record<string, unknown>).tls, DEFAULT_RELP.tls);
  assert.equal((yaml.listen.http as Record<string, unknown>).tls, false);
  assert.equal(DEFAULT_HTTP.port, 9200);
  // storage and limits: every key, each at its default (a default changed in the schema changes the
  // file); storage.jetstream only matters with type: jetstream and is left out
  const { jetstream: _absent, ...storageKeys } = DEFAULT_STORAGE;
  assert.deepEqual(yaml.storage, storageKeys);
  assert.deepEqual(yaml.limits, { ...DEFAULT_LIMITS });
  assert.deepEqual(yaml.apps, [{ name: 'default', token: T1 }]);
  // its comments stay
  for (const c of ['# syslog-receiver config (written on first start)', '# RFC 5425 TLS', '# RELP:', '# Prometheus /metrics', '# allowedSources:']) {
    assert.ok(text.includes(c), c);
  }
  // round trip: the file means exactly the defaults
  const c = parseConfig(text, '/srv/syslog');
  assert.deepEqual(describeListeners(c.listen), ['udp 0.0.0.0:514', 'tcp 0.0.0.0:514', 'tls 0.0.0.0:10514', 'relp 0.0.0.0:20514', 'http http://0.0.0.0:9200', 'admin http://127.0.0.1:9514', 'web http://127.0.0.1:9515']);
  assert.deepEqual(c.listen.web, DEFAULT_WEB);
  assert.deepEqual(c.listen.tls, [DEFAULT_TLS]);
  assert.deepEqual(c.listen.relp, DEFAULT_RELP);
  assert.deepEqual(c.storage, { ...DEFAULT_STORAGE, dir: '/srv/syslog/data' });
  assert.deepEqual(c.limits, DEFAULT_LIMITS);
  assert.deepEqual(c.auth, DEFAULT_AUTH);
  assert.equal(c.certsDir, '/srv/syslog/certs');
  assert.equal(c.logLevel, DEFAULT_CONFIG.logLevel);
  assert.equal(c.shutdownTimeoutMs, DEFAULT_CONFIG.shutdownTimeoutMs);
  // a fresh token each call by default
  assert.notEqual(defaultConfigText(), defaultConfigText());
  parseConfig(defaultConfigText(), '/tmp');
});

test('the DEFAULT_* constants are what the schema makes of empty sections', () => {
  const c = validateConfig({ listen: { udp: {}, tcp: null, tls: {}, relp: {}, http: {}, admin: {}, web: {} } });
  assert.deepEqual(c.listen, { udp: DEFAULT_UDP, tcp: DEFAULT_TCP, tls: [DEFAULT_TLS], relp: DEFAULT_RELP, http: [DEFAULT_HTTP], admin: DEFAULT_ADMIN, web: DEFAULT_WEB });
  assert.deepEqual({ ...DEFAULT_WEB }, { ...DEFAULT_TLS, address: '127.0.0.1', port: 9515, tls: false });
  assert.deepEqual({ ...DEFAULT_HTTP }, { ...DEFAULT_TLS, port: 9200, tls: false, headerTimeoutMs: 10_000, bodyTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000, maxConcurrentRequests: 64 });
  assert.equal(DEFAULT_LIMITS.maxHttpBodyBytes, 10 * 1024 * 1024);
  assert.deepEqual(errorsOf({ listen: { http: { bodyTimeoutMs: 500 } } }), ['listen.http.bodyTimeoutMs: must be at least headerTimeoutMs (10000): it bounds the whole request, headers included']);
  assert.deepEqual(c.storage, DEFAULT_STORAGE);
  assert.deepEqual(c.limits, DEFAULT_LIMITS);
  assert.deepEqual(c.auth, DEFAULT_AUTH);
  assert.deepEqual(c, { ...DEFAULT_CONFIG });
  assert.deepEqual(DEFAULT_RELP.port, 20514);
  assert.deepEqual(DEFAULT_ADMIN, { address: '127.0.0.1', port: 9514 });
  assert.deepEqual(DEFAULT_UDP, { address: '0.0.0.0', port: 514, recvBufferBytes: 8 * 1024 * 1024, reader: 'auto' });
  assert.deepEqual(c.pipeline, { workers: 'auto' });
  assert.equal(DEFAULT_TLS.port, 10514);
  assert.deepEqual(DEFAULT_STORAGE, { dir: 'data', fsync: true, flushIntervalMs: 20, retentionDays: 14, maxBytes: 0, highWaterBytes: 4 * 1024 * 1024, type: 'file', jetstream: null });
  assert.ok(Object.isFrozen(DEFAULT_CONFIG) && Object.isFrozen(DEFAULT_STORAGE) && Object.isFrozen(DEFAULT_AUTH.tokenFields));
  // results never share objects with the defaults or the input
  const input = { listen: { tcp: {} }, auth: { tokenFields: ['x'] } };
  const v = validateConfig(input);
  assert.ok(!Object.isFrozen(input.auth.tokenFields));
  assert.notEqual(v.storage, DEFAULT_STORAGE);
});

test('several errors at once, each with its path and message', () => {
  const errs = errorsOf({
    listen: { tls: [{ port: 6514 }, { port: 6514, cert: 'a.pem' }, { port: -1, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }], foo: 1 },
    apps: [
      { name: 'a', token: T1.toUpperCase() },
      { name: 'b', token: T1, allowedSources: 'x', extra: true },
    ],
    storage: { flushIntervalMs: 60001, highWaterBytes: 'big' },
    logLevel: 'loud',
    shutdownTimeoutMs: 50,
    certsDir: '',
    nope: 1,
  });
  const expected = [
    'listen.tls[1]: set both cert and key, or neither (a certificate set is then generated in certsDir)',
    'listen.tls[1].port: 0.0.0.0:6514 is used by another TLS listener',
    'listen.tls[2].port: must be an integer from 0 to 65535',
    'listen.tls[2].maxVersion: is below minVersion',
    'listen.foo: unknown key (known: udp, tcp, tls, relp, http, admin, web)',
    'apps[1].allowedSources: must be a list of CIDRs',
    `apps[1].extra: unknown key (known: name, token, allowedSources, certFingerprints, certSubjects, maxEventsPerSecond, burstEvents, maxBytesPerDay, readKeys)`,
    'apps[1].token: same token as app "a"',
    'storage.flushIntervalMs: must be an integer from 0 to 60000',
    'storage.highWaterBytes: must be an integer from 65536 to 4294967296',
    'logLevel: must be one of fatal, error, warn, info, debug, trace, silent',
    'shutdownTimeoutMs: must be an integer from 100 to 600000',
    'certsDir: must be a non-empty string',
    '(root).nope: unknown key (known: listen, apps, storage, limits, pipeline, auth, archive, outputs, web, logLevel, certsDir, shutdownTimeoutMs)',
  ];
  assert.deepEqual([...errs].sort(), [...expected].sort(), errs.join('\n'));
  // the error object itself
  try {
    validateConfig({ listen: {} }, 'my.yaml');
    assert.fail('expected a ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'SYSLOG_ERR_CONFIG_INVALID');
    assert.deepEqual(e.errors, ['listen: no listener configured (add listen.udp, listen.tcp, listen.tls, listen.relp and/or listen.http)']);
    assert.equal(e.message, 'my.yaml is invalid:\n  - listen: no listener configured (add listen.udp, listen.tcp, listen.tls, listen.relp and/or listen.http)');
  }
});

test('listeners: tls as a mapping or a list, relp and admin defaults, null = defaults, absent = not started', () => {
  const c = validateConfig({ listen: { udp: null, tls: { port: 6514 }, relp: { tls: true }, admin: {} } });
  assert.deepEqual(c.listen.udp, { address: '0.0.0.0', port: 514, recvBufferBytes: 8 * 1024 * 1024, reader: 'auto' });
  assert.equal(c.listen.tcp, undefined);
  assert.ok(!('tcp' in c.listen));
  assert.deepEqual(c.listen.tls, [{ ...DEFAULT_TLS, port: 6514 }]);
  assert.equal(c.listen.relp!.port, 20514);
  assert.equal(c.listen.relp!.tls, true);
  assert.deepEqual(c.listen.admin, { address: '127.0.0.1', port: 9514 });
  assert.ok(Object.isFrozen(c.listen.tls) && Object.isFrozen(c.listen.tls![0]));
  const c2 = validateConfig({ listen: { tcp: {}, tls: null, relp: null, udp: undefined } });
  assert.deepEqual(Object.keys(c2.listen), ['tcp']);
  assert.deepEqual(validateConfig({ listen: { tls: [{ address: '::1', port: 0 }, { address: '::1', port: 0 }] } }).listen.tls!.map((t) => t.port), [0, 0]);
  // a mapping reports its fields without an index, a list with one
  assert.deepEqual(errorsOf({ listen: { tls: { port: 'x', address: '::g' } } }), [
    'listen.tls.address: "::g" is not an IPv4 or IPv6 address', 'listen.tls.port: must be an integer from 0 to 65535']);
  assert.deepEqual(errorsOf({ listen: { tls: [{ port: 6514 }, { handshakeTimeoutMs: 'x' }] } }), ['listen.tls[1].handshakeTimeoutMs: must be an integer from 100 to 600000']);
  assert.deepEqual(errorsOf({ listen: { tls: 5 } }), ['listen.tls: must be a mapping or a list of mappings']);
  assert.deepEqual(errorsOf({ listen: { tls: [] } }), ['listen: no listener configured (add listen.udp, listen.tcp, listen.tls, listen.relp and/or listen.http)']);
  assert.deepEqual(errorsOf({ listen: { admin: {} } }), ['listen: no listener configured (add listen.udp, listen.tcp, listen.tls, listen.relp and/or listen.http)']);
  // clientAuth without a CA, with your own certificate
  assert.deepEqual(errorsOf({ listen: { relp: { tls: true, cert: 'c.pem', key: 'k.pem', clientAuth: 'optional' } } }), [
    'listen.relp.ca: required when clientAuth is optional (the CA that client certificates must chain to)']);
  validateConfig({ listen: { tls: { clientAuth: 'required' } } }); // generated set: its CA is used
  assert.deepEqual(errorsOf({ listen: { relp: { port: 70000, onWriteError: 'drop', maxUnackedFrames: 0 } } }).sort(), [
    'listen.relp.maxUnackedFrames: must be an integer from 1 to 1000000',
    'listen.relp.onWriteError: must be one of nack, close',
    'listen.relp.port: must be an integer from 0 to 65535',
  ]);
});

test('apps: token lowercased, fingerprints normalized, one owner per certificate, something to match on', () => {
  const fp = 'ab'.repeat(32);
  const canon = fp.toUpperCase().match(/../g)!.join(':');
  const c = validateConfig({ listen: { udp: {} }, apps: [
    { name: 'a', token: T1.toUpperCase(), certFingerprints: [fp], certSubjects: ['CN=x'], maxEventsPerSecond: 5, maxBytesPerDay: null },
  ] });
  assert.equal(c.apps[0].token, T1);
  assert.deepEqual(c.apps[0].certFingerprints, [canon]);
  assert.equal(c.apps[0].maxEventsPerSecond, 5);
  assert.equal(c.apps[0].burstEvents, null);
  assert.equal(c.apps[0].maxBytesPerDay, null);
  const errs = errorsOf({ listen: { udp: {} }, apps: [
    { name: 'a', certFingerprints: [fp], certSubjects: ['CN=x'] },
    { name: 'b', certFingerprints: [fp.toUpperCase()], certSubjects: ['CN=x', ''] },
    { name: 'c', certFingerprints: ['zz'], burstEvents: 0 },
    { token: T1 },
    null,
  ] });
  for (const e of [
    `apps[1].certFingerprints: ${canon} is already mapped to app "a"`,
    'apps[1].certSubjects: CN=x is already mapped to app "a"',
    'apps[1].certSubjects[1]: must be a subject like CN=client1,O=Example',
    'apps[2].certFingerprints[0]: is not a SHA-256 fingerprint (64 hex digits, with or without colons, as `openssl x509 -fingerprint -sha256` prints)',
    'apps[2].burstEvents: must be an integer from 1 to 100000000',
    'apps[3].name: must be a non-empty string',
    'apps[4].name: must be a non-empty string',
    'apps[4]: needs a token, allowedSources, certFingerprints or certSubjects, or it can never receive anything',
  ]) assert.ok(errs.includes(e), `missing ${e} in:\n${errs.join('\n')}`);
  assert.deepEqual(errorsOf({ listen: { udp: {} }, apps: { name: 'a' } }), ['apps: must be a list']);
  assert.deepEqual(errorsOf({ listen: { udp: {} }, auth: { tokenFields: [] } }), ['auth.tokenFields: must be a non-empty list of field names']);
});

test('every issue carries our own message, never zod\'s default text', () => {
  const junk: unknown[] = ['', 'x', -1, 1.5, 1e20, true, [], {}, [1], { z: 1 }, null];
  const paths = [
    'listen', 'listen.udp', 'listen.udp.address', 'listen.udp.port', 'listen.tls', 'listen.tls.cert', 'listen.tls.clientAuth', 'listen.tls.minVersion',
    'listen.tls.ciphers', 'listen.tls.handshakeTimeoutMs', 'listen.relp', 'listen.relp.tls', 'listen.relp.maxUnackedFrames', 'listen.relp.onWriteError',
    'listen.admin', 'apps', 'apps.0', 'apps.0.name', 'apps.0.token', 'apps.0.allowedSources', 'apps.0.certFingerprints', 'apps.0.certSubjects',
    'apps.0.maxEventsPerSecond', 'storage', 'storage.dir', 'storage.fsync', 'storage.maxBytes', 'limits', 'limits.idleTimeoutMs', 'auth',
    'auth.tokenFields', 'logLevel', 'certsDir', 'shutdownTimeoutMs',
  ];
  let checked = 0;
  for (const p of paths) {
    for (const j of junk) {
      const doc: Record<string, unknown> = { listen: { tcp: {} }, apps: [{ name: 'a', token: T1 }] };
      const keys = p.split('.');
      let o: Record<string, unknown> = doc;
      for (const k of keys.slice(0, -1)) {
        if (typeof o[k] !== 'object' || o[k] === null) o[k] = /^\d+$/.test(keys[keys.indexOf(k) + 1] ?? '') ? [] : {};
        o = o[k] as Record<string, unknown>;
      }
      o[keys[keys.length - 1]] = j;
      try {
        validateConfig(doc);
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        for (const msg of e.errors) {
          checked++;
          assert.match(msg, /^(\(root\)|[A-Za-z]+)(\.[A-Za-z]+|\[\d+\])*: /, msg);
          assert.doesNotMatch(msg, /Invalid input|expected|Unrecognized key|Too (big|small)/, `${p} = ${JSON.stringify(j)}: ${msg}`);
        }
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} errors seen`);
});

test('pipeline.workers: auto or 1-256; listen.udp.recvBufferBytes: a byte count', () => {
  assert.equal(validateConfig({ listen: { tcp: {} }, pipeline: { workers: 4 } }).pipeline.workers, 4);
  assert.equal(validateConfig({ listen: { tcp: {} }, pipeline: null }).pipeline.workers, 'auto');
  assert.equal(validateConfig({ listen: { udp: { recvBufferBytes: 0 } } }).listen.udp!.recvBufferBytes, 0);
  for (const workers of [0, 257, 1.5, 'two', null]) {
    assert.deepEqual(errorsOf({ listen: { tcp: {} }, pipeline: { workers } }), ['pipeline.workers: must be auto or an integer from 1 to 256'], String(workers));
  }
  assert.deepEqual(errorsOf({ listen: { udp: { recvBufferBytes: -1 } } }), ['listen.udp.recvBufferBytes: must be an integer from 0 to 2147483647']);
  assert.deepEqual(errorsOf({ listen: { tcp: { recvBufferBytes: 1 } } }), ['listen.tcp.recvBufferBytes: unknown key (known: address, port)']);
});

test('storage.type jetstream: storage.jetstream defaults, one kind of credentials, app names are subject tokens', () => {
  const app = { name: 'web_1', token: '0b7e8d1c-7c5f-4f4e-9a55-0a4c5ec0b9a1' };
  const j = validateConfig({ listen: { tcp: {} }, storage: { type: 'jetstream' }, apps: [app] }).storage.jetstream!;
  assert.deepEqual([j.servers, j.stream, j.subjectPrefix, j.replicas, j.maxBytes, j.maxInFlight, j.createStream], [['nats://127.0.0.1:4222'], 'SYSLOG', 'syslog', 1, 0, 1024, true]);
  assert.equal(validateConfig({ listen: { tcp: {} }, apps: [app] }).storage.jetstream, null);
  assert.deepEqual(errorsOf({ listen: { tcp: {} }, storage: { type: 'jetstream' }, apps: [{ ...app, name: 'web.1' }] }), ['apps[0].name: "web.1" is not a NATS subject token (storage.type jetstream: A-Z a-z 0-9 _ - only, no dots)']);
  assert.equal(validateConfig({ listen: { tcp: {} }, apps: [{ ...app, name: 'web.1' }] }).apps[0].name, 'web.1', 'dots are fine in the file store');
  assert.deepEqual(errorsOf({ listen: { tcp: {} }, storage: { type: 'jetstream', jetstream: { servers: ['http://x:4222'], subjectPrefix: 'a.*' } }, apps: [app] }), [
    'storage.jetstream.servers[0]: must be a nats://host:port or tls://host:port URL',
    'storage.jetstream.subjectPrefix: must be subject tokens separated by dots (no * or >)',
  ]);
  assert.deepEqual(errorsOf({ listen: { tcp: {} }, storage: { type: 'jetstream', jetstream: { token: 't', credsFile: 'c' } }, apps: [app] }), ['storage.jetstream: give one kind of credentials: user + password, token, nkeySeedFile or credsFile']);
  assert.deepEqual(errorsOf({ listen: { tcp: {} }, storage: { type: 's3' }, apps: [app] }), ['storage.type: must be one of file, jetstream']);
});

test('listen.udp.reader: auto (default), native or dgram', () => {
  assert.equal(validateConfig({ listen: { udp: {} } }).listen.udp!.reader, 'auto');
  assert.equal(validateConfig({ listen: { udp: { reader: 'dgram' } } }).listen.udp!.reader, 'dgram');
  assert.deepEqual(errorsOf({ listen: { udp: { reader: 'epoll' } } }), ['listen.udp.reader: must be one of auto, native, dgram']);
});

test('outputs: defaults, per-type keys, credentials, app names and {token} checked against apps', () => {
  const base = { listen: { tcp: {} }, apps: [{ name: 'web', token: T1 }, { name: 'api', allowedSources: ['10.0.0.0/8'] }] };
  const c = validateConfig({ ...base, outputs: [{ name: 'es', type: 'elasticsearch', url: 'http://127.0.0.1:9200' }] });
  assert.deepEqual(
    { apps: c.outputs[0].apps, index: c.outputs[0].index, batch: [c.outputs[0].batchMaxRecords, c.outputs[0].batchMaxBytes, c.outputs[0].batchDelayMs], backoff: [c.outputs[0].minBackoffMs, c.outputs[0].maxBackoffMs], lag: c.outputs[0].maxLagSeconds },
    { apps: null, index: 'logs-{app}-{yyyy.MM.dd}', batch: [1000, 5 * 1024 * 1024, 1000], backoff: [500, 60_000], lag: 300 },
  );
  assert.deepEqual(validateConfig(base).outputs, []);
  const errs = (outputs: unknown[]): string[] => {
    try { validateConfig({ ...base, outputs }); return []; } catch (e) { return (e as ConfigError).errors; }
  };
  assert.deepEqual(errs([{ name: 's', type: 'syslog', url: 'tcp://h:514', gzip: true, index: 'x' }]), ['outputs[0].index: is not used by a syslog output', 'outputs[0].gzip: is not used by a syslog output']);
  assert.deepEqual(errs([{ name: 's', type: 'syslog', url: 'http://h:514' }]), ['outputs[0].url: must be tcp://host:port or tls://host:port (type syslog)']);
  assert.deepEqual(errs([{ name: 'h', type: 'http', url: 'https://x/bulk/{token}/', tokens: { web: 's' } }]), ['outputs[0].tokens: has no token for app "api" (the url needs {token})']);
  assert.deepEqual(errs([{ name: 'h', type: 'http', url: 'https://x/', apps: ['web', 'nope'], tokens: { ghost: 's' } }]), ['outputs[0].apps[1]: "nope" is not an app of apps:', 'outputs[0].tokens.ghost: "ghost" is not an app of apps:']);
  assert.deepEqual(errs([{ name: 'e', type: 'elasticsearch', url: 'https://x', username: 'u', apiKey: 'k' }]), ['outputs[0]: give one kind of credentials: username + password, apiKey or bearerToken', 'outputs[0].password: username and password go together']);
  assert.deepEqual(errs([{ name: 'e', type: 'elasticsearch', url: 'https://x' }, { name: 'e', type: 'http', url: 'https://y', minBackoffMs: 10, maxBackoffMs: 5 }]), ['outputs[1].maxBackoffMs: must be at least minBackoffMs (10)', 'outputs[1].name: duplicate output name "e"']);
  assert.deepEqual(errs([{ name: 'x', type: 'kafka', url: 'x' }]), ['outputs[0].type: must be one of elasticsearch, http, syslog']);
});

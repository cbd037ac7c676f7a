import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, validateConfig } from '../../src/config/schema.js';
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
    listen: { tcp: { port: 70000, address: 'nope' }, http: {} },
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
  for (const p of ['listen.tcp.port', 'listen.tcp.address', 'listen.http', 'apps[1].name', 'apps[1].token', 'apps[2].name', 'apps[2].token',
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

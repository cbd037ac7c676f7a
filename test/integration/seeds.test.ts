/**
 * The seeds' own examples (Sematext and Logentries docs), verbatim, against a running
 * receiver over real sockets: each stored under the right app, token gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestReceiver } from '../helpers/receiver.js';
import { sendTcp, sendUdp } from '../helpers/net.js';
import { lf, rfc3164, rfc5424 } from '../helpers/frames.js';

const TOKEN = '2bfbea1e-10c3-4419-bdad-7e6435882e1f';
const OTHER = 'c0ffee00-1111-4222-8333-444455556666';
const apps = [{ name: 'seeds', token: TOKEN }, { name: 'other', token: OTHER }];

const EXAMPLES = [
  { line: `my-host my-process:@cee: {"logsene-app-token": "${TOKEN}", "message": "hello world!"}`, message: 'hello world!', tokenSource: 'cee', hostname: 'my-host', appName: 'my-process' },
  { line: `my-host ${TOKEN}:hello world!`, message: 'hello world!', tokenSource: 'tag', hostname: 'my-host', appName: null },
  { line: `${TOKEN} My first log entry`, message: 'My first log entry', tokenSource: 'inline', hostname: null, appName: null },
  { line: `My second ${TOKEN} log entry with token inside`, message: 'My second log entry with token inside', tokenSource: 'inline', hostname: null, appName: null },
];

/** Every stored byte of the store, to prove the token never reaches it. */
function storeText(dir: string): string {
  let out = '';
  for (const app of readdirSync(dir)) for (const f of readdirSync(join(dir, app))) out += readFileSync(join(dir, app, f), 'utf8');
  return out;
}

const run = promisify(execFile);
const hasNc = spawnSync('sh', ['-c', 'command -v nc'], { encoding: 'utf8' }).status === 0;

for (const via of ['nc', 'tcp', 'udp'] as const) {
  test(`seed examples verbatim over ${via}`, async (t) => {
    if (via === 'nc' && !hasNc) {
      if (process.env.REQUIRE_INTEROP === '1') assert.fail('nc is not installed (REQUIRE_INTEROP=1)');
      t.skip('nc not installed');
      return;
    }
    const rx = await startTestReceiver({ apps });
    try {
      for (const ex of EXAMPLES) {
        if (via === 'nc') await run('sh', ['-c', `echo '${ex.line}' | nc -N 127.0.0.1 ${rx.tcpPort}`], { timeout: 10_000 });
        else if (via === 'tcp') await sendTcp(rx.tcpPort, `${ex.line}\n`);
        else await sendUdp(rx.udpPort, [`${ex.line}\n`]);
      }
      const recs = await rx.waitFor('seeds', EXAMPLES.length);
      assert.equal(recs.length, EXAMPLES.length);
      for (const ex of EXAMPLES) {
        const r = recs.find((x) => x.message === ex.message && x.syslog.tokenSource === ex.tokenSource);
        assert.ok(r, `stored: ${ex.message} (got ${recs.map((x) => x.message).join(' | ')})`);
        assert.equal(r.app, 'seeds');
        assert.equal(r.syslog.tokenSource, ex.tokenSource);
        assert.equal(r.hostname, ex.hostname);
        assert.equal(r.appName, ex.appName);
        assert.equal(r.facility, 1);
        assert.equal(r.severity, 5);
        assert.equal(r.source.transport, via === 'udp' ? 'udp' : 'tcp');
        assert.equal(r.source.address, '127.0.0.1');
        assert.ok(!('logsene-app-token' in r));
      }
      assert.deepEqual(await rx.records('other'), []);
      assert.ok(!storeText(rx.config.storage.dir).includes(TOKEN), 'the token never reaches storage');
    } finally {
      await rx.stop();
    }
  });
}

test('unknown tokens and token-less lines are rejected, counted and never stored', async () => {
  const rx = await startTestReceiver({ apps });
  try {
    await sendTcp(rx.tcpPort, [
      'my-host 9a9a9a9a-1111-4222-8333-444455556666:hello\n',
      'just some text\n',
      lf(rfc3164('host', 'tag', 'no token')),
      lf(rfc3164('host', 'tag', `ok ${OTHER}`)),
      lf(rfc3164('host', OTHER, `twice ${OTHER} ${OTHER.toUpperCase()}`)),
    ]);
    const other = await rx.waitFor('other', 2);
    assert.deepEqual(other.map((r) => r.message), ['ok', 'twice'], 'every copy of the token is removed');
    assert.equal((rx.receiver.stats().rejected as Record<string, number>).unauthorized, 3);
    assert.deepEqual(readdirSync(rx.config.storage.dir), ['other']);
  } finally {
    await rx.stop();
  }
});

test('source-IP authorization, CEE fields merged, receiver-owned keys not spoofable', async () => {
  const rx = await startTestReceiver({ apps: [...apps, { name: 'byip', allowedSources: ['127.0.0.0/8'] }] });
  try {
    await sendTcp(rx.tcpPort, [
      lf(rfc5424({ pri: 14, timestamp: '2026-11-21T10:00:00.123Z', host: 'web01', app: 'nginx', procId: '42', msgId: 'ID7', sd: '[ex@1 k="v\\"q"]' }, 'plain line')),
      lf(rfc3164('db01', 'pg[7]', '@cee: {"message":"m","app":"spoof","source":"x","level":"warn","@timestamp":"2026-01-02T03:04:05Z"}', { pri: 11 })),
    ]);
    const recs = await rx.waitFor('byip', 2);
    assert.equal(recs.length, 2);
    const [a, b] = recs;
    assert.equal(a.syslog.tokenSource, 'ip');
    assert.equal(a.syslog.format, 'rfc5424');
    assert.equal(a['@timestamp'], '2026-11-21T10:00:00.123Z');
    assert.deepEqual(a.structuredData, { 'ex@1': { k: 'v"q' } });
    assert.equal(a.procId, '42');
    assert.equal(a.msgId, 'ID7');
    assert.equal(a.message, 'plain line');
    assert.equal(b.app, 'byip');
    assert.equal(b.message, 'm');
    assert.equal(b.level, 'warn');
    assert.equal((b.source as { transport: string }).transport, 'tcp');
    assert.equal(b['@timestamp'], '2026-01-02T03:04:05.000Z');
    assert.equal(b.appName, 'pg');
    assert.equal(b.procId, '7');
    assert.equal(b.severity, 3);
  } finally {
    await rx.stop();
  }
});

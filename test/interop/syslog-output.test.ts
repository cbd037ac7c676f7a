/**
 * The `syslog` output (src/outputs/syslog.ts: RFC 5424, octet counting, TCP) against real peers:
 *
 * - a real rsyslogd (imtcp on 127.0.0.1:<free port> → omfile with a tab-separated template of
 *   APP-NAME, HOSTNAME, PROCID, MSGID, STRUCTURED-DATA, TIMESTAMP, PRI and MSG) receives what
 *   2,000 messages sent to the receiver over TCP became: every one is in rsyslog's file exactly
 *   once, with APP-NAME = the output's token for the app (`tokens:`) or, for an app without
 *   one, the record's own APP-NAME, and its other header fields, SD and MSG (`@cee: {…}` for a
 *   CEE record) as stored. Skipped without rsyslogd (a failure with REQUIRE_INTEROP=1).
 * - receiver → receiver: a second in-process receiver takes the first one's output, the token
 *   of its app as APP-NAME (`tokens: { web: <token> }`), and stores each message once under that
 *   app with timestamp, PRI, hostname, PROCID, MSGID, structuredData, message and CEE keys as
 *   the first one stored them.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyslogRecord } from '../../src/record.js';
import { freePort, sendTcp } from '../helpers/net.js';
import { startTestReceiver, storeBytes } from '../helpers/receiver.js';
import { tmpDir } from '../helpers/tmp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { childListening, startChild, stopChild, which } from './lib/clients.js';
import { requireClient } from './lib/scenario.js';

const UTF8 = 'grüße 日本語 🙂';
const ASCII = 'q "dq" back\\slash 100% {c} [s] a=b';

/** rsyslogd in the foreground: imtcp on 127.0.0.1:`port`, every message one tab-separated line in `out`. */
function rsyslogConf(dir: string, port: number, out: string): string {
  return [
    `global(workDirectory="${dir}")`,
    // nothing but the test's input: no imuxsock / imklog
    'module(load="imtcp")',
    `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="in")`,
    'template(name="fields" type="string" string="%app-name%\\t%hostname%\\t%procid%\\t%msgid%\\t%structured-data%\\t%timereported:::date-rfc3339%\\t%pri%\\t%msg%\\n")',
    `ruleset(name="in") { action(type="omfile" file="${out}" template="fields") }`,
    '',
  ].join('\n');
}

interface RsyslogLine { appName: string; hostname: string; procId: string; msgId: string; sd: string; ts: string; pri: string; msg: string }

function readRsyslog(path: string): RsyslogLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.split('\n').filter((l) => l !== '').map((l) => {
    const [appName, hostname, procId, msgId, sd, ts, pri, ...msg] = l.split('\t');
    return { appName, hostname, procId, msgId, sd, ts, pri, msg: msg.join('\t') };
  });
}

test('interop: syslog output → rsyslog imtcp: 2,000 messages, each stored once, APP-NAME the output\'s token', { timeout: 120_000 }, async (t: TestContext) => {
  if (!requireClient(t, 'rsyslog')) return;
  const bin = which('rsyslogd')!;
  const work = tmpDir('syslog-output-rsyslog-');
  const port = await freePort();
  const outFile = join(work.path, 'out.log');
  const conf = join(work.path, 'rsyslog.conf');
  writeFileSync(conf, rsyslogConf(work.path, port, outFile));
  const check = spawnSync(bin, ['-N1', '-f', conf], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(check.status, 0, `rsyslogd -N1 rejected the config:\n${check.stdout}${check.stderr}`);
  const child = startChild(bin, ['-n', '-f', conf, '-i', join(work.path, 'rsyslog.pid')]);
  const webToken = randomUUID();
  const apiToken = randomUUID();
  const peerToken = `peer-${randomUUID()}`; // what the peer knows app "web" by
  let rx: Awaited<ReturnType<typeof startTestReceiver>> | null = null;
  try {
    await childListening(port, child);
    rx = await startTestReceiver({
      apps: [{ name: 'web', token: webToken }, { name: 'api', token: apiToken }],
      outputs: [{ name: 'rsyslog', type: 'syslog', url: `tcp://127.0.0.1:${port}`, tokens: { web: peerToken }, batchDelayMs: 0, minBackoffMs: 50, maxBackoffMs: 500 }],
    });
    // web: RFC 5424, token as APP-NAME (stored appName null), SD with escapes; api: CEE token, own APP-NAME, an extra CEE key
    const WEB = 1500;
    const API = 500;
    const webMsg = (i: number): string => `web seq=${i} ${i % 2 === 0 ? UTF8 : ASCII}`;
    const apiMsg = (i: number): string => `api seq=${i} ${i % 3 === 0 ? UTF8 : 'plain'}`;
    const web = Array.from({ length: WEB }, (_, i) =>
      `<14>1 2026-12-02T10:00:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z webhost ${webToken} ${1000 + i} MSG${i} [meta@32473 seq="${i}" q="a\\"b\\\\c\\]d"] ${webMsg(i)}\n`);
    const api = Array.from({ length: API }, (_, i) =>
      `<134>1 2026-12-02T11:00:00.000Z apihost apisrv 77 - - @cee: {"logsene-app-token":"${apiToken}","message":${JSON.stringify(apiMsg(i))},"n":${i}}\n`);
    await sendTcp(rx.tcpPort, [web.join(''), api.join('')]);
    assert.equal((await rx.waitFor('web', WEB, 20_000)).length, WEB, 'web stored');
    assert.equal((await rx.waitFor('api', API, 20_000)).length, API, 'api stored');

    const got = await waitFor(() => { const l = readRsyslog(outFile); return l.length >= WEB + API ? l : null; }, { timeoutMs: 60_000, intervalMs: 200, onTimeout: 'return' });
    await sleep(500); // a late duplicate would show by now
    const lines = readRsyslog(outFile);
    t.diagnostic(`rsyslog stored ${lines.length} lines of ${WEB + API}; output ${JSON.stringify(rx.receiver.outputs!.stats()[0].totals)}`);
    assert.ok(got !== null, `rsyslog has ${lines.length} of ${WEB + API} lines; rsyslogd output:\n${child.output().slice(-2000)}`);

    const problems: string[] = [];
    const seen = new Map<string, number>();
    const webRecs = new Map((await rx.records('web')).map((r) => [r.message, r]));
    for (const l of lines) {
      const isCee = l.msg.startsWith('@cee: ');
      let key = l.msg;
      if (isCee) {
        const cee = JSON.parse(l.msg.slice('@cee: '.length)) as { n: number; message: string };
        key = cee.message;
        const i = Number(/seq=(\d+)/.exec(cee.message)?.[1]);
        if (JSON.stringify(cee) !== JSON.stringify({ n: i, message: apiMsg(i) })) problems.push(`api CEE ${l.msg}`);
        const want = { appName: 'apisrv', hostname: 'apihost', procId: '77', msgId: '-', sd: '-', ts: '2026-12-02T11:00:00.000Z', pri: '134' };
        const have = { appName: l.appName, hostname: l.hostname, procId: l.procId, msgId: l.msgId, sd: l.sd, ts: l.ts, pri: l.pri };
        if (JSON.stringify(have) !== JSON.stringify(want)) problems.push(`api seq ${i}: ${JSON.stringify(have)} want ${JSON.stringify(want)}`);
      } else {
        const rec = webRecs.get(l.msg);
        if (rec === undefined) { problems.push(`unexpected line: ${JSON.stringify(l)}`); continue; }
        const i = Number(/seq=(\d+)/.exec(l.msg)?.[1]);
        const want = { appName: peerToken, hostname: 'webhost', procId: String(1000 + i), msgId: `MSG${i}`, sd: `[meta@32473 seq="${i}" q="a\\"b\\\\c\\]d"]`, ts: rec['@timestamp'], pri: '14' };
        const have = { appName: l.appName, hostname: l.hostname, procId: l.procId, msgId: l.msgId, sd: l.sd, ts: l.ts, pri: l.pri };
        if (JSON.stringify(have) !== JSON.stringify(want)) problems.push(`web seq ${i}: ${JSON.stringify(have)} want ${JSON.stringify(want)}`);
      }
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const expected = [...Array.from({ length: WEB }, (_, i) => webMsg(i)), ...Array.from({ length: API }, (_, i) => apiMsg(i))];
    const missing = expected.filter((m) => !seen.has(m));
    const twice = [...seen].filter(([, n]) => n > 1).map(([m, n]) => `${m} ×${n}`);
    if (missing.length > 0) problems.push(`${missing.length} never reached rsyslog, e.g. ${missing.slice(0, 5).join(' | ')}`);
    if (twice.length > 0) problems.push(`${twice.length} reached rsyslog more than once, e.g. ${twice.slice(0, 5).join(' | ')}`);
    const raw = readFileSync(outFile, 'utf8');
    if (raw.includes(webToken) || raw.includes(apiToken)) problems.push('an intake token reached rsyslog');
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problem(s)`);
    assert.equal(lines.length, WEB + API);

    const s = rx.receiver.outputs!.stats()[0];
    assert.equal(s.totals.shipped, WEB + API);
    assert.equal(s.totals.deadLettered, 0);
  } finally {
    await rx?.stop();
    await stopChild(child);
    work.cleanup();
  }
});

test('interop: syslog output receiver → receiver: each message stored once under the peer\'s app, fields preserved', { timeout: 60_000 }, async () => {
  const peerToken = randomUUID();
  const token = randomUUID();
  const peer = await startTestReceiver({ apps: [{ name: 'web2', token: peerToken }] });
  let first: Awaited<ReturnType<typeof startTestReceiver>> | null = null;
  try {
    first = await startTestReceiver({
      apps: [{ name: 'web', token }],
      outputs: [{ name: 'hop', type: 'syslog', url: `tcp://127.0.0.1:${peer.tcpPort}`, tokens: { web: peerToken }, batchDelayMs: 0, batchMaxRecords: 100, minBackoffMs: 50, maxBackoffMs: 500 }],
    });
    const N = 600;
    const frames = Array.from({ length: N }, (_, i) => {
      const msg = `hop seq=${i} ${i % 2 === 0 ? UTF8 : ASCII}`;
      const host = i % 7 === 0 ? '-' : `host-${i % 5}.example`;
      const sd = i % 4 === 0 ? '-' : `[origin@32473 ip="10.0.0.${i % 250}" note="say \\"hi\\" C:\\\\x \\] end"][x@1 i="${i}"]`;
      if (i % 5 === 0) {
        // CEE: token in the JSON, own APP-NAME, extra keys that must survive the hop
        return `<${8 * 16 + (i % 8)}>1 2026-12-02T12:00:00.123Z ${host} hopapp ${i} - ${sd} @cee: {"logsene-app-token":"${token}","message":${JSON.stringify(msg)},"user":{"id":${i},"name":"u${i}"},"tags":["a","b"]}`;
      }
      const ts = i % 3 === 0 ? '-' : `2026-12-02T12:${String(i % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}+02:00`;
      return `<${8 * (i % 24) + (i % 8)}>1 ${ts} ${host} ${token} ${i % 2 === 0 ? '-' : `p${i}`} ${i % 3 === 0 ? '-' : `ID${i}`} ${sd} ${msg}`;
    }).map((f) => `${Buffer.byteLength(f)} ${f}`); // octet counting into the first receiver too
    await sendTcp(first.tcpPort, frames.join(''));
    const sent = await first.waitFor('web', N, 20_000);
    assert.equal(sent.length, N, 'the first receiver stored every message');
    const got = await peer.waitFor('web2', N, 30_000);
    await sleep(500); // a late duplicate would show by now
    const all = await peer.records('web2');
    assert.ok(got.length >= N, `the peer stored ${all.length} of ${N}`);

    const problems: string[] = [];
    const byMessage = new Map<string, SyslogRecord[]>();
    for (const r of all) byMessage.set(String(r.message), [...(byMessage.get(String(r.message)) ?? []), r]);
    const ownKeys = ['app', 'appName', 'receivedAt', 'source', 'syslog'];
    for (const want of sent) {
      const copies = byMessage.get(String(want.message)) ?? [];
      if (copies.length !== 1) { problems.push(`${JSON.stringify(want.message)} stored ${copies.length}× by the peer`); continue; }
      const r = copies[0];
      // everything but what the peer sets itself is what the first receiver stored
      const strip = (x: SyslogRecord): Record<string, unknown> => Object.fromEntries(Object.entries(x).filter(([k]) => !ownKeys.includes(k)));
      try {
        assert.deepStrictEqual(strip(r), strip(want));
      } catch (err) {
        problems.push(`${JSON.stringify(want.message)}: ${(err as Error).message.split('\n').slice(0, 12).join(' ')}`);
      }
      if (r.app !== 'web2' || r.appName !== null || r.syslog.tokenSource !== 'app-name' || r.syslog.format !== 'rfc5424' || r.source.transport !== 'tcp') {
        problems.push(`${JSON.stringify(want.message)}: app ${r.app}, appName ${r.appName}, syslog ${JSON.stringify(r.syslog)}, transport ${r.source.transport}`);
      }
    }
    assert.equal(all.length, N, 'nothing else at the peer');
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} problem(s)`);
    // spot checks that the cases above were really exercised
    const sample = sent.find((r) => r.structuredData !== null && r.hostname !== null);
    assert.ok(sample?.structuredData?.['origin@32473']?.note === 'say "hi" C:\\x ] end', 'SD escapes decoded at the first receiver');
    assert.ok(sent.some((r) => r.hostname === null) && sent.some((r) => (r as { user?: unknown }).user !== undefined), 'NILVALUE hostnames and CEE records sent');
    assert.ok(!storeBytes(peer.config.storage.dir).includes(peerToken) && !storeBytes(peer.config.storage.dir).includes(token), 'no token stored at the peer');
    const s = first.receiver.outputs!.stats()[0];
    assert.equal(s.totals.shipped, N);
    assert.equal(s.totals.deadLettered, 0);
  } finally {
    await first?.stop();
    await peer.stop();
  }
});

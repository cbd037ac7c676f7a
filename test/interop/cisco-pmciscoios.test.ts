/**
 * Cisco lines read by a real rsyslogd with its `pmciscoios` parser module (Debian's rsyslog
 * package ships pmciscoios.so) against our parseCisco (src/parse/vendor/cisco.ts).
 *
 * rsyslogd runs in the foreground (TZ=UTC, so a zone-less stamp is UTC as in our reader) with
 * three imtcp inputs on ephemeral 127.0.0.1 ports, one per pmciscoios configuration, each bound
 * to a ruleset whose parser chain is that one parser only:
 * - `rsyslog.ciscoios` (defaults: counter, timestamp, TAG),
 * - `present.origin="on"` (`N: origin: TIMESTAMP: %TAG: msg`),
 * - `present.xr="on"` (`N: node:TIMESTAMP: process[pid]: %TAG : msg`),
 * and writes `%syslogtag%`, `%hostname%`, `%timereported:::date-rfc3339%`, `%pri%`, `%msg%`
 * tab-separated to a file. Every line we send carries `seq=N`, which identifies it in the output.
 *
 * For the lines pmciscoios parses we assert: appName = its syslogtag without the `:`,
 * message = its msg without the one leading SP pmciscoios keeps, hostname = its hostname for
 * the origin configuration (without origin rsyslog puts the sender's name, here `localhost`;
 * ours is null: the line names no host), the same PRI, and the same wall-clock instant (the
 * year only when the line has one: see below).
 *
 * Deliberate differences, asserted as such (rsyslog rejects the line or reads it otherwise):
 * - year of a year-less stamp: rsyslog takes the current year unless that is in the future
 *   (roughly); we take the year that puts the stamp nearest to the receive time (timestamp.ts).
 *   So only month, day, time and ms are compared for those lines.
 * - pmciscoios needs the message counter and a timestamp: ASA/FTD lines (no counter), RFC 3339
 *   stamps, uptime stamps (`2w3d:`, `00:20:10:`), `no service
 *   timestamps` lines and lines with a sequence number are not parsed by it ("could not be
 *   processed by any parser"); we read them all.
 * - with `present.origin="on"` pmciscoios takes the sequence number `000104` as the origin
 *   hostname; we read it as `cisco.sequence` (a hostname is never a number) and the hostname is null.
 *
 * Skipped without rsyslogd or without pmciscoios.so (a failure with REQUIRE_INTEROP=1).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage } from '../../src/parse/index.js';
import { freePort, sendTcp } from '../helpers/net.js';
import { tmpDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { childListening, startChild, stopChild, which } from './lib/clients.js';
import { requireClient } from './lib/scenario.js';

type Config = 'plain' | 'origin' | 'xr';

interface Case {
  config: Config;
  line: string;
  /** The stamp carries its year (compare the whole instant). */
  year?: boolean;
  /** Set for a deliberate difference: why rsyslog's reading is not ours. */
  differs?: 'rejected' | 'origin-is-sequence';
}

const CASES: Case[] = [
  // ---- parsed by pmciscoios, must agree
  { config: 'plain', line: '<189>29: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)' },
  { config: 'plain', line: '<189>16: Feb 28 2010 00:20:10.663 UTC: %SYS-5-CONFIG_I: Configured from console by console', year: true },
  { config: 'plain', line: '<190>19: Jul 14 2023 08:22:31: %SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 10.0.0.9 port 514 started', year: true },
  { config: 'plain', line: '<189>15: Nov 23 22:23:27.833 NewYork: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 10.1.1.1]' },
  { config: 'plain', line: '<189>17: Jun 12 09:15:02 EST: %DUAL-5-NBRCHANGE: EIGRP-IPv4 100: Neighbor 10.0.0.2 (Gi0/0) is up: new adjacency' },
  { config: 'plain', line: '<189>18: .Jun 12 09:15:02: %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to up' },
  { config: 'plain', line: '<189>: Mar 12 07:10:10: %SYS-5-CONFIG_I: Configured from console by console' },
  { config: 'plain', line: '<187>20: *Mar  1 00:00:10: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down' },
  // NX-OS year-first: rsyslog's RFC 3164 date reader takes it too
  { config: 'plain', line: '<189>: 2023 Jun 12 09:15:02 UTC: %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up in mode access', year: true },
  { config: 'plain', line: '<187>22: 2023 Jun 12 09:15:02.250 EST: %ETH_PORT_CHANNEL-5-PORT_DOWN: port-channel10: Ethernet1/2 is down', year: true },
  { config: 'plain', line: '<189>21: *Apr 29 13:58:40.411 UTC: %SYS-5-CONFIG_I: text with %SYS-5-CONFIG_I: inside' },
  { config: 'origin', line: '<189>29: foo: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)' },
  { config: 'origin', line: '<180>782431: machine1: .Nov 18 21:03:22.631 GMT: %CDP-4-NATIVE_VLAN_MISMATCH: Native VLAN mismatch discovered' },
  { config: 'origin', line: '<189>32: 10.1.2.3: *Apr 29 13:59:12.491: %SYS-5-CONFIG_I: Configured from console by console' },
  { config: 'origin', line: '<190>33: 2001:db8::1: Apr 29 13:59:12: %SYS-6-CLOCKUPDATE: System clock has been updated' },
  { config: 'origin', line: '<190>34: sw-core-01.example.net: Jun 12 09:15:02.123 UTC: %SYS-6-CLOCKUPDATE: System clock has been updated' },
  { config: 'xr', line: "<189>1234: RP/0/RSP0/CPU0:Jun 12 09:15:02.123 UTC: sshd[1234]: %SECURITY-SSHD-6-INFO_SUCCESS : Successfully authenticated user 'admin'" },
  { config: 'xr', line: '<187>77: LC/0/0/CPU0:Jun 12 09:15:02.123 : ifmgr[201]: %PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/0, changed state to Down' },
  { config: 'xr', line: '<187>138076: RP/0/RP0/CPU0:Dec 11 12:43:29.227 EST: snmpd[1002]: %SNMP-SNMP-3-AUTH_FAIL : Received snmp request on unknown community' },
  // ---- deliberate differences
  { config: 'plain', line: '<190>643: 000104: *Mar  1 00:05:43.887: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to up', differs: 'rejected' },
  { config: 'plain', line: '<189>12: 2w3d: %SYS-5-CONFIG_I: Configured from console by console', differs: 'rejected' },
  { config: 'plain', line: '<189>00:20:10: %SYS-5-RESTART: System restarted', differs: 'rejected' },
  { config: 'plain', line: '<166>%ASA-6-302013: Built inbound TCP connection 1234', differs: 'rejected' },
  { config: 'plain', line: '<166>Jul 14 2023 08:22:31 asa-fw01 : %ASA-6-302013: Built inbound TCP connection 1234', differs: 'rejected' },
  { config: 'plain', line: '<166>2023-07-14T08:22:31Z firepower : %FTD-6-430003: EventPriority: Low', differs: 'rejected' },
  { config: 'plain', line: '<190>123030: some-remote-host: %SYS-5-LOGGINGHOST_STARTSTOP: Logging to host 192.168.1.239 stopped', differs: 'rejected' },
  { config: 'origin', line: '<189>643: 000104: *Mar  1 00:05:43.887: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to up', differs: 'origin-is-sequence' },
];

function rsyslogConf(dir: string, ports: Record<Config, number>, out: string): string {
  const action = `action(type="omfile" file="${out}" template="fields")`;
  return [
    `global(workDirectory="${dir}")`,
    'module(load="imtcp")',
    'module(load="pmciscoios")',
    // zone names pmciscoios applies (it knows none unless configured); ours come from timestamp.ts
    'timezone(id="UTC" offset="+00:00")',
    'timezone(id="EST" offset="-05:00")',
    'parser(name="cisco.origin" type="pmciscoios" present.origin="on")',
    'parser(name="cisco.xr" type="pmciscoios" present.xr="on")',
    'template(name="fields" type="string" string="%syslogtag%\\t%hostname%\\t%timereported:::date-rfc3339%\\t%pri%\\t%msg%\\n")',
    `ruleset(name="plain" parser=["rsyslog.ciscoios"]) { ${action} }`,
    `ruleset(name="origin" parser=["cisco.origin"]) { ${action} }`,
    `ruleset(name="xr" parser=["cisco.xr"]) { ${action} }`,
    ...(['plain', 'origin', 'xr'] as const).map((c) => `input(type="imtcp" address="127.0.0.1" port="${ports[c]}" ruleset="${c}")`),
    '',
  ].join('\n');
}

interface RsLine { tag: string; hostname: string; ts: string; pri: string; msg: string }

/** rsyslog's output lines by the `seq=N` of their message. */
function readOut(path: string): Map<number, RsLine> {
  const m = new Map<number, RsLine>();
  if (!existsSync(path)) return m;
  const text = readFileSync(path, 'utf8');
  for (const l of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
    if (l === '') continue;
    const [tag, hostname, ts, pri, ...rest] = l.split('\t');
    const msg = rest.join('\t');
    const seq = /seq=(\d+) /.exec(msg);
    if (seq) m.set(Number(seq[1]), { tag, hostname, ts, pri, msg });
  }
  return m;
}

/** UTC month, day, time and ms of an instant (the year left out). */
function wallClock(ms: number): string {
  return new Date(ms).toISOString().slice(5);
}

test('interop: rsyslog pmciscoios and parseCisco agree on TAG, message, hostname, PRI and time', { timeout: 60_000 }, async (t: TestContext) => {
  if (!requireClient(t, 'rsyslog')) return;
  const bin = which('rsyslogd')!;
  const work = tmpDir('cisco-pmciscoios-');
  const ports = { plain: await freePort(), origin: await freePort(), xr: await freePort() };
  const outFile = join(work.path, 'out.log');
  const conf = join(work.path, 'rsyslog.conf');
  writeFileSync(conf, rsyslogConf(work.path, ports, outFile));
  const check = spawnSync(bin, ['-N1', '-f', conf], { encoding: 'utf8', timeout: 20_000 });
  if (check.status !== 0 && /pmciscoios/.test(check.stdout + check.stderr)) {
    const why = `rsyslogd cannot load pmciscoios: ${(check.stdout + check.stderr).trim().split('\n').slice(-3).join(' | ')}`;
    if (process.env.REQUIRE_INTEROP === '1') assert.fail(`${why} (REQUIRE_INTEROP=1)`);
    t.skip(why);
    return;
  }
  assert.equal(check.status, 0, `rsyslogd -N1 rejected the config:\n${check.stdout}${check.stderr}`);
  const child = startChild(bin, ['-n', '-f', conf, '-i', join(work.path, 'rsyslog.pid')], { ...process.env, TZ: 'UTC' });
  try {
    for (const c of ['plain', 'origin', 'xr'] as const) await childListening(ports[c], child);
    // the marker right after the mnemonic: rsyslog writes a rejected line truncated at its end
    const sent = CASES.map((c, i) => ({ ...c, line: c.line.replace(/(%[A-Z0-9_-]+ ?: )/, `$1seq=${i} `) }));
    for (const c of ['plain', 'origin', 'xr'] as const) {
      await sendTcp(ports[c], sent.filter((s) => s.config === c).map((s) => `${s.line}\n`).join(''));
    }
    const nowMs = Date.now();
    const got = await waitFor(() => { const m = readOut(outFile); return m.size >= sent.length ? m : null; }, { timeoutMs: 20_000, intervalMs: 200, onTimeout: 'return' });
    const out = got ?? readOut(outFile);
    const problems: string[] = [];
    let agreed = 0;
    let differences = 0;
    sent.forEach((c, seq) => {
      const b = Buffer.from(c.line);
      const pm = parseMessage(b, 0, b.length, nowMs);
      const rs = out.get(seq);
      const ctx = `[${c.config}] ${c.line}`;
      if (pm.vendor?.key !== 'cisco') { problems.push(`not read as Cisco by us: ${ctx}`); return; }
      if (c.differs === 'rejected') {
        // rsyslog writes what no parser took with an empty TAG and the raw line as MSG (or drops it)
        if (rs !== undefined && rs.tag !== '') problems.push(`expected pmciscoios to reject it, got TAG ${JSON.stringify(rs.tag)}: ${ctx}`);
        differences++;
        return;
      }
      if (rs === undefined) { problems.push(`missing from rsyslog's output: ${ctx}`); return; }
      if (c.differs === 'origin-is-sequence') {
        if (rs.hostname !== '000104' || pm.hostname !== null || pm.vendor.fields.sequence !== 104) problems.push(`origin/sequence: rsyslog ${rs.hostname}, ours ${String(pm.hostname)}: ${ctx}`);
        differences++;
        return;
      }
      const want = {
        appName: rs.tag.endsWith(':') ? rs.tag.slice(0, -1) : rs.tag,
        message: rs.msg.startsWith(' ') ? rs.msg.slice(1) : rs.msg,
        hostname: c.config === 'origin' ? rs.hostname : null,
        pri: rs.pri,
        time: c.year ? new Date(Date.parse(rs.ts)).toISOString() : wallClock(Date.parse(rs.ts)),
      };
      const have = {
        appName: pm.appName,
        message: pm.message,
        hostname: pm.hostname,
        pri: String(pm.facility * 8 + pm.severity),
        time: pm.timestampMs === null ? null : c.year ? new Date(pm.timestampMs).toISOString() : wallClock(pm.timestampMs),
      };
      try {
        assert.deepEqual(have, want);
        agreed++;
      } catch {
        problems.push(`${ctx}\n    ours   ${JSON.stringify(have)}\n    rsyslog ${JSON.stringify(want)} (raw ${JSON.stringify(rs)})`);
      }
    });
    t.diagnostic(`pmciscoios: ${agreed} lines agree, ${differences} deliberate differences confirmed, ${problems.length} problems`);
    assert.deepEqual(problems, [], `${problems.join('\n')}\nrsyslogd output:\n${child.output().slice(-2000)}`);
  } finally {
    await stopChild(child);
    work.cleanup();
  }
});

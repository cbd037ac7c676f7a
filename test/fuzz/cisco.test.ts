/**
 * Fuzz: the Cisco reader (src/parse/vendor/cisco.ts) through parseMessage and directly.
 * - Generated Cisco lines (every header part optional: PRI, counter, sequence, origin id, clock
 *   marker, BSD / year / zone / NX-OS / RFC 3339 / uptime stamp, ASA device id, IOS-XR node and
 *   process, mnemonic, message) parse to exactly the generated fields.
 * - Mutated Cisco lines and token soup never throw; whenever the result is a Cisco one its
 *   fields are consistent (appName `%FAC-SEV-MNEMONIC`, `cisco` fields from it, hostname never a
 *   number / clock time / uptime / date / mnemonic, message a suffix of the line) and it does
 *   not depend on where the bytes sit in a larger buffer; parseCisco returning false leaves `pm`
 *   untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage, type ParsedMessage } from '../../src/parse/index.js';
import { createParsedMessage } from '../../src/parse/types.js';
import { parseCisco } from '../../src/parse/vendor/cisco.js';
import { check, mutate, mutationsArb, RUNS, show } from './common.js';

const NOW = Date.UTC(2026, 5, 15, 12);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

interface GenCisco {
  line: string;
  hasPri: boolean;
  pri: number;
  host: string | null;
  ms: number | null;
  fac: string;
  sev: number;
  mnem: string;
  message: string | null;
  fields: Record<string, unknown>;
  procId: string | null;
}

const facArb = fc.array(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/), { minLength: 1, maxLength: 3 }).map((a) => a.join('-'));
const mnemArb = fc.oneof(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,23}$/), fc.integer({ min: 100000, max: 999999 }).map(String));
const hostArb = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/),
  fc.stringMatching(/^[a-z][a-z0-9]{0,8}\.example\.(com|net)$/),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((t) => t.join('.')),
).filter((h) => !/^\d+[ywdh](\d+[ywdh])?$/.test(h));
/** Instants within 150 days of NOW, so year inference finds the generated year. */
const nearArb = fc.integer({ min: NOW - 150 * 86_400_000, max: NOW + 150 * 86_400_000 });
const farArb = fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2090, 0, 1) });

type Stamp = { text: string; ms: number | null };
const stampArb: fc.Arbitrary<Stamp> = fc.oneof(
  // BSD, optional msec, optional zone (known / unknown), trailing ":"
  fc.record({ t: nearArb, msec: fc.boolean(), zone: fc.constantFrom('', ' UTC', ' NewYork', ' EST'), colon: fc.boolean() }).map(({ t, msec, zone, colon }) => {
    const d = new Date(t);
    const off = zone === ' EST' ? -300 : 0;
    const w = new Date(t + off * 60_000);
    const day = String(w.getUTCDate()).padStart(2, ' ');
    const ms = msec ? t : t - (((d.getUTCMilliseconds() % 1000) + 1000) % 1000);
    const frac = msec ? '.' + String(w.getUTCMilliseconds()).padStart(3, '0') : '';
    const text = `${MONTHS[w.getUTCMonth()]} ${day} ${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}:${pad2(w.getUTCSeconds())}${frac}${zone}${colon || zone === ' NewYork' ? ':' : ''}`;
    return { text, ms };
  }),
  // with a year (ASA), any instant
  farArb.map((t0) => {
    const t = t0 - (t0 % 1000);
    const w = new Date(t);
    return { text: `${MONTHS[w.getUTCMonth()]} ${pad2(w.getUTCDate())} ${w.getUTCFullYear()} ${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}:${pad2(w.getUTCSeconds())}`, ms: t };
  }),
  // NX-OS year first
  farArb.map((t0) => {
    const t = t0 - (t0 % 1000);
    const w = new Date(t);
    return { text: `${w.getUTCFullYear()} ${MONTHS[w.getUTCMonth()]} ${pad2(w.getUTCDate())} ${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}:${pad2(w.getUTCSeconds())} UTC:`, ms: t };
  }),
  // RFC 3339 (FTD)
  farArb.map((t0) => ({ text: new Date(t0 - (t0 % 1000)).toISOString().replace('.000', ''), ms: t0 - (t0 % 1000) })),
  // uptime
  fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 6 })).map(([w, d]) => `${w}w${d}d:`),
    fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 23 })).map(([d, h]) => `${d}d${pad2(h)}h:`),
    fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59)).map(([h, m, s]) => `${pad2(h)}:${pad2(m)}:${pad2(s)}:`),
  ).map((text) => ({ text, ms: null })),
);

const genArb: fc.Arbitrary<GenCisco> = fc.record({
  pri: fc.option(fc.integer({ min: 0, max: 191 })),
  counter: fc.option(fc.oneof(fc.nat(999_999), fc.constant(-1))), // -1: the bare ": "
  sequence: fc.option(fc.nat(999_999)),
  origin: fc.option(hostArb),
  clock: fc.constantFrom('', '*', '.'),
  stamp: fc.option(stampArb),
  device: fc.option(hostArb),
  xr: fc.option(fc.record({ node: fc.constantFrom('RP/0/RSP0/CPU0', 'LC/0/1/CPU0', '0/RP0/CPU0'), proc: fc.stringMatching(/^[a-z][a-z_]{0,9}$/), pid: fc.nat(99_999) })),
  fac: facArb,
  sev: fc.nat(7),
  mnem: mnemArb,
  spaceColon: fc.boolean(),
  msg: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && !s.startsWith('@cee:') && !s.startsWith('{') && !s.startsWith('\ufeff'))),
}).map((g): GenCisco => {
  const fields: Record<string, unknown> = { facility: g.fac, severity: g.sev, mnemonic: g.mnem };
  let head = '';
  let host: string | null = null;
  let ms: number | null = null;
  let procId: string | null = null;
  // numbers (the sequence only after a counter or a bare ": ")
  if (g.counter !== null) {
    head += g.counter >= 0 ? `${g.counter}: ` : ': ';
    if (g.counter >= 0) fields.counter = g.counter;
    if (g.sequence !== null) {
      head += `${String(g.sequence).padStart(6, '0')}: `;
      fields.sequence = g.sequence;
    }
  }
  const stamp = g.stamp;
  if (g.xr !== null && stamp !== null && /^[A-Z]/.test(stamp.text)) {
    // IOS-XR: node glued to a BSD stamp, then process[pid]:
    const text = stamp.text.endsWith(':') ? stamp.text : stamp.text + ':';
    head += `${g.xr.node}:${g.clock}${text} ${g.xr.proc}[${g.xr.pid}]: `;
    fields.cpuModule = g.xr.node;
    fields.process = g.xr.proc;
    procId = String(g.xr.pid);
    ms = stamp.ms;
    if (g.clock !== '') fields.clock = g.clock === '*' ? 'unset' : 'unsynced';
  } else {
    if (g.origin !== null) {
      head += `${g.origin}: `;
      host = g.origin;
    }
    if (stamp !== null) {
      head += `${g.clock}${stamp.text} `;
      ms = stamp.ms;
      if (g.clock !== '') fields.clock = g.clock === '*' ? 'unset' : 'unsynced';
    }
    if (g.device !== null && host === null) {
      // ASA/FTD device id ` : ` (after a stamp, or alone)
      head += `${g.device} : `;
      host = g.device;
    }
  }
  const tag = `%${g.fac}-${g.sev}-${g.mnem}`;
  const sep = g.xr !== null && g.spaceColon ? ' :' : ':';
  const line = `${g.pri !== null ? `<${g.pri}>` : ''}${head}${tag}${sep}${g.msg !== null ? ' ' + g.msg : ''}`;
  return { line, hasPri: g.pri !== null, pri: g.pri ?? 13, host, ms, fac: g.fac, sev: g.sev, mnem: g.mnem, message: g.msg, fields, procId };
});

/** Consistency of a result that came out as a Cisco one (any input). */
function assertCiscoSane(pm: ParsedMessage, b: Buffer): void {
  if (pm.vendor === null || pm.vendor.key !== 'cisco') return;
  const ctx = `input ${show(b)}`;
  const f = pm.vendor.fields;
  assert.equal(pm.format, 'rfc3164', ctx);
  assert.match(pm.appName ?? '', /^%[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*-[0-7]-[A-Za-z0-9_]+$/, `appName; ${ctx}`);
  assert.equal(pm.appName, `%${String(f.facility)}-${String(f.severity)}-${String(f.mnemonic)}`, `fields vs appName; ${ctx}`);
  assert.ok(Number.isInteger(f.severity) && (f.severity as number) >= 0 && (f.severity as number) <= 7, ctx);
  for (const k of ['counter', 'sequence']) if (k in f) assert.ok(Number.isSafeInteger(f[k]) && (f[k] as number) >= 0, `${k}; ${ctx}`);
  if ('clock' in f) assert.ok(f.clock === 'unset' || f.clock === 'unsynced', ctx);
  if (pm.hostname !== null) {
    const h = pm.hostname;
    assert.match(h, /^[A-Za-z0-9._:-]{1,255}$/, `hostname chars; ${ctx}`);
    assert.doesNotMatch(h, /^\d+$/, `hostname is a number; ${ctx}`);
    assert.doesNotMatch(h, /^\d+[ywdh](\d+[ywdh])?$/, `hostname is an uptime; ${ctx}`);
    assert.doesNotMatch(h, /^\d\d:\d\d:\d\d/, `hostname is a clock time; ${ctx}`);
    assert.doesNotMatch(h, /^\d{4}-\d\d-\d\dT/, `hostname is a date; ${ctx}`);
  }
  if (pm.message !== null) assert.ok(b.toString('utf8').endsWith(pm.message.replace(/^\ufeff/, '')) || pm.message.includes('\ufffd'), `message not a suffix; ${ctx}`);
  JSON.stringify(pm.vendor);
}

function parseBoth(b: Buffer): ParsedMessage {
  const pm = parseMessage(b, 0, b.length, NOW);
  assertCiscoSane(pm, b);
  const big = Buffer.concat([Buffer.from('%SYS-5-X: '), b, Buffer.from('%LINK-3-UPDOWN: y')]);
  const inside = parseMessage(big, 10, 10 + b.length, NOW);
  assert.deepEqual({ ...inside, structuredData: null }, { ...pm, structuredData: null }, `offsets matter: ${show(b)}`);
  // parseCisco directly: false leaves pm untouched
  const pri = b[0] === 0x3c ? b.indexOf(0x3e) + 1 : 0;
  const fresh = createParsedMessage();
  if (!parseCisco(b, pri, b.length, NOW, fresh, pri > 0)) assert.deepEqual(fresh, createParsedMessage(), `pm touched: ${show(b)}`);
  return pm;
}

test('fuzz: generated Cisco lines parse to the generated fields', () => {
  const seen = { noPri: 0, host: 0, deviceId: 0, time: 0, noTime: 0, xr: 0, clock: 0, sequence: 0, counter: 0 };
  check('cisco generated', fc.property(genArb, (g) => {
    const b = Buffer.from(g.line, 'utf8');
    if (!g.hasPri) seen.noPri++;
    if (g.host !== null) seen.host++;
    if (g.line.includes(' : %')) seen.deviceId++;
    if (g.ms !== null) seen.time++;
    else seen.noTime++;
    if ('cpuModule' in g.fields) seen.xr++;
    if ('clock' in g.fields) seen.clock++;
    if ('sequence' in g.fields) seen.sequence++;
    if ('counter' in g.fields) seen.counter++;
    const pm = parseBoth(b);
    const got = { facility: pm.facility, severity: pm.severity, ts: pm.timestampMs, hostname: pm.hostname, appName: pm.appName, procId: pm.procId, message: pm.message, vendor: pm.vendor };
    const want = {
      facility: g.hasPri ? g.pri >> 3 : 1, severity: g.hasPri ? g.pri & 7 : g.sev, ts: g.ms, hostname: g.host,
      appName: `%${g.fac}-${g.sev}-${g.mnem}`, procId: g.procId, message: g.message, vendor: { key: 'cisco', fields: g.fields },
    };
    assert.deepEqual(got, want, g.line);
  }), 1);
  // the generator reaches every header part (at the default run count)
  if (RUNS >= 200) for (const [k, n] of Object.entries(seen)) assert.ok(n > 0, `no generated line with ${k}`);
});

test('fuzz: mutated Cisco lines never throw and stay consistent', () => {
  const base = fc.oneof(genArb.map((g) => Buffer.from(g.line, 'utf8')), fc.constantFrom(
    '<189>29: foo: *Apr 29 13:58:40.411: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)',
    '<190>643: 000104: *Mar  1 00:05:43.887: %LINK-3-UPDOWN: Interface up',
    '<189>: 2023 Jun 12 09:15:02 UTC: %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up',
    '<166>Jul 14 2023 08:22:31 asa-fw01 : %ASA-6-302013: Built inbound TCP',
    '<166>2023-07-14T08:22:31Z firepower : %FTD-6-430003: EventPriority: Low',
    '<189>1234: RP/0/RSP0/CPU0:Jun 12 09:15:02.123 UTC: sshd[1234]: %SECURITY-SSHD-6-INFO_SUCCESS : Successfully',
    '<189>12: 2w3d: %SYS-5-CONFIG_I: x',
    '00:20:10: %SYS-5-CONFIG_I: x',
  ).map((s) => Buffer.from(s)));
  check('cisco mutated', fc.property(base, mutationsArb, (b, muts) => {
    parseBoth(mutate(b, muts));
  }), 2);
});

const PIECES = ['<189>', '<13>', '', ' ', ': ', '643: ', '000104: ', 'foo: ', '*', '.', 'Apr 29 13:58:40.411', 'Jul 14 2023 08:22:31', '2023 Jun 12 09:15:02',
  ' UTC', ' NewYork', ':', '2w3d', '00:20:10', '2023-07-14T08:22:31Z', 'asa-fw01', ' : ', 'RP/0/RSP0/CPU0:', 'sshd[1234]: ', '12345', '22:21:02',
  '%SYS-5-CONFIG_I', '%ASA-6-302013', '%A-9-B', '%', '-', '5', '_', 'x', ' msg', '\u00fc', '\x00', '\t', '::1', '10.0.0.1'];

test('fuzz: Cisco token soup never throws and stays consistent', () => {
  const soup = fc.array(fc.constantFrom(...PIECES), { maxLength: 16 }).map((a) => Buffer.from(a.join(''), 'utf8'));
  check('cisco soup', fc.property(soup, (b) => {
    parseBoth(b);
  }), 2);
});

/**
 * Table-driven conformance run over the peer vectors in fixtures/conformance/ (see
 * fixtures/NOTICE.md for sources and licenses, /work/shared/conformance/README.md for the schema).
 *
 * For each case:
 * - valid: every asserted `expect` key that maps to a ParsedMessage field is compared (facility,
 *   severity, timestamp as an instant, timestampParts as UTC wall-clock parts, hostname, appName,
 *   procId, msgId, structuredData (deep, key order ignored), message, cee), and the Cisco keys
 *   messageCounter, sequence and cisco against `vendor.fields` ({@link checkCisco}). Keys outside
 *   our model (version, tag, messageRaw, ciscoSequence...) are not compared.
 * - invalid RFC 5424: our parser must not return format 'rfc5424'.
 * - invalid RFC 3164 / input-only: only "does not throw".
 * Skips: cases whose `options` we do not implement, and the cases in SKIP (one reason each).
 *
 * Normalizations (our documented contract, not a loosening of the check):
 * - the input is trimmed of trailing LF/CR/NUL first, as the framing layer does before parsing;
 * - an input without a valid PRI gets facility 1 / severity 5 (DESIGN §2, RFC 3164 §4.3.3),
 *   whatever the source assigns (null, 0, 13);
 * - `message: ""` is compared as null (ParsedMessage: empty MSG → null);
 * - a leading U+FEFF in an expected message is dropped (we remove the BOM; go-syslog keeps it);
 * - syslog-ng cisco-parser() cases: the `%FAC-SEV-MNEMONIC: ` syslog-ng keeps at the start of
 *   MESSAGE is dropped from the expected message (for us it is the appName, the text after it
 *   the message, as rsyslog's pmciscoios splits TAG and MSG).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMessage } from '../../src/parse/index.js';
import type { ParsedMessage } from '../../src/parse/types.js';

interface Case {
  id: string;
  input: string;
  inputBase64?: string;
  valid: boolean;
  expect?: Record<string, unknown>;
  note?: string;
  source: string;
  options?: Record<string, unknown>;
  tags?: string[];
  fragment?: string;
}

const FIXTURES = new URL('../../fixtures/conformance/', import.meta.url);

/** Default "now" when a case pins none: only the asserted wall-clock parts are compared then. */
const DEFAULT_NOW = Date.UTC(2026, 5, 15, 12, 0, 0);

/**
 * Options whose behaviour is our default behaviour, so the case runs unchanged.
 * (Year options are mapped to nowMs in {@link nowFor}.)
 */
const COMPATIBLE_OPTIONS: ReadonlyMap<string, (v: unknown) => boolean> = new Map<string, (v: unknown) => boolean>([
  ['go-syslog.WithRFC3339', () => true], // we always accept ISO stamps in RFC 3164 lines
  ['go-syslog.WithOptionalPriority', () => true], // PRI-less lines are accepted
  ['go-syslog.WithSecondFractions', () => true], // BSD fractions always accepted
  ['go-syslog.WithLenientDay', () => true], // zero-padded day always accepted
  ['go-syslog.WithYear', () => true], // mapped to nowMs
  ['go-syslog.WithMessageCounter', () => true], // Cisco counters always skipped
  ['go-syslog.WithCiscoIOSComponents', (v) => v === 'All'], // all Cisco parts on = our reading
  ['syslog-loose.year', () => true], // mapped to nowMs
  ['syslog-loose.tz', (v) => v === 'UTC'], // zone-less = UTC is our rule
  ['rsyslog.pmrfc3164.force.tagEndingByColon', (v) => v === true], // our TAG needs ':'
  ['rsyslog.pmrfc3164.remove.msgFirstSpace', (v) => v === true], // we drop exactly one SP
  ['rsyslog.pmrfc3164.permit.AtSignsInHostname', (v) => v === false], // rsyslog default
  ['rsyslog.parser.dropTrailingCROnReception', (v) => v === true], // the framing layer trims CR
  ['syslog-ng.parser', (v) => v === 'cisco-parser()'], // Cisco lines are always read (vendor/cisco.ts); MESSAGE normalized, see normMessage
]);

/**
 * Cases we skip, each with the reason (decisions documented per entry).
 * Prefix "policy:" = the source's expectation contradicts a rule of ours (DESIGN §4 / brief);
 * "lenient:" = a source accepts something we deliberately read otherwise.
 */
const TAG_COLON = 'policy: a TAG needs its ":" (go-syslog, syslog-loose, brief); rsyslog/nsyslog/syslog-loose here take a bare word after HOSTNAME as TAG';
const HEADERLESS = 'policy: a PRI-less line without the `[TIMESTAMP] HOST TAG:` shape stays raw (whole line is the message); the source splits it';
const TAG_AFTER_TS = 'policy: a word ending in ":" right after the timestamp is the TAG (brief; go-syslog, OpenBSD/haproxy lines); the source takes it as HOSTNAME';
const ONE_SP = 'policy: exactly one SP is removed after the TAG/HOSTNAME and the rest of MSG is kept verbatim (rsyslog, glossy); the source trims all whitespace';
const STRICT_5424 = 'policy: strict RFC 5424 grammar (brief): the source accepts a malformed line that we store as format "raw"';
const SKIP: ReadonlyMap<string, string> = new Map<string, string>([
  // --- rfc5424.jsonl ---
  ['gosyslog-99', 'policy: duplicate SD-IDs are accepted, first one wins (brief: keep first or last); go-syslog rejects the line (RFC 5424 §6.3.2 MUST NOT)'],
  ['gosyslog-100', 'policy: duplicate SD-IDs are accepted, first one wins (brief: keep first or last); go-syslog rejects the line (RFC 5424 §6.3.2 MUST NOT)'],
  ['gosyslog-116', 'policy: RFC 5424 §6.3.3 says a backslash before another character is kept literally; go-syslog rejects "\\n"'],
  ['rsyslog-19', STRICT_5424 + ' (SP after "=" in an SD-PARAM)'],
  ['rsyslog-20', STRICT_5424 + ' (SP after "=" in an SD-PARAM)'],
  ['loose-7', STRICT_5424 + ' (SP after "=" in an SD-PARAM)'],
  ['vrl-1', STRICT_5424 + ' (SP after "=" in an SD-PARAM)'],
  ['loose-14', STRICT_5424 + ' (malformed SD element dropped by the source)'],
  ['loose-15', STRICT_5424 + ' (malformed SD element dropped by the source)'],
  ['rsyslog-88', STRICT_5424 + ' (7-9 fraction digits; TIME-SECFRAC is 1*6DIGIT, rsyslog truncates)'],
  ['rsyslog-89', STRICT_5424 + ' (7-9 fraction digits; TIME-SECFRAC is 1*6DIGIT, rsyslog truncates)'],
  ['rsyslog-90', STRICT_5424 + ' (7-9 fraction digits; TIME-SECFRAC is 1*6DIGIT, rsyslog truncates)'],
  ['rsyslog-91', STRICT_5424 + ' (7-9 fraction digits; TIME-SECFRAC is 1*6DIGIT, rsyslog truncates)'],
  ['nsyslog-43', STRICT_5424 + ' (VERSION 0; VERSION is NONZERO-DIGIT 0*2DIGIT)'],
  ['nsyslog-44', STRICT_5424 + ' (VERSION 0; VERSION is NONZERO-DIGIT 0*2DIGIT)'],
  ['nsyslog-45', STRICT_5424 + ' (VERSION 0; VERSION is NONZERO-DIGIT 0*2DIGIT)'],
  ['nsyslog-46', STRICT_5424 + ' (VERSION 0; VERSION is NONZERO-DIGIT 0*2DIGIT)'],
  ['loose-26', 'policy: an RFC 5424 body without PRI is a headerless line (brief: no PRI → headerless rules); syslog-loose guesses 5424'],
  ['nsyslog-13', 'source-specific: nsyslog splits a relayed HOSTNAME "a/b" and keeps the last hop; RFC 5424 HOSTNAME is the whole PRINTUSASCII token'],
  ['loose-20', 'framing: whitespace/LF around the frame is the framing layer\'s job (we parse one already-trimmed frame)'],
  // --- rfc3164.jsonl ---
  ['rsyslog-5', TAG_COLON],
  ['rsyslog-11', TAG_COLON],
  ['rsyslog-12', TAG_COLON],
  ['rsyslog-13', TAG_COLON],
  ['rsyslog-22', TAG_COLON],
  ['rsyslog-27', TAG_COLON],
  ['rsyslog-30', TAG_COLON],
  ['rsyslog-31', TAG_COLON],
  ['rsyslog-78', TAG_COLON],
  ['loose-10', TAG_COLON],
  ['loose-43', TAG_COLON],
  ['vrl-9', TAG_COLON],
  ['nsyslog-8', TAG_COLON],
  ['nsyslog-9', TAG_COLON],
  ['nsyslog-10', TAG_COLON],
  ['nsyslog-16', TAG_COLON],
  ['nsyslog-17', TAG_COLON],
  ['rsyslog-34', HEADERLESS],
  ['rsyslog-113', HEADERLESS],
  ['nsyslog-2', HEADERLESS],
  ['nsyslog-12', HEADERLESS],
  ['nsyslog-4', 'policy: after a PRI without timestamp, a HOSTNAME is taken only in the `HOST TAG:` shape (else the rest is MSG); nsyslog takes the first word'],
  ['nsyslog-5', 'policy: after a PRI without timestamp, a HOSTNAME is taken only in the `HOST TAG:` shape (else the rest is MSG); nsyslog takes the first word'],
  ['loose-39', TAG_AFTER_TS + ' (tagged ambiguous)'],
  ['nsyslog-15', TAG_AFTER_TS],
  ['nsyslog-23', 'questionable: nsyslog takes "pinger[1334]:" as HOSTNAME; a word with "[" right after the timestamp is the TAG (brief)'],
  ['loose-8', ONE_SP],
  ['loose-9', ONE_SP],
  ['loose-37', ONE_SP],
  ['nsyslog-24', ONE_SP + ' (trailing TABs)'],
  ['nsyslog-19', 'source-specific: nsyslog keeps "CEF:0|..." whole; we read "CEF:" as the TAG like any `name:` (appName CEF, message "0|...")'],
  ['nsyslog-20', 'source-specific: nsyslog keeps "CEF:0|..." whole; we read "CEF:" as the TAG like any `name:` (appName CEF, message "0|...")'],
  ['nsyslog-21', 'source-specific: nsyslog keeps "CEF:0|..." whole; we read "CEF:" as the TAG like any `name:` (appName CEF, message "0|...")'],
  ['nsyslog-42', 'source-specific: nsyslog keeps "CEF:0|..." whole; we read "CEF:" as the TAG like any `name:` (appName CEF, message "0|...")'],
  ['nsyslog-34', 'questionable: nsyslog does not read the "Mmm dd yyyy hh:mm:ss" stamp; we do (brief), so hostname/message differ'],
  ['nsyslog-35', 'questionable: nsyslog does not read the "Mmm dd yyyy hh:mm:ss" stamp; we do (brief), so hostname/message differ'],
  ['nsyslog-36', 'questionable: nsyslog does not read the "Mmm dd yyyy hh:mm:ss" stamp; we do (brief), so hostname/message differ'],
  ['nsyslog-37', 'questionable: nsyslog does not read the "Mmm dd yyyy hh:mm:ss" stamp; we do (brief), so hostname/message differ'],
  ['nsyslog-38', 'questionable: nsyslog does not read the "Mmm dd yyyy hh:mm:ss" stamp; we do (brief), so hostname/message differ'],
  ['nsyslog-39', 'questionable: nsyslog does not read the "Mmm dd yyyy hh:mm:ss" stamp; we do (brief), so hostname/message differ'],
  ['nsyslog-40', 'questionable: nsyslog does not read the "Mmm dd yyyy hh:mm:ss" stamp; we do (brief), so hostname/message differ'],
  ['glossy-2', 'questionable: glossy takes "22:21:02:" as HOSTNAME; we read the ASA stamp (2011-03-05 22:21:02) and TAG %ASA-6-302013 (unit-tested in rfc3164.test.ts)'],
  ['rsyslog-21', 'questionable: rsyslog takes the year after the time ("22:18:24 2009") as HOSTNAME and trims the SPs before MSG'],
  // --- cee.jsonl ---
  ['rsyslog-140', TAG_COLON + ' (then "@cee:" is not at the start of MSG)'],
  ['rsyslog-141', TAG_COLON + ' (then "@cee:" is not at the start of MSG)'],
]);

function optionSkipReason(c: Case): string | null {
  if (!c.options) return null;
  for (const [k, v] of Object.entries(c.options)) {
    const ok = COMPATIBLE_OPTIONS.get(k);
    if (!ok || !ok(v)) return `option ${k}=${JSON.stringify(v)} not implemented`;
  }
  return null;
}

function inputBuffer(c: Case): Buffer {
  const b = c.inputBase64 !== undefined ? Buffer.from(c.inputBase64, 'base64') : Buffer.from(c.input, 'utf8');
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d || b[end - 1] === 0x00)) end--;
  return b.subarray(0, end);
}

function hasValidPri(b: Buffer): boolean {
  const m = /^<(0|[1-9][0-9]{0,2})>/.exec(b.toString('latin1', 0, Math.min(b.length, 6)));
  return m !== null && Number(m[1]) <= 191;
}

/** Minutes east of UTC of the first ISO 8601 stamp with a numeric offset in the input, else 0. */
function inputOffsetMin(b: Buffer): number {
  const m = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?([+-])(\d\d):(\d\d)/.exec(b.toString('latin1'));
  if (m === null) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

interface Parts {
  year?: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond?: number;
  microsecond?: number;
  fraction?: number;
}

function expectedMonth(c: Case): number | null {
  const e = c.expect ?? {};
  const tp = e.timestampParts as Parts | undefined;
  if (tp) return tp.month;
  if (typeof e.timestamp === 'string') return Number(e.timestamp.slice(5, 7));
  return null;
}

/**
 * nowMs for a case: when the source pins a year (WithYear, syslog-loose.year, an asserted
 * timestampParts.year, or the syslog-loose/Vector test resolver "2019 for December, else 2020"),
 * "now" is the 15th of the expected month in that year, so year inference picks that year.
 */
function nowFor(c: Case): number {
  const month = expectedMonth(c);
  if (month === null) return DEFAULT_NOW;
  const o = c.options ?? {};
  const tp = c.expect?.timestampParts as Parts | undefined;
  let year: number | undefined;
  if (typeof o['go-syslog.WithYear'] === 'number') year = o['go-syslog.WithYear'] as number;
  else if (typeof o['syslog-loose.year'] === 'number') year = o['syslog-loose.year'] as number;
  else if (tp?.year !== undefined) year = tp.year;
  else if ((c.note ?? '').includes('2019 for December dates, else 2020')) year = month === 12 ? 2019 : 2020;
  else if (typeof c.expect?.timestamp === 'string') year = Number(c.expect.timestamp.slice(0, 4));
  if (year === undefined) return DEFAULT_NOW;
  return Date.UTC(year, month - 1, 15, 12);
}

/** syslog-ng's cisco-parser() keeps `%FAC-SEV-MNEMONIC: ` in MESSAGE; ours is the text after it (the prefix is appName). */
const CISCO_PREFIX = /^%[A-Za-z][A-Za-z0-9_-]*-[0-7]-[A-Za-z0-9_]+ ?: /;

function normMessage(v: unknown, c?: Case): unknown {
  if (c?.options?.['syslog-ng.parser'] === 'cisco-parser()' && typeof v === 'string') v = v.replace(CISCO_PREFIX, '');
  if (v === '') return null;
  if (typeof v === 'string' && v.charCodeAt(0) === 0xfeff) return v.length === 1 ? null : v.slice(1);
  return v;
}

/** Compares every asserted key that maps to a ParsedMessage field. */
function checkExpect(c: Case, b: Buffer, pm: ParsedMessage): void {
  const e = c.expect ?? {};
  const noPri = !hasValidPri(b);
  if ('facility' in e) assert.equal(pm.facility, noPri ? 1 : e.facility, 'facility');
  if ('severity' in e) assert.equal(pm.severity, noPri ? 5 : e.severity, 'severity');
  if ('timestamp' in e) {
    if (e.timestamp === null) assert.equal(pm.timestampMs, null, 'timestamp');
    else {
      const want = Date.parse(e.timestamp as string);
      assert.ok(!Number.isNaN(want), `unparseable expected timestamp ${String(e.timestamp)}`);
      assert.equal(pm.timestampMs, want, `timestamp: got ${pm.timestampMs === null ? 'null' : new Date(pm.timestampMs).toISOString()}, want ${String(e.timestamp)}`);
    }
  }
  if ('timestampParts' in e) {
    const tp = e.timestampParts as Parts;
    assert.notEqual(pm.timestampMs, null, 'timestampParts: no timestamp');
    // Parts are the sender's wall clock: in UTC unless the input's stamp carries a numeric offset.
    const d = new Date((pm.timestampMs as number) + inputOffsetMin(b) * 60_000);
    const got: Record<string, number> = {
      month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
    };
    const want: Record<string, number> = { month: tp.month, day: tp.day, hour: tp.hour, minute: tp.minute, second: tp.second };
    if (tp.year !== undefined) {
      got.year = d.getUTCFullYear();
      want.year = tp.year;
    }
    if (tp.millisecond !== undefined) {
      got.millisecond = d.getUTCMilliseconds();
      want.millisecond = tp.millisecond;
    }
    if (tp.microsecond !== undefined) {
      got.millisecond = d.getUTCMilliseconds();
      want.millisecond = Math.floor(tp.microsecond / 1000);
    }
    assert.deepEqual(got, want, 'timestampParts');
  }
  for (const k of ['hostname', 'appName', 'procId', 'msgId'] as const) {
    if (!(k in e)) continue;
    // decision (issue 14 §2, as syslog-ng's fortigate-parser()): a FortiGate line's hostname is
    // its `devname`; nsyslog keeps the header's host or none. The rest of the case still counts.
    if (k === 'hostname' && pm.vendor?.key === 'fortigate') assert.equal(pm.hostname, pm.vendor.fields.devname, 'hostname = devname');
    else assert.equal(pm[k], e[k], k);
  }
  if ('structuredData' in e) assert.deepEqual(pm.structuredData?.toObject() ?? null, e.structuredData, 'structuredData');
  if ('message' in e) assert.equal(pm.message, normMessage(e.message, c), 'message');
  if ('cee' in e) assert.deepEqual(pm.cee, e.cee, 'cee');
  checkCisco(e, pm);
}

/**
 * Cisco keys (src/parse/vendor/cisco.ts): on lines we read as Cisco, go-syslog's `messageCounter`
 * (0 for the bare `: `, where we have none) and `sequence` are our `cisco.counter` /
 * `cisco.sequence` (a counter before a non-Cisco line is skipped, not kept); syslog-ng's `cisco`
 * object (facility, severity as a string, mnemonic, cpuModule) is compared key by key.
 * syslog-ng's `ciscoSequence` (`<189>65536: `: a counter and nothing else) names no Cisco line
 * for us (no `%FAC-SEV-MNEMONIC`), so it is not compared.
 */
function checkCisco(e: Record<string, unknown>, pm: ParsedMessage): void {
  const f = pm.vendor?.key === 'cisco' ? pm.vendor.fields : null;
  if (f !== null && 'messageCounter' in e) assert.equal(f.counter ?? 0, e.messageCounter, 'messageCounter');
  if (f !== null && 'sequence' in e) assert.equal(f.sequence, e.sequence, 'sequence');
  if ('cisco' in e) {
    const want = e.cisco as Record<string, unknown>;
    const got: Record<string, unknown> = {};
    for (const k of Object.keys(want)) got[k] = f === null || f[k] === undefined ? undefined : String(f[k]);
    assert.deepEqual(got, want, 'cisco');
  }
}

type Counts = { total: number; passed: number; skipped: number; failed: number; noThrowOnly: number; skipReasons: Map<string, number> };
const counts = new Map<string, Counts>();

function reasonKey(reason: string): string {
  const i = reason.indexOf(':');
  return reason.startsWith('option ') ? 'unimplemented option' : i > 0 ? reason.slice(0, i) : reason;
}

function runFile(file: string, kind: 'rfc5424' | 'rfc3164' | 'cee'): void {
  const lines = readFileSync(new URL(file, FIXTURES), 'utf8').split('\n').filter((l) => l.length > 0);
  const cnt: Counts = { total: lines.length, passed: 0, skipped: 0, failed: 0, noThrowOnly: 0, skipReasons: new Map() };
  counts.set(file, cnt);
  describe(file, () => {
    for (const line of lines) {
      const c = JSON.parse(line) as Case;
      const b = inputBuffer(c);
      const skipReason = SKIP.get(c.id) ?? optionSkipReason(c) ??
        (c.fragment !== undefined ? `fragment: input is only a ${c.fragment}` : null);
      const inputOnly = (c.tags ?? []).includes('input-only');
      if (skipReason === null && (inputOnly || (!c.valid && kind !== 'rfc5424'))) cnt.noThrowOnly++;
      if (skipReason !== null) {
        cnt.skipped++;
        const k = reasonKey(skipReason);
        cnt.skipReasons.set(k, (cnt.skipReasons.get(k) ?? 0) + 1);
        // still must not throw
        test(`${c.id} [skipped: ${skipReason}]`, () => {
          parseMessage(b, 0, b.length, DEFAULT_NOW);
        });
        continue;
      }
      test(`${c.id}${inputOnly ? ' [input-only: no-throw]' : ''}${c.valid ? '' : ' [invalid]'}`, () => {
        let ok = false;
        try {
          const pm = parseMessage(b, 0, b.length, nowFor(c));
          if (!inputOnly) {
            if (c.valid) checkExpect(c, b, pm);
            else if (kind === 'rfc5424') assert.notEqual(pm.format, 'rfc5424', 'invalid RFC 5424 accepted');
          }
          ok = true;
        } finally {
          if (ok) cnt.passed++;
          else cnt.failed++;
        }
      });
    }
  });
}

runFile('rfc5424.jsonl', 'rfc5424');
runFile('rfc3164.jsonl', 'rfc3164');
runFile('cee.jsonl', 'cee');

after(() => {
  const rows: string[] = ['conformance summary (file: total / passed [of which no-throw only] / skipped / failed; skip reasons):'];
  for (const [file, c] of counts) {
    const reasons = [...c.skipReasons].map(([k, n]) => `${k} ${n}`).join(', ');
    rows.push(`  ${file}: ${c.total} / ${c.passed} [${c.noThrowOnly}] / ${c.skipped} / ${c.failed}${reasons ? `  (${reasons})` : ''}`);
  }
  console.log(rows.join('\n'));
});

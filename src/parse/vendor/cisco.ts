import { FieldText } from '../field-text.js';
import { setMessage } from '../message.js';
import { createTimestampResult, parseBsdTimestamp, parseRfc3339, parseYearFirstTimestamp } from '../timestamp.js';
import type { ParsedMessage } from '../types.js';
import { createCiscoNumbers, readCiscoNumbers } from './cisco-header.js';

/**
 * Cisco IOS, IOS-XE, IOS-XR, NX-OS, ASA and FTD lines (issue 14 §1). The peers are rsyslog's
 * `pmciscoios` parser module and syslog-ng's `cisco-parser()` (scl/cisco); where this reader
 * differs from them is listed at the end.
 *
 * A line is a Cisco line when, within its first {@link SCAN_MAX} bytes after the PRI (or from the
 * start of a PRI-less line), a header made only of the parts below is followed by
 * `%FAC-SEV-MNEMONIC:` and SP (or the end): FAC = a letter then letters, digits, `_`, and `-`
 * between non-empty parts (`SYSMGR-STANDBY`, `SECURITY-SSHD`); SEV = one digit 0..7; MNEMONIC =
 * letters, digits, `_` (`CONFIG_I`, ASA/FTD's numeric `302013`). IOS-XR writes ` : ` after the
 * mnemonic; that is accepted too. The header, every part optional, in this order:
 *
 * 1. the message counter and the sequence number, `643: 000104: ` (cisco-header.ts; a bare `: `
 *    when the counter is disabled);
 * 2. the origin id `foo: ` (`logging origin-id hostname|ip`) → `hostname`; or the IOS-XR node
 *    `RP/0/RSP0/CPU0:` glued to the timestamp, or a line-card id such as cBR-8's `CLC 6/0: `
 *    → `cisco.cpuModule` (syslog-ng's name for it);
 * 3. `*` (clock never set: `cisco.clock = "unset"`) or `.` (clock no longer NTP-synced:
 *    `"unsynced"`), then the timestamp, with or without its trailing `:` (IOS-XR: ` : `) —
 *    BSD `Apr 29 13:58:40.411`, with a year `Feb 28 2010 00:20:10.663` (ASA `Jul 14 2023 08:22:31`),
 *    with a zone name (` UTC`, ` NewYork`: names outside timestamp.ts's table are read as UTC),
 *    NX-OS year-first `2023 Jun 12 09:15:02 UTC`, RFC 3339 (FTD `2023-07-14T08:22:31Z`), or an
 *    uptime stamp (`2w3d`, `1d02h`, `00:20:10`: time since boot, so `timestampMs` stays null and the
 *    receive time is used);
 * 4. after the timestamp, the ASA/FTD device id `asa-fw01 : ` (or a host word right before the `%`,
 *    `172.20.245.8 %PIX-…`) → `hostname`, when no origin id gave one;
 * 5. the IOS-XR process `sshd[1234]: ` → `cisco.process` = `sshd`, `procId` = `1234`.
 *
 * What `pm` becomes: format 'rfc3164'; `appName` = `%FAC-SEV-MNEMONIC` (the TAG pmciscoios sets,
 * without its `:`); `message` = the text after the mnemonic's `: ` (setMessage: BOM, CEE);
 * `hostname` = the origin id / device id, else null (never a number, a date, an uptime or a
 * mnemonic: see {@link isHostName}); `timestampMs` (epoch ms UTC, year-less stamps take the year
 * nearest `nowMs`); `vendor = { key: 'cisco', fields }` with fields, in this order:
 * `facility` (string), `severity` (number 0..7, the mnemonic's), `mnemonic` (string), then when
 * present `counter` (number, the message counter), `sequence` (number, the service sequence
 * number), `clock` (`"unset"` | `"unsynced"`), `cpuModule` (string), `process` (string).
 * facility/severity come from the PRI when there is one (the caller's); a PRI-less Cisco line
 * (a file, a console capture) keeps facility 1 (user, RFC 3164 §4.3.3: the facility is unknown)
 * and takes its severity from the mnemonic, as syslog-ng's cisco-parser does with `set-level`.
 *
 * Differences from the peers, on purpose:
 * - pmciscoios needs the counter, the origin only when configured (`present.origin`), the XR
 *   parts only when configured (`present.xr`), and a timestamp; it leaves HOSTNAME to the sender's
 *   address without an origin. Here every part is optional and recognised by its shape, so one
 *   listener takes every Cisco family (ASA/FTD send no counter, NX-OS puts the year first,
 *   `no service timestamps` sends none), and the hostname is null when the line names none.
 * - pmciscoios keeps the SP after the mnemonic's `:` in MSG; it is removed here (as after any
 *   RFC 3164 TAG). syslog-ng keeps `%FAC-SEV-MNEMONIC: ` in MESSAGE; here it is `appName` only.
 * - syslog-ng reads `cisco.severity` as a string and sets the message's level from it even with
 *   a PRI; here it is a number and the PRI's severity wins when there is a PRI.
 * - syslog-ng drops the fraction of a second; kept here (ms). Its `sequenceId` is our `counter`
 *   (the first number).
 * - An origin id string with SPs (`logging origin-id string "a b"`) is not recognised (the line
 *   then goes to the RFC 3164 reader); syslog-ng's `[^:]+` takes it. Cisco Unified CM's
 *   `Jun 14 11:57:27 PM.685 UTC` (AM/PM) stamps are not read.
 *
 * Cost for other lines: one table-driven byte loop over at most {@link SCAN_MAX} bytes that stops
 * at the first byte no Cisco header contains (`=`, `,`, `"`, `(`, non-ASCII…), at a `]` not
 * followed by `: %` (so right after a `tag[pid]:` TAG), after {@link SPACE_MAX} SPs or at the
 * first `%`; no allocation, no regex.
 */

/** Bytes scanned for the `%` (the header before it is at most this long). */
const SCAN_MAX = 256;
/** SPs allowed before the `%` (the longest header, `N: N: origin: *Mmm dd yyyy hh:mm:ss.fff ZONE: host : proc[pid]: `, has about 12). */
const SPACE_MAX = 14;
/** Longest `FAC-SEV-MNEMONIC`, bytes. */
const TAG_MAX = 96;
const NAME_MAX = 48;
const HOSTNAME_MAX = 255;

const SP = 0x20;
const COLON = 0x3a;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const PERCENT = 0x25;

/** Byte classes of the scan: 0 = no Cisco header has it (stop), 1 = header byte, 2 = SP, 3 = `%`, 4 = `]`. */
const SCAN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) SCAN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) SCAN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) SCAN[c] = 1;
for (const c of ':*.-_/[+') SCAN[c.charCodeAt(0)] = 1;
SCAN[SP] = 2;
SCAN[PERCENT] = 3;
SCAN[RBRACKET] = 4;

const APP_NAME = new FieldText(false);
const FACILITY = new FieldText(false);
const MNEMONIC = new FieldText(false);
const HOSTNAME = new FieldText(false);
const CPU_MODULE = new FieldText(false);
const PROCESS = new FieldText(false);
const PROC_ID = new FieldText(false);

const ts = createTimestampResult();
const nums = createCiscoNumbers();

/** The `%FAC-SEV-MNEMONIC` found by {@link mnemonicAt}: offsets into the buffer. */
const mn = { sevAt: 0, mnemEnd: 0, msgStart: 0, severity: 0 };
/** What {@link stampAt} read: epoch ms (null: uptime or impossible date) and the clock marker (0 none, 1 `*`, 2 `.`). */
const stamp = { ms: null as number | null, clock: 0 };
/** The IOS-XR process found by {@link procAt}. */
const proc = { start: 0, nameEnd: 0, pidStart: 0, pidEnd: 0, end: 0 };

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Letters, digits and `_`: the bytes of FAC parts and of MNEMONIC. */
function isWordChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x5f;
}

/**
 * Cisco-parses `buf[start, end)` (byte offsets; `start` = first byte after the PRI when `hasPri`,
 * else the line's start); `nowMs` (epoch ms) is the receive time, for year-less stamps.
 * Implements the grammar of this module's header comment.
 * @returns true when the line is a Cisco line and `pm` was filled (format 'rfc3164', vendor
 *   `cisco`; facility/severity left to the caller when `hasPri`); false leaves `pm` untouched.
 */
export function parseCisco(buf: Buffer, start: number, end: number, nowMs: number, pm: ParsedMessage, hasPri: boolean): boolean {
  const lim = Math.min(end, start + SCAN_MAX);
  let spaces = 0;
  for (let i = start; i < lim; i++) {
    const k = SCAN[buf[i]];
    if (k === 1) continue;
    if (k === 2) {
      if (++spaces > SPACE_MAX) return false;
      continue;
    }
    if (k === 0) return false;
    if (k === 4) {
      // `]` ends an IOS-XR `process[pid]` and the mnemonic follows it: `]: %` (a TAG `app[pid]: text` ends the scan here)
      if (i + 3 >= lim || buf[i + 1] !== COLON || buf[i + 2] !== SP || buf[i + 3] !== PERCENT) return false;
      continue;
    }
    // `%`: it opens the mnemonic or the line is not a Cisco line (no header part has a `%`)
    if ((i !== start && buf[i - 1] !== SP) || !mnemonicAt(buf, i, end)) return false;
    return headerBefore(buf, start, i, end, nowMs, pm, hasPri);
  }
  return false;
}

/** Reads `%FAC-SEV-MNEMONIC:` (or ` :`) + SP/end at `pct` into {@link mn}. */
function mnemonicAt(buf: Buffer, pct: number, end: number): boolean {
  let q = pct + 1;
  if (q >= end || !isLetter(buf[q])) return false;
  const lim = Math.min(end, q + TAG_MAX + 1);
  let lastDash = -1;
  let prevDash = -1;
  while (q < lim) {
    const c = buf[q];
    if (c === DASH) {
      if (buf[q - 1] === DASH) return false;
      prevDash = lastDash;
      lastDash = q;
    } else if (!isWordChar(c)) {
      break;
    }
    q++;
  }
  if (q >= end || prevDash < 0 || lastDash !== prevDash + 2 || lastDash + 1 >= q) return false;
  const severity = buf[prevDash + 1] - 0x30;
  if (severity < 0 || severity > 7) return false;
  let m: number;
  if (buf[q] === COLON) m = q + 1;
  else if (buf[q] === SP && q + 1 < end && buf[q + 1] === COLON) m = q + 2; // IOS-XR `%X-Y-6-Z : text`
  else return false;
  if (m < end) {
    if (buf[m] !== SP) return false;
    m++;
  }
  mn.sevAt = prevDash + 1;
  mn.mnemEnd = q;
  mn.msgStart = m;
  mn.severity = severity;
  return true;
}

/** Offset of the first SP at or after `i`, or `end`. */
function wordEnd(buf: Buffer, i: number, end: number): number {
  while (i < end && buf[i] !== SP) i++;
  return i;
}

/**
 * An uptime stamp at `i` (`2w3d`, `51w2d`, `1d02h`, `1y2w`: 1 or 2 groups of 1..5 digits + one of
 * y w d h; or `hh:mm:ss[.fff]`), followed by `:` and SP (or `end`).
 * @returns the offset after the `:`, or -1.
 */
function uptimeAt(buf: Buffer, i: number, end: number): number {
  let p = i;
  if (p + 8 <= end && isDigit(buf[p]) && isDigit(buf[p + 1]) && buf[p + 2] === COLON && isDigit(buf[p + 3]) && isDigit(buf[p + 4]) && buf[p + 5] === COLON && isDigit(buf[p + 6]) && isDigit(buf[p + 7])) {
    p += 8;
    if (p < end && buf[p] === DOT) {
      const f = ++p;
      while (p < end && p - f < 9 && isDigit(buf[p])) p++;
      if (p === f) return -1;
    }
  } else {
    let groups = 0;
    while (groups < 2) {
      const d = p;
      while (p < end && p - d < 5 && isDigit(buf[p])) p++;
      if (p === d || p >= end) break;
      const u = buf[p];
      if (u !== 0x79 && u !== 0x77 && u !== 0x64 && u !== 0x68) return -1; // y w d h
      p++;
      groups++;
    }
    if (groups === 0) return -1;
  }
  if (p >= end || buf[p] !== COLON) return -1;
  p++;
  return p === end || buf[p] === SP ? p : -1;
}

/**
 * A timestamp (header part 3) at `i`, bounded by `end` (the `%`): optional `*`/`.`, then a BSD,
 * NX-OS year-first, RFC 3339 or uptime stamp, followed by SP. Fills {@link stamp}.
 * @returns the offset after the stamp and its SPs, or -1 when there is none at `i`.
 */
function stampAt(buf: Buffer, i: number, end: number, nowMs: number): number {
  let clock = 0;
  if (i < end && (buf[i] === 0x2a || buf[i] === DOT)) {
    clock = buf[i] === 0x2a ? 1 : 2;
    i++;
  }
  if (i >= end) return -1;
  let after: number;
  if (isLetter(buf[i])) {
    if (!parseBsdTimestamp(buf, i, end, nowMs, ts, true)) return -1;
    stamp.ms = ts.ms;
    after = ts.end;
  } else if (!isDigit(buf[i])) {
    return -1;
  } else if (parseYearFirstTimestamp(buf, i, end, ts, true)) {
    stamp.ms = ts.ms;
    after = ts.end;
  } else if (parseRfc3339(buf, i, end, false, ts)) {
    after = ts.end;
    if (after < end && buf[after] === COLON) after++;
    if (after < end && buf[after] !== SP) return -1;
    stamp.ms = ts.ms;
  } else {
    after = uptimeAt(buf, i, end);
    if (after < 0) return -1;
    stamp.ms = null;
  }
  // IOS-XR without a zone: `Jun 12 09:15:02.123 : ifmgr[201]: …`
  if (buf[after - 1] !== COLON && after + 2 <= end && buf[after] === SP && buf[after + 1] === COLON && (after + 2 === end || buf[after + 2] === SP)) after += 2;
  stamp.clock = clock;
  while (after < end && buf[after] === SP) after++;
  return after;
}

/**
 * True when `buf[a, b)` can be a Cisco origin / device id: 1..255 bytes of letters, digits, `.`,
 * `-`, `_`, `:`, and either a letter or the shape of an IPv4 (`10.0.0.1`, origin-id ip) or IPv6
 * address — so never a number, a clock time (`22:21:02`) — and not an uptime stamp (`2w3d`) nor
 * anything starting like an ISO date (`2023-07-14T…`).
 * A `%` never passes, so a mnemonic is never a hostname.
 */
export function isHostName(buf: Buffer, a: number, b: number): boolean {
  if (b <= a || b - a > HOSTNAME_MAX) return false;
  let letters = 0;
  let dots = 0;
  let colons = 0;
  let hexOnly = true;
  let doubleColon = false;
  for (let i = a; i < b; i++) {
    const c = buf[i];
    if (isLetter(c)) {
      letters++;
      if (!((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) hexOnly = false;
    } else if (c === DOT) {
      dots++;
    } else if (c === COLON) {
      colons++;
      if (i > a && buf[i - 1] === COLON) doubleColon = true;
    } else if (c === DASH || c === 0x5f) {
      hexOnly = false;
    } else if (!isDigit(c)) {
      return false;
    }
  }
  // IPv6 only, and not starting like a clock time (`00:20:10::` reads as an IPv6 address but is a broken uptime)
  if (colons > 0) return hexOnly && dots === 0 && (doubleColon || colons === 7) && !(b - a >= 8 && isDigit(buf[a]) && isDigit(buf[a + 1]) && buf[a + 2] === COLON && isDigit(buf[a + 3]) && isDigit(buf[a + 4]) && buf[a + 5] === COLON && isDigit(buf[a + 6]) && isDigit(buf[a + 7]));
  if (b - a >= 10 && isDigit(buf[a]) && isDigit(buf[a + 3]) && buf[a + 4] === DASH && isDigit(buf[a + 5]) && buf[a + 7] === DASH) return false; // a (broken) ISO date
  if (letters === 0) return dots === 3 && buf[a] !== DOT && buf[b - 1] !== DOT; // IPv4 only
  return !isUptimeWord(buf, a, b);
}

/** `buf[a, b)` is exactly an uptime stamp without its `:` (`2w3d`, `1d02h`). */
function isUptimeWord(buf: Buffer, a: number, b: number): boolean {
  let p = a;
  let groups = 0;
  while (p < b && groups < 2) {
    const d = p;
    while (p < b && isDigit(buf[p])) p++;
    if (p === d || p >= b) return false;
    const u = buf[p];
    if (u !== 0x79 && u !== 0x77 && u !== 0x64 && u !== 0x68) return false;
    p++;
    groups++;
  }
  return groups > 0 && p === b;
}

/** An IOS-XR process `name[pid]: ` at `i` (before `end`) into {@link proc}. */
function procAt(buf: Buffer, i: number, end: number): boolean {
  let p = i;
  while (p < end && p - i <= NAME_MAX && (isWordChar(buf[p]) || buf[p] === DASH || buf[p] === DOT)) p++;
  if (p === i || p - i > NAME_MAX || p >= end || buf[p] !== LBRACKET) return false;
  const nameEnd = p;
  const pidStart = ++p;
  while (p < end && p - pidStart < 10 && isDigit(buf[p])) p++;
  if (p === pidStart || p + 2 >= end || buf[p] !== RBRACKET || buf[p + 1] !== COLON || buf[p + 2] !== SP) return false;
  proc.start = i;
  proc.nameEnd = nameEnd;
  proc.pidStart = pidStart;
  proc.pidEnd = p;
  proc.end = p + 3;
  return true;
}

/**
 * A node / line-card id at `i`: an optional word of 1..8 letters and one SP (`CLC 6/0`), then
 * letters, digits, `_`, `-` and at least one `/` (`RP/0/RSP0/CPU0`, `0/RP0/CPU0`), then `:`.
 * @returns the offset of that `:`, or -1.
 */
function nodeAt(buf: Buffer, i: number, end: number): number {
  let p = i;
  while (p < end && p - i <= 8 && isLetter(buf[p])) p++;
  if (p > i && p - i <= 8 && p < end && buf[p] === SP) p++;
  else p = i;
  const s = p;
  let slash = false;
  while (p < end && p - s <= NAME_MAX && (isWordChar(buf[p]) || buf[p] === DASH || buf[p] === SLASH)) {
    if (buf[p] === SLASH) slash = true;
    p++;
  }
  return slash && p > s && p < end && buf[p] === COLON ? p : -1;
}

/** Reads the header `buf[start, pct)` before the mnemonic found by {@link mnemonicAt} and fills `pm` (parts 1–5 of the module comment). */
function headerBefore(buf: Buffer, start: number, pct: number, end: number, nowMs: number, pm: ParsedMessage, hasPri: boolean): boolean {
  let p = start;
  while (p < pct && buf[p] === SP) p++;
  readCiscoNumbers(buf, p, pct, nums);
  p = nums.end;
  let hostA = -1;
  let hostB = -1;
  let nodeA = -1;
  let nodeB = -1;
  let hasStamp = false;
  let q = stampAt(buf, p, pct, nowMs);
  if (q >= 0) {
    hasStamp = true;
    p = q;
  } else if (p < pct) {
    const we = wordEnd(buf, p, pct);
    const colon = nodeAt(buf, p, pct);
    if (colon >= 0 && (q = stampAt(buf, colon + 1 < pct && buf[colon + 1] === SP ? colon + 2 : colon + 1, pct, nowMs)) >= 0) {
      // IOS-XR node glued to its stamp (`RP/0/RSP0/CPU0:Jun 12 …`), a cBR-8 line card (`CLC 6/0: Dec 11 …`)
      nodeA = p;
      nodeB = colon;
      hasStamp = true;
      p = q;
    } else if (we - p >= 2 && buf[we - 1] === COLON && we < pct && isHostName(buf, p, we - 1)) {
      // origin id: `foo: TIMESTAMP`, or `foo: %…` without timestamp
      hostA = p;
      hostB = we - 1;
      p = we + 1;
      q = stampAt(buf, p, pct, nowMs);
      if (q >= 0) {
        hasStamp = true;
        p = q;
      }
    }
  }
  while (p < pct && buf[p] === SP) p++;
  // ASA/FTD device id `host : ` (or `host ` right before the `%` or the XR process)
  if (p < pct && hostA < 0 && !procAt(buf, p, pct)) {
    const we = wordEnd(buf, p, pct);
    if (isHostName(buf, p, we)) {
      let r = we;
      while (r < pct && buf[r] === SP) r++;
      if (r + 1 < pct && buf[r] === COLON && buf[r + 1] === SP) r += 2;
      else if (r < pct && !procAt(buf, r, pct)) r = -1;
      if (r >= 0) {
        hostA = p;
        hostB = we;
        p = r;
        while (p < pct && buf[p] === SP) p++;
      }
    }
  }
  let hasProc = false;
  if (p < pct && procAt(buf, p, pct)) {
    hasProc = true;
    p = proc.end;
    while (p < pct && buf[p] === SP) p++;
  }
  if (p !== pct) return false;

  // a Cisco line: fill pm
  const fields: Record<string, unknown> = {
    facility: FACILITY.of(buf, pct + 1, mn.sevAt - 1),
    severity: mn.severity,
    mnemonic: MNEMONIC.of(buf, mn.sevAt + 2, mn.mnemEnd),
  };
  if (nums.counter >= 0) fields.counter = nums.counter;
  if (nums.sequence >= 0) fields.sequence = nums.sequence;
  if (hasStamp && stamp.clock !== 0) fields.clock = stamp.clock === 1 ? 'unset' : 'unsynced';
  if (nodeA >= 0) fields.cpuModule = CPU_MODULE.of(buf, nodeA, nodeB);
  if (hasProc) fields.process = PROCESS.of(buf, proc.start, proc.nameEnd);
  pm.format = 'rfc3164';
  if (!hasPri) pm.severity = mn.severity;
  pm.timestampMs = hasStamp ? stamp.ms : null;
  pm.hostname = hostA >= 0 ? HOSTNAME.of(buf, hostA, hostB) : null;
  pm.appName = APP_NAME.of(buf, pct, mn.mnemEnd);
  pm.procId = hasProc ? PROC_ID.of(buf, proc.pidStart, proc.pidEnd) : null;
  pm.vendor = { key: 'cisco', fields };
  setMessage(pm, buf, mn.msgStart, end);
  return true;
}

/**
 * Helpers of the real-client RELP tests (relp.test.ts, relp-crash.test.ts): rsyslog `omrelp`
 * (librelp) as a child process forwarding a big file of numbered lines, an incremental reader
 * of the receiver's store (counts each number as it lands, without re-reading the whole
 * store on every poll), and the "is omrelp here" check.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CLIENT_HOSTNAME, render, startChild, stopChild, which, type Child } from './clients.js';

// ---------------------------------------------------------------- availability

const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/rsyslog', '/usr/lib/aarch64-linux-gnu/rsyslog', '/usr/lib/rsyslog', '/usr/lib64/rsyslog', '/usr/local/lib/rsyslog'];
const missingCache = new Map<string, string | null>();

/**
 * Why rsyslog cannot forward over RELP here (null = it can): rsyslogd must be installed and
 * accept a config that loads omrelp (package rsyslog-relp) with the given TLS library.
 */
export function missingOmrelp(tlsLib: 'gnutls' | 'openssl' = 'openssl'): string | null {
  if (missingCache.has(tlsLib)) return missingCache.get(tlsLib)!;
  const result = ((): string | null => {
    const bin = which('rsyslogd');
    if (!bin) return 'rsyslogd not installed';
    const so = MODULE_DIRS.find((d) => existsSync(join(d, 'omrelp.so')));
    const w = mkdtempSync(join(tmpdir(), 'relp-check-'));
    try {
      const conf = join(w, 'check.conf');
      writeFileSync(conf, `global(workDirectory="${w}")\nmodule(load="omrelp" tls.tlslib="${tlsLib}")\n`
        + `action(type="omrelp" target="127.0.0.1" port="1")\n`);
      const r = spawnSync(bin, ['-N1', '-f', conf], { encoding: 'utf8', timeout: 20_000 });
      const out = `${r.stdout}${r.stderr}`;
      if (r.status !== 0 || /could not load module|error/i.test(out)) {
        return `rsyslog omrelp (package rsyslog-relp${so ? '' : ', no omrelp.so found'}) with tls.tlslib="${tlsLib}" not usable: ${out.split('\n').filter((l) => /could not load|error|unknown/i.test(l)).slice(0, 2).join(' | ') || `rsyslogd -N1 exited ${r.status}`}`;
      }
      return null;
    } finally {
      rmSync(w, { recursive: true, force: true });
    }
  })();
  missingCache.set(tlsLib, result);
  return result;
}

/** Skips the test (or fails it with REQUIRE_INTEROP=1) when omrelp is not usable. */
export function requireOmrelp(t: TestContext, tlsLib: 'gnutls' | 'openssl' = 'openssl'): boolean {
  const missing = missingOmrelp(tlsLib);
  if (!missing) return true;
  if (process.env.REQUIRE_INTEROP === '1') assert.fail(`${missing} (REQUIRE_INTEROP=1: interop clients are required; run scripts/install-interop-clients.sh)`);
  t.skip(missing);
  return false;
}

// ---------------------------------------------------------------- the numbered lines

/** The text of line `seq` (1-based): 7-digit number first, a label, some UTF-8, the number again. */
export function numberedLine(seq: number, label: string): string {
  const n = String(seq).padStart(7, '0');
  return `seq=${n} ${label} relp bulk line grüße 日本 🙂 "q" back\\slash 100% end=${n}`;
}

const SEQ_RE = /^seq=(\d{7}) /;

/** Writes lines 1..n to `file` with one write. */
export function writeNumberedInput(file: string, n: number, label: string): void {
  const parts: string[] = new Array(n);
  for (let i = 1; i <= n; i++) parts[i - 1] = `${numberedLine(i, label)}\n`;
  writeFileSync(file, parts.join(''));
}

// ---------------------------------------------------------------- rsyslog omrelp

export interface RelpSenderSpec {
  host: string;
  port: number;
  /** Lines 1..count are written to the input file before rsyslog starts. */
  count: number;
  label: string;
  /** Token put in the RFC 3164 TAG (template TokenTag3164); null = RSYSLOG_ForwardFormat (app by source IP). */
  token: string | null;
  /** librelp window (frames sent and not yet acked); default 1024. */
  window?: number;
  /** RELP over TLS: tls.tlslib (default openssl), tls.caCert, tls.authMode="name", tls.permittedPeer=["localhost"]. */
  tls?: { caFile: string; lib?: 'openssl' | 'gnutls'; certFile?: string; keyFile?: string };
  /** Extra action-queue parameters (rendered verbatim into the action; `@WORKDIR@` = the temp dir). */
  actionQueue?: string;
  /** action.resumeRetryCount; default -1 (forever, every second). */
  resumeRetryCount?: number;
}

export interface ImpstatsAction {
  processed: number;
  failed: number;
  suspended: number;
  resumed: number;
}

export interface RelpSender {
  child: Child;
  dir: string;
  /** The last impstats counters of the `fwd` action and of its queue (`fwd queue`, when it has one). */
  stats(): { action: ImpstatsAction | null; queue: Record<string, number> | null; mainQueue: Record<string, number> | null };
  /** The last `lines` lines of impstats' log. */
  statsTail(lines: number): string;
  /** SIGTERM (KILL after 10 s) and remove the temp dir (kept with KEEP_INTEROP_TMP=1). */
  stop(): Promise<void>;
}

function lastStatsLine(text: string, prefix: string): Record<string, number> | null {
  let last: string | null = null;
  for (const line of text.split('\n')) {
    const i = line.indexOf(`${prefix}: `);
    if (i >= 0 && (i === 0 || line[i - 1] === ' ')) last = line.slice(i + prefix.length + 2);
  }
  if (last === null) return null;
  const out: Record<string, number> = {};
  for (const m of last.matchAll(/([\w.]+)=(\d+)/g)) out[m[1]] = Number(m[2]);
  return out;
}

/** Renders the omrelp config into a temp dir, writes the input file, starts rsyslogd -n. */
export function startRelpSender(spec: RelpSenderSpec): RelpSender {
  const bin = which('rsyslogd');
  if (!bin) throw new Error('rsyslogd not installed');
  const w = mkdtempSync(join(tmpdir(), 'interop-relp-'));
  const input = join(w, 'input.log');
  const vars: Record<string, string> = {
    HOST: spec.host, PORT: String(spec.port), INPUT: input, WORKDIR: w, HOSTNAME: CLIENT_HOSTNAME,
    TEMPLATE: spec.token ? 'TokenTag3164' : 'RSYSLOG_ForwardFormat',
    WINDOW: String(spec.window ?? 1024),
    TLSLIB: spec.tls?.lib ?? 'openssl',
    TLSPARAMS: spec.tls
      ? `tls="on" tls.caCert="${spec.tls.caFile}" tls.authMode="name" tls.permittedPeer=["localhost"]`
        + (spec.tls.certFile ? ` tls.myCert="${spec.tls.certFile}" tls.myPrivKey="${spec.tls.keyFile}"` : '')
      : '',
    ACTIONQUEUE: (spec.actionQueue ?? '').replaceAll('@WORKDIR@', w),
    RETRY: String(spec.resumeRetryCount ?? -1),
    TOKEN: spec.token ?? '',
  };
  const text = (spec.token ? `${render('rsyslog-token.conf', vars)}\n` : '') + render('rsyslog-relp.conf', vars);
  const conf = join(w, 'client.conf');
  writeFileSync(conf, text);
  const check = spawnSync(bin, ['-N1', '-f', conf], { encoding: 'utf8', timeout: 20_000 });
  if (check.status !== 0) throw new Error(`rsyslogd -N1 rejected the config:\n${check.stdout}${check.stderr}\n${text}`);
  writeNumberedInput(input, spec.count, spec.label);
  const child = startChild(bin, ['-n', '-f', conf, '-i', join(w, 'client.pid')]);
  const statsFile = join(w, 'stats.log');
  return {
    child,
    dir: w,
    stats() {
      const s = existsSync(statsFile) ? readFileSync(statsFile, 'utf8') : '';
      const a = lastStatsLine(s, 'fwd');
      return {
        action: a ? { processed: a.processed ?? 0, failed: a.failed ?? 0, suspended: a.suspended ?? 0, resumed: a.resumed ?? 0 } : null,
        queue: lastStatsLine(s, 'fwd queue'),
        mainQueue: lastStatsLine(s, 'main Q'),
      };
    },
    statsTail(lines) {
      return existsSync(statsFile) ? readFileSync(statsFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no stats.log)';
    },
    async stop() {
      await stopChild(child);
      if (process.env.KEEP_INTEROP_TMP !== '1') rmSync(w, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- reading the store as it grows

export interface TailProblem { file: string; what: string }

/**
 * Follows `<storeDir>/<app>/*.ndjson`, consuming only complete lines (up to the last LF), and
 * counts how often each number 1..max was stored. Every complete line must parse as JSON;
 * a file must never shrink below what was already consumed (that would un-store records).
 */
export class StoreTail {
  /** counts[seq] = times stored (saturates at 255). */
  readonly counts: Uint8Array;
  lines = 0;
  readonly problems: TailProblem[] = [];
  /** Records that fail `check` (first few kept in problems). */
  badRecords = 0;
  private readonly offsets = new Map<string, number>();
  private readonly pending = new Map<string, Buffer>();

  constructor(readonly storeDir: string, readonly app: string, readonly max: number,
    private readonly check: (r: Record<string, any>, seq: number) => string | null = () => null) {
    this.counts = new Uint8Array(max + 1);
  }

  /** Reads what was appended since the last poll. @returns lines now consumed in total */
  poll(): number {
    const dir = join(this.storeDir, this.app);
    if (!existsSync(dir)) return this.lines;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.ndjson')) continue;
      const path = join(dir, f);
      const off = this.offsets.get(f) ?? 0;
      const size = statSync(path).size;
      if (size < off) {
        this.problem(f, `file shrank to ${size} bytes below ${off} bytes already read (stored records removed)`);
        this.offsets.set(f, size);
        this.pending.delete(f);
        continue;
      }
      if (size === off) continue;
      const buf = Buffer.allocUnsafe(size - off);
      const fd = openSync(path, 'r');
      let got = 0;
      try {
        while (got < buf.length) {
          const n = readSync(fd, buf, got, buf.length - got, off + got);
          if (n === 0) break;
          got += n;
        }
      } finally {
        closeSync(fd);
      }
      const prev = this.pending.get(f);
      const data = prev ? Buffer.concat([prev, buf.subarray(0, got)]) : buf.subarray(0, got);
      const lastLf = data.lastIndexOf(0x0a);
      if (lastLf < 0) {
        // no complete line yet: remember the bytes, re-read nothing
        this.pending.set(f, Buffer.from(data));
        this.offsets.set(f, off + got);
        continue;
      }
      this.consume(f, data.subarray(0, lastLf + 1));
      const rest = data.subarray(lastLf + 1);
      if (rest.length) this.pending.set(f, Buffer.from(rest));
      else this.pending.delete(f);
      this.offsets.set(f, off + got);
    }
    return this.lines;
  }

  private consume(f: string, chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) break;
      const line = chunk.toString('utf8', start, lf);
      start = lf + 1;
      this.lines++;
      let r: Record<string, any>;
      try {
        r = JSON.parse(line);
      } catch {
        this.problem(f, `line ${this.lines} is not JSON (torn?): ${JSON.stringify(line.slice(0, 120))}`);
        continue;
      }
      const m = typeof r.message === 'string' ? SEQ_RE.exec(r.message) : null;
      const seq = m ? Number(m[1]) : 0;
      if (!m || seq < 1 || seq > this.max) {
        this.problem(f, `record without a known number: ${JSON.stringify(line.slice(0, 160))}`);
        continue;
      }
      if (this.counts[seq] < 255) this.counts[seq]++;
      const bad = this.check(r, seq);
      if (bad) {
        this.badRecords++;
        if (this.badRecords <= 10) this.problem(f, `seq ${seq}: ${bad}`);
      }
    }
  }

  private problem(file: string, what: string): void {
    if (this.problems.length < 50) this.problems.push({ file, what });
  }

  /** Numbers stored at least once. */
  distinct(): number {
    let n = 0;
    for (let i = 1; i <= this.max; i++) if (this.counts[i] > 0) n++;
    return n;
  }

  /** Numbers never stored (first `limit`), and how many in all. */
  missing(limit = 20): { count: number; first: number[] } {
    const first: number[] = [];
    let count = 0;
    for (let i = 1; i <= this.max; i++) {
      if (this.counts[i] === 0) {
        count++;
        if (first.length < limit) first.push(i);
      }
    }
    return { count, first };
  }

  /** Extra copies beyond the first, and how many numbers have more than one. */
  duplicates(): { extra: number; numbers: number; first: number[] } {
    let extra = 0;
    let numbers = 0;
    const first: number[] = [];
    for (let i = 1; i <= this.max; i++) {
      if (this.counts[i] > 1) {
        extra += this.counts[i] - 1;
        numbers++;
        if (first.length < 20) first.push(i);
      }
    }
    return { extra, numbers, first };
  }

  /** Every store file of the app ends with LF (or is empty); returns offending files. */
  filesWithoutTrailingLf(): string[] {
    const dir = join(this.storeDir, this.app);
    if (!existsSync(dir)) return [];
    const bad: string[] = [];
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.ndjson')) continue;
      const path = join(dir, f);
      const size = statSync(path).size;
      if (size === 0) continue;
      const b = Buffer.alloc(1);
      const fd = openSync(path, 'r');
      try { readSync(fd, b, 0, 1, size - 1); } finally { closeSync(fd); }
      if (b[0] !== 0x0a) bad.push(f);
    }
    return bad;
  }
}

// ---------------------------------------------------------------- misc

export { freePort } from '../../helpers/net.js';
export { sleep } from '../../helpers/wait.js';

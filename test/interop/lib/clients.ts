/**
 * Real syslog clients (rsyslog, syslog-ng, util-linux logger, nc, openssl s_client, gnutls-cli)
 * driven as child processes of a test. This is the logic of the interop kit's run-client.sh, ported to TypeScript so the
 * suite carries everything it needs: the config templates live in ../conf and are rendered
 * here (`@KEY@` placeholders), every client runs in the foreground as our child, we wait
 * until the client's own counters say every message was written to the socket (rsyslog
 * impstats `processed`, syslog-ng-ctl `written`, logger: process exit), then stop it by PID.
 * TLS (RFC 5425): rsyslog omfwd with the gtls or ossl stream driver, syslog-ng network()/syslog()
 * with transport(tls), and the raw pipes `openssl s_client` and `gnutls-cli`.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, appendFileSync, openSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../../helpers/wait.js';

export const CONF_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'conf');

export type ClientName = 'rsyslog' | 'syslog-ng' | 'logger' | 'nc' | 'openssl' | 'gnutls-cli';
/** tls = LF framing inside TLS, tls-octet = RFC 5425 (octet counting inside TLS). */
export type Transport = 'udp' | 'tcp' | 'tcp-octet' | 'tls' | 'tls-octet';
export type RsyslogTlsDriver = 'gtls' | 'ossl';

export const isTls = (t: Transport): boolean => t === 'tls' || t === 'tls-octet';
/** Where the token goes: RFC 3164 TAG, RFC 5424 APP-NAME, `@cee:` JSON, first word of MSG; none = by source IP. */
export type TokenStyle = 'tag' | 'appname' | 'cee' | 'prefix' | 'none';

/** HOSTNAME the file-reading clients send (logger cannot set one). */
export const CLIENT_HOSTNAME = 'interop-host';
/** TAG / APP-NAME the clients use when the token is not in it. */
export const CLIENT_TAG = 'interop';

// ---------------------------------------------------------------- discovery

const EXTRA_PATH = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** Absolute path of an executable found in PATH (plus the sbin dirs), or null. */
export function which(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_PATH].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return null;
}

export interface SyslogNgInstall {
  bin: string;
  ctl: string;
  /** Extra args (module path for the unpacked tree). */
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** syslog-ng unpacked under $SYSLOG_NG_ROOT (default /opt/syslog-ng, see install script), else a system one. */
export function findSyslogNg(): SyslogNgInstall | null {
  const root = process.env.SYSLOG_NG_ROOT ?? '/opt/syslog-ng';
  const bin = join(root, 'usr/sbin/syslog-ng');
  if (existsSync(bin)) {
    const libDir = join(root, 'usr/lib/syslog-ng');
    const ver = existsSync(libDir) ? readdirSync(libDir).filter((d) => /^\d+\.\d+$/.test(d)).sort().pop() : undefined;
    const ld = [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    return {
      bin,
      ctl: join(root, 'usr/sbin/syslog-ng-ctl'),
      args: ver ? [`--module-path=${join(libDir, ver)}`] : [],
      env: { ...process.env, LD_LIBRARY_PATH: ld },
    };
  }
  const sys = which('syslog-ng');
  const ctl = which('syslog-ng-ctl');
  return sys && ctl ? { bin: sys, ctl, args: [], env: { ...process.env } } : null;
}

/** logger from util-linux with --octet-count (2.26+), or null. */
export function findLogger(): string | null {
  const p = which('logger');
  if (!p) return null;
  const r = spawnSync(p, ['--help'], { encoding: 'utf8', timeout: 5000 });
  return `${r.stdout}${r.stderr}`.includes('--octet-count') ? p : null;
}

/** OpenBSD netcat (needs -N: shut down the socket on stdin EOF), or null. */
export function findNc(): string | null {
  const p = which('nc');
  if (!p) return null;
  const r = spawnSync(p, ['-h'], { encoding: 'utf8', timeout: 5000 });
  return /^\s*-N\b/m.test(`${r.stdout}${r.stderr}`) ? p : null;
}

/** The directory holding rsyslog's loadable modules (lmnsd_*.so), or null. */
function rsyslogModuleDir(): string | null {
  const candidates = ['/usr/lib/rsyslog', '/usr/lib64/rsyslog', '/usr/local/lib/rsyslog'];
  try {
    for (const d of readdirSync('/usr/lib')) candidates.push(join('/usr/lib', d, 'rsyslog'));
  } catch { /* none */ }
  return candidates.find((d) => existsSync(join(d, 'lmnsd_ptcp.so'))) ?? null;
}

/** Why rsyslog cannot use this TLS stream driver here (null = available). */
export function missingRsyslogDriver(driver: RsyslogTlsDriver): string | null {
  const dir = rsyslogModuleDir();
  if (dir && existsSync(join(dir, `lmnsd_${driver}.so`))) return null;
  return `rsyslog ${driver} stream driver (lmnsd_${driver}.so, package rsyslog-${driver === 'gtls' ? 'gnutls' : 'openssl'}) not installed`;
}

/** Why a client cannot run here (null = available). */
export function missingClient(c: ClientName): string | null {
  switch (c) {
    case 'openssl': return which('openssl') ? null : 'openssl (s_client) not installed';
    case 'gnutls-cli': return which('gnutls-cli') ? null : 'gnutls-cli (gnutls-bin) not installed';
    case 'rsyslog': return which('rsyslogd') ? null : 'rsyslogd not installed';
    case 'syslog-ng': return findSyslogNg() ? null : 'syslog-ng not installed (looked in $SYSLOG_NG_ROOT, /opt/syslog-ng and PATH)';
    case 'logger': return findLogger() ? null : 'util-linux logger with --octet-count not installed';
    case 'nc': return findNc() ? null : 'OpenBSD nc (netcat-openbsd, with -N) not installed';
  }
}

// ---------------------------------------------------------------- templates

/** Replaces every `@KEY@` of the template literally; throws naming any `@UPPER@` left. */
export function render(templateFile: string, vars: Record<string, string>): string {
  let text = readFileSync(join(CONF_DIR, templateFile), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`@${k}@`).join(v);
  const left = [...new Set(text.match(/@[A-Z][A-Z_]*@/g) ?? [])];
  if (left.length) throw new Error(`${templateFile}: unreplaced placeholders ${left.join(' ')}`);
  return text;
}

// ---------------------------------------------------------------- child processes

const live = new Set<ChildProcess>();
process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** stdout+stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
}

/** Spawns a client; `stdinFile`, when given, is its stdin (a file: all bytes readable at once). */
export function startChild(file: string, args: string[], env?: NodeJS.ProcessEnv, stdinFile?: string): Child {
  const fd = stdinFile === undefined ? null : openSync(stdinFile, 'r');
  let proc: ChildProcess;
  try {
    proc = spawn(file, args, { env: env ?? process.env, stdio: [fd ?? 'ignore', 'pipe', 'pipe'] });
  } finally {
    if (fd !== null) closeSync(fd);
  }
  let out = '';
  let done = false;
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => { out += d; });
  live.add(proc);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('error', (err) => { out += `\nspawn error: ${err.message}`; done = true; live.delete(proc); resolve({ code: -1, signal: null }); });
    proc.on('exit', (code, signal) => { done = true; live.delete(proc); resolve({ code, signal }); });
  });
  return { proc, pid: proc.pid ?? -1, output: () => out, exited, running: () => !done };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`; throws when `child` dies or after `timeoutMs`. */
export async function childListening(port: number, child: Child, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!child.running()) throw new Error(`${child.proc.spawnfile} exited before listening:\n${child.output().slice(-2000)}`);
    if (Date.now() > end) throw new Error(`${child.proc.spawnfile} not listening on ${port} after ${timeoutMs} ms:\n${child.output().slice(-2000)}`);
    await sleep(100);
  }
}

/** SIGTERM (clients flush on it), SIGKILL after `graceMs`. Resolves when the process is gone. */
export async function stopChild(c: Child, graceMs = 10_000): Promise<void> {
  if (!c.running()) return;
  if (c.pid > 0) try { process.kill(c.pid, 'SIGTERM'); } catch { /* gone */ }
  const t = setTimeout(() => { if (c.running() && c.pid > 0) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await c.exited;
  clearTimeout(t);
}

/** Polls `check` every 200 ms until it returns true; throws on timeout or if the child dies. */
async function waitUntil(what: string, child: Child, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (!child.running()) throw new Error(`${what}: client exited early:\n${child.output().slice(-2000)}`);
    if (Date.now() > end) throw new Error(`${what}: timeout after ${timeoutMs} ms; client output:\n${child.output().slice(-2000)}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------- running a variant

export interface RunSpec {
  client: ClientName;
  transport: Transport;
  host: string;
  port: number;
  /** Logical messages; an embedded LF must be followed by whitespace (input-file continuation). */
  messages: string[];
  token: string | null;
  style: TokenStyle;
  /** logger: extra arguments (e.g. --msgid, --sd-id, --sd-param). */
  loggerArgs?: string[];
  /** rsyslog: output template instead of the transport's default (token variants use theirs). */
  rsyslogTemplate?: string;
  /** Feed the input file in chunks of this many messages (paces UDP senders); 0 = all at once. */
  chunk?: number;
  chunkDelayMs?: number;
  /** Longest wait for the client to report everything sent, ms. */
  timeoutMs?: number;
  /** TLS transports: files and client options (required with tls / tls-octet). */
  tls?: TlsClientSpec;
}

/** How a client does TLS. Every client verifies the receiver's certificate unless `authMode` is anon. */
export interface TlsClientSpec {
  /** CA (PEM) the receiver's certificate chains to. */
  caFile: string;
  /** Client certificate and key (PEM): sent only when the receiver asks for one. */
  certFile?: string;
  keyFile?: string;
  /** rsyslog stream driver (default gtls). */
  driver?: RsyslogTlsDriver;
  /** rsyslog StreamDriverAuthMode (default x509/name, peer `localhost`); syslog-ng: anon = optional-untrusted. */
  authMode?: 'x509/name' | 'anon';
}

export interface RunResult {
  /** Messages the client reported as written to the socket. */
  sent: number;
  elapsedMs: number;
}

/**
 * Runs one client once: renders its config into a temp dir, starts it, feeds the messages,
 * waits until it reports all of them sent, stops it by PID, removes the temp dir.
 */
export async function runClient(spec: RunSpec): Promise<RunResult> {
  for (const m of spec.messages) {
    if (/^\s/.test(m) || /\n(?!\s)/.test(m) || m.includes('\r')) throw new Error(`bad test message (continuation lines must start with whitespace): ${JSON.stringify(m.slice(0, 80))}`);
  }
  if ((spec.style === 'none') !== (spec.token === null)) throw new Error('token and style "none" go together');
  if (isTls(spec.transport) !== (spec.tls !== undefined)) throw new Error('the tls options go with (only) the tls transports');
  const t0 = Date.now();
  const w = mkdtempSync(join(tmpdir(), 'interop-run-'));
  try {
    switch (spec.client) {
      case 'rsyslog': await runRsyslog(spec, w); break;
      case 'syslog-ng': await runSyslogNg(spec, w); break;
      case 'logger': await runLogger(spec); break;
      case 'nc': await runNc(spec, w); break;
      case 'openssl': case 'gnutls-cli': await runTlsPipe(spec, w); break;
    }
    return { sent: spec.messages.length, elapsedMs: Date.now() - t0 };
  } finally {
    if (process.env.KEEP_INTEROP_TMP !== '1') rmSync(w, { recursive: true, force: true });
  }
}

/** Writes the input file the file-reading clients follow: all at once, or in paced chunks. */
async function feedInput(file: string, spec: RunSpec, started: Child): Promise<void> {
  const chunk = spec.chunk ?? 0;
  const text = (ms: string[]): string => ms.map((m) => `${m}\n`).join('');
  if (chunk <= 0) return;
  for (let i = 0; i < spec.messages.length; i += chunk) {
    if (!started.running()) return;
    appendFileSync(file, text(spec.messages.slice(i, i + chunk)));
    await sleep(spec.chunkDelayMs ?? 50);
  }
}

function initialInput(spec: RunSpec): string {
  return (spec.chunk ?? 0) > 0 ? '' : spec.messages.map((m) => `${m}\n`).join('');
}

const RSYSLOG_TEMPLATES: Record<Transport, { conf: string; template: string }> = {
  udp: { conf: 'rsyslog-udp.conf', template: 'RSYSLOG_TraditionalForwardFormat' },
  tcp: { conf: 'rsyslog-tcp.conf', template: 'RSYSLOG_TraditionalForwardFormat' },
  'tcp-octet': { conf: 'rsyslog-tcp-octet.conf', template: 'RSYSLOG_SyslogProtocol23Format' },
  tls: { conf: 'rsyslog-tls.conf', template: 'RSYSLOG_TraditionalForwardFormat' },
  'tls-octet': { conf: 'rsyslog-tls.conf', template: 'RSYSLOG_SyslogProtocol23Format' },
};
const RSYSLOG_TOKEN_TEMPLATES: Record<Exclude<TokenStyle, 'none'>, string> = {
  tag: 'TokenTag3164', appname: 'TokenAppName5424', cee: 'TokenCee', prefix: 'TokenPrefix',
};

async function runRsyslog(spec: RunSpec, w: string): Promise<void> {
  const bin = which('rsyslogd');
  if (!bin) throw new Error('rsyslogd not installed');
  const input = join(w, 'input.log');
  const { conf, template } = RSYSLOG_TEMPLATES[spec.transport];
  const vars: Record<string, string> = {
    HOST: spec.host, PORT: String(spec.port), INPUT: input, WORKDIR: w, HOSTNAME: CLIENT_HOSTNAME,
    TEMPLATE: spec.style === 'none' ? spec.rsyslogTemplate ?? template : RSYSLOG_TOKEN_TEMPLATES[spec.style],
    TOKEN: spec.token ?? '',
  };
  if (spec.tls) {
    const anon = spec.tls.authMode === 'anon';
    Object.assign(vars, {
      DRIVER: spec.tls.driver ?? 'gtls', AUTHMODE: spec.tls.authMode ?? 'x509/name',
      // anon / x509/certvalid with a non-empty PermittedPeers never sends (interop gotcha 3)
      PEER: anon ? '' : 'localhost',
      CAFILE: spec.tls.caFile, CERTFILE: spec.tls.certFile ?? '', KEYFILE: spec.tls.keyFile ?? '',
      FRAMING: spec.transport === 'tls' ? 'traditional' : 'octet-counted',
      ESCAPELF: spec.transport === 'tls' ? 'on' : 'off',
    });
  }
  const text = (spec.token ? render('rsyslog-token.conf', vars) + '\n' : '') + render(conf, vars);
  const confFile = join(w, 'client.conf');
  writeFileSync(confFile, text);
  const check = spawnSync(bin, ['-N1', '-f', confFile], { encoding: 'utf8', timeout: 20_000 });
  if (check.status !== 0) throw new Error(`rsyslogd -N1 rejected the config:\n${check.stdout}${check.stderr}`);
  writeFileSync(input, initialInput(spec));
  const child = startChild(bin, ['-n', '-f', confFile, '-i', join(w, 'client.pid')]);
  try {
    await feedInput(input, spec, child);
    // impstats writes "fwd: origin=core.action processed=K ..." every second
    const stats = join(w, 'stats.log');
    const processed = (): number => {
      if (!existsSync(stats)) return 0;
      const all = [...readFileSync(stats, 'utf8').matchAll(/fwd: origin=core\.action processed=(\d+)/g)];
      return all.length ? Number(all[all.length - 1][1]) : 0;
    };
    await waitUntil('rsyslog impstats processed', child, spec.timeoutMs ?? 30_000, () => processed() >= spec.messages.length);
    await sleep(300); // slack between "counted as processed" and SIGTERM
  } finally {
    await stopChild(child);
  }
}

async function runSyslogNg(spec: RunSpec, w: string): Promise<void> {
  const sng = findSyslogNg();
  if (!sng) throw new Error('syslog-ng not installed');
  const input = join(w, 'input.log');
  const conf = { udp: 'syslog-ng-udp.conf', tcp: 'syslog-ng-tcp.conf', 'tcp-octet': 'syslog-ng-syslog.conf', tls: 'syslog-ng-tls.conf', 'tls-octet': 'syslog-ng-tls.conf' }[spec.transport];
  const vars: Record<string, string> = {
    HOST: spec.host, PORT: String(spec.port), INPUT: input, HOSTNAME: CLIENT_HOSTNAME,
    IPPROTO: spec.host.includes(':') ? '6' : '4', INCLUDE: '', REWRITE: '',
  };
  if (spec.tls) {
    // cert-file("") / key-file("") would be read as files: render the client's pair or none
    if (!spec.tls.certFile || !spec.tls.keyFile) throw new Error('syslog-ng TLS template needs certFile and keyFile');
    Object.assign(vars, {
      DRIVER: spec.transport === 'tls' ? 'network' : 'syslog',
      CAFILE: spec.tls.caFile, CERTFILE: spec.tls.certFile, KEYFILE: spec.tls.keyFile,
      PEERVERIFY: spec.tls.authMode === 'anon' ? 'optional-untrusted' : 'required-trusted',
    });
  }
  if (spec.token) {
    const tokenFile = join(w, 'token.conf');
    writeFileSync(tokenFile, render('syslog-ng-token.conf', { TOKEN: spec.token, TOKEN_STYLE: spec.style }));
    vars.INCLUDE = `@include "${tokenFile}"`;
    vars.REWRITE = 'rewrite(r_token); ';
  }
  const confFile = join(w, 'client.conf');
  writeFileSync(confFile, render(conf, vars));
  writeFileSync(input, initialInput(spec));
  const ctl = join(w, 'sng.ctl');
  const child = startChild(sng.bin, [...sng.args, '-F', '--stderr', '--no-caps', '-f', confFile,
    `--persist-file=${join(w, 'sng.persist')}`, `--pidfile=${join(w, 'client.pid')}`, `--control=${ctl}`], sng.env);
  try {
    await feedInput(input, spec, child);
    // syslog-ng-ctl stats: "dst.<driver>;d_out#0;<proto>,<host>:<port>;a;written;K"
    const written = (): Promise<number> => new Promise((resolve) => {
      execFile(sng.ctl, ['stats', '-c', ctl], { env: sng.env, timeout: 5000 }, (err, stdout) => {
        if (err) return resolve(0);
        let n = 0;
        for (const line of stdout.split('\n')) {
          const f = line.split(';');
          if (f[0]?.startsWith('dst.') && f[4] === 'written') n += Number(f[5]) || 0;
        }
        resolve(n);
      });
    });
    await waitUntil('syslog-ng-ctl stats written', child, spec.timeoutMs ?? 30_000, async () => (await written()) >= spec.messages.length);
    await sleep(300);
    if (/Certificate validation failed|SSL error|error occurred while writing/.test(child.output())) {
      throw new Error(`syslog-ng reported write errors (messages may be lost):\n${child.output().slice(-2000)}`);
    }
  } finally {
    await stopChild(child);
  }
}

/** logger: one process per message (as run-client.sh); done when it exits 0. */
async function runLogger(spec: RunSpec): Promise<void> {
  const bin = findLogger();
  if (!bin) throw new Error('logger not installed');
  const transportArgs = spec.transport === 'udp' ? ['--udp'] : spec.transport === 'tcp' ? ['--tcp'] : ['--tcp', '--octet-count'];
  // RFC 5424 for octet counting (and APP-NAME tokens), RFC 3164 otherwise
  const format = spec.transport === 'tcp-octet' || spec.style === 'appname' ? '--rfc5424' : '--rfc3164';
  const tag = spec.token && (spec.style === 'tag' || spec.style === 'appname') ? spec.token : CLIENT_TAG;
  for (const m of spec.messages) {
    let msg = m;
    if (spec.token && spec.style === 'cee') msg = `@cee: ${JSON.stringify({ 'logsene-app-token': spec.token, message: m })}`;
    else if (spec.token && spec.style === 'prefix') msg = `${spec.token} ${m}`;
    // --size: logger truncates to 1 KiB by default; -P always (no 'syslog-conn' service); -- ends options
    const args = [...transportArgs, format, '--size', '65536', '-n', spec.host, '-P', String(spec.port), '-t', tag, '-p', 'user.notice', ...(spec.loggerArgs ?? []), '--', msg];
    const child = startChild(bin, args);
    const t = setTimeout(() => { if (child.running()) child.proc.kill('SIGKILL'); }, 10_000);
    const { code, signal } = await child.exited;
    clearTimeout(t);
    if (code !== 0) throw new Error(`logger exited ${code ?? signal}: ${child.output()}`);
  }
}

/** The headerless one-liners a raw pipe (nc, s_client, gnutls-cli) sends; see runNc. */
function pipeLines(spec: RunSpec): string[] {
  return spec.messages.map((m) => {
    if (m.includes('\n')) throw new Error(`${spec.client} sends physical lines: no embedded LF`);
    switch (spec.style) {
      case 'tag': case 'appname': return `${CLIENT_HOSTNAME} ${spec.token}:${m}`;
      case 'cee': return `${CLIENT_HOSTNAME} ${CLIENT_TAG}:@cee: {"logsene-app-token": "${spec.token}", "message": ${JSON.stringify(m)}}`;
      case 'prefix': return `${spec.token} ${m}`;
      case 'none': return m;
    }
  });
}

/**
 * nc is a raw pipe: no PRI, no header. Token styles build the classic one-liners of the
 * Sematext/Logentries docs: tag `HOST TOKEN:msg`, cee `HOST interop:@cee: {...}`, prefix
 * `TOKEN msg`; none: the bare message. TCP: one `nc -N` for all lines; UDP: one `nc -u -w0`
 * per line (nc sends whatever one read() returns, so one process per datagram).
 */
async function runNc(spec: RunSpec, w: string): Promise<void> {
  const bin = findNc();
  if (!bin) throw new Error('nc not installed');
  const lines = pipeLines(spec);
  const stdin = join(w, 'wire');
  // stdin is a file, not a pipe: `nc -u -w0` quits at once when its stdin is still empty
  const run = async (args: string[], input: string, timeoutMs: number): Promise<void> => {
    writeFileSync(stdin, input);
    const child = startChild(bin, args, undefined, stdin);
    const t = setTimeout(() => { if (child.running()) child.proc.kill('SIGKILL'); }, timeoutMs);
    const { code, signal } = await child.exited;
    clearTimeout(t);
    if (code !== 0) throw new Error(`nc ${args.join(' ')} exited ${code ?? signal}: ${child.output()}`);
  };
  if (spec.transport === 'tcp') {
    await run(['-N', spec.host, String(spec.port)], lines.map((l) => `${l}\n`).join(''), spec.timeoutMs ?? 30_000);
  } else if (spec.transport === 'udp') {
    for (const l of lines) await run(['-u', '-w0', spec.host, String(spec.port)], `${l}\n`, 5000);
  } else {
    throw new Error(`nc cannot do ${spec.transport}`);
  }
}


/**
 * `openssl s_client` / `gnutls-cli`: raw pipes over TLS, the nc one-liners with LF framing.
 * Both verify the receiver's certificate against the CA and the IP they connect to (the
 * generated server certificate has an IP SAN 127.0.0.1 / ::1), and both exit by themselves
 * at stdin EOF after sending everything and closing the TLS session: s_client needs
 * `-no_ign_eof` after `-quiet` (which implies `-ign_eof`: it would wait for the server
 * forever); gnutls-cli sends its close_notify at EOF. stdin is a file; done = exit 0.
 */
async function runTlsPipe(spec: RunSpec, w: string): Promise<void> {
  const r = await execTlsPipe(spec, w);
  if (r.code !== 0) throw new Error(`${r.command} exited ${r.code ?? r.signal}${r.killed ? ` (killed after ${r.timeoutMs} ms)` : ''}:\n${r.output.slice(-2000)}`);
}

export interface TlsPipeResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by us after `timeoutMs` (it did not exit by itself). */
  killed: boolean;
  timeoutMs: number;
  output: string;
}

async function execTlsPipe(spec: RunSpec, w: string): Promise<TlsPipeResult> {
  if (spec.transport !== 'tls' || !spec.tls) throw new Error(`${spec.client} sends LF-framed lines over TLS only`);
  const tls = spec.tls;
  const bin = which(spec.client);
  if (!bin) throw new Error(`${spec.client} not installed`);
  const stdin = join(w, 'wire');
  writeFileSync(stdin, pipeLines(spec).map((l) => `${l}\n`).join(''));
  const hostPort = spec.host.includes(':') ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`;
  const args = spec.client === 'openssl'
    ? ['s_client', '-connect', hostPort, '-CAfile', tls.caFile, '-verify_return_error', '-quiet', '-no_ign_eof',
      ...(tls.certFile ? ['-cert', tls.certFile, '-key', tls.keyFile ?? tls.certFile] : [])]
    : ['--x509cafile', tls.caFile, '-p', String(spec.port),
      ...(tls.certFile ? ['--x509certfile', tls.certFile, '--x509keyfile', tls.keyFile ?? tls.certFile] : []), spec.host];
  const child = startChild(bin, args, undefined, stdin);
  const timeoutMs = spec.timeoutMs ?? 30_000;
  let killed = false;
  const t = setTimeout(() => {
    if (child.running() && child.pid > 0) try { killed = true; process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  }, timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(t);
  return { command: `${spec.client} ${args.join(' ')}`, code, signal, killed, timeoutMs, output: child.output() };
}

/**
 * Runs a raw TLS pipe (s_client / gnutls-cli) that is expected to be refused (e.g. a client
 * certificate from another CA): returns how it ended instead of throwing; killed by PID
 * after `timeoutMs` if it does not exit by itself.
 */
export async function runTlsPipeExpectingFailure(spec: RunSpec, timeoutMs = 15_000): Promise<TlsPipeResult> {
  const w = mkdtempSync(join(tmpdir(), 'interop-run-'));
  try {
    return await execTlsPipe({ ...spec, timeoutMs }, w);
  } finally {
    if (process.env.KEEP_INTEROP_TMP !== '1') rmSync(w, { recursive: true, force: true });
  }
}

#!/usr/bin/env node
/**
 * `syslog-receiver` command line (DESIGN §8): start, archive, reload, certs, check-config, token new, tail, search, outputs.
 * Exit codes: 0 ok; 1 runtime error, bind error, unreadable config or usage error; 2 invalid config;
 * 3 `outputs` found an output lagging.
 */
import './heap.js';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { isMap, isSeq, parseDocument } from 'yaml';
import { DEFAULT_CONFIG_FILE, loadConfigFile, parseConfig, writeDefaultConfig } from './config/load.js';
import { ConfigError, describeListeners, type Config } from './config/schema.js';
import { ErrorCodes, ReceiverError } from './errors.js';
import { Receiver } from './receiver.js';
import { Archiver } from './archive/archiver.js';
import { createLogger } from './logger.js';
import { generateCertSet } from './certs/index.js';
import { registerStoreCommands } from './store/commands.js';
import { registerOutputsCommand } from './outputs/commands.js';

const program = new Command();
program
  .name('syslog-receiver')
  .description('Multi-tenant syslog receiver: UDP/TCP/TLS/RELP syslog and HTTP in, app-token routing, durable per-app NDJSON store, forwarding.')
  .version('0.1.0');

/** Prints an operator error and exits (2 for config problems, 1 otherwise). */
function fail(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`syslog-receiver: ${err.message}\n[${err.code}]\n`);
    process.exit(2);
  }
  if (err instanceof ReceiverError) {
    process.stderr.write(`syslog-receiver: ${err.message} [${err.code}]\n`);
    process.exit(1);
  }
  process.stderr.write(`syslog-receiver: ${(err as Error)?.stack ?? String(err)}\n[${ErrorCodes.CLI_UNEXPECTED}]\n`);
  process.exit(1);
}

program
  .command('start')
  .description(`start the receiver (first run without a config writes ${DEFAULT_CONFIG_FILE} with an app and a fresh token)`)
  .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
  .action(async (opts: { config: string }) => {
    let config: Config;
    try {
      const token = writeDefaultConfig(opts.config);
      config = loadConfigFile(opts.config);
      if (token !== null) printFirstRun(opts.config, token, config);
    } catch (err) {
      fail(err);
    }
    // signals during start-up (nothing received yet) exit at once; after it, they flush first
    let receiver: Receiver | null = null;
    let signals = 0;
    const shutdown = (sig: string): void => {
      if (receiver === null || ++signals > 1) process.exit(receiver === null ? 0 : 1);
      receiver.log.info({ signal: sig }, 'shutting down: flushing the store');
      const limit = receiver.config.shutdownTimeoutMs;
      setTimeout(() => {
        receiver?.log.error({ code: ErrorCodes.SHUTDOWN_TIMEOUT, shutdownTimeoutMs: limit }, 'shutdown did not finish in time; exiting without a complete flush');
        process.exit(1);
      }, limit).unref();
      receiver.stop().then(() => { removePidFile(config.storage.dir); process.exit(0); }, (err) => fail(err));
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => {
      if (receiver === null) return;
      receiver.log.info({ config: opts.config }, 'SIGHUP: reloading the config and TLS certificates');
      try {
        receiver.reload(loadConfigFile(opts.config));
      } catch (err) {
        const errors = err instanceof ConfigError ? err.errors : [(err as Error).message];
        receiver.log.error({ err, code: ErrorCodes.RELOAD_REFUSED, errors }, 'config reload refused; the previous config stays in force');
      }
    });
    try {
      receiver = await Receiver.start(config);
    } catch (err) {
      fail(err);
    }
    writePidFile(config.storage.dir);
    const g = receiver.generatedCerts;
    if (g?.created) {
      process.stdout.write(`Generated a TLS certificate set for ${config.listen.tls!.map((t) => `port ${t.port}`).join(', ')}.\n` +
        `CA certificate for your senders (rsyslog StreamDriver.CAFile / syslog-ng ca-file): ${g.caCert}\n` +
        `CA SHA-256 fingerprint: ${g.caFingerprint}\n`);
    }
  });

program
  .command('archive')
  .description('write the JetStream stream (storage.type: jetstream) into the per-app store under storage.dir, exactly once (a durable pull consumer: archive.durable)')
  .option('-c, --config <file>', 'config file (the one the receivers use, with storage.jetstream)', DEFAULT_CONFIG_FILE)
  .action(async (opts: { config: string }) => {
    let archiver: Archiver;
    let config: Config;
    try {
      config = loadConfigFile(opts.config, { listenersOptional: true });
      archiver = await Archiver.start(config, createLogger(config.logLevel));
    } catch (err) {
      fail(err);
    }
    let stopping = false;
    const stop = (sig: string): void => {
      if (stopping) process.exit(1);
      stopping = true;
      const limit = config.shutdownTimeoutMs;
      setTimeout(() => {
        process.stderr.write(`syslog-receiver: archive did not stop within shutdownTimeoutMs (${limit} ms) after ${sig}; exiting (the next start undoes an unfinished commit) [${ErrorCodes.SHUTDOWN_TIMEOUT}]\n`);
        process.exit(1);
      }, limit).unref();
      archiver.stop().then(() => process.exit(0), (err) => fail(err));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    archiver.failed.catch((err) => fail(err));
  });

/** Where `start` records its pid for `syslog-receiver reload`. */
const pidFile = (storageDir: string): string => join(storageDir, 'syslog-receiver.pid');

function writePidFile(storageDir: string): void {
  mkdirSync(storageDir, { recursive: true }); // with storage.type jetstream nothing else creates it
  writeFileSync(pidFile(storageDir), `${process.pid}\n`);
}

function removePidFile(storageDir: string): void {
  try {
    if (readFileSync(pidFile(storageDir), 'utf8').trim() === String(process.pid)) unlinkSync(pidFile(storageDir));
  } catch { /* already gone */ }
}

program
  .command('reload')
  .description('check the config, then signal the running receiver (pid in <storage.dir>/syslog-receiver.pid) to reload it (SIGHUP)')
  .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
  .action((opts: { config: string }) => {
    try {
      const cfg = loadConfigFile(opts.config);
      let pid: number;
      try {
        pid = Number(readFileSync(pidFile(cfg.storage.dir), 'utf8').trim());
      } catch {
        throw new ReceiverError(ErrorCodes.RELOAD_NO_PROCESS, `no running receiver: ${pidFile(cfg.storage.dir)} not found (is it started with this config?)`);
      }
      try {
        process.kill(pid, 'SIGHUP');
      } catch (e) {
        throw new ReceiverError(ErrorCodes.RELOAD_NO_PROCESS, `cannot signal receiver pid ${pid}: ${(e as Error).message} (stale ${pidFile(cfg.storage.dir)}?)`);
      }
      process.stdout.write(`sent SIGHUP to receiver pid ${pid}; it logs "config reloaded" (or why it refused)\n`);
    } catch (err) {
      fail(err);
    }
  });

function printFirstRun(path: string, token: string, config: Config): void {
  const port = config.listen.tcp?.port ?? 514;
  process.stdout.write(
    `Wrote ${path} with one app named "default", listening on ${describeListeners(config.listen).join(', ')}.\n` +
    `Its token: ${token}\n` +
    `Send a test line:\n  echo 'my-host ${token}:hello world!' | nc -N 127.0.0.1 ${port}\n` +
    `It is stored under ${config.storage.dir}/default/<YYYY-MM-DD>.ndjson\n` +
    (config.listen.web === undefined ? '' : `See it on the web page, http://${config.listen.web.address}:${config.listen.web.port}/, with a read key: syslog-receiver token new --read default\n`),
  );
}

program
  .command('certs')
  .description('write a CA, a server certificate and client certificates (PEM, signed by the CA; an existing CA in --out is reused)')
  .option('-o, --out <dir>', 'output directory', 'certs')
  .option('--host <name...>', 'server name or IP for the certificate SANs (localhost, 127.0.0.1 and ::1 are always added)', [])
  .option('--client <name...>', 'also issue a client certificate NAME.crt/NAME.key', [])
  .option('--days <n>', 'validity of the server and client certificates, days', '825')
  .action(async (opts: { out: string; host: string[]; client: string[]; days: string }) => {
    try {
      const r = await generateCertSet({ outDir: opts.out, hosts: opts.host, clients: opts.client, days: Number(opts.days) });
      const lines = [
        `${r.reusedCa ? 'reused' : 'created'} CA   ${r.caCert}  (key ${r.caKey})`,
        `CA SHA-256 fingerprint: ${r.caFingerprint}`,
        `server cert ${r.serverCert}  (key ${r.serverKey})`,
        `server SHA-256 fingerprint: ${r.serverFingerprint}`,
        ...Object.entries(r.clients).map(([n, c]) => `client ${n}: ${c.cert} (key ${c.key}) fingerprint ${c.fingerprint}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    } catch (err) {
      fail(err instanceof ReceiverError ? err : new ReceiverError(ErrorCodes.TLS_CERT, `certs: ${(err as Error).message}`));
    }
  });

program
  .command('check-config')
  .description('validate the config; prints every error with its path, exits 2 when invalid')
  .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
  .action((opts: { config: string }) => {
    try {
      const cfg = loadConfigFile(opts.config);
      process.stdout.write(`${opts.config}: OK (${cfg.apps.length} app(s); listen: ${describeListeners(cfg.listen).join(', ')})\n`);
    } catch (err) {
      fail(err);
    }
  });

const token = program.command('token').description('manage app tokens and web read keys');
token
  .command('new <app>')
  .description('add an app with a fresh random token (UUID v4 from a CSPRNG) to the config; prints the token. With --read: add a web read key to an existing app instead; prints the key')
  .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_FILE)
  .option('--read', 'make a read key for the web page and API (apps[].readKeys) of an existing app')
  .action((app: string, opts: { config: string; read?: boolean }) => {
    try {
      if (!existsSync(opts.config)) {
        throw new ReceiverError(ErrorCodes.CONFIG_READ, `config ${opts.config} not found: run \`syslog-receiver start\` once to create it, or pass --config`);
      }
      const doc = parseDocument(readFileSync(opts.config, 'utf8'));
      let apps = doc.get('apps');
      if (!isSeq(apps)) {
        doc.set('apps', doc.createNode([]));
        apps = doc.get('apps');
      }
      if (!isSeq(apps)) throw new ConfigError(['apps: is not a list'], opts.config);
      const existing = apps.items.find((i) => isMap(i) && i.get('name') === app);
      const t = randomUUID();
      if (opts.read) {
        if (!isMap(existing)) throw new ConfigError([`apps: no app named "${app}" (a read key belongs to an existing app)`], opts.config);
        const keys = existing.get('readKeys');
        if (isSeq(keys)) keys.add(t);
        else existing.set('readKeys', doc.createNode([t]));
      } else {
        if (existing !== undefined) throw new ConfigError([`apps: an app named "${app}" already exists`], opts.config);
        apps.add(doc.createNode({ name: app, token: t }));
      }
      const text = doc.toString();
      parseConfig(text, '.', opts.config); // refuse to write a config that would not load
      try {
        writeFileSync(opts.config, text);
      } catch (e) {
        throw new ReceiverError(ErrorCodes.CONFIG_WRITE, `cannot write config ${opts.config}: ${(e as Error).message}`, { cause: e });
      }
      process.stdout.write(`${t}\n`);
      process.stderr.write(opts.read
        ? `added a read key for app "${app}" to ${opts.config}; run \`syslog-receiver reload\` to use it without a restart\n`
        : `added app "${app}" to ${opts.config}; run \`syslog-receiver reload\` to use it without a restart\n`);
    } catch (err) {
      fail(err);
    }
  });

registerStoreCommands(program);
registerOutputsCommand(program, fail);

program.parseAsync(process.argv).catch(fail);

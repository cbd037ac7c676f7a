/**
 * V8 heap sizing of the receiver process (imported first by the CLI). A receiver's garbage is
 * short-lived per socket read and per batch; V8's default young generation (semi-spaces of up
 * to 16 MiB) mostly adds to the peak RSS (measured: 15–30 MB more in every bench case).
 *
 * V8 reads `--max-semi-space-size` only when the isolate is created (`v8.setFlagsFromString`
 * at run time does not shrink it), so when the flag is not on node's command line or in
 * NODE_OPTIONS, `start` re-executes itself with it: execv(2) through the `reexec` addon, same
 * PID, arguments, file descriptors and environment. Without the addon the V8 default applies.
 */
import { loadAddon } from './native.js';

/** Semi-space size of the main thread, MiB. */
export const SEMI_SPACE_MB = 2;

const FLAG = '--max-semi-space-size';
/** Set across the execv, so the new process never re-executes again. */
const REEXEC_ENV = 'SYSLOG_RECEIVER_REEXEC';

const given = (process.env.NODE_OPTIONS ?? '').includes(FLAG) || process.execArgv.some((a) => a.startsWith(FLAG));
if (process.env[REEXEC_ENV] !== undefined) delete process.env[REEXEC_ENV];
else if (!given && process.argv[2] === 'start') { // the long-running command only: tail, search, check-config … run as they are
  const addon = loadAddon<{ execv(file: string, argv: string[]): never }>('reexec', false);
  if (typeof addon !== 'string') {
    process.env[REEXEC_ENV] = '1';
    try {
      addon.execv(process.execPath, [process.execPath, ...process.execArgv, `${FLAG}=${SEMI_SPACE_MB}`, ...process.argv.slice(1)]);
    } catch {
      delete process.env[REEXEC_ENV]; // execv failed: go on in this process with V8's default
    }
  }
}

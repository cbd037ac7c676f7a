/**
 * V8 heap sizing of the receiver process, applied before anything allocates much (imported first
 * by the CLI). A receiver's garbage is short-lived per socket read and per batch; V8's default
 * young generation (semi-spaces of up to 16 MiB, per thread) mostly adds to the peak RSS.
 * An explicit `--max-semi-space-size` in NODE_OPTIONS wins.
 */
import { setFlagsFromString } from 'node:v8';

/** Semi-space size of the main thread, MiB. */
export const SEMI_SPACE_MB = 4;

if (!/--max-semi-space-size/.test(process.env.NODE_OPTIONS ?? '') && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  setFlagsFromString(`--max-semi-space-size=${SEMI_SPACE_MB}`);
}

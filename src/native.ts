/**
 * Loads the project's native addons (`native/*.c`, built into `build/Release/` by node-gyp at
 * `npm install`). An addon that is not there (no compiler at install, another platform) is a
 * reason string, never an exception: every caller has a pure-JS fallback.
 */
import { createRequire } from 'node:module';

const requireAddon = createRequire(import.meta.url);

/**
 * The addon `name` (`udp_reader`, `reexec`), or why it cannot be loaded.
 * @param linuxOnly the addon exists only on Linux
 */
export function loadAddon<T>(name: string, linuxOnly: boolean): T | string {
  if (linuxOnly && process.platform !== 'linux') return `the native ${name} addon is Linux-only (this is ${process.platform})`;
  try {
    // the same relative path from src/ (tsx) and dist/ (built)
    return requireAddon(`../build/Release/${name}.node`) as T;
  } catch (err) {
    return `the native ${name} addon is not built (${(err as Error).message.split('\n')[0]}); run npm install with python3, make and a C compiler`;
  }
}

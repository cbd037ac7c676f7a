/**
 * Temporary directories for tests. Each one is removed by its `cleanup()` (idempotent), by
 * {@link withTmpDir} when the function ends, or at the latest when the test process exits — so a
 * fixture that lives for the whole file (or a test that fails before its cleanup) leaves nothing
 * behind in the system temp directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  /** Absolute path of the (new, empty) directory. */
  readonly path: string;
  /** Removes the directory and everything in it; safe to call more than once. */
  cleanup(): void;
}

const live = new Set<string>();
let exitHookInstalled = false;

function remove(path: string): void {
  live.delete(path);
  rmSync(path, { recursive: true, force: true });
}

/** A fresh directory `<os tmpdir>/<prefix>XXXXXX`; removed by `cleanup()` or at process exit. */
export function tmpDir(prefix: string): TmpDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  live.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of [...live]) {
        try { remove(p); } catch { /* best effort at exit (e.g. a child process still writing) */ }
      }
    });
  }
  return { path, cleanup: () => remove(path) };
}

/** Runs `fn` with a fresh temp directory and always removes it afterwards (whether `fn` throws or not). */
export async function withTmpDir<T>(prefix: string, fn: (dir: string) => T | Promise<T>): Promise<T> {
  const d = tmpDir(prefix);
  try {
    return await fn(d.path);
  } finally {
    d.cleanup();
  }
}

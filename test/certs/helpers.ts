/** Shared helpers for the certificate tests: temp dirs and running openssl. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpDir } from '../helpers/tmp.js';

const execFileP = promisify(execFile);

/** A fresh temporary directory ({@link tmpDir}); remove it with `cleanup`. */
export async function tempDir(prefix = 'certs-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const { path, cleanup } = tmpDir(prefix);
  return { dir: path, cleanup: async () => cleanup() };
}

/** Runs openssl; resolves with exit code and output, never rejects on a non-zero exit. */
export async function openssl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP('openssl', args);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * Starting a `worker_threads` entry of this package: the built `.js` next to the caller, or,
 * under tsx (the tests run the TypeScript sources), the `.ts` file through tsx's loader, which
 * a plain Worker does not inherit.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The entry `name` (without extension) next to the module at `base` (`import.meta.url`).
 * @returns a URL to `name.ts` when `base` is a `.ts` file, else to `name.js`
 */
export function threadEntry(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/** Starts `entry` (from {@link threadEntry}) as a worker thread with `options`. */
export function startThread(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

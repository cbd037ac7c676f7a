/** Bounded waiting for tests: a poll that always ends, and a plain sleep. */

export interface WaitOptions {
  /** Give up after this long, ms (default 5000). */
  timeoutMs?: number;
  /** Pause between two checks, ms (default 20). */
  intervalMs?: number;
  /** What is awaited, for the timeout error: "timed out after … ms waiting for <what>". */
  what?: string;
  /**
   * On timeout: `'throw'` (default) an Error naming `what`, or `'return'` the last (falsy) value,
   * for callers whose own assertions afterwards say what went wrong.
   */
  onTimeout?: 'throw' | 'return';
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Checks `cond` (sync or async) until it returns a truthy value, which it resolves with; checks
 * once more than it sleeps, and never waits longer than about `timeoutMs` (+ one check).
 */
export async function waitFor<T>(cond: () => T | Promise<T>, opts: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 5000, intervalMs = 20, what = 'condition', onTimeout = 'throw' } = opts;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) {
      if (onTimeout === 'return') return v;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${typeof v === 'boolean' ? '' : ` (last value: ${String(v)})`}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * What a config reload cannot apply (DESIGN §8 live reload): listener, storage, `pipeline` (the
 * worker threads), `outputs` and certsDir changes need a restart; everything else (apps, tokens, sources,
 * certificates, quotas, `auth`, `limits`, `logLevel`) takes effect for the next message.
 */
import { isDeepStrictEqual } from 'node:util';
import { LISTEN_KEYS, type Config } from './schema.js';

/**
 * The config paths that differ between `prev` and `next` but need a restart, e.g.
 * `['listen.tcp', 'storage']`; empty when the reload can apply everything.
 */
export function restartNeeded(prev: Config, next: Config): string[] {
  const out: string[] = [];
  for (const k of LISTEN_KEYS) if (!isDeepStrictEqual(prev.listen[k], next.listen[k])) out.push(`listen.${k}`);
  if (!isDeepStrictEqual(prev.storage, next.storage)) out.push('storage');
  if (prev.certsDir !== next.certsDir) out.push('certsDir');
  if (!isDeepStrictEqual(prev.pipeline, next.pipeline)) out.push('pipeline');
  if (!isDeepStrictEqual(prev.outputs, next.outputs)) out.push('outputs');
  return out;
}

/**
 * The page's files: `dist/public/` (built by scripts/build-web.mjs during `npm install` /
 * `npm run build`), served as they are with their content type; `index.html` for `/`. Nothing
 * outside that folder is reachable (only names from the folder's listing are served).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** One file to serve. */
export interface Asset {
  body: Buffer;
  type: string;
  /** `index.html` is revalidated on every load; the rest may be cached briefly. */
  cacheControl: string;
}

/**
 * The built page: from `dist/public/` next to the built code, or, under tsx (tests run the
 * sources), the repository's `dist/public/`.
 */
export function publicDir(): string {
  const base = import.meta.url;
  return fileURLToPath(new URL(base.endsWith('.ts') ? '../../dist/public/' : '../public/', base));
}

/**
 * Loads every file of `dir` into memory (the page is small: tens of KiB).
 * @returns URL path (`/`, `/assets/app.js`) → asset; empty when the page was not built
 */
export function loadAssets(dir: string = publicDir()): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (d: string): void => {
    let names: string[];
    try { names = readdirSync(d); } catch { return; }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      const url = '/' + relative(dir, p).split(sep).join('/');
      const asset = { body: readFileSync(p), type: TYPES[extname(n)] ?? 'application/octet-stream', cacheControl: url === '/index.html' ? 'no-cache' : 'public, max-age=300' };
      out.set(url, asset);
      if (url === '/index.html') out.set('/', asset);
    }
  };
  walk(dir);
  return out;
}

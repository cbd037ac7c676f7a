#!/usr/bin/env node
// Builds the web page (web/) into dist/public/: index.html, assets/app.js and assets/app.css
// (uPlot's CSS included), bundled and minified by esbuild; nothing is loaded from a CDN. Run by
// `npm run build` (and so by `npm install` / `npm ci` through `prepare`).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/public`;
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });
await build({
  entryPoints: { app: `${root}web/src/main.ts` },
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  outdir: `${out}/assets`,
  logLevel: 'warning',
  legalComments: 'linked',
});
copyFileSync(`${root}web/index.html`, `${out}/index.html`);
console.log('web page built: dist/public/');

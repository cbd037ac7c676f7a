#!/usr/bin/env node
// cpuprofile-top.mjs FILE.cpuprofile [TOP=10] — self time per function (and per source file) of a V8 CPU profile
// written by `node --cpu-prof`. "busy %" is the share of the time the main thread was not idle.
import fs from 'node:fs';

const [file, topStr = '10'] = process.argv.slice(2);
if (!file) { console.error('usage: cpuprofile-top.mjs FILE.cpuprofile [TOP]'); process.exit(2); }
const top = Number(topStr);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map(); // node id -> µs
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const short = (url) => url.replace(/^file:\/\/.*?\/dist\//, 'dist/').replace(/^file:\/\/.*\/node_modules\//, 'node_modules/');
const fns = new Map(), urls = new Map();
let total = 0, idle = 0;
for (const [id, us] of selfUs) {
  const cf = byId.get(id).callFrame;
  total += us;
  if (cf.functionName === '(idle)') idle += us;
  const name = cf.functionName || '(anonymous)';
  const where = cf.url ? `${short(cf.url)}:${cf.lineNumber + 1}` : '';
  const key = `${name}\t${where}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const u = cf.url ? short(cf.url) : name.startsWith('(') ? name : '(native/builtin)';
  urls.set(u, (urls.get(u) ?? 0) + us);
}
const busy = total - idle;
const pct = (us, of) => (of > 0 ? ((100 * us) / of).toFixed(1) : '0.0');
console.log(`profile ${file}: ${(total / 1e6).toFixed(2)} s sampled, main thread busy ${(busy / 1e6).toFixed(2)} s (${pct(busy, total)} %)`);
console.log(`\ntop ${top} functions by self time\n  self ms  busy %  function  (location)`);
for (const [key, us] of [...fns].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  const [name, where] = key.split('\t');
  console.log(`${(us / 1000).toFixed(0).padStart(9)}  ${pct(us, busy).padStart(6)}  ${name}${where ? `  (${where})` : ''}`);
}
console.log(`\nself time by source file\n  self ms  busy %  file`);
for (const [u, us] of [...urls].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(us / 1000).toFixed(0).padStart(9)}  ${pct(us, busy).padStart(6)}  ${u}`);
}

#!/usr/bin/env node
// waitrecords.mjs PATH N [STALL_S] [TIMEOUT_S] — waits until PATH holds N records (lines), polling every 20 ms
// and reading only newly appended bytes. PATH is a file (rsyslog's output) or a directory whose *.ndjson files
// are all counted (our store: <dir>/<app>/<YYYY-MM-DD>.ndjson — a run that crosses UTC midnight spans two files).
// Gives up when no record arrived for STALL_S seconds (default 30; counted from the start until the first
// record) or after TIMEOUT_S (default 1800).
// Prints "RECORDS LAST_MS STATUS": LAST_MS = epoch ms of the poll that saw the last growth (20 ms resolution),
// STATUS = ok | stalled | timeout. Exit code 0 for ok, 3 otherwise.
import fs from 'node:fs';
import path from 'node:path';

const [target, nStr, stallStr = '30', timeoutStr = '1800'] = process.argv.slice(2);
if (!target || !nStr) { console.error('usage: waitrecords.mjs PATH N [STALL_S] [TIMEOUT_S]'); process.exit(2); }
const n = Number(nStr), stallMs = Number(stallStr) * 1000, started = Date.now();
const deadline = started + Number(timeoutStr) * 1000;
const buf = Buffer.allocUnsafe(4 << 20);
const files = new Map(); // path -> { fd, pos }
let records = 0, lastGrowth = 0;

function candidates() {
  let st;
  try { st = fs.statSync(target); } catch { return []; }
  if (!st.isDirectory()) return [target];
  return fs.readdirSync(target).filter((f) => f.endsWith('.ndjson')).map((f) => path.join(target, f));
}

function poll() {
  const now = Date.now();
  for (const p of candidates()) {
    let f = files.get(p);
    if (!f) { try { f = { fd: fs.openSync(p, 'r'), pos: 0 }; files.set(p, f); } catch { continue; } }
    let got;
    while ((got = fs.readSync(f.fd, buf, 0, buf.length, f.pos)) > 0) {
      f.pos += got;
      const view = buf.subarray(0, got);
      for (let i = view.indexOf(10); i !== -1; i = view.indexOf(10, i + 1)) records++;
      lastGrowth = now;
    }
  }
  let status = null;
  if (records >= n) status = 'ok';
  else if (now - (lastGrowth || started) > stallMs) status = 'stalled';
  else if (now > deadline) status = 'timeout';
  if (status) {
    console.log(`${records} ${lastGrowth} ${status}`);
    process.exit(status === 'ok' ? 0 : 3);
  }
  setTimeout(poll, 20);
}
poll();

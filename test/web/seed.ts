/**
 * A seeded store for the web API tests: day files written for the two days before today, in the
 * receiver's record layout and key order (so the fast field paths are exercised), with receipt
 * times spread over each day and now and then out of file order, structured data, CEE keys,
 * null hostnames, non-ASCII, quotes and backslashes; plus live lines the test sends over TCP.
 * And the brute-force oracle: every stored line of an app with its day, offset and parsed record.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DAY_MS = 86_400_000;
const HOSTS = ['web-1', 'web-2', 'db-1', 'edge.example.org', null];
const PROGRAMS = ['nginx', 'sshd', 'postgres', 'CRON', null];
const WORDS = ['timeout', 'refused', 'connection reset by peer', 'Müller logged in', 'say "hi"', 'back\\slash', 'ok', 'GET /index.html', 'TimeOut upstream', 'disk full'];

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `perDay` records per app for the `days` days before today; returns the day names. */
export function seedStore(storeDir: string, apps: string[], perDay: number, days = 2, seed = 7): string[] {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const names: string[] = [];
  for (let d = days; d >= 1; d--) {
    const start = today - d * DAY_MS;
    const day = new Date(start).toISOString().slice(0, 10);
    names.push(day);
    for (const app of apps) {
      mkdirSync(join(storeDir, app), { recursive: true });
      const lines: string[] = [];
      for (let i = 0; i < perDay; i++) {
        let t = start + Math.floor((i / perDay) * DAY_MS);
        if (rnd() < 0.05) t = Math.max(start, t - Math.floor(rnd() * 90_000)); // out of file order, up to 90 s back
        const iso = new Date(t).toISOString();
        const sev = Math.floor(rnd() * 8);
        const withSd = rnd() < 0.1;
        const rec: Record<string, unknown> = {
          '@timestamp': new Date(t - 1500).toISOString(), receivedAt: iso, app,
          facility: pick([1, 3, 16, 16, 23]), severity: sev, hostname: pick(HOSTS), appName: pick(PROGRAMS),
          procId: rnd() < 0.5 ? String(100 + Math.floor(rnd() * 50)) : null, msgId: rnd() < 0.2 ? pick(['ID47', 'ID48']) : null,
          structuredData: withSd ? { origin: { ip: pick(['10.0.0.1', '10.0.0.2']) }, 'meta@32473': { message: 'sd timeout' } } : null,
          message: rnd() < 0.03 ? null : `${pick(WORDS)} #${i} ${pick(WORDS)}`,
          source: { address: pick(['10.1.1.1', '10.1.1.2']), port: 514, transport: 'tcp' },
          syslog: { format: 'rfc3164', tokenSource: 'tag' },
        };
        if (rnd() < 0.1) { rec.user = pick(['ann', 'bob', 'Ann']); rec.durationMs = pick([250, 251, 1000]); }
        lines.push(JSON.stringify(rec));
      }
      writeFileSync(join(storeDir, app, `${day}.ndjson`), lines.join('\n') + '\n');
    }
  }
  return names;
}

/** Live syslog lines for an app (RFC 3164, the token inline), in the seeded vocabulary. */
export function liveLines(token: string, n: number, seed = 11): string[] {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const pri = pick([16, 17, 1, 3]) * 8 + Math.floor(rnd() * 8);
    const host = pick(['web-1', 'web-2', 'db-1']);
    const prog = pick(['nginx', 'sshd', 'postgres']);
    out.push(`<${pri}>Dec  2 10:00:00 ${host} ${prog}[${i}]: ${token} ${pick(WORDS)} live#${i} ${pick(WORDS)}\n`);
  }
  return out;
}

/** One stored line as the oracle sees it. */
export interface OracleLine {
  /** The API's id: `<YYYYMMDD>-<offset>`. */
  id: string;
  text: string;
  record: Record<string, any>;  
  receivedMs: number;
}

/** Every stored line of `app`, in store order (oldest day first, file order). */
export function scanStore(storeDir: string, app: string): OracleLine[] {
  const out: OracleLine[] = [];
  let files: string[];
  try { files = readdirSync(join(storeDir, app)).filter((f) => /^\d{4}-\d{2}-\d{2}\.ndjson$/.test(f)).sort(); } catch { return out; }
  for (const f of files) {
    const bytes = readFileSync(join(storeDir, app, f));
    const day = f.slice(0, 10).replace(/-/g, '');
    let start = 0;
    for (let lf = bytes.indexOf(10); lf !== -1; start = lf + 1, lf = bytes.indexOf(10, start)) {
      const text = bytes.toString('utf8', start, lf);
      const record = JSON.parse(text) as Record<string, unknown>;
      out.push({ id: `${day}-${start}`, text, record, receivedMs: Date.parse(record.receivedAt as string) });
    }
  }
  return out;
}

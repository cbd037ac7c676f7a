/**
 * The file store's layout (DESIGN §7), in one place for its writer (sinks/file.ts), retention
 * (sinks/retention.ts) and its readers (store/reader.ts, tail/search):
 * `<storeDir>/<app>/<YYYY-MM-DD>.ndjson`, one file per app and UTC day of receipt
 * (`receivedAt`), one JSON record per LF-terminated line.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One UTC day, ms. */
export const DAY_MS = 86_400_000;

const DAY_FILE = /^(\d{4})-(\d{2})-(\d{2})\.ndjson$/;

/** The directory of one app's day files. */
export function appDir(storeDir: string, app: string): string {
  return join(storeDir, app);
}

/** File name of the day `day` (`YYYY-MM-DD`): `YYYY-MM-DD.ndjson`. */
export function dayFileName(day: string): string {
  return `${day}.ndjson`;
}

/** Path of `app`'s file for `day` (`YYYY-MM-DD`). */
export function dayFilePath(storeDir: string, app: string, day: string): string {
  return join(storeDir, app, dayFileName(day));
}

/** The UTC day (`YYYY-MM-DD`) of the day number `dayNumber` (days since 1970-01-01). */
export function dayString(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 (UTC) of the instant `ms` (epoch ms). */
export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * The day a file name stands for.
 * @returns `YYYY-MM-DD`, or null when `name` is not a day file (other names are ignored)
 */
export function parseDayFileName(name: string): string | null {
  const m = DAY_FILE.exec(name);
  return m === null ? null : `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * Epoch ms of 00:00 UTC of the day a file name stands for.
 * @returns NaN when `name` is not `YYYY-MM-DD.ndjson`
 */
export function dayFileStartMs(name: string): number {
  const m = DAY_FILE.exec(name);
  return m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** One day file of the store. */
export interface DayFile {
  app: string;
  /** `YYYY-MM-DD` */
  day: string;
  path: string;
  bytes: number;
}


/**
 * Every `<dir>/<app>/<YYYY-MM-DD>.ndjson` with its size, oldest day first (then by app).
 * Unreadable directories are skipped; a missing store gives an empty list.
 */
export async function listDayFiles(dir: string): Promise<DayFile[]> {
  const out: DayFile[] = [];
  let apps: string[];
  try { apps = await readdir(dir); } catch { return out; }
  for (const app of apps) {
    let names: string[];
    try { names = await readdir(appDir(dir, app)); } catch { continue; } // not a directory
    for (const n of names) {
      const day = parseDayFileName(n);
      if (day === null) continue;
      const path = dayFilePath(dir, app, day);
      try { out.push({ app, day, path, bytes: (await stat(path)).size }); } catch { /* deleted meanwhile */ }
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.app < b.app ? -1 : 1));
}

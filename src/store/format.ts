/**
 * Human-readable rendering of stored lines for `tail` and `search`: one record = one output line,
 * `TIME HOST APP SEVERITY MESSAGE`. (`--json` bypasses this and prints the stored line as is.)
 */
import type { SyslogRecord } from '../record.js';
import { SEVERITY_NAMES } from './filter.js';

/** ANSI SGR colour per severity (emerg … debug). */
const SEVERITY_SGR = ['1;97;41', '1;31', '1;31', '31', '33', '36', '', '2'] as const;
const RESET = '\x1b[0m';
const SEV_WIDTH = 7; // "warning"

/**
 * Escapes what could break the one-line-per-record layout or drive the terminal: C0 controls
 * (LF → `\n`, CR → `\r`, TAB → `\t`, others → `\xHH`), DEL and C1 controls (`\xHH`), and the
 * Unicode line/paragraph separators and bidirectional overrides (`\u202E` …). Backslashes are
 * left as they are, so a literal `\n` in a message and an escaped LF look alike; use `--json`
 * when that matters.
 */
export function escapeControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    switch (c) {
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: {
        const code = c.charCodeAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      }
    }
  });
}

/** The name of severity `n` (`emerg` … `debug`), or the number itself when out of range. */
export function severityName(n: unknown): string {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 7 ? SEVERITY_NAMES[n] : String(n);
}

/**
 * Formats one stored line as `TIME HOST APP SEVERITY MESSAGE` (single spaces; SEVERITY padded to
 * 7 characters so messages line up), with no trailing LF.
 *
 * - TIME: the record's `@timestamp` as stored (ISO 8601 UTC).
 * - HOST: `hostname`, else `source.address`, else `-`.
 * - APP: `appName`, else `-`.
 * - SEVERITY: its name (`emerg` … `debug`), wrapped in ANSI colour codes when `color` is true.
 * - MESSAGE: `message`, else `-`.
 * Every field is passed through {@link escapeControl}. A line that is not a JSON record
 * (`record` null) is rendered as `? ? ? ? <raw line>`.
 *
 * @param color true only when the output is a terminal
 */
export function formatLine(record: SyslogRecord | null, raw: string, color: boolean): string {
  if (record === null) return `? ? ? ? ${escapeControl(raw)}`;
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const time = str(record['@timestamp']) ?? '-';
  const host = str(record.hostname) ?? str(record.source?.address) ?? '-';
  const app = str(record.appName) ?? '-';
  const name = severityName(record.severity);
  const pad = ' '.repeat(Math.max(0, SEV_WIDTH - name.length));
  const sgr = typeof record.severity === 'number' ? SEVERITY_SGR[record.severity] : undefined;
  const sev = color && sgr ? `\x1b[${sgr}m${name}${RESET}` : name;
  const msg = typeof record.message === 'string' ? record.message : '-';
  return `${escapeControl(time)} ${escapeControl(host)} ${escapeControl(app)} ${sev}${pad} ${escapeControl(msg)}`;
}

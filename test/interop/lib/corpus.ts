/**
 * The messages an interop variant sends: N logical messages, each carrying a unique
 * `seq=NNNNNN` so every stored record can be matched to exactly one sent message.
 * Mix: ASCII with quotes/backslash/percent/braces, non-ASCII UTF-8 (2, 3 and 4 byte
 * sequences), plain lines, an unknown UUID that must stay in the message, one message of
 * exactly 3000 bytes, and (when the transport keeps it) one message with an embedded LF.
 */
import { randomUUID } from 'node:crypto';

export const LONG_BYTES = 3000;

export interface SentMessage {
  seq: number;
  kind: 'ascii' | 'utf8' | 'plain' | 'uuid' | 'long' | 'multiline';
  /** What the client is given (an input-file message: continuation lines start with whitespace). */
  text: string;
}

export interface CorpusOptions {
  /** Short label put into every message (helps reading a failing diff). */
  label: string;
  count?: number;
  /** Include one message with an embedded LF (only where the client/transport can carry it). */
  embeddedLf: boolean;
}

/** A UUID that is not any app's token: DESIGN §6 says it stays in the message untouched. */
export const UNKNOWN_UUID = randomUUID();

const UTF8 = 'grüße naïve café Ελληνικά 日本語 emoji 🙂 ünïcödé ✓';
const ASCII = 'ascii "double" \'single\' back\\slash 100% percent {curly} [square] <angle> a=b;c|d & $HOME `tick` #hash';

export const seqLabel = (seq: number): string => `seq=${String(seq).padStart(6, '0')}`;
const SEQ_RE = /seq=(\d{6})/;

/** The seq number inside a stored message, or null. */
export function seqOf(message: unknown): number | null {
  if (typeof message !== 'string') return null;
  const m = SEQ_RE.exec(message);
  return m ? Number(m[1]) : null;
}

export function makeCorpus(o: CorpusOptions): SentMessage[] {
  const n = o.count ?? 300;
  const longAt = Math.floor(n / 2);
  const lfAt = Math.floor((n * 2) / 3);
  const out: SentMessage[] = [];
  for (let seq = 0; seq < n; seq++) {
    const head = `ix-${o.label} ${seqLabel(seq)}`;
    if (seq === longAt) {
      out.push({ seq, kind: 'long', text: longMessage(head) });
    } else if (seq === lfAt && o.embeddedLf) {
      out.push({ seq, kind: 'multiline', text: `${head} multi-line first part\n  continued: second part ünïcode 🙂` });
    } else {
      switch (seq % 4) {
        case 0: out.push({ seq, kind: 'ascii', text: `${head} ${ASCII}` }); break;
        case 1: out.push({ seq, kind: 'utf8', text: `${head} ${UTF8}` }); break;
        case 2: out.push({ seq, kind: 'plain', text: `${head} plain message number ${seq}` }); break;
        default: out.push({ seq, kind: 'uuid', text: `${head} request ${UNKNOWN_UUID} done` }); break;
      }
    }
  }
  return out;
}

/** `head` + UTF-8 + ASCII filler, exactly LONG_BYTES bytes of UTF-8, ending in `END`. */
function longMessage(head: string): string {
  const start = `${head} long ü€🙂 `;
  const fill = LONG_BYTES - Buffer.byteLength(start) - 3;
  let filler = '';
  while (filler.length < fill) filler += '0123456789abcdefghijklmnopqrstuvwxyz';
  const s = `${start}${filler.slice(0, fill)}END`;
  if (Buffer.byteLength(s) !== LONG_BYTES) throw new Error('long message size');
  return s;
}

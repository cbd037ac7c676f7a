/**
 * Record stage: `writeRecord` (src/record-json.ts) of a parsed, authorized message into a reused
 * 256 KiB Buffer, ns per record — i.e. everything between "authorized" and "NDJSON line bytes in
 * the batcher's chunk" (the fixed fields, CEE merge, escaping, UTF-8 encoding, SD from the frame's
 * bytes). Lines are written back to back; when the buffer is full writing starts over at 0, as
 * the batcher moves to its next chunk (that -1 call is timed too: ~1 in 500).
 *
 * Inputs are {@link DISTINCT} already parsed and authorized messages (untimed setup): RFC 3164
 * lines (13 fixed fields), `@cee:` lines (8 JSON keys merged, incl. a nested object and an
 * array) and RFC 5424 lines with two SD elements (the SD JSON is written from the frame bytes,
 * which is where its unescaping now happens, not in the parser). The receive time advances 1 ms
 * every 20 messages (~50k msg/s) and the event time 1 s every 100 messages, so the ISO caches hit
 * as often as they would under steady load; messages come from 64 connections, so the
 * per-FrameSource `source` bytes are cached, as in production.
 */
import { parseMessage, type ParsedMessage } from '../../../src/parse/index.js';
import type { FrameSource, TokenSource } from '../../../src/record.js';
import { writeRecord } from '../../../src/record-json.js';
import { BATCH, DISTINCT, NOW_MS, lines, pick, prng, type Kind } from '../corpus.js';
import { expect, sink, type Stage, type StageRun } from '../stage.js';
import { APPS, frameSource } from './auth.js';

/** The batcher's chunk size (src/sinks/batch.ts). */
const CHUNK = 256 * 1024;

function recordStage(kind: Kind, label: string, tokenSource: TokenSource, describe: string): Stage {
  const name = `record/${label}`;
  return {
    name,
    msgsPerCall: BATCH,
    describe,
    setup(): StageRun {
      const rnd = prng(0x7ec0);
      const conns = Array.from({ length: 64 }, (_, k) => frameSource(`192.0.2.${1 + k}`, 40000 + k));
      const msgs: ParsedMessage[] = [];
      const sources: FrameSource[] = [];
      const appOf: string[] = [];
      for (const line of lines(kind, DISTINCT)) {
        const b = Buffer.from(line); // each message keeps its frame: its SD span points into it
        msgs.push(parseMessage(b, 0, b.length, NOW_MS));
        sources.push(conns[pick(rnd, conns.length)]);
        appOf.push(`app-${String(pick(rnd, APPS)).padStart(3, '0')}`);
      }
      const counters = { ceeKeysDropped: 0 };
      const out = Buffer.alloc(CHUNK);
      let pos = 0;
      let at = 0;
      let seq = 0;
      /** Writes record k at `pos` (starting over at 0 when full); returns its byte length. */
      const one = (k: number, receivedAtMs: number): number => {
        const start = pos;
        let e = writeRecord(out, pos, msgs[k], appOf[k], tokenSource, sources[k], receivedAtMs, false, counters);
        if (e < 0) {
          pos = 0;
          e = writeRecord(out, 0, msgs[k], appOf[k], tokenSource, sources[k], receivedAtMs, false, counters);
          pos = e;
          return e;
        }
        pos = e;
        return e - start;
      };
      return {
        fn() {
          let n = 0;
          const stop = at + BATCH;
          for (let k = at; k < stop; k++) {
            n += one(k, NOW_MS + Math.floor(seq++ / 20));
          }
          at = stop === DISTINCT ? 0 : stop;
          sink.n += n;
        },
        verify() {
          for (let k = 0; k < BATCH; k++) {
            const len = one(k, NOW_MS);
            const last = out.toString('utf8', pos - len, pos);
            const o = JSON.parse(last) as Record<string, unknown>;
            expect(o.app === appOf[k] && typeof o['@timestamp'] === 'string', name, `record ${k}: ${last}`);
            expect(last.endsWith('}\n') && last.indexOf('\n') === last.length - 1, name, `record ${k} is not one line ending in }\\n`);
            if (kind === 'cee') expect(o.svc === 'checkout' && typeof o.user === 'object', name, `record ${k}: CEE keys not merged: ${last}`);
            else if (kind === '5424') {
              const sd = o.structuredData as Record<string, Record<string, string>> | null;
              expect(sd?.['meta@32473']?.seq !== undefined && sd['req@32473']?.status === '200', name, `record ${k}: SD missing: ${last}`);
            } else expect(typeof o.message === 'string' && o.hostname === 'localhost', name, `record ${k}: ${last}`);
          }
        },
      };
    },
  };
}

export const stages: Stage[] = [
  recordStage('3164', 'rfc3164', 'ip', 'record of an RFC 3164 line (13 fixed fields) -> NDJSON bytes, ~500 B'),
  recordStage('cee', 'cee', 'cee', 'record of an `@cee:` line (+8 merged keys, nested) -> NDJSON bytes, ~500 B'),
  recordStage('5424', 'rfc5424-sd', 'app-name', 'record of an RFC 5424 line with 2 SD elements (SD JSON from the frame bytes) -> NDJSON bytes'),
];

/**
 * Record stage: `createRecord` (src/record.ts) + filling it from the parsed message + (for CEE)
 * merging the JSON keys at top level + `recordLine` (src/record-json.ts), ns per record — i.e.
 * everything between "authorized" and "NDJSON line handed to the batcher".
 *
 * Inputs are {@link DISTINCT} already parsed and authorized messages (untimed setup): RFC 3164
 * lines (record with 13 fixed fields) and `@cee:` lines (8 JSON keys merged, incl. a nested
 * object and an array, which `recordLine` serializes with JSON.stringify). The receive time
 * advances 1 ms every 20 messages (~50k msg/s) and the event time 1 s every 100 messages, so
 * createRecord's ISO caches hit as often as they would under steady load; messages come from
 * 64 connections, so `recordLine`'s per-FrameSource `source` JSON cache is warm, as in production.
 *
 * The fill and CEE merge are the pipeline's own `buildRecord` (src/pipeline/build-record.ts).
 */
import { parseMessage, type ParsedMessage } from '../../../src/parse/index.js';
import { buildRecord } from '../../../src/pipeline/build-record.js';
import type { FrameSource, TokenSource } from '../../../src/record.js';
import { recordLine } from '../../../src/record-json.js';
import { BATCH, DISTINCT, NOW_MS, lines, pick, prng, type Kind } from '../corpus.js';
import { expect, sink, type Stage, type StageRun } from '../stage.js';
import { APPS, frameSource } from './auth.js';

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
        const b = Buffer.from(line);
        msgs.push(parseMessage(b, 0, b.length, NOW_MS));
        sources.push(conns[pick(rnd, conns.length)]);
        appOf.push(`app-${String(pick(rnd, APPS)).padStart(3, '0')}`);
      }
      const counters = { ceeKeysDropped: 0 };
      let at = 0;
      let seq = 0;
      let last = '';
      const one = (k: number, receivedAtMs: number): string => {
        const pm = msgs[k];
        const source = sources[k];
        const rec = buildRecord(pm, appOf[k], tokenSource, source.record, receivedAtMs, false, counters);
        return recordLine(rec, source, pm.cee !== null);
      };
      return {
        fn() {
          let n = 0;
          const stop = at + BATCH;
          for (let k = at; k < stop; k++) {
            n += one(k, NOW_MS + Math.floor(seq++ / 20)).length;
          }
          at = stop === DISTINCT ? 0 : stop;
          sink.n += n;
        },
        verify() {
          for (let k = 0; k < BATCH; k++) {
            last = one(k, NOW_MS);
            const o = JSON.parse(last) as Record<string, unknown>;
            expect(o.app === appOf[k] && typeof o['@timestamp'] === 'string', name, `record ${k}: ${last}`);
            expect(last.endsWith('}\n'), name, `record ${k} does not end with }\\n`);
            if (kind === 'cee') expect(o.svc === 'checkout' && typeof o.user === 'object', name, `record ${k}: CEE keys not merged: ${last}`);
            else expect(typeof o.message === 'string' && o.hostname === 'localhost', name, `record ${k}: ${last}`);
          }
        },
      };
    },
  };
}

export const stages: Stage[] = [
  recordStage('3164', 'rfc3164', 'ip', 'record of an RFC 3164 line (13 fixed fields) -> NDJSON line, ~500 B'),
  recordStage('cee', 'cee', 'cee', 'record of an `@cee:` line (+8 merged keys, nested) -> NDJSON line, ~500 B'),
];

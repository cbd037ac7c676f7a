/**
 * Parsing stage: `parseMessage` (src/parse/index.ts) on one de-framed syslog line, ns per line.
 *
 * Three corpora of {@link DISTINCT} mkcorpus-shaped lines each: RFC 3164 (loggen's line),
 * RFC 5424 with two SD elements (the SD grammar is checked and its byte range kept; unescaping
 * happens when the record is written, see record.ts), µs timestamps, and RFC 3164 with an
 * `@cee:` JSON payload (JSON.parse through fast-json-parse). The lines lie back to back in one
 * Buffer, as frames lie in a socket chunk, and are parsed by byte range; one timed call parses
 * the next {@link BATCH} lines. Covers PRI, header, timestamp, SD, MSG decoding and CEE; not
 * framing, authorization or records.
 */
import { parseMessage } from '../../../src/parse/index.js';
import { BATCH, DISTINCT, NOW_MS, lines, pack, type Kind } from '../corpus.js';
import { expect, sink, type Stage, type StageRun } from '../stage.js';

function parseStage(kind: Kind, label: string, describe: string): Stage {
  const name = `parse/${label}`;
  return {
    name,
    msgsPerCall: BATCH,
    describe,
    setup(): StageRun {
      const { buf, start, end } = pack(lines(kind, DISTINCT));
      let at = 0;
      let formats: string[] = [];
      let withCee = 0;
      let withSd = 0;
      let withTime = 0;
      return {
        fn() {
          let n = 0;
          const stop = at + BATCH;
          for (let k = at; k < stop; k++) {
            const pm = parseMessage(buf, start[k], end[k], NOW_MS);
            n += pm.facility;
          }
          at = stop === DISTINCT ? 0 : stop;
          sink.n += n;
        },
        verify() {
          formats = [];
          for (let k = 0; k < BATCH; k++) {
            const pm = parseMessage(buf, start[k], end[k], NOW_MS);
            formats.push(pm.format);
            if (pm.cee !== null) withCee++;
            if (pm.structuredData !== null) withSd++;
            if (pm.timestampMs !== null) withTime++;
          }
          const want = kind === '5424' ? 'rfc5424' : 'rfc3164';
          const bad = formats.filter((f) => f !== want).length;
          expect(bad === 0, name, `${bad} of ${BATCH} lines not parsed as ${want}`);
          expect(withTime === BATCH, name, `${BATCH - withTime} lines without a timestamp`);
          if (kind === 'cee') expect(withCee === BATCH, name, `${BATCH - withCee} lines without CEE`);
          if (kind === '5424') expect(withSd === BATCH, name, `${BATCH - withSd} lines without SD`);
        },
      };
    },
  };
}

export const stages: Stage[] = [
  parseStage('3164', 'rfc3164', 'RFC 3164 line, loggen shape, 199 B'),
  parseStage('5424', 'rfc5424-sd', 'RFC 5424 line, 2 SD elements (5 params), µs timestamp, ~234 B'),
  parseStage('cee', 'cee-json', 'RFC 3164 header + `@cee:` JSON (8 keys, nested object, array), ~207 B'),
];

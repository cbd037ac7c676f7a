/**
 * Framing stage: `StreamFramer.push` (src/framing/detect.ts, RFC 6587 auto-detection) over a
 * chunked TCP-like byte stream, ns per frame found.
 *
 * The stream is {@link DISTINCT} mkcorpus-shaped messages (3164 / 5424 / cee mixed, seeded),
 * framed either non-transparently (`MSG\n`) or octet-counted (`LEN MSG`), cut into segments of
 * exactly {@link BATCH} frames, each split into chunks of 1–64 KiB (log-uniform) so frames
 * regularly straddle chunks. One timed call pushes one segment's chunks into one long-lived
 * framer (one connection); the frame handler only counts frames and bytes, so the figure is
 * the framer alone (no parsing).
 */
import { StreamFramer } from '../../../src/framing/detect.js';
import { DEFAULT_LIMITS } from '../../../src/config/schema.js';
import { BATCH, DISTINCT, chunk, frameOf, lineOf, pick, prng, type Framing, type Kind } from '../corpus.js';
import { expect, sink, type Stage, type StageRun } from '../stage.js';

const KINDS: readonly Kind[] = ['3164', '5424', 'cee'];

function framingStage(framing: Framing): Stage {
  const name = `framing/${framing}`;
  return {
    name,
    msgsPerCall: BATCH,
    describe: framing === 'lf'
      ? 'non-transparent `MSG\\n` frames (3164/5424/cee mix, ~213 B), chunks of 1-64 KiB'
      : 'octet-counted `LEN MSG` frames (3164/5424/cee mix, ~213 B), chunks of 1-64 KiB',
    setup(): StageRun {
      const rnd = prng();
      const segments: Buffer[][] = [];
      for (let s = 0; s < DISTINCT / BATCH; s++) {
        const frames: string[] = [];
        for (let k = 0; k < BATCH; k++) {
          const i = s * BATCH + k;
          frames.push(frameOf(lineOf(KINDS[pick(rnd, KINDS.length)], i, rnd), framing));
        }
        segments.push(chunk(Buffer.from(frames.join('')), rnd));
      }
      let frames = 0;
      let bytes = 0;
      let truncated = 0;
      const framer = new StreamFramer(DEFAULT_LIMITS.maxMessageBytes, (_buf, start, end, trunc) => {
        frames++;
        bytes += end - start;
        if (trunc) truncated++;
      });
      let seg = 0;
      return {
        fn() {
          const chunks = segments[seg];
          seg = seg + 1 === segments.length ? 0 : seg + 1;
          for (let c = 0; c < chunks.length; c++) framer.push(chunks[c]);
          sink.n += frames;
        },
        verify() {
          // one call = one segment = exactly BATCH frames, none truncated, none left pending
          expect(frames === BATCH, name, `expected ${BATCH} frames per call, got ${frames}`);
          expect(truncated === 0, name, `${truncated} frames truncated`);
          expect(framer.bufferedBytes === 0, name, `${framer.bufferedBytes} bytes left pending at a segment end`);
          expect(bytes > 190 * BATCH && bytes < 260 * BATCH, name, `unexpected frame bytes ${bytes}`);
          const octet = framer.counters.octetCounted;
          expect(framing === 'octet' ? octet === BATCH : octet === 0, name, `octetCounted = ${octet}`);
        },
      };
    },
  };
}

export const stages: Stage[] = [framingStage('lf'), framingStage('octet')];

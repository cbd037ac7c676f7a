/**
 * Pipeline stage: `Intake.frame` (src/pipeline/intake.ts) end to end — parse, authorize, quota,
 * record, serialize and append to the batcher's RecordBatch (UTF-8 encoding with record
 * boundaries) — ns per message, plus `batch/append` alone (RecordBatch.add of ready NDJSON lines).
 *
 * The sinks are one discarding sink (it answers Delivered at once), so no I/O is timed. The timed
 * loop never yields, so the batcher could not finish a write between calls: an untimed
 * `beforeEach` starts a fresh Intake every {@link CALLS_PER_INTAKE} calls to keep memory flat. Apps are authorized by a token
 * in the TAG (3164, 5424 APP-NAME) or in the CEE field; the corpus is {@link DISTINCT} lines per
 * kind cycled in {@link BATCH}es from 64 connections, as in the other stages.
 */
import { Metrics } from '../../../src/metrics.js';
import { FrameResult, Intake } from '../../../src/pipeline/intake.js';
import type { FrameSource } from '../../../src/record.js';
import { RecordBatch, type Sink, type WriteResult } from '../../../src/sinks/types.js';
import { createLogger } from '../../../src/logger.js';
import { BATCH, DISTINCT, NOW_MS, line3164, line5424, lineCee, lines, pick, prng, type Kind } from '../corpus.js';
import { expect, sink, type Stage, type StageRun } from '../stage.js';
import { authFixture, frameSource } from './auth.js';

/** Answers every record Delivered without keeping anything. */
class DiscardSink implements Sink {
  readonly name = 'discard';
  readonly down = null;
  records = 0;
  async open(): Promise<void> { /* nothing */ }
  onDownChange(): void { /* never down */ }
  async write(batch: RecordBatch): Promise<WriteResult> {
    this.records += batch.records;
    return { status: new Uint8Array(batch.records), failure: null };
  }
  async close(): Promise<void> { /* nothing */ }
}

/** `n` lines of `kind`, each carrying one of the fixture's tokens (TAG / APP-NAME / CEE field). */
function tokenLines(kind: Kind, tokens: readonly string[]): string[] {
  const rnd = prng(0x91e1);
  const out: string[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const t = tokens[pick(rnd, tokens.length)];
    if (kind === '3164') out.push(line3164(i, rnd, { tag: t }));
    else if (kind === 'cee') out.push(lineCee(i, rnd, { ceeToken: t }));
    else out.push(line5424(i, rnd).replace(' nginx ', ` ${t} `));
  }
  return out;
}

/** Calls (of BATCH frames each) one Intake takes before the next is made (~8 MB of pending records). */
const CALLS_PER_INTAKE = 16;

function intakeStage(kind: Kind, label: string, describe: string): Stage {
  const name = `pipeline/${label}`;
  return {
    name,
    msgsPerCall: BATCH,
    describe,
    setup(): StageRun {
      const fx = authFixture();
      const discard = new DiscardSink();
      const metrics = new Metrics();
      const log = createLogger('silent');
      const make = (): Intake => new Intake({
        workers: 1,
        apps: fx.apps, tokenFields: fx.tokenFields, sinks: [{ sink: discard, required: true }],
        batching: { flushIntervalMs: 60_000, highWaterBytes: 2 ** 32 }, metrics, log,
      });
      let intake = make();
      let calls = 0;
      const bufs = tokenLines(kind, fx.apps.map((a) => a.token!)).map((l) => Buffer.from(l));
      const rnd = prng(0x5ec0);
      const conns = Array.from({ length: 64 }, (_, k) => frameSource(`192.0.2.${1 + k}`, 40000 + k));
      const sources: FrameSource[] = bufs.map(() => conns[pick(rnd, conns.length)]);
      let at = 0;
      let seq = 0;
      return {
        beforeEach() {
          if (++calls % CALLS_PER_INTAKE === 0) intake = make();
        },
        fn() {
          let stored = 0;
          const stop = at + BATCH;
          for (let k = at; k < stop; k++) {
            const b = bufs[k];
            if (intake.frame(b, 0, b.length, false, sources[k], NOW_MS + Math.floor(seq++ / 20)) === FrameResult.Stored) stored++;
          }
          at = stop === DISTINCT ? 0 : stop;
          sink.n += stored;
        },
        verify() {
          const before = metrics.rejected.unauthorized;
          let stored = 0;
          for (let k = 0; k < BATCH; k++) if (intake.frame(bufs[k], 0, bufs[k].length, false, sources[k], NOW_MS) === FrameResult.Stored) stored++;
          expect(stored === BATCH && metrics.rejected.unauthorized === before, name, `only ${stored}/${BATCH} stored (unauthorized: ${metrics.rejected.unauthorized})`);
        },
      };
    },
  };
}

function appendStage(): Stage {
  const name = 'batch/append';
  return {
    name,
    msgsPerCall: BATCH,
    describe: 'RecordBatch.add of a ready ~500 B NDJSON line (UTF-8 encode, boundaries, per-app group)',
    setup(): StageRun {
      const recs = lines('3164', DISTINCT).map((l, i) => `{"app":"app-${String(i % 100).padStart(3, '0')}","message":${JSON.stringify(l)},"n":${i}}\n`);
      const apps = recs.map((_, k) => `app-${String(k % 100).padStart(3, '0')}`);
      let batch = new RecordBatch();
      let at = 0;
      return {
        fn() {
          const stop = at + BATCH;
          for (let k = at; k < stop; k++) batch.add(apps[k], recs[k], NOW_MS);
          at = stop === DISTINCT ? 0 : stop;
          if (batch.bytes > 4 * 1024 * 1024) { sink.n += batch.seal().records; batch = new RecordBatch(); }
        },
        verify() {
          const b = new RecordBatch();
          for (let k = 0; k < BATCH; k++) b.add('a', recs[k], NOW_MS);
          b.seal();
          const g = b.groups[0];
          expect(g.count === BATCH && g.record(7).toString() === recs[7], name, 'records did not come back whole');
        },
      };
    },
  };
}

export const stages: Stage[] = [
  intakeStage('3164', 'rfc3164', 'Intake.frame of an RFC 3164 line, token in the TAG -> record in the batch'),
  intakeStage('5424', 'rfc5424-sd', 'Intake.frame of an RFC 5424 line with SD, token as APP-NAME -> record in the batch'),
  intakeStage('cee', 'cee', 'Intake.frame of an `@cee:` line, token in the JSON -> record in the batch'),
  appendStage(),
];

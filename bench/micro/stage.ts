/**
 * The contract between a stage group file (bench/micro/stages/*.ts) and the runner (run.ts).
 * Measures nothing itself.
 *
 * A stage is one row of the result table: `setup()` builds its inputs (untimed) and returns the
 * function that tinybench times. One call of `fn` must process exactly `msgsPerCall` messages;
 * the runner divides the iteration time by it to print ns per message.
 */

export interface StageRun {
  /** The timed work: processes exactly `msgsPerCall` messages (the next batch of the corpus). */
  fn: () => void;
  /**
   * Optional untimed work before every timed call (tinybench `beforeEach`), e.g. undoing what
   * `fn` mutated. Keep it cheap: tinybench's time budget counts only `fn`, so a slow
   * `beforeEach` stretches the wall time of the whole run.
   */
  beforeEach?: () => void;
  /**
   * Called once by the runner after one untimed `fn` call (preceded by `beforeEach`): throws
   * when the stage did not do what its name says (a parser that fell back to 'raw', an
   * authorization that hit the wrong rule…), so a broken stage never prints a fast number.
   */
  verify?: () => void;
}

export interface Stage {
  /** `group/case`, e.g. `parse/rfc5424`; the CLI filter matches a substring of it. */
  name: string;
  /** Messages processed by one `fn` call. */
  msgsPerCall: number;
  /** One line saying what one message is, printed by `--list`. */
  describe: string;
  /** Builds the corpus and state (untimed, once per run of this stage). */
  setup: () => StageRun;
}

/**
 * A value the timed functions fold their results into, so no work can be optimized away;
 * the runner prints nothing from it, but reads it (see {@link consumeSink}).
 */
export const sink = { n: 0 };

/** Reads {@link sink} (so it stays observable) and resets it. */
export function consumeSink(): number {
  const n = sink.n;
  sink.n = 0;
  return n;
}

/** Throws `stage: message` unless `cond`. */
export function expect(cond: boolean, stage: string, message: string): void {
  if (!cond) throw new Error(`${stage}: ${message}`);
}

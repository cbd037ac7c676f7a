/**
 * Every micro-benchmark stage, in the order they run and print. Measures nothing itself.
 *
 * One more stage = one more entry in a group file's `stages` array; one more group = one more
 * file exporting `stages: Stage[]` and one more line here.
 */
import type { Stage } from '../stage.js';
import { stages as framing } from './framing.js';
import { stages as parse } from './parse.js';
import { stages as auth } from './auth.js';
import { stages as record } from './record.js';
import { stages as pipeline } from './pipeline.js';

export const STAGES: readonly Stage[] = [
  ...framing,
  ...parse,
  ...auth,
  ...record,
  ...pipeline,
];

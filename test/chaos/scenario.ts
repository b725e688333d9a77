/** What every chaos scenario gets: the stack, progress reporting and a tag that keeps ids unique. */
import type { ChaosStack } from './stack';

/** The context of one scenario. */
export interface ScenarioContext {
  stack: ChaosStack;
  /** A progress line (the current step, rewritten in place on a terminal). */
  step(label: string): void;
  /** A line kept in the output. */
  log(line: string): void;
  /** Unique per run: credential ids start with `chaos-<tag>-`. */
  tag: string;
}

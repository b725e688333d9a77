/** Writes the chaos sections of RELIABILITY.md (placeholder while the scenarios are written). */
import type { ChaosOptions } from './options';
import type { SuiteResult } from './suite';

/** Rewrites the chaos sections of RELIABILITY.md from `result`. */
export function writeReliability(result: SuiteResult, meta: { startedAt: Date; versions: { temporalCli: string; redisServer: string }; options: ChaosOptions }): void {
  void result;
  void meta;
}

/** The fleet section of BENCHMARKS.md. */
import type { StepFigures } from './figures';
import type { FleetOptions } from './options';

/** What the section is made from. */
export interface FleetRun {
  options: FleetOptions;
  steps: StepFigures[];
  startedAt: Date;
  seconds: number;
  machine: string[];
  argv: string[];
}

/** The Markdown of the section. */
export function fleetMarkdown(run: FleetRun): string {
  return ['## Fleet', '', `Measured ${run.startedAt.toISOString()}`, ...run.machine].join('\n');
}

/**
 * Capacity settings of a credential worker: how many credentials it keeps cached, how many
 * workflow tasks and refreshes it runs at once, how many pollers it keeps open, and how long a
 * workflow task waits on its sticky queue before the server hands it to any worker. Unset ones keep
 * the Temporal SDK's defaults, but for the workflow task slots (`defaultWorkflowTaskSlots`). From code (`CredentialWorkerOptions.tuning`) or the environment
 * (`HALFLIFE_WORKER_*`, parsed once at the edge; a bad value is an `InvalidConfigError` naming the
 * variable). BENCHMARKS.md (fleet) has the measurements these are chosen from.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { InvalidConfigError } from './errors';

/** A worker's capacity settings; every field is optional and defaults to the SDK's value. */
export interface WorkerTuning {
  /** `HALFLIFE_WORKER_MAX_CACHED_WORKFLOWS`: credentials kept in memory between their workflow tasks (0: none). @default the SDK's: ≈ 600 per GiB of heap above 200 MB */
  maxCachedWorkflows?: number;
  /** `HALFLIFE_WORKER_WORKFLOW_TASK_SLOTS`: workflow tasks run at once (at least 2 while caching). @default defaultWorkflowTaskSlots (5) */
  maxConcurrentWorkflowTaskExecutions?: number;
  /** `HALFLIFE_WORKER_ACTIVITY_SLOTS`: activities (upstream refreshes) run at once. @default the SDK's (100) */
  maxConcurrentActivityTaskExecutions?: number;
  /** `HALFLIFE_WORKER_WORKFLOW_POLLERS`: workflow task polls kept open (2 ≤ pollers ≤ workflow task slots). @default the SDK's: min(10, slots) */
  maxConcurrentWorkflowTaskPolls?: number;
  /** `HALFLIFE_WORKER_ACTIVITY_POLLERS`: activity task polls kept open. @default the SDK's: min(10, activity slots) */
  maxConcurrentActivityTaskPolls?: number;
  /** `HALFLIFE_WORKER_STICKY_TIMEOUT_MS`: how long a task waits for this worker on its sticky queue before any worker may take it (replaying the history). @default the SDK's (10 s) */
  stickyQueueScheduleToStartTimeoutMs?: number;
}

/**
 * Workflow tasks a worker runs at once unless told otherwise (the SDK's 40 is too many). They share
 * one JavaScript thread, so they finish together; a worker that lost its cache (a restart, a
 * crash) replays each run's history first, ≈ 0.8 s for a 1,000-event run on this project's 2-core
 * machine. Forty such tasks outlast the 10 s workflow task timeout, time out, are handed out again
 * and never finish: the 30-minute soak wedged 23 of 100 credentials so. Five finish in time even at
 * twice that cost; a calm workflow task takes tens of milliseconds, so five still pass about a hundred a
 * second (an estimate from BENCHMARKS.md's fleet figures).
 */
export const defaultWorkflowTaskSlots = 5;

/** The environment variable of each setting. */
export const workerTuningVariables: Readonly<Record<keyof WorkerTuning, string>> = {
  maxCachedWorkflows: 'HALFLIFE_WORKER_MAX_CACHED_WORKFLOWS',
  maxConcurrentWorkflowTaskExecutions: 'HALFLIFE_WORKER_WORKFLOW_TASK_SLOTS',
  maxConcurrentActivityTaskExecutions: 'HALFLIFE_WORKER_ACTIVITY_SLOTS',
  maxConcurrentWorkflowTaskPolls: 'HALFLIFE_WORKER_WORKFLOW_POLLERS',
  maxConcurrentActivityTaskPolls: 'HALFLIFE_WORKER_ACTIVITY_POLLERS',
  stickyQueueScheduleToStartTimeoutMs: 'HALFLIFE_WORKER_STICKY_TIMEOUT_MS',
};

/** Smallest and largest accepted value of each setting. */
const bounds: Readonly<Record<keyof WorkerTuning, [number, number]>> = {
  maxCachedWorkflows: [0, 1_000_000],
  maxConcurrentWorkflowTaskExecutions: [1, 10_000],
  maxConcurrentActivityTaskExecutions: [1, 10_000],
  maxConcurrentWorkflowTaskPolls: [2, 1_000],
  maxConcurrentActivityTaskPolls: [1, 1_000],
  stickyQueueScheduleToStartTimeoutMs: [1_000, 600_000],
};

/** The first problem of `tuning` as `[setting, reason]`, or undefined when it is valid. */
export function workerTuningProblem(tuning: WorkerTuning): [keyof WorkerTuning, string] | undefined {
  for (const [name, [min, max]] of Object.entries(bounds) as [keyof WorkerTuning, [number, number]][]) {
    const value = tuning[name];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) return [name, `must be a whole number between ${min} and ${max}`];
  }
  const slots = tuning.maxConcurrentWorkflowTaskExecutions;
  if (slots !== undefined && slots < 2 && tuning.maxCachedWorkflows !== 0) return ['maxConcurrentWorkflowTaskExecutions', 'must be at least 2 while workflows are cached'];
  const pollers = tuning.maxConcurrentWorkflowTaskPolls;
  if (pollers !== undefined && pollers > (slots ?? defaultWorkflowTaskSlots)) return ['maxConcurrentWorkflowTaskPolls', `must not exceed the workflow task slots (${slots ?? defaultWorkflowTaskSlots})`];
  return undefined;
}

/** Reads the settings from `env`; undefined when none is set. */
export function workerTuningFromEnv(env: Record<string, string | undefined>): WorkerTuning | undefined {
  const tuning: WorkerTuning = {};
  for (const [name, variable] of Object.entries(workerTuningVariables) as [keyof WorkerTuning, string][]) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    const [min, max] = bounds[name];
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new InvalidConfigError(variable, `must be a whole number between ${min} and ${max}`);
    tuning[name] = value;
  }
  if (Object.keys(tuning).length === 0) return undefined;
  const problem = workerTuningProblem(tuning);
  if (problem) throw new InvalidConfigError(workerTuningVariables[problem[0]], problem[1]);
  return tuning;
}

/** The Temporal worker options of `tuning` (only the settings it sets); throws an `InvalidConfigError` naming the setting when it is invalid. */
export function workerOptionsOf(tuning: WorkerTuning = {}): Partial<WorkerOptions> {
  const problem = workerTuningProblem(tuning);
  if (problem) throw new InvalidConfigError(`tuning.${problem[0]}`, problem[1]);
  const { stickyQueueScheduleToStartTimeoutMs: sticky, ...counts } = { ...tuning, maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions ?? defaultWorkflowTaskSlots };
  const options: Partial<WorkerOptions> = Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== undefined));
  if (sticky !== undefined) options.stickyQueueScheduleToStartTimeout = sticky;
  return options;
}

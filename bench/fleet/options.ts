/**
 * The command line of `npm run bench:fleet`; every bad value names its flag.
 */
import { parseArgs } from 'node:util';
import type { WorkerTuning } from '../../src/worker-tuning';
import { workerTuningProblem } from '../../src/worker-tuning';

/** What a fleet run does. */
export interface FleetOptions {
  /** Credentials per step, in order; the ladder stops after the first step that breaks. */
  ladder: number[];
  lifetimeS: number;
  workers: number;
  apis: number;
  /** Registrations in flight at once. */
  concurrency: number;
  readRatePerS: number;
  /** Histories read per step for the events figures. */
  sampleHistories: number;
  tuning: WorkerTuning;
  sqlitePragmas: string[];
  /** `--dynamic-config-value` settings of the dev server (`KEY=JSON`). */
  dynamicConfig: string[];
  /** Lateness p99 above this breaks a step. */
  maxLatenessP99Ms: number;
  write: boolean;
  /** Keep the state folder (SQLite files, logs, metrics dumps) and print where it is. */
  keep: boolean;
}

/** The help text. */
export const usage = `npm run bench:fleet -- [--credentials N | --ladder N1,N2,...] [--lifetime S] [--workers W] [--api A]
  [--concurrency C] [--read-rate R] [--sample-histories K] [--sqlite-pragma journal_mode=delete,...] (default: write-ahead logging, as halflife start)
  [--dynamic-config KEY=JSON,...] (dev server settings over the defaults, e.g. system.enableActivityEagerExecution=false)
  [--max-cached N] [--wft-slots N] [--activity-slots N] [--wft-pollers N] [--activity-pollers N] [--sticky-timeout-ms MS]
  [--no-write] [--keep]`;

/** A bad command line (the message names the flag). */
export class FleetUsageError extends Error {
  override readonly name = 'FleetUsageError';
}

function positiveInt(flag: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new FleetUsageError(`--${flag}: must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

/** Parses `argv` (without node and the script). */
export function parseFleetOptions(argv: string[]): FleetOptions {
  try {
    return parse(argv);
  } catch (err) {
    if (err instanceof FleetUsageError) throw err;
    throw new FleetUsageError((err as Error).message); // parseArgs: an unknown flag or a missing value
  }
}

function parse(argv: string[]): FleetOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      credentials: { type: 'string' },
      ladder: { type: 'string' },
      lifetime: { type: 'string' },
      workers: { type: 'string' },
      api: { type: 'string' },
      concurrency: { type: 'string' },
      'read-rate': { type: 'string' },
      'sample-histories': { type: 'string' },
      'sqlite-pragma': { type: 'string' },
      'dynamic-config': { type: 'string' },
      'max-cached': { type: 'string' },
      'wft-slots': { type: 'string' },
      'activity-slots': { type: 'string' },
      'wft-pollers': { type: 'string' },
      'activity-pollers': { type: 'string' },
      'sticky-timeout-ms': { type: 'string' },
      'max-lateness-p99-ms': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  if (values.credentials !== undefined && values.ladder !== undefined) throw new FleetUsageError('--credentials and --ladder: give one of them');
  const ladder = (values.ladder ?? values.credentials ?? '1000,2000,5000,10000').split(',').map((s) => positiveInt(values.ladder ? 'ladder' : 'credentials', s.trim(), 0));
  const optional = (flag: string, raw: string | undefined, min = 1) => (raw === undefined ? undefined : positiveInt(flag, raw, 0, min));
  const tuning: WorkerTuning = Object.fromEntries(
    Object.entries({
      maxCachedWorkflows: optional('max-cached', values['max-cached'], 0),
      maxConcurrentWorkflowTaskExecutions: optional('wft-slots', values['wft-slots']),
      maxConcurrentActivityTaskExecutions: optional('activity-slots', values['activity-slots']),
      maxConcurrentWorkflowTaskPolls: optional('wft-pollers', values['wft-pollers']),
      maxConcurrentActivityTaskPolls: optional('activity-pollers', values['activity-pollers']),
      stickyQueueScheduleToStartTimeoutMs: optional('sticky-timeout-ms', values['sticky-timeout-ms']),
    }).filter(([, v]) => v !== undefined),
  );
  const problem = workerTuningProblem(tuning);
  if (problem) throw new FleetUsageError(`worker tuning ${problem[0]}: ${problem[1]}`);
  const lifetimeS = positiveInt('lifetime', values.lifetime, 600, 20);
  return {
    ladder,
    lifetimeS,
    workers: positiveInt('workers', values.workers, 1),
    apis: positiveInt('api', values.api, 0, 0),
    concurrency: positiveInt('concurrency', values.concurrency, 32),
    readRatePerS: positiveInt('read-rate', values['read-rate'], 50),
    sampleHistories: positiveInt('sample-histories', values['sample-histories'], 20, 0),
    tuning,
    sqlitePragmas: (values['sqlite-pragma'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    dynamicConfig: (values['dynamic-config'] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((kv) => {
      if (!/^[\w.]+=.+$/.test(kv)) throw new FleetUsageError(`--dynamic-config: expected KEY=JSON, got ${JSON.stringify(kv)}`);
      return kv;
    }),
    maxLatenessP99Ms: positiveInt('max-lateness-p99-ms', values['max-lateness-p99-ms'], 1000),
    write: values['no-write'] !== true,
    keep: values.keep === true,
  };
}

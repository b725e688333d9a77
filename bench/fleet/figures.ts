/**
 * The figures of one ladder step, from what the step gathered: registration, lateness, missed
 * refreshes, task failures, CPU and memory per process, events per refresh, the dev server's
 * persistence work, the workers' cache and slots, and the reader's latencies. Pure computation.
 */
import { percentile } from '../measure';
import type { HistoryFigures } from './histories';
import type { WindowFigures } from './ledger';
import type { FleetOptions } from './options';
import { round, type ProcWatch } from './proc-stats';
import { histogramQuantile, increase, type Scrape } from './prometheus';
import type { ReadFigures } from './reader';
import type { RegistrationFigures } from './register';
import { serverFigures, type ServerFigures, type ServerLogFigures } from './server-metrics';

/** Gauges sampled during the window, one entry per worker. */
export interface WorkerGauges {
  maxCached: number[];
  minWorkflowSlots: number[];
  minActivitySlots: number[];
}

/** Everything `stepFigures` reads. */
export interface StepInput {
  n: number;
  options: FleetOptions;
  registration: RegistrationFigures;
  duringRegistration: WindowFigures;
  window: WindowFigures;
  windowS: number;
  ledgerCalls: { min: number; max: number; total: number };
  replays: number;
  refused: number;
  reads: { client: ReadFigures; http: ReadFigures };
  dueDiffsMs: number[];
  histories: HistoryFigures;
  watch: ProcWatch;
  gauges: WorkerGauges;
  serverAtStart: Scrape;
  serverBefore: Scrape;
  serverAfter: Scrape;
  workersBefore: Scrape[];
  workersAfter: Scrape[];
  workerProblems: string[][];
  serverLog: ServerLogFigures;
  benchLagP99Ms: number;
}

/** p50 / p99 / max of samples (ms), rounded. */
export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function spread(samples: number[], digits = 0): Spread {
  const s = [...samples].sort((a, b) => a - b);
  const r = (v: number) => (Number.isFinite(v) ? round(v, digits) : 0);
  return { n: s.length, p50: r(percentile(s, 50)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? 0) };
}

/** The workers' SDK figures over the window (summed or worst over the workers). */
export interface WorkerFigures {
  workflowTaskFailed: number;
  /** Workflow tasks that found their credential outside the cache (tasks − sticky cache hits): each replays the history. */
  cacheMisses?: number;
  maxCached: number[];
  minWorkflowSlots: number[];
  minActivitySlots: number[];
  /** Seconds (bucket upper bounds), worst worker; `"> X"` when above the largest bound. */
  workflowTaskScheduleToStartP99S?: number | string;
  workflowTaskExecutionP99S?: number | string;
  activityScheduleToStartP99S?: number | string;
  /** Per worker over the window: upstream refresh calls (`halflife_upstream_calls_total`) and workflow tasks run: how the work spread. */
  upstreamCallsByWorker: number[];
  workflowTasksByWorker: number[];
  /** Log lines at warn or above, and the first few distinct messages. */
  problemLines: number;
  problemMessages: string[];
}

/** The largest finite bucket bound of histogram `base`. */
function largestBound(scrape: Scrape, base: string): number {
  const bounds = scrape.filter((x) => x.name === `${base}_bucket` && x.labels.le !== '+Inf').map((x) => Number(x.labels.le));
  return bounds.length ? Math.max(...bounds) : Number.NaN;
}

function workerFigures(input: StepInput): WorkerFigures {
  const sum = (name: string) => {
    const values = input.workersAfter.map((after, i) => increase(input.workersBefore[i] ?? [], after, name));
    return values.some((v) => v !== undefined) ? values.reduce((a: number, v) => a + (v ?? 0), 0) : undefined;
  };
  const worst = (base: string) => {
    const q = input.workersAfter.map((after, i) => histogramQuantile(input.workersBefore[i] ?? [], after, base, 0.99)).filter((v): v is number => v !== undefined);
    if (!q.length) return undefined;
    const top = Math.max(...q);
    return Number.isFinite(top) ? top : `> ${largestBound(input.workersAfter[0] ?? [], base)}`;
  };
  const each = (name: string) => input.workersAfter.map((after, i) => Math.round(increase(input.workersBefore[i] ?? [], after, name) ?? 0));
  const lines = input.workerProblems.flat();
  const messages = [...new Set(lines.map((l) => /"msg":"([^"]{0,160})/.exec(l)?.[1] ?? l.slice(0, 160)))].slice(0, 5);
  return {
    workflowTaskFailed: sum('temporal_workflow_task_execution_failed_total') ?? 0,
    cacheMisses: Math.max(0, (sum('temporal_workflow_task_execution_latency_seconds_count') ?? 0) - (sum('temporal_sticky_cache_hit_total') ?? 0)),
    maxCached: input.gauges.maxCached,
    minWorkflowSlots: input.gauges.minWorkflowSlots.map((v) => (Number.isFinite(v) ? v : -1)),
    minActivitySlots: input.gauges.minActivitySlots.map((v) => (Number.isFinite(v) ? v : -1)),
    workflowTaskScheduleToStartP99S: worst('temporal_workflow_task_schedule_to_start_latency_seconds'),
    workflowTaskExecutionP99S: worst('temporal_workflow_task_execution_latency_seconds'),
    activityScheduleToStartP99S: worst('temporal_activity_schedule_to_start_latency_seconds'),
    upstreamCallsByWorker: each('halflife_upstream_calls_total'),
    workflowTasksByWorker: each('temporal_workflow_task_execution_latency_seconds_count'),
    problemLines: lines.length,
    problemMessages: messages,
  };
}

/** One step's figures, as they go into the JSON line and BENCHMARKS.md. */
export interface StepFigures {
  credentials: number;
  lifetime_s: number;
  workers: number;
  api: number;
  ok: boolean;
  /** Why the step broke (empty when it kept up). */
  broke: string[];
  registration: { per_s: number; seconds: number; latency_ms: Spread; failed: Record<string, number>; retried: number };
  window_s: number;
  refreshes: number;
  refreshes_per_s: number;
  lateness_ms: Spread & { unfinished: number };
  lateness_during_registration_ms: Spread;
  /** Tokens that expired unrefreshed in the window (and, separately, while the fleet was registering). */
  missed: number;
  missed_during_registration: number;
  /** Refreshes that presented an already used refresh token (a credential refreshed twice). */
  refreshed_twice: number;
  upstream_calls_per_credential: { min: number; max: number };
  /** |workflow's nextRefreshAt − endpoint's due instant| over a sample (the method check). */
  due_check_ms: Spread;
  rss_peak_mb: Record<string, number>;
  cpu_s: Record<string, number>;
  machine_busy: number | undefined;
  events: HistoryFigures;
  worker: WorkerFigures;
  server: ServerFigures;
  server_log: ServerLogFigures;
  get_token_ms: Spread & { errors: Record<string, number>; expired: number };
  get_token_http_ms?: Spread & { errors: Record<string, number>; expired: number };
  bench_event_loop_lag_p99_ms: number;
}

/** Computes the figures of a step. */
export function stepFigures(input: StepInput): StepFigures {
  const lateness = spread(input.window.lateness);
  const refreshes = input.window.arrived;
  const broke: string[] = [];
  if (lateness.p99 > input.options.maxLatenessP99Ms) broke.push(`lateness p99 ${lateness.p99} ms > ${input.options.maxLatenessP99Ms} ms`);
  const missed = input.window.missed + input.duringRegistration.missed;
  if (missed > 0) broke.push(`${missed} missed refreshes`);
  if (input.replays > 0) broke.push(`${input.replays} refreshes presented a used refresh token`);
  const failedRegistrations = Object.values(input.registration.failed).reduce((a, b) => a + b, 0);
  if (failedRegistrations > 0) broke.push(`${failedRegistrations} registrations failed`);
  const reads = (r: ReadFigures) => ({ ...spread(r.latenciesMs, 2), errors: r.errors, expired: r.expired });
  return {
    credentials: input.n,
    lifetime_s: input.options.lifetimeS,
    workers: input.options.workers,
    api: input.options.apis,
    ok: broke.length === 0,
    broke,
    registration: {
      per_s: round(input.registration.ids.length / input.registration.seconds, 1),
      seconds: round(input.registration.seconds, 1),
      latency_ms: spread(input.registration.latenciesMs),
      failed: input.registration.failed,
      retried: input.registration.retried,
    },
    window_s: round(input.windowS),
    refreshes,
    refreshes_per_s: round(refreshes / input.windowS, 1),
    lateness_ms: { ...lateness, unfinished: input.window.unfinished },
    lateness_during_registration_ms: spread(input.duringRegistration.lateness),
    missed: input.window.missed,
    missed_during_registration: input.duringRegistration.missed,
    refreshed_twice: input.replays,
    upstream_calls_per_credential: { min: input.ledgerCalls.min, max: input.ledgerCalls.max },
    due_check_ms: spread(input.dueDiffsMs),
    rss_peak_mb: input.watch.peaks(),
    cpu_s: input.watch.cpuBetween('registered', 'end'),
    machine_busy: input.watch.machineBusyBetween('registered', 'end'),
    events: input.histories,
    worker: workerFigures(input),
    server: serverFigures(input.serverBefore, input.serverAfter, input.windowS, refreshes, input.watch.writeCallsBetween('registered', 'end').server),
    server_log: input.serverLog,
    get_token_ms: reads(input.reads.client),
    ...(input.options.apis > 0 ? { get_token_http_ms: reads(input.reads.http) } : {}),
    bench_event_loop_lag_p99_ms: round(input.benchLagP99Ms, 1),
  };
}

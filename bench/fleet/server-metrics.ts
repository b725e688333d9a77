/**
 * What the Temporal dev server's own metrics (`--metrics-port`) say about a window: persistence
 * requests by operation (and the writes among them), per refresh; the latency of persistence calls;
 * the wait for the history shard's lock. Names as the Temporal server 1.29 exports them.
 */
import fs from 'node:fs';
import { round } from './proc-stats';
import { histogramQuantile, increase, increaseBy, type Scrape } from './prometheus';

/** The server's figures over a window. */
export interface ServerFigures {
  persistence_requests_per_s?: number;
  persistence_writes_per_s?: number;
  persistence_writes_per_refresh?: number;
  /** Write system calls of the server process per refresh (/proc/PID/io `syscw`), SQLite's own writes included. */
  write_syscalls_per_refresh?: number;
  /** The busiest persistence operations over the window (count). */
  top_operations: Record<string, number>;
  persistence_latency_p99_ms?: number;
  shard_lock_p99_ms?: number;
  /** How long after its instant the server processed a workflow's timer (history timer queue), p99. */
  timer_queue_p99_ms?: number;
  /** From a workflow task scheduled to handed to matching (history transfer queue), p99. */
  workflow_task_transfer_p99_ms?: number;
  /** How long the server took to accept a completed workflow task (frontend `RespondWorkflowTaskCompleted`), p50 and p99: the timer a task starts begins only then. */
  respond_task_completed_ms?: [number | undefined, number | undefined];
  /** Requests refused for a busy workflow (`service_errors_resource_exhausted`). */
  busy_workflow_refusals?: number;
}

/** Persistence operations that write. */
const writeOps = /^(Create|Update|Append|Delete|Put|Set|Add|Complete|Range|Conflict|Upsert|Record|Insert|Trim)/;

/** Reads the server's figures between two scrapes of `/metrics`. */
export function serverFigures(before: Scrape, after: Scrape, windowS: number, refreshes: number, writeCalls: number | undefined): ServerFigures {
  const ops = increaseBy(before, after, 'persistence_requests', 'operation');
  const requests = Object.values(ops).reduce((a, b) => a + b, 0);
  const writes = Object.entries(ops)
    .filter(([op]) => writeOps.test(op))
    .reduce((a, [, v]) => a + v, 0);
  const top = Object.fromEntries(
    Object.entries(ops)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8),
  );
  // A quantile above the largest bucket reads as the largest bound (the server's histograms end at 1,000 s or more).
  const ms = (s: number | undefined) => (s === undefined ? undefined : Number.isFinite(s) ? round(s * 1000, 1) : 1e6);
  return {
    ...(requests > 0 ? { persistence_requests_per_s: round(requests / windowS, 1), persistence_writes_per_s: round(writes / windowS, 1) } : {}),
    ...(requests > 0 && refreshes > 0 ? { persistence_writes_per_refresh: round(writes / refreshes, 1) } : {}),
    ...(writeCalls !== undefined && refreshes > 0 ? { write_syscalls_per_refresh: round(writeCalls / refreshes, 1) } : {}),
    top_operations: top,
    persistence_latency_p99_ms: ms(histogramQuantile(before, after, 'persistence_latency', 0.99)),
    shard_lock_p99_ms: ms(histogramQuantile(before, after, 'semaphore_latency', 0.99)),
    timer_queue_p99_ms: ms(histogramQuantile(before, after, 'task_latency_queue', 0.99, { task_type: 'TimerActiveTaskUserTimer' })),
    workflow_task_transfer_p99_ms: ms(histogramQuantile(before, after, 'task_latency_queue', 0.99, { task_type: 'TransferActiveTaskWorkflowTask' })),
    respond_task_completed_ms: [0.5, 0.99].map((q) => ms(histogramQuantile(before, after, 'service_latency', q, { operation: 'RespondWorkflowTaskCompleted', service_name: 'frontend' }))) as [number | undefined, number | undefined],
    busy_workflow_refusals: increase(before, after, 'service_errors_resource_exhausted') ?? 0,
  };
}

/** The dev server's log lines at WARN and ERROR, with the most frequent messages. */
export interface ServerLogFigures {
  errors: number;
  warnings: number;
  top: Record<string, number>;
}

/** Counts the WARN and ERROR lines of the dev server's log (`temporal server start-dev --log-level warn`). */
export function serverLogFigures(file: string): ServerLogFigures {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // no log: nothing to count
  }
  const counts: Record<string, number> = {};
  let [errors, warnings] = [0, 0];
  for (const line of text.split('\n')) {
    const level = / level=(WARN|ERROR) /.exec(line)?.[1];
    if (!level) continue;
    if (level === 'ERROR') errors++;
    else warnings++;
    const msg = `${level} ${/ msg="([^"]*)"/.exec(line)?.[1] ?? '?'}`;
    counts[msg] = (counts[msg] ?? 0) + 1;
  }
  const top = Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 5));
  return { errors, warnings, top };
}

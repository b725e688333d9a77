/**
 * The `halflife_credentials{status}` gauge: how many running credentials are in each status, counted
 * through Temporal visibility (one `CountWorkflowExecutions` per status; SQL visibility groups only
 * by `ExecutionStatus`), at most once per `maxAgeMs` however often Prometheus scrapes.
 *
 * Why visibility and not the worker's own observations: a worker sees only the credentials whose
 * tasks it happens to run, and nothing of those parked on another worker or waiting for a person;
 * visibility holds the status every credential upserted last (the `HalflifeStatus` search
 * attribute). Every worker reports the same namespace-wide numbers: aggregate with `max`, not `sum`.
 */
import type { NativeConnection } from '@temporalio/worker';
import { Counter, Gauge, type Registry } from 'prom-client';
import { credentialStatuses, type CredentialStatus } from '../credential';
import { listQuery } from '../client/list-query';

/** Counts the running credentials with a status (a visibility count). */
export type CountCredentials = (status: CredentialStatus) => Promise<number>;

/** Options of `registerCredentialCounts`. */
export interface CredentialCountsOptions {
  registry: Registry;
  count: CountCredentials;
  /** Counts younger than this are served again without asking visibility. @default 15_000 */
  maxAgeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** A `CountCredentials` over a worker's connection; each count gives up after `timeoutMs` (a scrape must not hang on Temporal). */
export function visibilityCounter(connection: NativeConnection, namespace: string, timeoutMs = 5_000): CountCredentials {
  return async (status) => {
    const query = listQuery({ status });
    const answer = await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.countWorkflowExecutions({ namespace, query }));
    return Number(answer.count ?? 0);
  };
}

/**
 * Registers the gauge (and `halflife_credential_count_errors_total`). A failed count keeps the
 * last known values and counts the error; before any count succeeded, the gauge has no series.
 */
export function registerCredentialCounts(options: CredentialCountsOptions): void {
  const { registry, count } = options;
  const maxAgeMs = options.maxAgeMs ?? 15_000;
  const now = options.now ?? Date.now;
  const errors = new Counter({
    name: 'halflife_credential_count_errors_total',
    help: 'Visibility counts behind halflife_credentials that failed (the gauge then keeps its last values)',
    registers: [registry],
  });
  let last: { at: number; counts: Record<string, number> } | undefined;
  let pending: Promise<void> | undefined;
  const refresh = async (): Promise<void> => {
    try {
      const values = await Promise.all(credentialStatuses.map(count));
      last = { at: now(), counts: Object.fromEntries(credentialStatuses.map((status, i) => [status, values[i] ?? 0])) };
    } catch {
      errors.inc();
    }
  };
  new Gauge({
    name: 'halflife_credentials',
    help: 'Running credentials by status, from Temporal visibility (namespace-wide: every worker reports the same numbers, aggregate with max)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      if (!last || now() - last.at >= maxAgeMs) await (pending ??= refresh().finally(() => (pending = undefined)));
      if (!last) return;
      for (const [status, value] of Object.entries(last.counts)) this.set({ status }, value);
    },
  });
}

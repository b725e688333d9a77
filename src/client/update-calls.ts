/**
 * Calls to a credential's updates that survive the moments a workflow cannot take them: the
 * server's limit of in-flight updates per workflow (another caller's update is about to finish),
 * and a run that is continuing as new (the validators answer `RetryOnNewRun`). Both are retried
 * with jittered backoff until the caller's deadline, so callers never see them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isGrpcServiceError } from '@temporalio/client';
import { retryOnNewRunFailureType } from '../failure-types';
import { isUpdateLimitStatus } from './connect';

/** Walks `err` and its causes. */
function* chain(err: unknown): Generator<unknown> {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** True when the server refused the update because the workflow has the maximum of updates in flight. */
export function isUpdateLimit(err: unknown): boolean {
  for (const e of chain(err)) if (isGrpcServiceError(e) && isUpdateLimitStatus(e)) return true;
  return false;
}

/** True when the run was continuing as new (or handing over to newer code) and the request belongs on the next run. */
export function isRetryOnNewRun(err: unknown): boolean {
  for (const e of chain(err)) {
    if ((e as { type?: unknown }).type === retryOnNewRunFailureType) return true;
    const message = String((e as { message?: unknown }).message ?? '');
    // An update that met the end of a run on the server (continue-as-new) is aborted with this text.
    if (/continued as new|workflow execution.*(?:completed|closing)|update.*aborted/i.test(message) && !/not found/i.test(message)) return true;
  }
  return false;
}

/** Options of `withUpdateRetries`. */
export interface UpdateRetryOptions {
  /** Give up (rethrow the last error) after this long. */
  deadlineMs: number;
  /** Also retry on the in-flight update limit. @default true */
  onLimit?: boolean;
}

/** Runs `call`, retrying it while the workflow cannot take the update (see the module comment). */
export async function withUpdateRetries<T>(call: () => Promise<T>, options: UpdateRetryOptions): Promise<T> {
  const deadline = Date.now() + options.deadlineMs;
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await call();
    } catch (err) {
      const retryable = isRetryOnNewRun(err) || (options.onLimit !== false && isUpdateLimit(err));
      const wait = delay / 2 + Math.random() * delay;
      if (!retryable || Date.now() + wait >= deadline) throw err;
      await sleep(wait);
    }
  }
}

/** How long a query refused by a worker's activation guard is retried (past the 10 s sticky timeout). */
export const queryRetryMs = 15_000;

/**
 * True for a query the worker could not answer because it refused to apply history without a
 * workflow task (src/workflows/activation-guard.ts): the SDK reports it as a failed or "not
 * registered" query, although Halflife's queries always are. It succeeds once the task has run.
 */
export function isRefusedQuery(err: unknown): boolean {
  for (const e of chain(err)) {
    const name = (e as { name?: unknown }).name;
    if (name === 'QueryNotRegisteredError' || name === 'WorkflowQueryFailedError' || name === 'StaleActivationError') return true;
  }
  return false;
}

/** Runs a query, retrying it while the worker refuses it (see `isRefusedQuery`). */
export async function withQueryRetries<T>(call: () => Promise<T>, deadlineMs = queryRetryMs): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await call();
    } catch (err) {
      if (!isRefusedQuery(err) || Date.now() + delay >= deadline) throw err;
      await sleep(delay);
    }
  }
}

/**
 * Why a credential could not answer in time, in words an operator can act on: its workflow task
 * keeps failing (a bug or a non-deterministic deploy: reset it), no worker polls its task queue
 * (start one), or the provider is failing (the last error says how).
 */
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { isHalflifeError, NoWorkerError, TokenExpiredError, UpstreamFailingError, WorkflowFailingError } from '../errors';
import { credentialWorkflowId, describeQuery } from '../messages';
import { translateError } from './errors-map';
import { isRefusedQuery } from './update-calls';

/** How long one probe of a diagnosis may take before it gives up and reports what it knows. */
const probeMs = 2_000;

/** The longest a diagnosis takes (three probes). */
export const diagnosisMs = 3 * probeMs;

async function bounded<T>(promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), probeMs)));
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const { EventType } = temporal.api.enums.v1;

/**
 * How the last attempt of the pending workflow task ended: `failed` (the code threw or did not
 * replay: an operator must act) or `timed_out` (the worker holding it stopped, as in a crash or a
 * deploy: the next worker takes it over). Read from the newest events of the history.
 */
async function lastTaskEnd(client: Client, workflowId: string): Promise<'failed' | 'timed_out' | undefined> {
  const page = await bounded(
    client.workflowService.getWorkflowExecutionHistoryReverse({ namespace: client.options.namespace, execution: { workflowId }, maximumPageSize: 20 }),
  );
  for (const event of page?.history?.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) return 'failed';
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) return 'timed_out';
  }
  return undefined;
}

/** The error that says why credential `id` has no token for the caller now. */
export async function diagnose(client: Client, taskQueue: string, id: string): Promise<Error> {
  const handle = client.workflow.getHandle(credentialWorkflowId(id));
  const described = await bounded(handle.describe());
  const task = described?.raw.pendingWorkflowTask;
  if (task && (task.attempt ?? 0) > 1) {
    if ((await lastTaskEnd(client, handle.workflowId)) === 'timed_out') {
      return new NoWorkerError(id, `the worker running its workflow task stopped (${(task.attempt ?? 2) - 1} times); the next worker polling ${taskQueue} takes it over`, { retryAfterS: 5 });
    }
    return new WorkflowFailingError(id, `its workflow task has failed ${task.attempt} times; see docs/operations.md ("A credential that does not answer")`, { retryAfterS: 30 });
  }
  const queue = await bounded(
    client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    }),
  );
  if (queue && (queue.pollers?.length ?? 0) === 0) {
    return new NoWorkerError(id, `no worker polls task queue ${taskQueue}; start one (halflife worker)`, { retryAfterS: 5 });
  }
  const description = await bounded(handle.query(describeQuery));
  const last = description?.lastError;
  if (last && description && (description.status === 'expired' || description.status === 'degraded' || description.status === 'refreshing')) {
    return new UpstreamFailingError(id, `the token endpoint is failing (${last.code}: ${last.message}) and no valid token is left`, { retryAfterS: 5 });
  }
  return new TokenExpiredError(id);
}

/** True for a query the server gave up on because no worker took it (gRPC DEADLINE_EXCEEDED naming the worker). */
function isQueryNoWorkerTook(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { code?: unknown; details?: unknown; message?: unknown; cause?: unknown };
    if (e.code === 4 && /worker/i.test(`${String(e.details ?? '')} ${String(e.message ?? '')}`)) return true;
    current = e.cause;
  }
  return false;
}

/**
 * The error to report for a failed workflow call about credential `id`. When the worker running
 * its workflow task stopped mid-task (a crash, a frozen host), the server refuses queries and
 * updates with FAILED_PRECONDITION, as for a task that fails, or lets a query time out "before a
 * worker could process it"; the diagnosis tells `no_worker` from `workflow_failing`. A query the
 * worker kept refusing past its retries (its task is still owed elsewhere, see isRefusedQuery)
 * is `no_worker` too when the diagnosis finds nothing worse: the soak saw it answered 500.
 */
export async function explainFailure(client: Client, taskQueue: string, id: string, err: unknown): Promise<unknown> {
  const translated = translateError(err, id);
  const failing = isHalflifeError(translated, 'WorkflowFailingError');
  const refused = isRefusedQuery(err);
  if (!failing && !refused && !isQueryNoWorkerTook(err)) return translated;
  const diagnosed = await diagnose(client, taskQueue, id);
  if (isHalflifeError(diagnosed, 'NoWorkerError') || isHalflifeError(diagnosed, 'WorkflowFailingError')) return diagnosed;
  if (refused) return new NoWorkerError(id, 'its worker refused to answer before its pending workflow task runs; the task waits for a worker', { retryAfterS: 5, cause: err });
  return translated;
}

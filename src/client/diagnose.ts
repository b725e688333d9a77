/**
 * Why a credential could not answer in time, in words an operator can act on: its workflow task
 * keeps failing (a bug or a non-deterministic deploy: reset it), no worker polls its task queue
 * (start one), or the provider is failing (the last error says how).
 */
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { NoWorkerError, TokenExpiredError, UpstreamFailingError, WorkflowFailingError } from '../errors';
import { credentialWorkflowId, describeQuery } from '../messages';

/** How long a diagnosis may take before it gives up and reports what it knows. */
const probeMs = 2_000;

async function bounded<T>(promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), probeMs)));
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error that says why credential `id` has no token for the caller now. */
export async function diagnose(client: Client, taskQueue: string, id: string): Promise<Error> {
  const handle = client.workflow.getHandle(credentialWorkflowId(id));
  const described = await bounded(handle.describe());
  const task = described?.raw.pendingWorkflowTask;
  if (task && (task.attempt ?? 0) > 1) {
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

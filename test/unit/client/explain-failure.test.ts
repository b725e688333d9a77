/**
 * `explainFailure` (src/client/diagnose.ts) on a query the worker kept refusing (its activation
 * guard: the task is owed by a worker that is gone). The soak saw such a read answered 500
 * `internal`; it is `no_worker` (503, retried by a patient read), or what the diagnosis finds worse.
 * The Temporal client is a stub here: these are the diagnosis's branches, not the server's behaviour
 * (test/integration/stopped-worker.test.ts meets the real moments).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { explainFailure } from '../../../src/client/diagnose';
import { errorOutcomeOf } from '../../../src/error-outcomes';

const { EventType } = temporal.api.enums.v1;

/** A client whose credential has `attempt` as its pending workflow task's attempt, the last one ending in `lastEnd`, and `pollers` on its queue. */
function stubClient(attempt: number | undefined, lastEnd: 'failed' | 'timed_out' | undefined, pollers = 1): Client {
  const endEvent = lastEnd === 'failed' ? EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED : EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT;
  return {
    options: { namespace: 'default' },
    workflow: {
      getHandle: (workflowId: string) => ({
        workflowId,
        describe: async () => ({ raw: { pendingWorkflowTask: attempt === undefined ? null : { attempt } } }),
        query: async () => ({ status: 'active' }),
      }),
    },
    workflowService: {
      getWorkflowExecutionHistoryReverse: async () => ({ history: { events: lastEnd ? [{ eventType: endEvent }] : [] } }),
      describeTaskQueue: async () => ({ pollers: Array.from({ length: pollers }, () => ({})) }),
    },
  } as unknown as Client;
}

const refusedQuery = () => Object.assign(new Error('Encoded failure'), { name: 'QueryNotRegisteredError' });

describe('explainFailure of a query the worker kept refusing', () => {
  it('is no_worker (503) when the diagnosis finds nothing worse, not internal', async () => {
    const explained = await explainFailure(stubClient(undefined, undefined), 'tq', 'c1', refusedQuery());
    expect(errorOutcomeOf(explained)).toMatchObject({ status: 503, code: 'no_worker' });
  });

  it('is workflow_failing when its task keeps failing', async () => {
    const explained = await explainFailure(stubClient(3, 'failed'), 'tq', 'c1', refusedQuery());
    expect(errorOutcomeOf(explained)).toMatchObject({ status: 503, code: 'workflow_failing' });
  });

  it('leaves other errors as they were (the control: an unknown error stays internal)', async () => {
    const explained = await explainFailure(stubClient(undefined, undefined), 'tq', 'c1', new Error('something else'));
    expect(errorOutcomeOf(explained)).toMatchObject({ status: 500, code: 'internal' });
  });
});

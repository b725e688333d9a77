/**
 * A credential's webhook deliveries: one workflow per credential, id
 * `webhooks:deliveries:<credential id>`, started or signalled by the worker's notifier with the
 * events to deliver. The signal handler only queues (./delivery-state.ts); this loop issues every
 * command: one delivery activity per subscription at a time (so each receiver gets the events in
 * order), a timer until the next retry, the reports to the registry. It continues as new when the
 * history grows and completes after a quiet spell with nothing queued.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities } from '../../activities/webhooks/contracts';
import { defaultDeliveryPolicy, type AttemptOutcome } from '../../webhooks/retry-schedule';
import { deliveryReportSignal, webhookRegistryWorkflowId } from '../../webhooks/messages';
import {
  deliveryQueueQuery,
  enqueueDeliveriesSignal,
  type DeliveryQueueState,
  type DeliveryWorkflowInput,
  type QueuedDelivery,
} from '../../webhooks/delivery-messages';
import { applyOutcome, dueHeads, enqueue, inFlightCount, initialQueueState, isIdle, nextDueAt, startAttempt } from './delivery-state';

/** How long a workflow with nothing queued waits for more before it completes. */
export const idleMs = 10 * 60_000;

/** History length past which a run continues as new even before the server suggests it. */
export const deliveryHistoryLimit = 2_000;

/** The delivery activity: its own retries only cover a lost worker or an unreachable registry; the receiver's answers are retried by the loop. */
function deliveries(state: DeliveryQueueState) {
  return proxyActivities<WebhookActivities>({
    startToCloseTimeout: state.policy.requestTimeoutMs + 15_000,
    heartbeatTimeout: '5 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
  });
}

/** An activity that could not run at all (worker lost five times, registry unreachable), as a retryable outcome. */
export function outcomeOfFailure(err: unknown): AttemptOutcome {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  return { kind: 'retryable', error: `the delivery could not be attempted: ${message.slice(0, 160)}` };
}

function attempt(state: DeliveryQueueState, id: string, head: QueuedDelivery): void {
  startAttempt(head, Date.now());
  const input = { subscriptionId: id, event: head.event, progress: { attempts: head.attempts, clientErrors: head.clientErrors, firstAttemptAt: head.firstAttemptAt }, policy: state.policy };
  void deliveries(state)
    .deliverWebhook(input)
    .then(
      (outcome) => applyOutcome(state, id, outcome, Date.now()),
      (err: unknown) => {
        if (!isCancellation(err)) applyOutcome(state, id, outcomeOfFailure(err), Date.now());
      },
    );
}


/** Delivers a credential's events until it has been idle for `idleMs`; returns how the deliveries ended. */
export async function webhookDeliveryWorkflow(input: DeliveryWorkflowInput): Promise<DeliveryQueueState['ended']> {
  const state = input.state ?? initialQueueState(input.credentialId, defaultDeliveryPolicy);
  const historyLimit = input.historyLimit ?? deliveryHistoryLimit;
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit;
  setHandler(enqueueDeliveriesSignal, (req) => enqueue(state, req, Date.now()));
  setHandler(deliveryQueueQuery, () => state);
  const registry = getExternalWorkflowHandle(webhookRegistryWorkflowId(workflowInfo().taskQueue));
  let idleSince = Date.now();
  for (;;) {
    if (state.reports.length > 0) {
      const batch = state.reports.splice(0);
      try {
        await registry.signal(deliveryReportSignal, batch);
      } catch (err) {
        if (isCancellation(err)) throw err;
        log.warn('delivery reports could not reach the webhook registry; dropped', { credentialId: state.credentialId, reports: batch.length });
      }
      continue;
    }
    const now = Date.now();
    for (const [id, head] of dueHeads(state, now)) attempt(state, id, head);
    const busy = inFlightCount(state) > 0;
    if (!busy && historyFull()) {
      await condition(allHandlersFinished);
      const continueAsNew = makeContinueAsNewFunc<typeof webhookDeliveryWorkflow>();
      return await continueAsNew({ credentialId: state.credentialId, state, ...(input.historyLimit !== undefined ? { historyLimit: input.historyLimit } : {}) });
    }
    if (busy || !isIdle(state)) idleSince = now;
    else if (now - idleSince >= idleMs) {
      await condition(allHandlersFinished);
      if (isIdle(state)) return state.ended;
      continue;
    }
    const until = busy || !isIdle(state) ? nextDueAt(state) : idleSince + idleMs;
    const stamp = state.stamp;
    const changed = () => state.stamp !== stamp || (!busy && historyFull());
    if (until === undefined) await condition(changed);
    else if (until > Date.now()) await condition(changed, until - Date.now());
  }
}

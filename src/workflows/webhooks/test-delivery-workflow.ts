/**
 * One test delivery (`POST /v1/webhooks/{id}/test`, `halflife webhooks test`): a `webhook.test`
 * event sent once through the same activity, egress policy and signing as every delivery, from
 * a worker (so it shows what the workers can reach). Its outcome is reported to the registry
 * (it appears among the subscription's deliveries, marked as a test) and answered.
 */
import { getExternalWorkflowHandle, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WebhookActivities } from '../../activities/webhooks/contracts';
import { deliveryReportSignal, webhookRegistryWorkflowId } from '../../webhooks/messages';
import { type TestDeliveryInput, type TestDeliveryResult } from '../../webhooks/delivery-messages';
import { outcomeOfFailure } from './delivery-workflow';

/** Sends one test delivery and answers its outcome. */
export async function webhookTestWorkflow(input: TestDeliveryInput): Promise<TestDeliveryResult> {
  const { deliverWebhook } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: input.policy.requestTimeoutMs + 15_000,
    heartbeatTimeout: '5 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 2 },
  });
  const startedAt = Date.now();
  const outcome = await deliverWebhook({ subscriptionId: input.subscriptionId, event: input.event, progress: { attempts: 0, clientErrors: 0, firstAttemptAt: startedAt }, policy: input.policy, test: true }).catch(outcomeOfFailure);
  const status = outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'skipped' ? 'skipped' : outcome.kind === 'gone' ? 'gone' : 'failed';
  const record = {
    eventId: input.event.id,
    type: input.event.type,
    status,
    attempts: 1,
    ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
    ...(outcome.error !== undefined ? { lastError: outcome.error } : {}),
    firstAttemptAt: startedAt,
    lastAttemptAt: Date.now(),
    test: true,
  } as const;
  try {
    await getExternalWorkflowHandle(webhookRegistryWorkflowId(workflowInfo().taskQueue)).signal(deliveryReportSignal, [{ subscriptionId: input.subscriptionId, record }]);
  } catch {
    log.warn('the test delivery could not be reported to the webhook registry', { subscriptionId: input.subscriptionId });
  }
  return { subscriptionId: input.subscriptionId, eventId: input.event.id, outcome };
}

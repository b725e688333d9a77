/**
 * The worker's notifier: what the credential workflow's `notifyCredential` local activity runs.
 * It matches the events against the subscriptions (configured and the registry's; disabled ones
 * skipped) and hands the matching ones, in one signal-with-start, to the credential's delivery
 * workflow, where they are durable. It only queues: delivery happens there, with retries for
 * hours. When it throws (Temporal or the registry unreachable), the credential workflow keeps
 * the events and hands them over again later; a repeated hand-over is deduplicated there.
 */
import type { Client } from '@temporalio/client';
import type { NotifyCredentialInput, NotifyResult } from '../activities/contracts';
import { webhookDeliveryWorkflow } from '../workflows/webhooks/delivery-workflow';
import type { WebhookDirectory } from './directory';
import { subscriptionMatches } from './matching';
import { enqueueDeliveriesSignal, webhookDeliveryWorkflowId, type EnqueueRequest } from './delivery-messages';
import type { DeliveryPolicy } from './retry-schedule';

/** Dependencies of the notifier. */
export interface NotifierDeps {
  temporal: () => Client;
  directory: Pick<WebhookDirectory, 'targets' | 'ensureRegistry' | 'taskQueue'>;
  policy: DeliveryPolicy;
}

/** Creates the `notifyCredential` implementation. */
export function createNotifier(deps: NotifierDeps): (input: NotifyCredentialInput) => Promise<NotifyResult> {
  return async function notifyCredential(input: NotifyCredentialInput): Promise<NotifyResult> {
    const targets = (await deps.directory.targets()).filter((t) => t.state !== 'disabled');
    const items: EnqueueRequest['items'] = input.events.flatMap((event) => {
      const subscriptionIds = targets.filter((t) => subscriptionMatches(t.subscription, event)).map((t) => t.subscription.id);
      return subscriptionIds.length > 0 ? [{ event, subscriptionIds }] : [];
    });
    if (items.length === 0) return 'handed_off';
    await deps.directory.ensureRegistry();
    await deps.temporal().workflow.signalWithStart(webhookDeliveryWorkflow, {
      workflowId: webhookDeliveryWorkflowId(input.credentialId),
      taskQueue: deps.directory.taskQueue,
      args: [{ credentialId: input.credentialId }],
      signal: enqueueDeliveriesSignal,
      signalArgs: [{ items, policy: deps.policy }],
      staticSummary: `webhook deliveries of credential ${input.credentialId}`,
    });
    return 'handed_off';
  };
}

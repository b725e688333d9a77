/** The webhook activities a worker registers beside the credential and connect activities. */
import type { WebhookActivities } from './contracts';
import { createDeliverWebhook, type WebhookActivityDeps } from './deliver-webhook';

/** Builds the webhook activities; without `deps` (a worker created with `webhooks: false`) an attempt fails, to be retried by a worker that delivers. */
export function createWebhookActivities(deps: WebhookActivityDeps | undefined): WebhookActivities {
  if (deps) return { deliverWebhook: createDeliverWebhook(deps) };
  return {
    async deliverWebhook() {
      throw new Error('this worker does not deliver webhooks (created with webhooks: false)');
    },
  };
}

export type { WebhookActivities, DeliverWebhookInput } from './contracts';
export type { WebhookActivityDeps } from './deliver-webhook';

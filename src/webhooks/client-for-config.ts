/** The WebhookClient of a configured process (the API, the CLI): its Temporal client, task queue, configured subscriptions, retry policy and egress policy. */
import type { Client } from '@temporalio/client';
import type { HalflifeConfig } from '../config';
import { egressPolicyFromEnv } from '../egress';
import { WebhookClient } from './webhook-client';

/** A WebhookClient for the deployment `config` describes, on `temporal`. */
export function webhookClientFor(temporal: Client, config: HalflifeConfig): WebhookClient {
  return new WebhookClient({
    temporal,
    taskQueue: config.taskQueue,
    configured: config.webhooks?.subscriptions ?? [],
    ...(config.webhooks ? { policy: config.webhooks.policy } : {}),
    egressPolicy: egressPolicyFromEnv(process.env, { development: !config.production }),
  });
}

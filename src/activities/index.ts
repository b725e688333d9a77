/** The activities a credential worker registers. */
import type { TokenCache } from '../redis/token-cache';
import type { ConnectClient } from '../connect/connect-client';
import { createConnectActivities, type ConnectActivities, type HandOverClient } from './connect';
import type { CredentialActivities } from './contracts';
import { observePublications, observeRefreshes } from '../metrics/activity-observers';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { createPublishCredential } from './publish-credential';
import { createRefreshCredential, type RefreshDeps } from './refresh-credential';
import { createWebhookActivities, type WebhookActivities, type WebhookActivityDeps } from './webhooks';

/** Dependencies of all activities. */
export interface ActivityDeps extends RefreshDeps {
  /** The worker's metrics; without it nothing is observed. */
  metrics?: WorkerMetrics;
  /** The Redis mirror; absent when Redis is not configured. */
  cache?: TokenCache;
  /** Hands lifecycle events to the webhook deliveries; absent when none are configured. */
  notify?: CredentialActivities['notifyCredential'];
  /** What webhook deliveries need (subscriptions, the egress fetch, metrics); absent: this worker does not deliver. */
  webhooks?: WebhookActivityDeps;
  /** The TokenClient connect sessions hand their grants over with (built on first use). */
  tokenClient?: () => HandOverClient;
  /** The ConnectClient fresh connect links are made with; absent without a public URL. */
  connectClient?: () => Pick<ConnectClient, 'createFromProfile'>;
}

/** Builds the activity implementations. */
export function createActivities(deps: ActivityDeps): CredentialActivities & ConnectActivities & WebhookActivities {
  return {
    refreshCredential: observeRefreshes(createRefreshCredential(deps), deps.metrics),
    publishCredential: observePublications(createPublishCredential(deps.cache), deps.metrics),
    notifyCredential: deps.notify ?? (async () => 'off' as const),
    ...createConnectActivities(deps),
    ...createWebhookActivities(deps.webhooks),
  };
}

export type { CredentialActivities } from './contracts';

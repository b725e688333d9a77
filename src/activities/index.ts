/** The activities a credential worker registers. */
import type { TokenCache } from '../redis/token-cache';
import type { ConnectClient } from '../connect/connect-client';
import { createConnectActivities, type ConnectActivities, type HandOverClient } from './connect';
import type { CredentialActivities, NotifyCredentialInput, NotifyResult, Stamped } from './contracts';
import { observePublications, observeRefreshes } from '../metrics/activity-observers';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import type { ParentClient } from './parent-token';
import { createPublishAndNotify } from './publish-and-notify';
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
  notify?: (input: NotifyCredentialInput) => Promise<NotifyResult>;
  /** What webhook deliveries need (subscriptions, the egress fetch, metrics); absent: this worker does not deliver. */
  webhooks?: WebhookActivityDeps;
  /** The TokenClient connect sessions hand their grants over with, and derived credentials reach their parents through (built on first use). */
  tokenClient?: () => HandOverClient & ParentClient;
  /** The ConnectClient fresh connect links are made with; absent without a public URL. */
  connectClient?: () => Pick<ConnectClient, 'createFromProfile'>;
}

/** `activity`, with a test seam run before it. */
function withSeam<I, R>(activity: (input: I) => Promise<R>, seam: ((input: I) => Promise<void> | void) | undefined): (input: I) => Promise<R> {
  if (!seam) return activity;
  return async (input) => {
    await seam(input);
    return activity(input);
  };
}

/** `activity`, answering `{ result, at }` when its input asks for a stamp (see `Stamped`). */
function stamping<I extends { stamp?: boolean }, R>(activity: (input: I) => Promise<R>): (input: I) => Promise<R | Stamped<R>> {
  return async (input) => {
    const result = await activity(input);
    return input.stamp ? { result, at: Date.now() } : result;
  };
}

/** Builds the activity implementations. */
export function createActivities(deps: ActivityDeps): CredentialActivities & ConnectActivities & WebhookActivities {
  const publish = observePublications(withSeam(createPublishCredential(deps.cache), deps.hooks?.beforePublish), deps.metrics);
  const notify = deps.notify ?? (async () => 'off' as const);
  return {
    refreshCredential: observeRefreshes(createRefreshCredential(deps), deps.metrics),
    publishCredential: stamping(publish),
    notifyCredential: stamping(notify),
    publishAndNotify: stamping(createPublishAndNotify(publish, notify)),
    ...createConnectActivities(deps),
    ...createWebhookActivities(deps.webhooks),
  };
}

export type { CredentialActivities } from './contracts';

/** The activities a credential worker registers. */
import type { TokenCache } from '../redis/token-cache';
import type { CredentialActivities } from './contracts';
import { createPublishCredential } from './publish-credential';
import { createRefreshCredential, type RefreshDeps } from './refresh-credential';

/** Dependencies of all activities. */
export interface ActivityDeps extends RefreshDeps {
  /** The Redis mirror; absent when Redis is not configured. */
  cache?: TokenCache;
  /** Hands lifecycle events to the webhook deliveries; absent when none are configured. */
  notify?: CredentialActivities['notifyCredential'];
}

/** Builds the activity implementations. */
export function createActivities(deps: ActivityDeps): CredentialActivities {
  return {
    refreshCredential: createRefreshCredential(deps),
    publishCredential: createPublishCredential(deps.cache),
    notifyCredential: deps.notify ?? (async () => 'off' as const),
  };
}

export type { CredentialActivities } from './contracts';

/**
 * The publication activity: mirrors a credential into Redis. Separate from the refresh activity so
 * a Redis fault never repeats an upstream call; without Redis configured it answers `off`. (Runs
 * of release 0.1 read any truthy answer as written.)
 */
import type { TokenCache } from '../redis/token-cache';
import type { PublishCredentialInput, PublishResult } from './contracts';

/** Creates the `publishCredential` activity. */
export function createPublishCredential(cache: TokenCache | undefined) {
  return async function publishCredential(input: PublishCredentialInput): Promise<PublishResult> {
    if (!cache) return 'off';
    return (await cache.write(input.credentialId, input.record, input.event)) ? 'written' : 'stale';
  };
}

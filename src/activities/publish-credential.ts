/**
 * The publication activity: mirrors a credential into Redis. Separate from the refresh activity so
 * a Redis fault never repeats an upstream call; without Redis configured it does nothing.
 */
import type { TokenCache } from '../redis/token-cache';
import type { PublishCredentialInput } from './contracts';

/** Creates the `publishCredential` activity; returns true when Redis accepted the write. */
export function createPublishCredential(cache: TokenCache | undefined) {
  return async function publishCredential(input: PublishCredentialInput): Promise<boolean> {
    if (!cache) return false;
    return cache.write(input.credentialId, input.record, input.event);
  };
}

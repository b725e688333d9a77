/**
 * A change that consumers see usually raises lifecycle events too (a rotation: `credential.rotated`).
 * Runs with `patched(oneLocalActivityPatch)` publish it and hand its events over in one local
 * activity (one marker and one activation per change instead of two, both waits at once); each
 * part's outcome is applied as the separate activities' is, so a failed part is retried alone, on
 * its own backoff, by the main loop's `publish` or `notify` step. Runs recorded before the patch
 * publish and hand over one after the other.
 */
import { isCancellation, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { CredentialActivities, PublishCredentialInput } from '../activities/contracts';
import { unstamp } from './decision-clock';
import { notificationDue } from './next-step';
import { applyHandOver } from './notification';
import { applyPublished, publicationOf, publish } from './publication';
import type { CredentialState } from './state';

/** The patch marking runs that publish and hand over in one local activity. */
export const oneLocalActivityPatch = 'halflife-one-local-activity';

const both = proxyLocalActivities<CredentialActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 2, initialInterval: '200 milliseconds' },
  summary: 'publish the current token and status to Redis and hand lifecycle events to the webhook deliveries',
});

/**
 * Publishes the current revision and, when a hand-over is due, hands the pending events over in
 * the same local activity; never throws (but for cancellation). With `stamp`, resolves with the
 * instant the activity answered (see decision-clock.ts).
 */
export async function publishWithEvents(state: CredentialState, now: () => number, event: PublishCredentialInput['event'], stamp = false): Promise<number | undefined> {
  if (!notificationDue(state, now()) || !patched(oneLocalActivityPatch)) return publish(state, now, event, stamp);
  const revision = state.revision;
  const events = state.notifier!.pending;
  try {
    const answer = await both.publishAndNotify({ publication: publicationOf(state, event), notification: { credentialId: state.id, events }, ...(stamp ? { stamp } : {}) });
    const { result, at } = unstamp(answer);
    applyPublished(state, revision, result.published, now);
    applyHandOver(state, events, result.notified, now);
    return at;
  } catch (err) {
    if (isCancellation(err)) throw err;
    applyPublished(state, revision, 'failed', now);
    applyHandOver(state, events, 'failed', now);
    return undefined;
  }
}

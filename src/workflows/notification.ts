/**
 * Handing lifecycle events to the notifier (webhooks): a local activity that queues them for
 * durable delivery; on failure they stay in the state and are handed over again with backoff.
 * A worker without a notifier answers `off`, and the run stops trying (the next run asks again).
 */
import { isCancellation, log, proxyLocalActivities } from '@temporalio/workflow';
import type { CredentialActivities, CredentialLifecycleEvent, NotifyResult } from '../activities/contracts';
import { unstamp } from './decision-clock';
import type { CredentialState } from './state';

const notifier = proxyLocalActivities<CredentialActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 2, initialInterval: '200 milliseconds' },
  summary: 'hand lifecycle events to the webhook deliveries',
});

/** Longest wait between two hand-over attempts. */
export const maxNotifyBackoffMs = 300_000;

/** Applies what the hand-over of `events` (the oldest pending ones) did: they leave the queue, or wait for a retry with backoff. */
export function applyHandOver(state: CredentialState, events: CredentialLifecycleEvent[], result: NotifyResult | 'failed', now: () => number): void {
  if (result !== 'failed') {
    const rest = (state.notifier?.pending ?? []).slice(events.length);
    state.notifier = { pending: result === 'off' ? [] : rest, failures: 0, ...(result === 'off' ? { off: true } : {}) };
    return;
  }
  const failures = (state.notifier?.failures ?? 0) + 1;
  state.notifier = { ...state.notifier, pending: state.notifier?.pending ?? events, failures, retryAt: now() + Math.min(maxNotifyBackoffMs, 1_000 * 2 ** Math.min(failures, 20)) };
  log.warn('handing lifecycle events to the notifier failed; retrying later', { credentialId: state.id, events: events.length, failures });
}

/**
 * Hands the pending events over; never throws (but for cancellation). With `stamp`, resolves with
 * the instant the activity answered (see decision-clock.ts); undefined when there was nothing to hand over.
 */
export async function flushEvents(state: CredentialState, now: () => number, stamp = false): Promise<number | undefined> {
  const n = state.notifier;
  if (!n || n.pending.length === 0) return undefined;
  const events = n.pending;
  try {
    const { result, at } = unstamp(await notifier.notifyCredential({ credentialId: state.id, events, ...(stamp ? { stamp } : {}) }));
    applyHandOver(state, events, result, now);
    return at;
  } catch (err) {
    if (isCancellation(err)) throw err;
    applyHandOver(state, events, 'failed', now);
    return undefined;
  }
}

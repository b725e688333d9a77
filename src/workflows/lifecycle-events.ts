/**
 * The lifecycle events of a credential, derived from what consumers saw before and after a change
 * (pure): `reauth_required`, `degraded`, `expired`, `recovered`, `revoked`, `rotated` (the
 * warnings ahead of trouble, `quota_low` and the `…_expiring` ones, are in ./warnings.ts). The main
 * loop hands them to the notifier (webhooks, see src/webhooks) through an activity; until that
 * succeeds they wait in the state, so none is lost to a crash or a notifier outage.
 */
import type { CredentialEventType, CredentialLifecycleEvent } from '../activities/contracts';
import type { CredentialState } from './state';

/** Most events kept while the notifier is unreachable (the oldest are dropped beyond it). */
export const maxPendingEvents = 50;

interface Seen {
  version: number;
  status: string;
}

const troubled = new Set(['degraded', 'expired', 'reauth_required']);

/** The events that the change from `before` to the current state means (none for no change). */
export function eventsOf(state: CredentialState, before: Seen | undefined, now: number): CredentialLifecycleEvent[] {
  const types: CredentialEventType[] = [];
  const status = state.status;
  if (before && before.status !== status) {
    if (status === 'reauth_required' || status === 'degraded' || status === 'expired' || status === 'revoked') types.push(`credential.${status}`);
    if (status === 'active' && troubled.has(before.status)) types.push('credential.recovered');
  }
  if (before && state.version > before.version) types.push('credential.rotated');
  return types.map((type) => ({
    id: `${state.id}:${state.createdAt}:${state.revision}:${type}`,
    type,
    credentialId: state.id,
    at: now,
    status,
    version: state.version,
    ...(state.token ? { expiresAt: state.token.expiresAt } : {}),
    ...(type === 'credential.reauth_required' || type === 'credential.degraded' || type === 'credential.expired'
      ? state.lastError ? { reason: { code: state.lastError.code, message: state.lastError.message } } : {}
      : {}),
    ...(type === 'credential.reauth_required' && state.connectLink?.url ? { data: { connectUrl: state.connectLink.url, connectUrlExpiresAt: state.connectLink.expiresAt } } : {}),
  }));
}

/** Queues events for the notifier, keeping the newest `maxPendingEvents`. */
export function queueEvents(state: CredentialState, events: CredentialLifecycleEvent[]): void {
  if (events.length === 0 || state.notifier?.off) return;
  const pending = [...(state.notifier?.pending ?? []), ...events];
  state.notifier = { ...state.notifier, failures: state.notifier?.failures ?? 0, pending: pending.slice(-maxPendingEvents) };
}

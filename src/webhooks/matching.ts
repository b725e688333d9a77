/**
 * Which subscriptions an event goes to, and which secrets sign (pure, no Node imports: the
 * registry workflow uses it too).
 */
import { globToRegExp } from '../glob';
import { selectsEvent } from './event-types';
import type { WebhookSubscription } from './messages';
import type { WebhookEvent } from './delivery-messages';

/** The secrets of `sub` that still sign at `now` (the previous one until its `expiresAt`). */
export function activeSecrets(sub: WebhookSubscription, now: number): WebhookSubscription['secrets'] {
  return sub.secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > now);
}

/** Whether `sub` selects `event`: its type, and its credential through the glob. */
export function subscriptionMatches(sub: Pick<WebhookSubscription, 'events' | 'credentials'>, event: Pick<WebhookEvent, 'type' | 'credentialId'>): boolean {
  if (!selectsEvent(sub.events, event.type)) return false;
  return event.credentialId === undefined || globToRegExp(sub.credentials).test(event.credentialId);
}

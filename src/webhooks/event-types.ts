/**
 * The event types a webhook subscription can select (no Node imports: the workflows use it too).
 * `credential.rotated` fires on every refresh, so it is opt-in: a subscription without `events`
 * gets every other type; `["*"]` is every type, including those added later. A test delivery
 * (`webhook.test`) goes to the one subscription tested, whatever it selects.
 */
import type { CredentialEventType } from '../activities/contracts';

/** Every credential lifecycle event type, in the order the docs list them. */
export const credentialEventTypes = [
  'credential.reauth_required',
  'credential.degraded',
  'credential.expired',
  'credential.recovered',
  'credential.revoked',
  'credential.rotated',
  'credential.refresh_token_expiring',
  'credential.client_secret_expiring',
  'credential.quota_low',
] as const satisfies readonly CredentialEventType[];

// Fails to compile when the contract gains an event type this list lacks.
const everyTypeListed: Exclude<CredentialEventType, (typeof credentialEventTypes)[number]> extends never ? true : never = true;
void everyTypeListed;

/** The type of a test delivery (`POST /v1/webhooks/{id}/test`). */
export const testEventType = 'webhook.test';

/** Any type a delivery carries. */
export type WebhookEventType = CredentialEventType | typeof testEventType;

/** Types a subscription only gets when it names them (or selects `*`). */
export const optInEventTypes: readonly CredentialEventType[] = ['credential.rotated'];

/** What a subscription that names no `events` selects: every type but the opt-in ones. */
export const defaultEventTypes: readonly CredentialEventType[] = credentialEventTypes.filter((t) => !optInEventTypes.includes(t));

/** True for a credential event type Halflife emits. */
export function isCredentialEventType(value: string): value is CredentialEventType {
  return (credentialEventTypes as readonly string[]).includes(value);
}

/** Whether a subscription selecting `events` gets an event of `type`. */
export function selectsEvent(events: readonly string[], type: string): boolean {
  return type === testEventType || events.includes('*') || events.includes(type);
}

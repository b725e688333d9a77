/**
 * FROZEN (release v0.1.0, see ./credential-workflow.ts): do not change.
 *
 * `ApplicationFailure` type names that cross the Temporal boundary, shared by the activities,
 * the workflow and the client (which maps them back to error classes).
 */

/** An activity's classified provider failure; details[0] is a `ProviderFailureDetails`. */
export const providerFailureType = 'ProviderError';

/** The grant was rejected or the configuration is wrong: a person must act. */
export const reauthRequiredFailureType = 'ReauthRequired';

/** The credential was revoked. */
export const revokedFailureType = 'Revoked';

/** An update's arguments were invalid (raised by a validator). */
export const invalidArgumentFailureType = 'InvalidArgument';

/** A refresh ended without a token for another reason. */
export const refreshFailedFailureType = 'RefreshFailed';

/** What an activity tells the workflow about a classified provider failure (no secrets). */
export interface ProviderFailureDetails {
  kind: 'transient' | 'reauth' | 'configuration' | 'malformed';
  code: string;
  message: string;
  retryAfterMs?: number;
}

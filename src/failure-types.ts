/**
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
  /** A refresh token the provider rotated to in an answer that failed otherwise (a secret: details are encrypted). */
  rotatedRefreshToken?: string;
}

/** The run is ending (continue-as-new or an upgrade hand-off) before it could answer: retry on the next run. */
export const retryOnNewRunFailureType = 'RetryOnNewRun';

/** A registration with `mode: 'create'` met a credential registered differently. */
export const credentialExistsFailureType = 'CredentialExists';

/** The provider is failing and no valid token is left; details[0] is `{ code, message }` of the last error. */
export const upstreamFailingFailureType = 'UpstreamFailing';

/** A registration names another provider than the running credential's; details[0] is `{ current, requested }`. */
export const providerMismatchFailureType = 'ProviderMismatch';

/**
 * Hands a connect session's grant to its credential, from the worker, through a TokenClient: a
 * credential that does not exist is registered with the grant (its first token is the one the
 * exchange returned: no extra refresh); an existing one (e.g. in `reauth_required`) gets the new
 * grant and the session's provider settings, and resumes with its next version at once.
 *
 * Both go through `register` (update-with-start, replace mode), not `reauthorize`, because it is
 * idempotent: a retry of this activity after a crash sends the same registration again, which the
 * credential recognises by its fingerprint and answers without touching the grant. A second
 * `reauthorize` with the same refresh token would overwrite the rotated one the first already got,
 * and replay it.
 */
import { connectSettingsOf } from '../../connect/messages';
import type { TokenClient } from '../../client/token-client';
import { isHalflifeError } from '../../errors';
import { connectFailure } from './authorization-server';
import type { HandOverInput, HandOverResult } from './contracts';

/** The part of TokenClient the hand-over uses. */
export type HandOverClient = Pick<TokenClient, 'register' | 'describe'>;

/** Dependencies of the hand-over. */
export interface HandOverDeps {
  /** The worker's TokenClient (built once, on first use). */
  tokenClient?: () => HandOverClient;
}

/** Errors of the credential that retrying cannot fix; anything else (Temporal away, a busy credential) is retried. */
const finalErrors = new Set(['InvalidConfigError', 'ProviderMismatchError', 'ReauthRequiredError', 'CredentialExistsError', 'RefreshFailedError']);

/** Creates the `handOverGrant` activity. */
export function createHandOverGrant(deps: HandOverDeps) {
  return async function handOverGrant(input: HandOverInput): Promise<HandOverResult> {
    if (!deps.tokenClient) throw new Error('this worker has no TokenClient to hand connect grants over with');
    const client = deps.tokenClient();
    const { credentialId: id, profile, grant } = input;
    const current = await client.describe(id).catch((err: unknown) => {
      if (isHalflifeError(err, 'CredentialNotFoundError')) return undefined;
      throw err;
    });
    const exists = current !== undefined && current.status !== 'revoked';
    if (exists && current.provider !== 'oauth2') {
      throw connectFailure({ result: 'handover_failed', code: 'provider_mismatch', message: `credential ${id} uses provider ${current.provider}; a connect link gives oauth2 grants (revoke it first)` });
    }
    const token = { accessToken: grant.token.accessToken, tokenType: grant.token.tokenType, expiresAt: grant.token.expiresAt, ...(grant.token.scope ? { scope: grant.token.scope } : {}) };
    try {
      const registration = await client.register(
        { id, provider: 'oauth2', config: profile.config, grant: { refreshToken: grant.refreshToken }, connect: connectSettingsOf(profile), ...(exists ? {} : { token }) },
        { replace: true },
      );
      return { registration: registration.result, version: registration.token.version };
    } catch (err) {
      const name = (err as { name?: unknown }).name;
      if (typeof name === 'string' && finalErrors.has(name)) {
        const e = err as { code?: string; message?: string };
        throw connectFailure({ result: 'handover_failed', code: e.code ?? 'handover_failed', message: `credential ${id} did not take the grant: ${e.message ?? name}` });
      }
      throw err;
    }
  };
}

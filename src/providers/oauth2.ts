/**
 * The `oauth2` provider: the refresh_token grant (RFC 6749 §6), rotation aware.
 *
 * When the answer carries a refresh token that differs from the one sent, it is returned as
 * `ProviderResult.refreshToken` and must replace the stored one at once (the old one is usually
 * dead already). An answer that repeats the same refresh token, or carries none, leaves
 * `refreshToken` undefined: the stored one stays in use.
 */
import type { Grant } from '../credential';
import { ProviderError } from '../errors';
import { exchange } from './oauth2-exchange';
import { oauth2ConfigSchema, oauth2SecretFields, type OAuth2Config } from './oauth2-config';
import type { Provider, ProviderContext, ProviderResult } from './provider';

/** Obtains a new token set with the grant's refresh token. */
async function refresh(config: OAuth2Config, grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const refreshToken = grant.refreshToken;
  if (!refreshToken) {
    throw new ProviderError('configuration', 'missing_refresh_token', 'the oauth2 provider needs a refresh token; reauthorize the credential');
  }
  const answer = await exchange('oauth2', config, { type: 'refresh_token', refreshToken }, ctx);
  const rotated = answer.refreshToken !== undefined && answer.refreshToken !== refreshToken ? answer.refreshToken : undefined;
  return { token: answer.token, ...(rotated !== undefined ? { refreshToken: rotated } : {}) };
}

/** The `oauth2` (refresh_token grant) provider. */
export const oauth2Provider: Provider<OAuth2Config> = {
  name: 'oauth2',
  configSchema: oauth2ConfigSchema,
  needsRefreshToken: true,
  secretFields: oauth2SecretFields,
  refresh,
};

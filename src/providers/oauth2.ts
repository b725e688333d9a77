/**
 * The `oauth2` provider: the refresh_token grant (RFC 6749 §6), rotation aware.
 *
 * When the answer carries a refresh token that differs from the one sent, it is returned as
 * `ProviderResult.refreshToken` and must replace the stored one at once (the old one is usually
 * dead already); an answer that cannot be used still carries it, as
 * `ProviderError.rotatedRefreshToken`. An answer that repeats the same refresh token, or carries
 * none, leaves it undefined: the stored one stays in use.
 */
import type { Grant } from '../credential';
import { ProviderError } from '../errors';
import { oauthRules } from './classification';
import { completeFromIssuer } from './discovery';
import { exchange } from './oauth2-exchange';
import { oauth2ConfigSchema, oauth2Fields, type OAuth2Config } from './oauth2-config';
import { oauth2Request } from './oauth2-request';
import { presetByName } from './presets';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';

const rules = [
  { match: 'grant without refresh token', kind: 'configuration', code: 'missing_refresh_token', retry: 'not retried: `reauth_required` until `reauthorize` brings a refresh token' } as const,
  ...oauthRules(true),
];

/** Obtains a new token set with the grant's refresh token. */
async function refresh(config: OAuth2Config, grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const refreshToken = grant.refreshToken;
  if (!refreshToken) {
    throw new ProviderError('configuration', 'missing_refresh_token', 'the oauth2 provider needs a refresh token; reauthorize the credential');
  }
  const result = await exchange(rules, await oauth2Request(config, { type: 'refresh_token', refreshToken }, ctx.now()), ctx);
  if (result.refreshTokenExpiresAt !== undefined || ctx.refreshTokenExpiresAt !== undefined) return result;
  // The answer does not say; a preset's absolute lifetime does, counted from the first refresh
  // Halflife made with this grant (the user authorized earlier, so the real end may be sooner).
  const absolute = config.preset !== undefined ? presetByName(config.preset)?.refreshTokens.absoluteLifetimeMs : undefined;
  return absolute === undefined ? result : { ...result, refreshTokenExpiresAt: result.token.issuedAt + absolute };
}

/** The `oauth2` (refresh_token grant) provider. */
export const oauth2Provider = defineProvider<OAuth2Config>({
  name: 'oauth2',
  fields: oauth2Fields,
  configSchema: oauth2ConfigSchema,
  needsRefreshToken: true,
  classification: rules,
  summary: { grant: '`refresh_token` (RFC 6749 §6)', refreshToken: 'yes, rotation aware', repeatsToken: 'no' },
  refresh,
  complete: completeFromIssuer,
});

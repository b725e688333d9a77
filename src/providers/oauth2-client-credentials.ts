/**
 * The `oauth2_client_credentials` provider: the client credentials grant (RFC 6749 §4.4).
 * No refresh token: every refresh is a new grant made with the client's own credentials (its
 * secret, or a `private_key_jwt` client assertion).
 */
import type { Grant } from '../credential';
import { oauthRules } from './classification';
import { completeFromIssuer } from './discovery';
import { exchange } from './oauth2-exchange';
import { oauth2ConfigSchema, oauth2Fields, type OAuth2Config } from './oauth2-config';
import { oauth2Request } from './oauth2-request';
import { defineProvider, type ProviderContext, type ProviderResult } from './provider';

const rules = oauthRules(false);

/** Obtains a new token set with the client's own credentials (a refresh token in the answer is ignored). */
async function refresh(config: OAuth2Config, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  return exchange(rules, await oauth2Request(config, { type: 'client_credentials' }, ctx.now()), ctx);
}

/** The `oauth2_client_credentials` provider. */
export const oauth2ClientCredentialsProvider = defineProvider<OAuth2Config>({
  name: 'oauth2_client_credentials',
  fields: oauth2Fields,
  configSchema: oauth2ConfigSchema,
  needsRefreshToken: false,
  classification: rules,
  summary: { grant: '`client_credentials` (RFC 6749 §4.4)', refreshToken: 'no', repeatsToken: 'no' },
  refresh,
  complete: completeFromIssuer,
});

/**
 * The `oauth2_client_credentials` provider: the client credentials grant (RFC 6749 §4.4).
 * No refresh token: every refresh is a new grant made with the client id and secret.
 */
import type { Grant } from '../credential';
import { exchange } from './oauth2-exchange';
import { oauth2ConfigSchema, oauth2SecretFields, type OAuth2Config } from './oauth2-config';
import type { Provider, ProviderContext, ProviderResult } from './provider';

/** Obtains a new token set with the client's own credentials (a refresh token in the answer is ignored). */
async function refresh(config: OAuth2Config, _grant: Grant, ctx: ProviderContext): Promise<ProviderResult> {
  const answer = await exchange('oauth2_client_credentials', config, { type: 'client_credentials' }, ctx);
  return { token: answer.token };
}

/** The `oauth2_client_credentials` provider. */
export const oauth2ClientCredentialsProvider: Provider<OAuth2Config> = {
  name: 'oauth2_client_credentials',
  configSchema: oauth2ConfigSchema,
  needsRefreshToken: false,
  secretFields: oauth2SecretFields,
  refresh,
};

/** Okta custom authorization server (`/oauth2/default`): optional rotation with a 30 s grace period. */
import { SECOND, type Preset } from './preset';

const guides = 'https://developer.okta.com/docs/guides';

/** The Okta preset. */
export const okta: Preset = {
  name: 'okta',
  title: 'Okta',
  provider: 'oauth2',
  tokenEndpoint: 'https://{domain}/oauth2/{authServer}/v1/token',
  issuer: 'https://{domain}/oauth2/{authServer}',
  authorizationEndpoint: 'https://{domain}/oauth2/{authServer}/v1/authorize',
  placeholders: [
    { name: 'domain', description: 'your Okta domain', example: 'dev-123456.okta.com' },
    { name: 'authServer', description: 'the custom authorization server ID; `default` for the default one', example: 'default' },
  ],
  clientAuth: 'client_secret_basic',
  defaultScopes: ['offline_access'],
  refreshTokens: { issued: 'with_scope', rotates: 'configurable', reuseGraceMs: 30 * SECOND },
  quirks: [
    'rotation is the default for SPAs; web and native apps keep persistent refresh tokens unless rotation is turned on',
    'a rotated refresh token keeps the expiry of the one it replaced',
    'the issuer is not the token endpoint’s origin: id_tokens must be checked against https://{domain}/oauth2/{authServer}',
  ],
  facts: [
    {
      fact: 'A refresh token is returned when offline_access is requested; the authorization request goes to https://${yourOktaDomain}/oauth2/default/v1/authorize and the token request to https://${yourOktaDomain}/oauth2/default/v1/token.',
      source: `${guides}/refresh-tokens/get-refresh-token/`,
    },
    {
      fact: 'SPAs use refresh token rotation by default when Refresh Token is an allowed grant type; native and web apps use persistent refresh tokens by default.',
      source: `${guides}/refresh-tokens/get-refresh-token/`,
    },
    {
      fact: 'With rotation, Okta invalidates the refresh token that was passed once new tokens are issued; reuse of a previously used refresh token invalidates the most recently issued refresh token and all access tokens. A grace period keeps the previous token valid for the configured time after rotation.',
      source: `${guides}/refresh-tokens/refresh-token-rotation/`,
    },
    {
      fact: 'The leeway allowed after a refresh token is rotated, during which the previous token remains valid, defaults to 30 seconds.',
      source: 'https://github.com/okta/okta-sdk-dotnet/blob/master/docs/OpenIdConnectApplicationSettingsRefreshToken.md',
    },
    {
      fact: 'The metadata of a custom authorization server is at https://${yourOktaDomain}/oauth2/${authServerId}/.well-known/openid-configuration.',
      source: `${guides}/configure-access-policy/configure-token-lifetime-per-client/`,
    },
    {
      fact: 'When a refresh token is used and a new one is provided, the expiration time remains the same as the previous token; on a custom authorization server the lifetime is configurable from 10 minutes to 5 years or unlimited, with an optional idle expiry.',
      source: 'https://support.okta.com/help/s/article/refresh-token-expiration-behavior',
    },
    {
      fact: 'Token requests authenticate the client with an Authorization: Basic header.',
      source: 'https://support.okta.com/help/s/article/how-to-retrieve-a-refresh-token-when-authenticating-and-the-flows-that-are-supported',
    },
  ],
};

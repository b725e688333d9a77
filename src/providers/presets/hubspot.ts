/** HubSpot: 30 minute access tokens from the dated OAuth endpoint (v1 is deprecated on 2027-02-16). */
import { MINUTE, type Preset } from './preset';

/** The HubSpot preset. */
export const hubspot: Preset = {
  name: 'hubspot',
  title: 'HubSpot',
  provider: 'oauth2',
  tokenEndpoint: 'https://api.hubapi.com/oauth/2026-03/token',
  authorizationEndpoint: 'https://app.hubspot.com/oauth/authorize',
  clientAuth: 'client_secret_post',
  pkce: 'supported',
  refreshTokens: { issued: 'always', rotates: 'sometimes' },
  accessTokenLifetimeMs: 30 * MINUTE,
  quirks: [
    'access tokens can be up to 300 characters and change size over time',
    'the v1 endpoint https://api.hubapi.com/oauth/v1/token is deprecated on February 16, 2027',
    'whether a refresh returns a new refresh token is not documented: Halflife keeps whichever comes back',
  ],
  facts: [
    {
      fact: 'The OAuth token endpoint is POST https://api.hubapi.com/oauth/2026-03/token with form parameters including client_id, client_secret, refresh_token and code_verifier.',
      source: 'https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token',
    },
    {
      fact: 'Access tokens are short lived: check expires_in to determine the lifetime; store the refresh token for offline access. Tokens can be up to 300 characters.',
      source: 'https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token',
    },
    {
      fact: 'OAuth access tokens expire 30 minutes after being generated (previously 6 hours); the change has no effect on refresh tokens.',
      source: 'https://developers.hubspot.com/changelog/upcoming-expiration-of-oauth-access-tokens-is-changing',
    },
    {
      fact: 'On February 16, 2027, HubSpot will deprecate v1 of the OAuth API.',
      source: 'https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token.md',
    },
    {
      fact: 'Users install the app through https://app.hubspot.com/oauth/authorize with client_id, scope and redirect_uri.',
      source: 'https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide',
    },
  ],
};

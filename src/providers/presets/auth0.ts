/** Auth0: `audience` at authorization, optional rotation with a reuse interval, absolute and idle lifetimes. */
import { DAY, type Preset } from './preset';

const refreshDocs = 'https://auth0.com/docs/secure/tokens/refresh-tokens';

/** The Auth0 preset. */
export const auth0: Preset = {
  name: 'auth0',
  title: 'Auth0',
  provider: 'oauth2',
  tokenEndpoint: 'https://{domain}/oauth/token',
  authorizationEndpoint: 'https://{domain}/authorize',
  placeholders: [
    { name: 'domain', description: 'your Auth0 tenant domain or custom domain', example: 'example.us.auth0.com' },
    { name: 'audience', description: 'the API identifier the access tokens are for', example: 'https://api.example.com' },
  ],
  clientAuth: 'client_secret_post',
  defaultScopes: ['offline_access'],
  authorizationParams: { audience: '{audience}' },
  refreshTokens: { issued: 'with_scope', rotates: 'configurable', reuseGraceMs: 0, absoluteLifetimeMs: 30 * DAY },
  errors: [
    {
      match: 'error=invalid_grant',
      kind: 'reauth',
      note: '“Unknown or invalid refresh token” (HTTP 403): past its absolute lifetime, an older token of a rotated family, or over the per-user limit',
    },
  ],
  quirks: [
    'the API must allow offline access, and the authorization must ask for offline_access, for a refresh token to be issued',
    'the absolute lifetime of a rotating refresh token is set when the family is created and does not move on rotation',
    'a refused refresh token answers HTTP 403, not 400, with error invalid_grant',
  ],
  facts: [
    {
      fact: 'To get a refresh token, include the offline_access scope in the request to https://{yourDomain}/authorize (with audience={API_AUDIENCE}) and enable Allow Offline Access on the API; the app then calls /oauth/token with grant_type=refresh_token.',
      source: `${refreshDocs}/get-refresh-tokens`,
    },
    {
      fact: 'The token request sends client_id and client_secret in the body to https://{yourDomain}/oauth/token.',
      source: `${refreshDocs}/get-refresh-tokens`,
    },
    {
      fact: 'With Refresh Token Rotation the default refresh token lifetime is 30 days (2,592,000 seconds), configurable up to 1 year; the lifetime does not extend when tokens are rotated. The leeway, which lets the same refresh token be used again for network concurrency, is disabled by default and configurable in seconds.',
      source: `${refreshDocs}/configure-refresh-token-rotation`,
    },
    {
      fact: 'Absolute (maximum) and inactivity (idle) refresh token lifetimes are both configurable per application; the absolute default is 2,592,000 seconds (30 days).',
      source: `${refreshDocs}/configure-refresh-token-expiration`,
    },
    {
      fact: 'The absolute expiration of a rotating refresh token is defined at its creation and does not change when it is exchanged.',
      source: 'https://community.auth0.com/t/clarifying-refresh-token-rotation-in-auth0/146649',
    },
    {
      fact: 'Rotation is configured per application (rotating or non-rotating), with leeway, token_lifetime and idle_token_lifetime in seconds.',
      source: 'https://auth0.github.io/node-auth0/interfaces/management.Management.ClientRefreshTokenConfiguration.html',
    },
    {
      fact: 'An unusable refresh token answers HTTP 403 with {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}: absolute lifetime passed, an older token of a rotated family reused, or the per-user, per-application limit of active refresh tokens exceeded.',
      source: 'https://support.auth0.com/center/s/article/troubleshoot-refresh-token-unknown-or-invalid-before-expiry-403-unknown-or-invalid-refresh-token',
    },
  ],
};

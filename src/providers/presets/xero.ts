/** Xero: 30 minute access tokens, rotating refresh tokens with a 30 minute grace window, 60 days unused. */
import { DAY, MINUTE, type Preset } from './preset';

const faq = 'https://developer.xero.com/faq/oauth2';

/** The Xero preset. */
export const xero: Preset = {
  name: 'xero',
  title: 'Xero',
  provider: 'oauth2',
  tokenEndpoint: 'https://identity.xero.com/connect/token',
  authorizationEndpoint: 'https://login.xero.com/identity/connect/authorize',
  clientAuth: 'client_secret_basic',
  pkce: 'supported',
  defaultScopes: ['offline_access'],
  refreshTokens: { issued: 'with_scope', rotates: 'always', reuseGraceMs: 30 * MINUTE, idleLifetimeMs: 60 * DAY },
  accessTokenLifetimeMs: 30 * MINUTE,
  errors: [
    {
      match: 'error=invalid_grant',
      kind: 'reauth',
      note: 'expired or revoked, or an older token set replayed after its grace window (several stores refreshing one connection)',
    },
  ],
  quirks: ['one token set per user connection: refreshing copies of it in several places invalidates the others'],
  facts: [
    {
      fact: 'Access tokens expire after 30 minutes. Unused refresh tokens expire after 60 days.',
      source: faq,
    },
    {
      fact: 'When you perform a token refresh, replace your refresh token with the new one returned; if you don’t receive the response you can retry refreshing your existing refresh token for a grace period of 30 minutes.',
      source: faq,
    },
    {
      fact: 'Xero supports the PKCE extension to the authorization code flow.',
      source: faq,
    },
    {
      fact: 'Refresh requests go to https://identity.xero.com/connect/token; a rejected refresh answers HTTP 400 with error invalid_grant (“Token has been expired or revoked.”).',
      source: 'https://nango.dev/blog/xero-oauth-refresh-token-invalid-grant',
    },
    {
      fact: 'Users authorize at https://login.xero.com/identity/connect/authorize, with offline_access among the scopes to get a refresh token.',
      source: 'https://gist.github.com/channeladam/5d4d88d44a9853d00537318a8d2b47fd',
    },
    {
      fact: 'Each token set should be stored in a single place: refreshing with an older copy of a token set after another copy was refreshed fails.',
      source: 'https://community.xero.com/developer/discussion/125347287',
    },
    {
      fact: 'Xero requires client_id and client_secret in the Authorization (Basic) header of the refresh request, not in the body.',
      source: 'https://tessl.io/registry/tessl/pypi-source-xero/0.2.0/files/docs/oauth-authentication.md',
    },
  ],
};

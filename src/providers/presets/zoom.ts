/** Zoom: one hour access tokens; only the latest refresh token works (“Invalid Token!” for an older one). */
import { HOUR, YEAR, type Preset } from './preset';

const support = 'https://devsupport.zoom.us/hc/en-us/articles/360060332931-Extending-the-expiration-for-an-OAuth-access-token';

/** The Zoom preset. */
export const zoom: Preset = {
  name: 'zoom',
  title: 'Zoom',
  provider: 'oauth2',
  tokenEndpoint: 'https://zoom.us/oauth/token',
  clientAuth: 'client_secret_basic',
  refreshTokens: { issued: 'always', rotates: 'always', absoluteLifetimeMs: 15 * YEAR },
  accessTokenLifetimeMs: 1 * HOUR,
  errors: [{ match: 'body~Invalid Token!', kind: 'reauth', note: 'an older refresh token was used: only the latest one works' }],
  facts: [
    {
      fact: 'The OAuth access token’s 1 hour expiration cannot be extended; refresh with a POST to https://zoom.us/oauth/token, grant_type=refresh_token and refresh_token, and an Authorization: Basic header of client ID and secret.',
      source: support,
    },
    {
      fact: 'Refresh tokens expire after 15 years, but the latest refresh token must always be used for the next refresh request; a prior refresh token gets an ‘Invalid Token!’ error.',
      source: support,
    },
    {
      fact: 'Zoom supports rotating refresh tokens: a connection test that refreshes invalidates the saved refresh token.',
      source: 'https://documentation.sailpoint.com/connectors/saas/zoom/help/saas_connectivity/zoom/grant_type_refresh_token.html',
    },
  ],
};

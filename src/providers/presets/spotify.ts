/** Spotify: one hour access tokens; refresh tokens die six months after authorization, however often used. */
import { HOUR, MONTH, type Preset } from './preset';

const refreshing = 'https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens';

/** The Spotify preset. */
export const spotify: Preset = {
  name: 'spotify',
  title: 'Spotify',
  provider: 'oauth2',
  tokenEndpoint: 'https://accounts.spotify.com/api/token',
  clientAuth: 'client_secret_basic',
  pkce: 'supported',
  refreshTokens: { issued: 'always', rotates: 'sometimes', absoluteLifetimeMs: 6 * MONTH },
  accessTokenLifetimeMs: 1 * HOUR,
  errors: [{ match: 'error=invalid_grant', kind: 'reauth', note: 'the refresh token expired (six months after authorization) or was revoked' }],
  quirks: [
    'refreshing does not extend the refresh token: the user must authorize again every six months',
    'a refresh answer may carry a new refresh_token: keep it when it does',
  ],
  facts: [
    {
      fact: 'Access tokens have a limited lifespan (1 hour); new ones are obtained with a POST to https://accounts.spotify.com/api/token with grant_type=refresh_token and refresh_token, and Authorization: Basic <base64 client_id:client_secret> for the Authorization Code flow (client_id in the body for PKCE).',
      source: refreshing,
    },
    {
      fact: 'Refresh tokens of apps registered in the Developer Dashboard have a lifetime of 6 months from the user’s authorization; refreshing an access token does not extend it.',
      source: refreshing,
    },
    {
      fact: 'When a refresh token expires the token endpoint returns an invalid_grant error; the app must send the user through the authorization code flow again.',
      source: 'https://developer.spotify.com/blog/2026-06-18-refresh-token-expiration',
    },
    {
      fact: 'The example token answer carries access_token, expires_in 3600 and a refresh_token; the page does not say whether a refresh answer always brings a new refresh token.',
      source: refreshing,
    },
  ],
};

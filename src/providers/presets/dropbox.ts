/** Dropbox: four-hour access tokens; a long-lived refresh token only with `token_access_type=offline`. */
import { HOUR, type Preset } from './preset';

const offline = 'https://dropbox.tech/developers/using-oauth-2-0-with-offline-access';

/** The Dropbox preset. */
export const dropbox: Preset = {
  name: 'dropbox',
  title: 'Dropbox',
  provider: 'oauth2',
  tokenEndpoint: 'https://api.dropbox.com/oauth2/token',
  authorizationEndpoint: 'https://www.dropbox.com/oauth2/authorize',
  clientAuth: 'client_secret_basic',
  authorizationParams: { token_access_type: 'offline' },
  refreshTokens: { issued: 'optional', rotates: 'never' },
  accessTokenLifetimeMs: 4 * HOUR,
  quirks: ['a refresh answers a new access token and expires_in only: the refresh token stays the same'],
  facts: [
    {
      fact: 'The Dropbox API returns short-lived access tokens and optionally refresh tokens: ask for token_access_type=offline at https://www.dropbox.com/oauth2/authorize to get a refresh token, then exchange it at the /oauth2/token endpoint with grant_type=refresh_token.',
      source: offline,
    },
    {
      fact: 'Short-lived access tokens expire automatically, four hours after being created; they can be identified by their "sl." prefix.',
      source: 'https://dropboxforum.com/discussions/101000014/access-token/544001/replies/544017',
    },
    {
      fact: 'The result of a refresh contains a new access token and its expiration time (no new refresh token).',
      source: 'https://dropbox.github.io/dropbox-sdk-java/api-docs/v8.0.1/com/dropbox/core/oauth/DbxRefreshResult.html',
    },
    {
      fact: 'ShortLivedAndRefresh returns a short-lived bearer token and a long-lived refresh token that keeps generating new bearer tokens as long as the user’s approval remains valid.',
      source: 'https://docs.rs/dropbox-sdk/0.14.1/i686-unknown-linux-gnu/dropbox_sdk/oauth2/enum.TokenType.html',
    },
    {
      fact: 'Token requests go to https://api.dropbox.com/oauth2/token and authenticate the app with -u <APP_KEY>:<APP_SECRET> (HTTP Basic).',
      source: 'https://documentation.sailpoint.com/connectors/identityiq/dropbox/help/integrating_dropbox/prerequisites.html',
    },
  ],
};

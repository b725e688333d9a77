/** Trakt: 24 h access tokens since March 2025 and single-use refresh tokens (the SeriesGuide incident). */
import { HOUR, type Preset } from './preset';

const contract = 'https://github.com/trakt/trakt-api/blob/586224bf1b7d7e24fef194ca3f1acfed59d536c7/projects/api/src/contracts/oauth';

/** The Trakt preset. */
export const trakt: Preset = {
  name: 'trakt',
  title: 'Trakt',
  provider: 'oauth2',
  tokenEndpoint: 'https://auth.trakt.tv/oauth/token',
  authorizationEndpoint: 'https://auth.trakt.tv/oauth/authorize',
  deviceAuthorizationEndpoint: 'https://auth.trakt.tv/oauth/device/code',
  revocationEndpoint: 'https://auth.trakt.tv/oauth/revoke',
  clientAuth: 'client_secret_post',
  refreshTokens: { issued: 'always', rotates: 'always' },
  accessTokenLifetimeMs: 24 * HOUR,
  errors: [
    {
      match: 'error=invalid_grant',
      kind: 'reauth',
      note: 'the refresh token was already used (single-use), revoked, or predates Trakt’s auth migration',
    },
  ],
  quirks: [
    'the token request body carries client_id, client_secret and the app’s redirect_uri, even for refresh_token',
    'sources disagree on the access-token lifetime (24 hours announced in 2025, 7 days in the current reference): the shorter is the fallback',
  ],
  facts: [
    {
      fact: 'Trakt announced that from March 4, 2025 an OAuth access_token expires in 24 hours instead of 3 months, and apps should refresh based on expires_in.',
      source: 'https://github.com/navilg/trakt-year-in-review/issues/7',
    },
    {
      fact: 'The current device-token reference says the access_token is valid for 7 days.',
      source: `${contract}/index.ts`,
    },
    {
      fact: 'Refresh tokens are single-use: each successful refresh returns a new refresh_token and invalidates the previous one.',
      source: `${contract}/index.ts`,
    },
    {
      fact: 'Use the https://auth.trakt.tv hostname for all OAuth requests (authorization, device authentication, token exchange and refresh, revocation), under the /oauth path: /authorize, /device/code, /token, /revoke.',
      source: `${contract}/index.ts`,
    },
    {
      fact: 'A token exchange that cannot be completed answers 400 with an OAuth error such as invalid_grant and an error_description.',
      source: `${contract}/schema/response/tokenErrorResponseSchema.ts`,
    },
    {
      fact: 'Token requests carry client_id, client_secret and redirect_uri in the body; the refresh request adds refresh_token and grant_type.',
      source: `${contract}/schema/request/tokenBaseSchema.ts`,
    },
    {
      fact: 'Refresh tokens issued before Trakt’s 2026 auth migration can no longer be exchanged (400); the user must re-authorize once.',
      source: 'https://github.com/trakt/trakt-api/issues/888',
    },
  ],
};

/** GitHub App user access tokens that expire: 8 h access tokens, single-use refresh tokens of about six months. */
import { HOUR, SECOND, type Preset } from './preset';

const refreshing = 'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens';
const changelog = 'https://developer.github.com/changes/2020-04-30-expiring-user-to-server-access-tokens-for-github-apps/';

/** The GitHub (GitHub App user tokens) preset. */
export const github: Preset = {
  name: 'github',
  title: 'GitHub (GitHub App user tokens)',
  provider: 'oauth2',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  clientAuth: 'client_secret_post',
  refreshTokens: { issued: 'always', rotates: 'always', absoluteLifetimeMs: 15_811_200 * SECOND },
  accessTokenLifetimeMs: 8 * HOUR,
  answers: { errorsWithStatus200: 'error_field' },
  errors: [
    {
      match: 'error=bad_refresh_token',
      kind: 'reauth',
      note: '“The refresh token passed is incorrect or expired”: already used, expired, or the user revoked the app',
    },
  ],
  quirks: [
    'the token endpoint answers application/x-www-form-urlencoded unless the request sends Accept: application/json (every Halflife token request sends it)',
    'expires_in and refresh_token_expires_in may arrive as strings',
    'errors come back with HTTP 200 and an error field: an answer with error and no access_token is an error answer',
    'classic OAuth Apps and GitHub Apps that opted out of expiring tokens get tokens without expiry and no refresh token: this preset does not fit them',
  ],
  facts: [
    {
      fact: 'With expiring user access tokens, the user access token expires after eight hours and the refresh token after six months; using a refresh token returns a new user access token and a new refresh token, and the used refresh token and the old access token no longer work.',
      source: refreshing,
    },
    {
      fact: 'Expiration of user access tokens is enabled for a new GitHub App unless you opt out.',
      source: refreshing,
    },
    {
      fact: 'The refresh is POST /login/oauth/access_token on github.com with grant_type=refresh_token, refresh_token, client_id and client_secret; the answer shows "expires_in": "28800" and "refresh_token_expires_in": "15811200" as strings.',
      source: changelog,
    },
    {
      fact: 'GitHub’s refresh endpoint returns application/x-www-form-urlencoded unless the POST sends an Accept: application/json header.',
      source: 'https://github.com/NVIDIA/OpenShell/discussions/3918',
    },
    {
      fact: 'GitHub’s token endpoint answers errors with HTTP 200 and an error field in the body, not with a 4xx status; GitHub confirmed this is expected.',
      source: 'https://github.com/golang/oauth2/issues/274',
    },
    {
      fact: 'An incorrect or expired code at https://github.com/login/oauth/access_token gets a 200 status, not a 4xx, with the error in the body.',
      source: 'https://github.com/octokit/auth-oauth-app.js/issues/13',
    },
    {
      fact: 'A failed refresh answers error bad_refresh_token, “The refresh token passed is incorrect or expired.”',
      source: 'https://www.nango.dev/blog/github-app-oauth-refresh-token-bad-refresh-token',
    },
    {
      fact: 'Users authorize at https://github.com/login/oauth/authorize (web application flow) before the code is exchanged at https://github.com/login/oauth/access_token.',
      source: 'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app',
    },
  ],
};

/** Slack with token rotation: 12 hour access tokens, single-use refresh tokens, errors in a 200 answer. */
import { HOUR, type Preset } from './preset';

const rotation = 'https://docs.slack.dev/authentication/using-token-rotation';
const access = 'https://docs.slack.dev/reference/methods/oauth.v2.access';

/** The Slack preset. */
export const slack: Preset = {
  name: 'slack',
  title: 'Slack',
  provider: 'oauth2',
  tokenEndpoint: 'https://slack.com/api/oauth.v2.access',
  authorizationEndpoint: 'https://slack.com/oauth/v2/authorize',
  clientAuth: 'client_secret_basic',
  pkce: 'supported',
  refreshTokens: { issued: 'optional', rotates: 'always' },
  accessTokenLifetimeMs: 12 * HOUR,
  answers: { errorsWithStatus200: 'ok_false', tokenType: 'Bearer' },
  errors: [
    { match: 'error=invalid_refresh_token', kind: 'reauth', note: 'the refresh token is invalid (already used or revoked)' },
    { match: 'error=invalid_client_id', kind: 'configuration', note: 'the client_id is wrong' },
    { match: 'error=bad_client_secret', kind: 'configuration', note: 'the client_secret is wrong' },
    { match: 'error=invalid_grant_type', kind: 'configuration', note: 'the grant_type is wrong' },
    { match: 'error=internal_error', kind: 'transient', note: 'a transient problem on Slack’s side' },
  ],
  quirks: [
    'errors come back as HTTP 200 with {"ok": false, "error": "..."}: the ok field decides',
    'token_type is bot or user, not an HTTP scheme: the token is sent as a Bearer token',
    'refresh tokens exist only for apps with token rotation turned on; without it access tokens never expire',
  ],
  facts: [
    {
      fact: 'Without token rotation the access token never expires; with token rotation it expires every 12 hours (expires_in 43200). The refresh token used is then revoked and a new refresh token is used for the next exchange.',
      source: rotation,
    },
    {
      fact: 'Token rotation must be turned on in the app’s settings; refresh tokens are xoxe- tokens exchanged at oauth.v2.access with grant_type=refresh_token.',
      source: rotation,
    },
    {
      fact: 'oauth.v2.access is POST https://slack.com/api/oauth.v2.access; avoid sending client_id and client_secret as parameters and supply them using the HTTP Basic authentication scheme instead. It takes a code_verifier for PKCE.',
      source: access,
    },
    {
      fact: 'oauth.v2.access can return the errors bad_client_secret, invalid_client_id, invalid_code and invalid_grant_type.',
      source: access,
    },
    {
      fact: 'A wrong refresh token answers {"ok": false, "error": "invalid_refresh_token"}.',
      source: 'https://api.slack.com/methods/tooling.tokens.rotate/test',
    },
    {
      fact: 'Callers should always check the value of the ok param in the response; internal_error means the server could not complete the operation, likely due to a transient issue.',
      source: 'https://api.slack.com/methods/oauth.v2.exchange',
    },
    {
      fact: 'Every Web API answer is a JSON object with a top-level boolean ok; a failure has "ok": false and a short machine-readable error code in error.',
      source: 'https://github.com/slackhq/slack-api-docs/blob/master/index_web.md',
    },
    {
      fact: 'When there is an error, Slack answers HTTP 200 with "ok": false and the error: the ok field, not the status, tells failure from success.',
      source: 'https://github.com/jolicode/slack-php-api/issues/47',
    },
    {
      fact: 'The example answer of oauth.v2.access carries "ok": true and "token_type": "bot" (user tokens: "user").',
      source: access,
    },
    {
      fact: 'Tokens are sent in the Authorization HTTP header as Authorization: Bearer xoxb-…, or as a POST body parameter.',
      source: 'https://docs.slack.dev/changelog/2020-11-no-more-tokens-in-querystrings-for-newly-created-apps',
    },
    {
      fact: 'Users install the app through https://slack.com/oauth/v2/authorize (OAuth V2).',
      source: 'https://docs.slack.dev/authentication/installing-with-oauth',
    },
  ],
};

/** Google: refresh tokens only with `access_type=offline`, never rotated, dead after six months unused. */
import { MONTH, type Preset } from './preset';

const webServer = 'https://developers.google.com/identity/protocols/oauth2/web-server';

/** The Google preset. */
export const google: Preset = {
  name: 'google',
  title: 'Google',
  provider: 'oauth2',
  tokenEndpoint: 'https://oauth2.googleapis.com/token',
  issuer: 'https://accounts.google.com',
  authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
  revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
  clientAuth: 'client_secret_post',
  pkce: 'supported',
  authorizationParams: { access_type: 'offline', prompt: 'consent' },
  refreshTokens: { issued: 'optional', rotates: 'never', idleLifetimeMs: 6 * MONTH },
  errors: [
    {
      match: 'error=invalid_grant',
      kind: 'reauth',
      note: '“Token has been expired or revoked”: revoked, unused for six months, a password change with Gmail scopes, too many live tokens, or a Testing-status app after 7 days',
    },
  ],
  quirks: [
    'a refresh token comes only with access_type=offline, and again on a later consent only with prompt=consent',
    'an app whose consent screen is in Testing status gets refresh tokens that expire in 7 days',
    'there is a limit of live refresh tokens per client and user: past it, the oldest stop working',
  ],
  facts: [
    {
      fact: 'Set access_type=offline so that Google returns a refresh token when the authorization code is exchanged; prompt=consent asks the user for consent again.',
      source: `${webServer}#creatingclient`,
    },
    {
      fact: 'To refresh, the app sends client_id, client_secret, grant_type=refresh_token and refresh_token in a POST to https://oauth2.googleapis.com/token; the answer holds a new access token.',
      source: `${webServer}#offline`,
    },
    {
      fact: 'Tokens are revoked with a request to https://oauth2.googleapis.com/revoke.',
      source: `${webServer}#tokenrevoke`,
    },
    {
      fact: 'A refresh token stops working when the user revoked access, when it has not been used for six months, when the user changed passwords and it has Gmail scopes, or when the user exceeded the number of live refresh tokens.',
      source: 'https://developers.google.com/identity/protocols/oauth2#expiration',
    },
    {
      fact: 'An app with an external user type and a publishing status of Testing is issued refresh tokens that expire in 7 days.',
      source: 'https://developers.google.com/identity/protocols/oauth2#expiration',
    },
    {
      fact: 'The discovery document at https://accounts.google.com/.well-known/openid-configuration gives the issuer https://accounts.google.com, the endpoints, and the supported PKCE code challenge methods.',
      source: 'https://developers.google.com/identity/openid-connect/reference',
    },
    {
      fact: 'A refused refresh answers invalid_grant with “Token has been expired or revoked.”',
      source: 'https://github.com/dolfim/django-gmailapi-backend/issues/9',
    },
  ],
};

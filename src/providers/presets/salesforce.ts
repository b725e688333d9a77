/** Salesforce: answers without `expires_in`, the session timeout decides; `instance_url` in every answer. */
import { HOUR, type Preset } from './preset';

const refreshFlow = 'https://help.salesforce.com/apex/HTViewHelpDoc?id=remoteaccess_oauth_refresh_token_flow.htm&language=en_US';
const restGuide = 'https://developer.salesforce.com/docs/atlas.en-us.218.0.api_rest.meta/api_rest/intro_understanding_refresh_token_oauth.htm';

/** The Salesforce preset. */
export const salesforce: Preset = {
  name: 'salesforce',
  title: 'Salesforce',
  provider: 'oauth2',
  tokenEndpoint: 'https://{loginHost}/services/oauth2/token',
  placeholders: [
    {
      name: 'loginHost',
      description: '`login.salesforce.com`, `test.salesforce.com` for sandboxes, or your My Domain host',
      example: 'login.salesforce.com',
    },
  ],
  clientAuth: 'client_secret_post',
  pkce: 'supported',
  refreshTokens: { issued: 'with_scope', rotates: 'configurable' },
  accessTokenLifetimeMs: 2 * HOUR,
  expiresInMissing: true,
  answerFields: ['instance_url'],
  quirks: [
    'the answer has no expires_in: the access token lives as long as the session timeout (2 hours unless the org changed it)',
    'API calls go to the instance_url of the answer, not to the login host',
    'with refresh token rotation enabled on the app, each refresh returns a new refresh token and invalidates the previous one',
  ],
  facts: [
    {
      fact: 'The refresh request is a POST to /services/oauth2/token on login.salesforce.com with grant_type=refresh_token, refresh_token, client_id and client_secret in the body (HTTP Basic is also accepted).',
      source: restGuide,
    },
    {
      fact: 'The refresh answer carries access_token, instance_url (where API calls are sent), id, issued_at and signature; no expires_in is among its parameters.',
      source: restGuide,
    },
    {
      fact: 'Access tokens have a limited lifetime specified by the session timeout in Salesforce; an expired one gets a “Session expired or invalid” error.',
      source: restGuide,
    },
    {
      fact: 'Sessions, whose timeout bounds the access token, expire after the time set in Security Controls, default two hours.',
      source: 'https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_error_handling_session_exp.htm',
    },
    {
      fact: 'With refresh token rotation enabled on the connected app or external client app, each refresh issues a new refresh token and the previous one is automatically invalidated.',
      source: refreshFlow,
    },
    {
      fact: 'Apps get refresh tokens by selecting the refresh_token (refresh_token, offline_access) OAuth scope.',
      source: 'https://auth0.com/ai/docs/connections/salesforce',
    },
    {
      fact: 'Partners must enable PKCE in the OAuth settings of their connected apps and external client apps.',
      source: 'https://developer.salesforce.com/docs/platform/isvforce/guide/secure-code-ac-eca.md',
    },
  ],
};

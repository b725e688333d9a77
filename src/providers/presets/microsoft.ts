/** Microsoft Entra ID (identity platform v2): tenant in the URL, refresh tokens replaced on every use. */
import { DAY, MINUTE, type Preset } from './preset';

const platform = 'https://learn.microsoft.com/en-us/entra/identity-platform';

/** The Microsoft Entra ID preset. */
export const microsoft: Preset = {
  name: 'microsoft',
  title: 'Microsoft Entra ID',
  provider: 'oauth2',
  tokenEndpoint: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
  issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
  authorizationEndpoint: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
  deviceAuthorizationEndpoint: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode',
  placeholders: [
    {
      name: 'tenant',
      description: 'directory (tenant) ID or domain; `common`, `organizations` or `consumers` for multi-tenant apps',
      example: 'contoso.onmicrosoft.com',
      issuerUnknownFor: ['common', 'organizations', 'consumers'],
    },
  ],
  clientAuth: 'client_secret_post',
  pkce: 'supported',
  defaultScopes: ['offline_access'],
  refreshTokens: { issued: 'with_scope', rotates: 'always', idleLifetimeMs: 90 * DAY },
  accessTokenLifetimeMs: 60 * MINUTE,
  errors: [
    { match: 'error_description~AADSTS700082', kind: 'reauth', note: 'the refresh token expired after 90 days of inactivity' },
    { match: 'error_description~AADSTS700084', kind: 'reauth', note: 'a refresh token issued to a single-page app reached its fixed 24 hour lifetime' },
    { match: 'error_description~AADSTS70008', kind: 'reauth', note: 'the refresh token expired or was revoked' },
    { match: 'error_description~AADSTS50173', kind: 'reauth', note: 'the grant was revoked (often a password reset)' },
    { match: 'error=interaction_required', kind: 'reauth', note: 'the user must sign in interactively (MFA or Conditional Access)' },
  ],
  quirks: [
    'a refresh returns a new refresh token, but the old one is not revoked by its use',
    'refresh tokens sent to an spa redirect URI expire 24 hours after the first sign-in, however often they are used',
    'the access-token lifetime is random between 60 and 90 minutes: the fallback is the shortest',
    'Microsoft warns that AADSTS codes and texts change: the rows here only refine invalid_grant, which is re-authorization anyway',
  ],
  facts: [
    {
      fact: 'The default lifetime of refresh tokens is 24 hours for single page apps and 90 days for all other scenarios; refresh tokens replace themselves with a fresh token upon every use, and the old refresh token is not revoked when used.',
      source: `${platform}/refresh-tokens`,
    },
    {
      fact: 'Refresh tokens sent to a redirect URI registered as spa expire after 24 hours; refresh tokens acquired with them carry over that expiration time.',
      source: `${platform}/refresh-tokens`,
    },
    {
      fact: 'The default access token lifetime is a random value between 60-90 minutes (75 minutes on average).',
      source: `${platform}/configurable-token-lifetimes`,
    },
    {
      fact: 'Authorization and token requests go to https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize and /token, where tenant is common, organizations, consumers, or a tenant ID or domain; a refresh request sends client_id, scope, refresh_token, grant_type=refresh_token and client_secret in the body.',
      source: `${platform}/v2-oauth2-auth-code-flow`,
    },
    {
      fact: 'The device authorization request goes to https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode.',
      source: `${platform}/v2-oauth2-device-code`,
    },
    {
      fact: 'The offline_access scope is needed to receive a refresh token.',
      source: `${platform}/scopes-oidc`,
    },
    {
      fact: 'v2.0 id_tokens carry iss https://login.microsoftonline.com/{tenant ID}/v2.0, the GUID of the tenant the user signed in to.',
      source: `${platform}/id-token-claims-reference`,
    },
    {
      fact: 'Refresh failures name an AADSTS code in error_description: AADSTS70008 and AADSTS700082 (expired, due to inactivity), AADSTS700084 (SPA refresh token expired), AADSTS50173 (grant revoked); MFA and Conditional Access answer interaction_required.',
      source: `${platform}/reference-error-codes`,
    },
    {
      fact: 'Error codes and messages are subject to change, and apps that depend on error code numbers or text will break over time; error_description is for developers, not for code.',
      source: `${platform}/reference-error-codes`,
    },
    {
      fact: 'Example answer: AADSTS700082: The refresh token has expired due to inactivity. The token was inactive for 90.00:00:00 (90 days).',
      source: 'https://learn.microsoft.com/en-us/answers/questions/1338428/aadsts700082-the-refresh-token-has-expired-due-to',
    },
    {
      fact: 'The Microsoft identity platform supports PKCE with the authorization code flow and requires it for single-page apps.',
      source: `${platform}/v2-oauth2-auth-code-flow`,
    },
  ],
};

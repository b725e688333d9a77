/**
 * One call to an OAuth 2.0 token endpoint through oauth4webapi, and the classification of
 * everything that can go wrong with it (see `classification.ts`).
 */
import * as oauth from 'oauth4webapi';
import type { ProviderName, TokenSet } from '../credential';
import { ProviderError } from '../errors';
import { oauthErrorRow } from './classification';
import { lifetimeMs, parseRetryAfter, scrubSecrets, shorten, transientStatusError, transportError, unexpectedStatusError } from './http';
import type { OAuth2Config } from './oauth2-config';
import type { ProviderContext } from './provider';
import { isLoopback } from './url';

/** The grant sent to the token endpoint. */
export type OAuth2Grant = { type: 'refresh_token'; refreshToken: string } | { type: 'client_credentials' };

/** A successful token endpoint answer, as a token set plus the refresh token it carried. */
export interface OAuth2Answer {
  token: TokenSet;
  refreshToken?: string;
}

const tokenTypes: Record<string, string> = { bearer: 'Bearer', dpop: 'DPoP' };

/** Requests a token and turns the answer into a token set; throws a classified ProviderError. */
export async function exchange(provider: ProviderName, config: OAuth2Config, grant: OAuth2Grant, ctx: ProviderContext): Promise<OAuth2Answer> {
  const endpoint = new URL(config.tokenEndpoint);
  const as: oauth.AuthorizationServer = { issuer: endpoint.origin, token_endpoint: config.tokenEndpoint };
  const client: oauth.Client = { client_id: config.clientId };
  const auth = config.clientAuth === 'client_secret_post' ? oauth.ClientSecretPost(config.clientSecret) : oauth.ClientSecretBasic(config.clientSecret);
  const scope: Record<string, string> = config.scope !== undefined ? { scope: config.scope } : {};
  const options = {
    signal: ctx.signal,
    [oauth.customFetch]: (url: string, init: RequestInit) => ctx.fetch(new URL(url), init),
    [oauth.allowInsecureRequests]: endpoint.protocol === 'http:' && (isLoopback(endpoint) || config.allowInsecureHttp === true),
  };
  const secrets = [config.clientSecret, grant.type === 'refresh_token' ? grant.refreshToken : undefined];

  let response: Response;
  try {
    response =
      grant.type === 'refresh_token'
        ? await oauth.refreshTokenGrantRequest(as, client, auth, grant.refreshToken, { ...options, additionalParameters: scope })
        : await oauth.clientCredentialsGrantRequest(as, client, auth, scope, options);
  } catch (err) {
    throw requestError(err, ctx.signal);
  }
  const transient = transientStatusError(response.status, response.headers, ctx.now());
  if (transient) throw transient;

  const copy = response.clone();
  let answer: oauth.TokenEndpointResponse;
  try {
    answer =
      grant.type === 'refresh_token'
        ? await oauth.processRefreshTokenResponse(as, client, response)
        : await oauth.processClientCredentialsResponse(as, client, response);
  } catch (err) {
    throw await responseError(provider, err, copy, ctx.now(), secrets);
  }
  const issuedAt = ctx.now();
  const lifetime = lifetimeMs(answer.expires_in, ctx.defaultLifetimeMs);
  const scopeGranted = answer.scope ?? config.scope ?? ctx.current?.scope;
  const token: TokenSet = {
    accessToken: answer.access_token,
    tokenType: tokenTypes[answer.token_type] ?? answer.token_type,
    issuedAt,
    expiresAt: issuedAt + lifetime,
    ...(scopeGranted !== undefined ? { scope: scopeGranted } : {}),
  };
  return { token, ...(answer.refresh_token !== undefined ? { refreshToken: answer.refresh_token } : {}) };
}

/** The `code` of an oauth4webapi error, if it has one. */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Classifies an error thrown before an answer arrived. */
function requestError(err: unknown, signal: AbortSignal): ProviderError {
  const code = codeOf(err);
  if (code === oauth.HTTP_REQUEST_FORBIDDEN || code === oauth.REQUEST_PROTOCOL_FORBIDDEN) {
    return new ProviderError('configuration', 'insecure_endpoint', 'the token endpoint must use https (or set allowInsecureHttp)');
  }
  return transportError(err, signal);
}

/** An OAuth error code made safe to use as a machine code. */
function safeCode(error: string): string {
  return error.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'unknown_error';
}

/** The ProviderError for an OAuth `error` answer (RFC 6749 §5.2). */
function oauthError(provider: ProviderName, body: Record<string, unknown>, response: Response, now: number, secrets: (string | undefined)[]): ProviderError {
  const error = String(body.error);
  const row = oauthErrorRow(provider, error);
  const code = row.code === '<error>' ? safeCode(error) : row.code;
  const description = typeof body.error_description === 'string' ? `: ${shorten(scrubSecrets(body.error_description, secrets))}` : '';
  const retryAfterMs = row.kind === 'transient' ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
  const message = `token endpoint refused the request with ${safeCode(error)} (HTTP ${response.status})${description}`;
  return new ProviderError(row.kind, code, message, { httpStatus: response.status, retryAfterMs });
}

/** The body parsed as JSON, or undefined. */
async function jsonBody(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.text()) as unknown;
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Classifies an error oauth4webapi raised while processing an answer. */
async function responseError(provider: ProviderName, err: unknown, response: Response, now: number, secrets: (string | undefined)[]): Promise<ProviderError> {
  const httpStatus = response.status;
  const body = await jsonBody(response);
  if (isObject(body) && typeof body.error === 'string' && body.error !== '' && httpStatus !== 200) {
    return oauthError(provider, body, response, now, secrets);
  }
  if (httpStatus !== 200) return unexpectedStatusError(httpStatus);
  const malformed = (code: string, message: string) => new ProviderError('malformed', code, message, { httpStatus });
  const code = codeOf(err);
  if (code === oauth.PARSE_ERROR || code === oauth.RESPONSE_IS_NOT_JSON || !isObject(body)) {
    return malformed('invalid_json', 'token endpoint answer is not a JSON object');
  }
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    return malformed('missing_access_token', 'token endpoint answer has no access_token');
  }
  if (body.expires_in !== undefined) {
    try {
      lifetimeMs(body.expires_in, 1);
    } catch (invalid) {
      return invalid as ProviderError;
    }
  }
  if (typeof body.token_type !== 'string' || code === oauth.UNSUPPORTED_OPERATION) {
    return malformed('invalid_token_type', 'token endpoint answer has a missing or unsupported token_type');
  }
  return malformed('invalid_response', `token endpoint answer was rejected (${code ?? 'unknown reason'})`);
}

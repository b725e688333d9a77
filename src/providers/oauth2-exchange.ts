/**
 * One call to an OAuth 2.0 token endpoint through oauth4webapi, and the classification of
 * everything that can go wrong with it (see `classification.ts`). The grants: refresh_token,
 * client_credentials and the JWT bearer grant (RFC 7523 §2.1); the caller builds the request
 * (`TokenRequest`: client authentication, extra parameters, metadata fields).
 *
 * The request goes through `ctx.fetch` (the refresh's one upstream request). oauth4webapi
 * validates the answer; a 200 it rejects is still read by Halflife's own rules (`./oauth2-answer`),
 * so a rotated refresh token is never lost to a validation failure. Without a configured `issuer`,
 * an `id_token` in the answer is removed before validation: Halflife needs the access token only,
 * and checking an id_token against a guessed issuer fails for every server whose issuer differs
 * from the token endpoint's origin.
 */
import * as oauth from 'oauth4webapi';
import { ProviderError } from '../errors';
import { scrubKnownSecrets } from '../secrets/scrub';
import { oauthErrorRow, type ClassificationRule } from './classification';
import { parseRetryAfter, shorten, transientStatusError, transportError, unexpectedStatusError, upstreamFetch } from './http';
import { isJsonObject, readAnswer, validationWarning } from './oauth2-answer';
import { isErrorAnswerWith200, presetErrorCode, presetErrorRow } from './preset-quirks';
import type { Preset } from './presets';
import type { ProviderContext, ProviderResult } from './provider';
import { isLoopback } from './url';

/** The grant sent to the token endpoint. */
export type OAuth2Grant = { type: 'refresh_token'; refreshToken: string } | { type: 'client_credentials' } | { type: 'jwt_bearer'; assertion: string };

/** The `grant_type` of the JWT bearer grant (RFC 7523 §2.1). */
export const jwtBearerGrantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Everything one token request needs besides the provider context. */
export interface TokenRequest {
  /** Absent when discovery never filled it (`missing_token_endpoint`). */
  tokenEndpoint: string | undefined;
  /** The configured issuer: an `id_token` in the answer is checked against it; absent, it is dropped. */
  issuer?: string;
  /** The client id oauth4webapi is given (client authentication adds it to the request where its method says). */
  clientId: string;
  /** Client authentication (an oauth4webapi `ClientAuth`; a no-op for the JWT bearer grant without one). */
  auth: oauth.ClientAuth;
  grant: OAuth2Grant;
  /** More form parameters, in order (`scope`, `audience`, each `resource`, the extra parameters). */
  parameters: readonly [string, string][];
  allowInsecureHttp?: boolean;
  /** The configured scope: reported when the answer names none (else the current token's). */
  scope?: string;
  /** Answer fields kept as the token's metadata. */
  metadataFields?: readonly string[];
  /** Secrets the request carries, scrubbed from every message (client secret, refresh token, assertions). */
  secrets: readonly (string | undefined)[];
  /** The preset whose quirks apply (errors answered with 200, error rows, token type). */
  preset?: Preset;
}

/**
 * The JWS algorithms an id_token may name. The signature of an id_token received straight from the
 * token endpoint over TLS is not checked (OpenID Connect Core §3.1.3.7), so the algorithm is no
 * security decision; `none` stays refused.
 */
const idTokenAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'HS256', 'HS384', 'HS512'];

/** Requests a token and turns the answer into a result; throws a classified ProviderError. */
export async function exchange(rules: readonly ClassificationRule[], request: TokenRequest, ctx: ProviderContext): Promise<ProviderResult> {
  if (request.tokenEndpoint === undefined) {
    throw new ProviderError('configuration', 'missing_token_endpoint', 'no token endpoint: it is discovered from `issuer` at registration; register the credential again');
  }
  const endpoint = new URL(request.tokenEndpoint);
  const as: oauth.AuthorizationServer = { issuer: request.issuer ?? endpoint.origin, token_endpoint: request.tokenEndpoint, id_token_signing_alg_values_supported: idTokenAlgorithms };
  const client: oauth.Client = { client_id: request.clientId };
  const send = upstreamFetch(ctx);
  const options = {
    signal: ctx.signal,
    [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<'POST', unknown>) => send(new URL(url), init as RequestInit),
    [oauth.allowInsecureRequests]: endpoint.protocol === 'http:' && (isLoopback(endpoint) || request.allowInsecureHttp === true),
  };
  const { grant, auth, secrets } = request;
  const parameters = request.parameters.map(([name, value]) => [name, value]);
  const sentRefreshToken = grant.type === 'refresh_token' ? grant.refreshToken : undefined;

  const sentAt = ctx.now();
  let response: Response;
  try {
    if (grant.type === 'refresh_token') response = await oauth.refreshTokenGrantRequest(as, client, auth, grant.refreshToken, { ...options, additionalParameters: parameters });
    else if (grant.type === 'client_credentials') response = await oauth.clientCredentialsGrantRequest(as, client, auth, parameters, options);
    else response = await oauth.genericTokenEndpointRequest(as, client, auth, jwtBearerGrantType, [['assertion', grant.assertion], ...parameters], options);
  } catch (err) {
    throw requestError(err, ctx.signal);
  }
  const transient = transientStatusError(response.status, response.headers, ctx.now());
  if (transient) throw transient;

  const raw = await jsonBody(response.clone());
  const { preset } = request;
  if (response.status === 200 && isErrorAnswerWith200(preset, raw)) throw errorAnswer(rules, raw, response, ctx.now(), secrets, preset);
  let rejection: unknown;
  try {
    const checked = request.issuer === undefined ? withoutIdToken(response, raw) : response;
    if (grant.type === 'refresh_token') await oauth.processRefreshTokenResponse(as, client, checked);
    else await oauth.processGenericTokenEndpointResponse(as, client, checked);
  } catch (err) {
    if (response.status !== 200) throw errorAnswer(rules, raw, response, ctx.now(), secrets, preset);
    rejection = err;
  }
  if (response.status !== 200) throw unexpectedStatusError(response.status);
  if (!isJsonObject(raw)) throw new ProviderError('malformed', 'invalid_json', 'token endpoint answer is not a JSON object', { httpStatus: 200, cause: rejection });
  const result = readAnswer(raw, {
    sentAt,
    defaultLifetimeMs: ctx.defaultLifetimeMs,
    sentRefreshToken,
    fallbackScope: request.scope ?? ctx.current?.scope,
    secrets,
    metadataFields: request.metadataFields,
    tokenType: preset?.answers?.tokenType,
  });
  return rejection === undefined ? result : { ...result, warning: validationWarning(rejection, secrets) };
}

/** The answer without its `id_token` (same status and headers), or the answer itself when it has none. */
function withoutIdToken(response: Response, raw: unknown): Response {
  if (!isJsonObject(raw) || !('id_token' in raw)) return response;
  const { id_token: _ignored, ...rest } = raw;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(rest), { status: response.status, statusText: response.statusText, headers });
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

/** The body parsed as JSON, or undefined. */
async function jsonBody(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.text()) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Classifies an error answer (a non-200, non-transient one, or a 200 the preset calls an error):
 * by the first preset row it matches, else an OAuth `error` answer (RFC 6749 §5.2) by the rules,
 * else by its status.
 */
function errorAnswer(rules: readonly ClassificationRule[], body: unknown, response: Response, now: number, secrets: readonly (string | undefined)[], preset?: Preset): ProviderError {
  const presetRow = isJsonObject(body) ? presetErrorRow(preset?.errors, body) : undefined;
  const error = isJsonObject(body) && typeof body.error === 'string' && body.error !== '' ? body.error : undefined;
  if (!presetRow && error === undefined) {
    if (response.status !== 200) return unexpectedStatusError(response.status);
    return new ProviderError('configuration', 'unknown_error', 'token endpoint answered an error with HTTP 200 and no error code', { httpStatus: 200 });
  }
  const row = presetRow ? { kind: presetRow.kind, code: presetErrorCode(presetRow) } : oauthErrorRow(rules, error ?? '');
  const code = row.code === '<error>' ? safeCode(error ?? '') : row.code;
  const description = isJsonObject(body) && typeof body.error_description === 'string' ? `: ${shorten(scrubKnownSecrets(body.error_description, secrets))}` : '';
  const retryAfterMs = row.kind === 'transient' ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
  const known = presetRow && preset ? ` (${preset.name}: ${presetRow.note})` : '';
  const message = `token endpoint refused the request with ${safeCode(error ?? code)} (HTTP ${response.status})${description}${known}`;
  return new ProviderError(row.kind, code, message, { httpStatus: response.status, retryAfterMs });
}

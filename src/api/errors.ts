/**
 * Every error the HTTP API answers, as `{ "error": { "code", "message", "field"? } }` with the
 * status its RFC means:
 *
 * | status | code | when |
 * |---|---|---|
 * | 400 | `invalid_request` | the request is malformed: body not JSON or not an object, bad path id or query parameter |
 * | 401 | `unauthorized` | no API key, or an unknown one (`WWW-Authenticate: Bearer`) |
 * | 403 | `forbidden` | the key lacks the route's scope or does not cover the credential |
 * | 404 | `credential_not_found`, `not_found` | no such credential (or it was revoked); no such route |
 * | 409 | `credential_exists`, `provider_mismatch`, `reauth_required` | the credential's current state forbids it; `reauth_required`: the provider rejected the grant, `POST .../reauthorize` |
 * | 413 | `payload_too_large` | body over the limit |
 * | 414 | `uri_too_long` | a path parameter far longer than any valid id |
 * | 415 | `unsupported_media_type` | a body that is not `application/json` |
 * | 422 | `invalid_config` | a well-formed JSON body with an invalid field (type, range, URL, missing field); `field` names it in snake_case (the routes rename the client's camelCase fields with `apiFieldName`) |
 * | 502 | `refresh_failed` | the token endpoint failed (the message gives the provider's code) |
 * | 503 | `token_expired`, `temporal_unavailable` | no valid token could be obtained in time; Temporal is unreachable (`Retry-After`) |
 * | 500 | `internal` | anything else; a generic message, never a stack trace |
 *
 * Messages come from Halflife's own error classes, which carry no secrets; as a second line of
 * defence every secret value of the request body is scrubbed from the message and the log line.
 */
import { isGrpcServiceError } from '@temporalio/client';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { scrubSecrets } from '../codec/redact';
import { isHalflifeError, type AuthenticationError, type InvalidConfigError, type InvalidRequestError, type PermissionDeniedError } from '../errors';
import { isSecretName } from './schemas';

/** The JSON body of every error answer. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error translated for HTTP: status, body and extra headers. */
export interface ApiErrorAnswer {
  status: number;
  body: ApiErrorBody;
  headers: Record<string, string>;
}

const retryAfterSeconds = '5';
// gRPC CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE: the service is not answering.
const unavailableGrpcCodes = new Set([1, 4, 8, 14]);

function answer(status: number, code: string, message: string, extra: { field?: string; headers?: Record<string, string> } = {}): ApiErrorAnswer {
  const error = extra.field === undefined ? { code, message } : { code, message, field: extra.field };
  return { status, body: { error }, headers: extra.headers ?? {} };
}

/** True when `err` (or a cause) says Temporal could not be reached or did not answer in time. */
export function isTemporalUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const name = (current as { name?: unknown }).name;
    if (name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
    if (isGrpcServiceError(current)) return unavailableGrpcCodes.has(current.code);
    if (name === 'ServiceError' && !(current as { cause?: unknown }).cause) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function fastifyAnswer(err: FastifyError, bodyLimit: number): ApiErrorAnswer {
  const status = err.statusCode ?? 500;
  if (status === 413) return answer(413, 'payload_too_large', `request body is larger than ${bodyLimit} bytes`);
  if (status === 414) return answer(414, 'uri_too_long', 'a path parameter is too long');
  if (status === 415) return answer(415, 'unsupported_media_type', 'send the body as Content-Type: application/json');
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return answer(400, 'invalid_request', 'body is not valid JSON', { field: 'body' });
  }
  return answer(status, 'invalid_request', `request rejected (${err.code ?? status})`);
}

/** Translates any error into the API's answer; see the module comment for the table. */
export function toApiError(err: unknown, bodyLimit = 65_536): ApiErrorAnswer {
  if (isHalflifeError<InvalidRequestError>(err, 'InvalidRequestError')) {
    return answer(400, 'invalid_request', err.message, { field: err.field });
  }
  if (isHalflifeError<InvalidConfigError>(err, 'InvalidConfigError')) {
    return answer(422, 'invalid_config', err.message, { field: err.field });
  }
  if (isHalflifeError<AuthenticationError>(err, 'AuthenticationError')) {
    const challenge = err.bearerError ? `Bearer realm="halflife", error="${err.bearerError}"` : 'Bearer realm="halflife"';
    return answer(401, 'unauthorized', err.message, { headers: { 'WWW-Authenticate': challenge } });
  }
  if (isHalflifeError<PermissionDeniedError>(err, 'PermissionDeniedError')) {
    const challenge = `Bearer realm="halflife", error="insufficient_scope", scope="${err.scope}"`;
    return answer(403, 'forbidden', err.message, { headers: { 'WWW-Authenticate': challenge } });
  }
  if (isHalflifeError(err, 'CredentialNotFoundError')) return answer(404, 'credential_not_found', err.message);
  if (isHalflifeError(err, 'CredentialExistsError')) return answer(409, 'credential_exists', err.message);
  if (isHalflifeError(err, 'ProviderMismatchError')) return answer(409, 'provider_mismatch', err.message, { field: 'provider' });
  if (isHalflifeError(err, 'ReauthRequiredError')) return answer(409, 'reauth_required', err.message);
  if (isHalflifeError(err, 'RefreshFailedError')) return answer(502, 'refresh_failed', `${err.message} (${err.code})`);
  if (isHalflifeError(err, 'TokenExpiredError')) {
    return answer(503, 'token_expired', err.message, { headers: { 'Retry-After': retryAfterSeconds } });
  }
  if (isTemporalUnavailable(err)) {
    return answer(503, 'temporal_unavailable', 'the workflow service did not answer; try again', { headers: { 'Retry-After': retryAfterSeconds } });
  }
  const fastify = err as Partial<FastifyError>;
  if (typeof fastify.code === 'string' && fastify.code.startsWith('FST_') && (fastify.statusCode ?? 500) < 500) {
    return fastifyAnswer(err as FastifyError, bodyLimit);
  }
  return answer(500, 'internal', 'internal error');
}

/** The string values of secret-named fields of a request body (to scrub from messages and logs). */
export function secretValuesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  return Object.entries(body).flatMap(([k, v]) => (isSecretName(k) && typeof v === 'string' ? [v] : []));
}

/** A Fastify error handler answering with `toApiError`; 500s are logged with their stack (scrubbed), 502/503 as warnings, 4xx at debug level. */
export function apiErrorHandler(bodyLimit: number) {
  return async (err: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const secrets = secretValuesOf(request.body);
    const translated = toApiError(err, bodyLimit);
    const { status, headers } = translated;
    const body: ApiErrorBody = { error: { ...translated.body.error, message: scrubSecrets(translated.body.error.message, secrets) } };
    if (status === 500) {
      const detail = { name: err.name, code: err.code, message: scrubSecrets(String(err.message), secrets), stack: scrubSecrets(String(err.stack), secrets) };
      request.log.error({ failure: detail, status }, 'request failed');
    } else if (status > 500) {
      request.log.warn({ status, code: body.error.code, message: body.error.message }, 'request could not be served');
    } else {
      request.log.debug({ status, code: body.error.code, field: body.error.field }, 'request rejected');
    }
    return reply.code(status).headers(headers).send(body);
  };
}

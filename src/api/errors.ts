/**
 * Every error the HTTP API answers, as `{ "error": { "code", "message", "field"? } }` with the
 * status its RFC means:
 *
 * | status | code | when |
 * |---|---|---|
 * | 400 | `invalid_request` | the request is malformed: body not JSON or not an object, bad path id or query parameter; or refused by the HTTP parser (`transport-errors.ts`) |
 * | 401 | `unauthorized` | no API key, or an unknown one (`WWW-Authenticate: Bearer`) |
 * | 403 | `forbidden` | the key lacks the route's scope or does not cover the credential |
 * | 404 | `credential_not_found`, `not_found` | no such credential (or it was revoked); no such route |
 * | 405 | `method_not_allowed` | the path exists, not with this method (`Allow` lists those it has); a method the server does not know |
 * | 408 | `request_timeout` | the request did not arrive in time |
 * | 409 | `credential_exists`, `provider_mismatch`, `reauth_required` | the credential's current state forbids it; `reauth_required`: the provider rejected the grant, `POST .../reauthorize` |
 * | 413 | `payload_too_large` | body over the limit |
 * | 414 | `uri_too_long` | a path parameter far longer than any valid id |
 * | 415 | `unsupported_media_type` | a body that is not `application/json` |
 * | 417 | `expectation_failed` | an `Expect` header other than `100-continue` |
 * | 422 | `invalid_config` | a well-formed JSON body with an invalid field (type, range, URL, missing field); `field` names it in snake_case (the routes rename the client's camelCase fields with `apiFieldName`); `rule` names the egress rule that refused an outbound URL |
 * | 431 | `headers_too_large` | request line and headers over 16 KiB |
 * | 502 | `refresh_failed` | the token endpoint failed (the message gives the provider's code) |
 * | 503 | `token_expired`, `upstream_failing`, `workflow_failing`, `no_worker`, `temporal_unavailable` | no valid token could be obtained in time; the token endpoint keeps failing; the credential's workflow task keeps failing (also gRPC FAILED_PRECONDITION); no worker polls; Temporal is unreachable. Always with `Retry-After` |
 * | 500 | `internal` | anything else; a generic message, never a stack trace |
 *
 * Messages come from Halflife's own error classes, which carry no secrets; as a second line of
 * defence every secret value of the request body is scrubbed from the message and the log line.
 * `field` shows a name the client made up only as a short safe prefix (`field-names.ts`).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { scrubSecrets } from '../codec/redact';
import { errorOutcomeOf, tabledErrorName, temporalUnavailableOutcome, type ErrorOutcome } from '../error-outcomes';
import { errorCodes, isHalflifeError, type AuthenticationError, type PermissionDeniedError } from '../errors';
import { shownField } from './field-names';
import { isSecretName, knownFieldNames } from './schemas';

/** The JSON body of every error answer. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string; rule?: string };
}

/** An error translated for HTTP: status, body and extra headers. */
export interface ApiErrorAnswer {
  status: number;
  body: ApiErrorBody;
  headers: Record<string, string>;
}

/** `Retry-After` of a 503 whose error does not say when to try again. */
export const defaultRetryAfterS = 5;

function answer(status: number, code: string, message: string, extra: { field?: string; rule?: string; headers?: Record<string, string> } = {}): ApiErrorAnswer {
  const error: ApiErrorBody['error'] = { code, message };
  if (extra.field !== undefined) error.field = extra.field;
  if (extra.rule !== undefined) error.rule = extra.rule;
  return { status, body: { error }, headers: extra.headers ?? {} };
}

function fastifyAnswer(err: FastifyError, bodyLimit: number): ApiErrorAnswer {
  const status = err.statusCode ?? 500;
  if (status === 413) return answer(413, errorCodes.payloadTooLarge, `request body is larger than ${bodyLimit} bytes`);
  if (status === 414) return answer(414, errorCodes.uriTooLong, 'a path parameter is too long');
  if (status === 415) return answer(415, errorCodes.unsupportedMediaType, 'send the body as Content-Type: application/json');
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return answer(400, errorCodes.invalidRequest, 'body is not valid JSON', { field: 'body' });
  }
  return answer(status, errorCodes.invalidRequest, `request rejected (${err.code ?? status})`);
}

/** The message of an answer: Halflife's own (secret-free) messages; fixed ones for transport errors and 500s. */
function messageOf(err: unknown, outcome: ErrorOutcome): string {
  const name = tabledErrorName(err);
  const own = err as { message: string; code: string };
  if (name === 'RefreshFailedError') return `${own.message} (${own.code})`;
  // Rebuilt from the shown field: the message of a field error starts with the field as the client spelt it.
  if (name === 'InvalidConfigError' || name === 'InvalidRequestError') return `${fieldOf(err) ?? 'body'}: ${(err as { reason: string }).reason}`;
  if (name) return own.message;
  if (outcome === temporalUnavailableOutcome) return 'the workflow service did not answer; try again';
  if (outcome.code === errorCodes.workflowFailing) return "the credential's workflow task keeps failing; an operator must look at the worker logs";
  return 'internal error';
}

/** Extra headers: RFC 6750 challenges for 401 and 403, `Retry-After` on every 503. */
function headersOf(err: unknown, status: number): Record<string, string> {
  if (isHalflifeError<AuthenticationError>(err, 'AuthenticationError')) {
    return { 'WWW-Authenticate': err.bearerError ? `Bearer realm="halflife", error="${err.bearerError}"` : 'Bearer realm="halflife"' };
  }
  if (isHalflifeError<PermissionDeniedError>(err, 'PermissionDeniedError')) {
    return { 'WWW-Authenticate': `Bearer realm="halflife", error="insufficient_scope", scope="${err.scope}"` };
  }
  if (status !== 503) return {};
  const asked = (err as { retryAfterS?: unknown } | undefined)?.retryAfterS;
  const seconds = typeof asked === 'number' && Number.isFinite(asked) && asked >= 0 ? Math.ceil(asked) : defaultRetryAfterS;
  return { 'Retry-After': String(seconds) };
}

/** The field an answer names: the invalid one (a made-up name only as its safe prefix), or `provider` for a provider mismatch. */
function fieldOf(err: unknown): string | undefined {
  if (tabledErrorName(err) === 'ProviderMismatchError') return 'provider';
  const field = (err as { field?: unknown } | undefined)?.field;
  return tabledErrorName(err) && typeof field === 'string' ? shownField(field, knownFieldNames) : undefined;
}

/** The egress rule of a refused outbound URL (`InvalidConfigError.rule`), if that is what refused it. */
function ruleOf(err: unknown): string | undefined {
  const rule = (err as { rule?: unknown } | undefined)?.rule;
  return tabledErrorName(err) === 'InvalidConfigError' && typeof rule === 'string' ? rule : undefined;
}

/** Translates any error into the API's answer; see the module comment for the table (`error-outcomes.ts` holds it). */
export function toApiError(err: unknown, bodyLimit = 65_536): ApiErrorAnswer {
  const fastify = err as Partial<FastifyError> | undefined;
  if (typeof fastify?.code === 'string' && fastify.code.startsWith('FST_') && (fastify.statusCode ?? 500) < 500) {
    return fastifyAnswer(err as FastifyError, bodyLimit);
  }
  const outcome = errorOutcomeOf(err);
  return answer(outcome.status, outcome.code, messageOf(err, outcome), { field: fieldOf(err), rule: ruleOf(err), headers: headersOf(err, outcome.status) });
}

/** The string values of secret-named fields of a request body, nested ones included (to scrub from messages and logs). */
export function secretValuesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  return Object.entries(body).flatMap(([k, v]) => (!isSecretName(k) ? [] : typeof v === 'string' ? [v] : keyMaterialIn(v)));
}

/**
 * The strings of at least 32 characters inside an object under a secret field (a service account
 * key file, a JWK): key material is that long (a P-256 `d` has 43), while the short members (`type`,
 * `kty`) also appear in field names and reasons, which must stay readable.
 */
function keyMaterialIn(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 32 ? [value] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(keyMaterialIn);
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

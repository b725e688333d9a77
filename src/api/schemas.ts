/**
 * The HTTP API's requests: snake_case zod schemas of every body and query, their mapping to the
 * camelCase types of `TokenClient`, and the naming rules between the two (`responses.ts` has the
 * answers). The same schemas generate the OpenAPI document (`openapi.ts`), so the document cannot
 * drift from what the server accepts.
 *
 * Validation failures of a JSON body name the snake_case field (`InvalidConfigError`, answered
 * 422); a body that is not a JSON object, or a bad path or query parameter, is an
 * `InvalidRequestError` (400). See `errors.ts`.
 */
import { z } from 'zod';
import { credentialStatuses, type RefreshPolicy } from '../credential';
import type { RegisterInput } from '../client/registration';
import { InvalidConfigError, InvalidRequestError } from '../errors';
import { policyBounds } from '../policy';
import { secretFieldNames } from '../codec/redact';

/** Every provider name, for schemas. */
export const providerNames = ['oauth2', 'oauth2_client_credentials', 'wechat', 'wecom'] as const;
const secret = z.string().min(1, 'must not be empty').max(16_384, 'must be at most 16384 characters');
const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const url = text(2048).describe('absolute https URL (http only for loopback)');
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });
const bounded = (b: { min: number; max: number }, scale = 1) => {
  const [min, max] = [b.min / scale, b.max / scale];
  return z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
};

const policyFields = {
  refresh_ratio: bounded(policyBounds.refreshRatio).optional().describe('fraction of the lifetime after which a token is refreshed (default 0.5)'),
  min_refresh_interval_s: bounded(policyBounds.minRefreshIntervalMs, 1000).optional().describe('cooldown between upstream refreshes, seconds (default 10)'),
  max_refreshes_per_day: bounded(policyBounds.maxRefreshesPerDay).int('must be an integer').optional().describe('upstream refreshes allowed in any 24 hours (default 1000)'),
};
const clientAuth = z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic');
const allowInsecureHttp = z.boolean().optional().describe('allow a plain-http endpoint that is not on loopback (default false)');

/** `PUT /v1/credentials/{id}` body for an OAuth 2.0 refresh_token grant. */
export const oauth2BodySchema = z.strictObject({
  provider: z.literal('oauth2'),
  token_endpoint: url,
  client_id: text(1024),
  client_secret: secret,
  client_auth: clientAuth,
  refresh_token: secret,
  access_token: secret.optional().describe('a token you already hold (then expires_at is required)'),
  token_type: text(64).optional(),
  expires_at: instant.optional(),
  scope: z.string().max(4096).optional().describe('scope to request on refresh'),
  allow_insecure_http: allowInsecureHttp,
  ...policyFields,
});

/** Body for an OAuth 2.0 client_credentials grant. */
export const clientCredentialsBodySchema = z.strictObject({
  provider: z.literal('oauth2_client_credentials'),
  token_endpoint: url,
  client_id: text(1024),
  client_secret: secret,
  client_auth: clientAuth,
  scope: z.string().max(4096).optional(),
  allow_insecure_http: allowInsecureHttp,
  ...policyFields,
});

/** Body for a WeChat official account / mini program (`appid` + `secret`). */
export const wechatBodySchema = z.strictObject({
  provider: z.literal('wechat'),
  appid: text(128),
  secret,
  base_url: url.optional(),
  stable: z.boolean().optional().describe('use POST /cgi-bin/stable_token'),
  allow_insecure_http: allowInsecureHttp,
  ...policyFields,
});

/** Body for a WeCom (WeChat Work) application (`corpid` + `corpsecret`). */
export const wecomBodySchema = z.strictObject({
  provider: z.literal('wecom'),
  corpid: text(128),
  corpsecret: secret,
  base_url: url.optional(),
  allow_insecure_http: allowInsecureHttp,
  ...policyFields,
});

/** `PUT /v1/credentials/{id}` body: `provider` plus that provider's fields. */
export const credentialBodySchema = z.discriminatedUnion('provider', [oauth2BodySchema, clientCredentialsBodySchema, wechatBodySchema, wecomBodySchema]);
/** A parsed registration body. */
export type CredentialBody = z.infer<typeof credentialBodySchema>;

/** `POST /v1/credentials/{id}/refresh` body (optional). */
export const refreshBodySchema = z.strictObject({
  stale_version: z.number().int('must be an integer').min(0, 'must not be negative').optional().describe('the version you saw fail'),
});

/** `POST /v1/credentials/{id}/reauthorize` body with only a new grant (provider configuration unchanged). */
export const reauthorizeGrantSchema = z.strictObject({
  refresh_token: secret.optional().describe('the new refresh token (oauth2); omit for providers without one'),
});

/** `GET /v1/credentials/{id}/token` query. */
export const tokenQuerySchema = z.strictObject({
  min_ttl_s: z.coerce.number().int('must be an integer').min(0, 'must not be negative').max(86_400, 'must be at most 86400').optional(),
});

/** `GET /v1/credentials` query. */
export const listQuerySchema = z.strictObject({
  status: z.enum(credentialStatuses as [string, ...string[]]).optional(),
  provider: z.enum(providerNames).optional(),
});

/** Parses a JSON body with `schema`: 400 when it is not an object, 422 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequestError('body', 'must be a JSON object');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.code === 'unrecognized_keys' ? [issue.keys[0]] : (issue?.path ?? []);
  const reason = issue?.code === 'unrecognized_keys' ? 'is not a field of this request' : (issue?.message ?? 'is invalid');
  throw new InvalidConfigError(path.map(String).join('.') || 'body', reason);
}

/** Parses path or query parameters with `schema`: 400 naming the first bad parameter. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : (issue?.path ?? []).map(String).join('.') || 'query';
  throw new InvalidRequestError(field, issue?.code === 'unrecognized_keys' ? 'is not a parameter of this route' : (issue?.message ?? 'is invalid'));
}

const grantAndTokenFields = new Set(['provider', 'refresh_token', 'access_token', 'token_type', 'expires_at']);
const policyFieldNames = new Set(Object.keys(policyFields));

/** The policy fields of a body as a camelCase policy patch, or undefined when there are none. */
export function policyPatchOf(body: CredentialBody): Partial<RefreshPolicy> | undefined {
  const b = body as Partial<Record<keyof typeof policyFields, number>>;
  const patch: Partial<RefreshPolicy> = {};
  if (b.refresh_ratio !== undefined) patch.refreshRatio = b.refresh_ratio;
  if (b.min_refresh_interval_s !== undefined) patch.minRefreshIntervalMs = Math.round(b.min_refresh_interval_s * 1000);
  if (b.max_refreshes_per_day !== undefined) patch.maxRefreshesPerDay = b.max_refreshes_per_day;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** The fields of a replacement that reauthorization does not apply (policy unless `policyApplied`, a supplied token). */
export function ignoredOnReplace(body: CredentialBody, policyApplied: boolean): string[] {
  const ignored = ['access_token', 'token_type', 'expires_at'].filter((f) => f in body);
  return policyApplied ? ignored : [...ignored, ...Object.keys(body).filter((f) => policyFieldNames.has(f))];
}

/** A registration body as the camelCase `RegisterInput` of `TokenClient.register`. */
export function toRegisterInput(id: string, body: CredentialBody): RegisterInput {
  const config: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (!grantAndTokenFields.has(field) && !policyFieldNames.has(field) && value !== undefined) config[camelCase(field)] = value;
  }
  const input: RegisterInput = { id, provider: body.provider, config };
  if (body.provider === 'oauth2') {
    input.grant = { refreshToken: body.refresh_token };
    if ((body.access_token === undefined) !== (body.expires_at === undefined)) {
      throw new InvalidConfigError(body.access_token === undefined ? 'access_token' : 'expires_at', 'access_token and expires_at go together');
    }
    if (body.access_token !== undefined && body.expires_at !== undefined) {
      input.token = { accessToken: body.access_token, expiresAt: body.expires_at, ...(body.token_type ? { tokenType: body.token_type } : {}) };
    }
  }
  const policy = policyPatchOf(body);
  if (policy) input.policy = policy;
  return input;
}

/** The API name of a field named by `TokenClient` or the workflow (`config.tokenEndpoint` → `token_endpoint`). */
export function apiFieldName(field: string): string {
  const renamed: Record<string, string> = {
    'grant.refreshToken': 'refresh_token',
    'token.accessToken': 'access_token',
    'token.expiresAt': 'expires_at',
    'token.tokenType': 'token_type',
    staleVersion: 'stale_version',
  };
  if (renamed[field]) return renamed[field];
  if (['config', 'grant', 'token', 'policy', 'request'].includes(field)) return 'body';
  const policy = /^policy\.(.+)$/.exec(field);
  if (policy?.[1]) return snakeField(policy[1]);
  return field.replace(/^config\./, '').split('.').map(snakeCase).join('.');
}

/** `tokenEndpoint` → `token_endpoint`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `token_endpoint` → `tokenEndpoint`. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A policy field's API name: snake_case, with durations in seconds (`minRefreshIntervalMs` → `min_refresh_interval_s`). */
export function snakeField(name: string): string {
  return name.endsWith('Ms') ? `${snakeCase(name.slice(0, -2))}_s` : snakeCase(name);
}

const secretNames = new Set(secretFieldNames);
/** True for a setting whose name marks a secret (defence in depth: settings are meant to hold none). */
export function isSecretName(name: string): boolean {
  return secretNames.has(name.toLowerCase().replace(/[_-]/g, ''));
}

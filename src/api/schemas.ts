/**
 * The HTTP API's requests: snake_case zod schemas of every body and query, their mapping to the
 * camelCase types of `TokenClient`, and the naming rules between the two (`responses.ts` has the
 * answers). Each provider's registration body is derived from its module (its configuration
 * fields under their snake_case names, see `providers/config-fields.ts`). The same schemas
 * generate the OpenAPI document (`openapi.ts`), so the document cannot drift from what the server
 * accepts.
 *
 * Validation failures of a JSON body name the snake_case field (`InvalidConfigError`, answered
 * 422); a body that is not a JSON object, or a bad path or query parameter, is an
 * `InvalidRequestError` (400). See `errors.ts`.
 */
import { z } from 'zod';
import { connectBodySchema } from '../connect/profile';
import { credentialStatuses, type ProviderName, type RefreshPolicy } from '../credential';
import type { RegisterInput } from '../client/registration';
import { InvalidConfigError, InvalidRequestError } from '../errors';
import { policyBounds } from '../policy';
import { snakeCase, tokenString, type ConfigField } from '../providers/config-fields';
import { providerNames } from '../providers/names';
import type { Provider } from '../providers/provider';
import { issueRule } from '../providers/url';
import { getProvider, providerList } from '../providers/registry';
import { subscriptionFieldNames } from '../webhooks/subscription-input';

export { providerNames } from '../providers/names';
export { isSecretName } from '../secrets/names';

const token = tokenString();
const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });
const bounded = (b: { min: number; max: number; integer: boolean }, scale: number) => {
  const [min, max] = [b.min / scale, b.max / scale];
  const n = z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
  return b.integer && scale === 1 ? n.int('must be an integer') : n;
};

/** The policy fields the API accepts, with their descriptions; durations in seconds (`_s`). */
const apiPolicy = {
  refreshRatio: 'fraction of the lifetime after which a token is refreshed (default 0.5)',
  minRefreshIntervalMs: 'cooldown between upstream refreshes, seconds (default 10)',
  maxRefreshesPerDay: 'upstream refreshes allowed in any 24 hours (default 1000)',
  defaultLifetimeMs: 'lifetime assumed when the provider sends no expires_in, seconds (default 3600)',
} as const satisfies Partial<Record<keyof RefreshPolicy, string>>;
type ApiPolicyField = keyof typeof apiPolicy;
const apiPolicyFields = Object.keys(apiPolicy) as ApiPolicyField[];
const scaleOf = (field: string): number => (field.endsWith('Ms') ? 1000 : 1);

const policyFields = Object.fromEntries(
  apiPolicyFields.map((f) => [snakeField(f), bounded(policyBounds[f], scaleOf(f)).optional().describe(apiPolicy[f])]),
);

/** A configuration field as the API body takes it: a default is documented, and filled only when the field says so. */
function apiField(f: ConfigField): z.ZodType {
  if (f.schema instanceof z.ZodDefault && f.apiFillsDefault !== true) {
    return (f.schema.unwrap() as z.ZodType).optional().meta({ description: f.doc, default: f.schema.def.defaultValue });
  }
  return f.schema.meta({ description: f.doc });
}

/** The grant and held-token fields of a provider that uses a refresh token. */
const grantFields = {
  refresh_token: token.describe('the refresh token'),
  access_token: token.optional().describe('a token you already hold (then expires_at is required)'),
  token_type: text(64).optional(),
  expires_at: instant.optional(),
};

/** The `PUT /v1/credentials/{id}` body of one provider: `provider`, its configuration fields in snake_case, its grant, the policy. */
function bodySchemaFor(p: Provider) {
  const config = Object.fromEntries(Object.entries(p.fields).map(([name, f]) => [snakeCase(name), apiField(f)]));
  return z.strictObject({ provider: z.literal(p.name), ...config, ...(p.needsRefreshToken ? grantFields : {}), ...policyFields });
}

/** The registration body schema of every provider, by name. */
export const providerBodySchemas = Object.fromEntries(providerList.map((p) => [p.name, bodySchemaFor(p)])) as Record<ProviderName, ReturnType<typeof bodySchemaFor>>;

/** A parsed registration body: `provider` plus that provider's snake_case fields. */
export type CredentialBody = { provider: ProviderName } & Record<string, unknown>;

/** `PUT /v1/credentials/{id}` body: `provider` plus that provider's fields. */
export const credentialBodySchema = z.discriminatedUnion(
  'provider',
  providerNames.map((name) => providerBodySchemas[name]) as [ReturnType<typeof bodySchemaFor>, ...ReturnType<typeof bodySchemaFor>[]],
) as unknown as z.ZodType<CredentialBody>;

/** `POST /v1/credentials/{id}/refresh` body (optional). */
export const refreshBodySchema = z.strictObject({
  stale_version: z
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must not be negative')
    .max(Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER}`)
    .optional()
    .describe('the version you saw fail'),
});

/** `POST /v1/credentials/{id}/reauthorize` body with only a new grant (provider configuration unchanged). */
export const reauthorizeGrantSchema = z.strictObject({
  refresh_token: token.optional().describe('the new refresh token (oauth2); omit for providers without one'),
});

/**
 * A whole number in a query string: decimal digits only (no sign, space, exponent, `0x`/`0b`
 * prefix or empty value), given once, at most `max`.
 */
export function queryInteger(max: number) {
  const digits = String(max).length;
  return z
    .string({ error: (issue) => (Array.isArray(issue.input) ? 'must be given once' : 'must be a string') })
    .regex(new RegExp(`^[0-9]{1,${digits}}$`), `must be a whole number from 0 to ${max}, in decimal digits`)
    .transform(Number)
    .refine((n) => n <= max, `must be a whole number from 0 to ${max}, in decimal digits`);
}

/** `GET /v1/credentials/{id}/token` query. */
export const tokenQuerySchema = z.strictObject({
  min_ttl_s: queryInteger(86_400).optional().describe('the token must stay valid this many more seconds (0-86400)'),
});

/** `GET /v1/credentials` query. */
export const listQuerySchema = z.strictObject({
  status: z.enum(credentialStatuses as [string, ...string[]]).optional(),
  provider: z.enum(providerNames).optional(),
});

/**
 * Every field and parameter name the API itself defines (body fields of every provider, query
 * parameters, `id`, `body`...): the names `error.field` may show as they are (`field-names.ts`).
 */
export const knownFieldNames: ReadonlySet<string> = new Set([
  ...Object.values(providerBodySchemas).flatMap((schema) => Object.keys(schema.shape)),
  ...[refreshBodySchema, reauthorizeGrantSchema, tokenQuerySchema, listQuerySchema, connectBodySchema].flatMap((schema) => Object.keys(schema.shape)),
  'id',
  'body',
  'query',
  'host',
  ...subscriptionFieldNames,
]);

/** Parses a JSON body with `schema`: 400 when it is not an object, 422 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequestError('body', 'must be a JSON object');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.code === 'unrecognized_keys' ? [issue.keys[0]] : (issue?.path ?? []);
  const reason = issue?.code === 'unrecognized_keys' ? 'is not a field of this request' : (issue?.message ?? 'is invalid');
  const rule = issueRule(issue);
  throw new InvalidConfigError(path.map(String).join('.') || 'body', reason, rule === undefined ? undefined : { rule });
}

/** Parses path or query parameters with `schema`: 400 naming the first bad parameter. */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? String(issue.keys[0]) : (issue?.path ?? []).map(String).join('.') || 'query';
  throw new InvalidRequestError(field, issue?.code === 'unrecognized_keys' ? 'is not a parameter of this route' : (issue?.message ?? 'is invalid'));
}

const policyFieldNames = new Set(Object.keys(policyFields));

/** The policy fields of a body as a camelCase policy patch, or undefined when there are none. */
export function policyPatchOf(body: CredentialBody): Partial<RefreshPolicy> | undefined {
  const patch: Partial<RefreshPolicy> = {};
  for (const field of apiPolicyFields) {
    const value = body[snakeField(field)];
    if (typeof value === 'number') patch[field] = scaleOf(field) === 1 ? value : Math.round(value * scaleOf(field));
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** The fields of a replacement that reauthorization does not apply (policy unless `policyApplied`, a supplied token). */
export function ignoredOnReplace(body: CredentialBody, policyApplied: boolean): string[] {
  const ignored = ['access_token', 'token_type', 'expires_at'].filter((f) => f in body);
  return policyApplied ? ignored : [...ignored, ...Object.keys(body).filter((f) => policyFieldNames.has(f))];
}

/** A registration body as the camelCase `RegisterInput` of `TokenClient.register`. */
export function toRegisterInput(id: string, body: CredentialBody): RegisterInput {
  const provider = getProvider(body.provider);
  const config: Record<string, unknown> = {};
  for (const name of Object.keys(provider.fields)) {
    const value = body[snakeCase(name)];
    if (value !== undefined) config[name] = value;
  }
  const input: RegisterInput = { id, provider: body.provider, config };
  if (provider.needsRefreshToken) {
    const held = body as { refresh_token?: string; access_token?: string; token_type?: string; expires_at?: string };
    input.grant = { refreshToken: held.refresh_token };
    if ((held.access_token === undefined) !== (held.expires_at === undefined)) {
      throw new InvalidConfigError(held.access_token === undefined ? 'access_token' : 'expires_at', 'access_token and expires_at go together');
    }
    if (held.access_token !== undefined && held.expires_at !== undefined) {
      input.token = { accessToken: held.access_token, expiresAt: held.expires_at, ...(held.token_type ? { tokenType: held.token_type } : {}) };
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

export { camelCase, snakeCase } from '../providers/config-fields';

/** A policy field's API name: snake_case, with durations in seconds (`minRefreshIntervalMs` → `min_refresh_interval_s`). */
export function snakeField(name: string): string {
  return name.endsWith('Ms') ? `${snakeCase(name.slice(0, -2))}_s` : snakeCase(name);
}

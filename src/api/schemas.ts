/**
 * The HTTP API's requests: snake_case zod schemas of every body and query, their mapping to the
 * camelCase types of `TokenClient`, and the naming rules between the two (`responses.ts` has the
 * answers). Each provider's registration body is derived from its module (its configuration
 * fields under their snake_case names, see `providers/config-fields.ts`); a body with `preset`
 * instead of `provider` is a preset's (`preset-bodies.ts`). The same schemas
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
import { credentialIdPattern, type RegisterInput } from '../client/registration';
import { InvalidConfigError, InvalidRequestError } from '../errors';
import { snakeCase, tokenString } from '../providers/config-fields';
import { providerNames } from '../providers/names';
import { presetByName, presetNames } from '../providers/presets';
import type { Provider } from '../providers/provider';
import { issueRule } from '../providers/url';
import { getProvider, providerList } from '../providers/registry';
import { subscriptionFieldNames } from '../webhooks/subscription-input';
import { apiField, apiPolicyFields, clientSecretFields, grantFields, policyFields, scaleOf, snakeField } from './body-fields';
import { isPresetBody, presetBodySchemas, presetRegisterInput } from './preset-bodies';

export { providerNames } from '../providers/names';
export { isSecretName } from '../secrets/names';
export { snakeField } from './body-fields';

const token = tokenString();

/** The `parent` field of a derived provider's body. */
const parentField = (p: Provider) => ({
  parent: z
    .string({ error: 'must be a credential id' })
    .regex(credentialIdPattern, 'must be a credential id: 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit')
    .describe(`the id of the ${p.derivedFrom?.join(' or ')} credential whose token this one is obtained with`),
});

/** The grant of a provider that may be registered without one (a platform before its first pushed ticket). */
const optionalGrantField = { refresh_token: token.optional().describe('the latest pushed ticket, if you hold one (otherwise the first push brings it)') };

/** The `PUT /v1/credentials/{id}` body of one provider: `provider`, its configuration fields in snake_case, its grant or parent, the policy. */
function bodySchemaFor(p: Provider) {
  const config = Object.fromEntries(Object.entries(p.fields).map(([name, f]) => [snakeCase(name), apiField(f)]));
  return z.strictObject({ provider: z.literal(p.name), ...config, ...(p.needsRefreshToken ? grantFields : p.optionalGrant ? optionalGrantField : {}), ...(p.derivedFrom ? parentField(p) : {}), ...(p.secretFields.length > 0 ? clientSecretFields : {}), ...policyFields });
}

/** The registration body schema of every provider, by name. */
export const providerBodySchemas = Object.fromEntries(providerList.map((p) => [p.name, bodySchemaFor(p)])) as Record<ProviderName, ReturnType<typeof bodySchemaFor>>;

/** A parsed registration body: `provider` (or `preset`) plus its snake_case fields. */
export type CredentialBody = { provider?: ProviderName; preset?: string } & Record<string, unknown>;

/** `PUT /v1/credentials/{id}` body: `provider` plus that provider's fields. */
export const credentialBodySchema = z.discriminatedUnion(
  'provider',
  providerNames.map((name) => providerBodySchemas[name]) as [ReturnType<typeof bodySchemaFor>, ...ReturnType<typeof bodySchemaFor>[]],
) as unknown as z.ZodType<CredentialBody>;

/** Parses a `PUT /v1/credentials/{id}` body: a provider's, or a preset's (an unknown preset is 422 on `preset`, listing the known ones). */
export function parseCredentialBody(raw: unknown): CredentialBody {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !('provider' in raw) && !('preset' in raw)) {
    throw new InvalidConfigError('provider', `is required: one of ${providerNames.join(', ')}; or give preset instead, one of ${presetNames.join(', ')}`);
  }
  if (!isPresetBody(raw)) return parseBody(credentialBodySchema, raw);
  const schema = typeof raw.preset === 'string' && Object.hasOwn(presetBodySchemas, raw.preset) ? presetBodySchemas[raw.preset] : undefined;
  if (!schema) throw new InvalidConfigError('preset', `must be one of ${presetNames.join(', ')}`);
  return parseBody(schema, raw) as CredentialBody;
}

/** The provider a parsed body registers with: its own, or its preset's. */
export function bodyProvider(body: CredentialBody): ProviderName {
  return body.provider ?? presetByName(body.preset ?? '')?.provider ?? 'oauth2';
}

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

/** `POST /v1/credentials/{id}/jssdk-signature` body. */
export const jssdkSignatureBodySchema = z.strictObject({
  url: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).min(1, 'is required').max(4096, 'must be at most 4096 characters').describe('the page URL exactly as the page has it (`location.href`); anything from `#` on is dropped'),
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
  ...Object.values(presetBodySchemas).flatMap((schema) => Object.keys(schema.shape)),
  ...[refreshBodySchema, reauthorizeGrantSchema, tokenQuerySchema, listQuerySchema, connectBodySchema, jssdkSignatureBodySchema].flatMap((schema) => Object.keys(schema.shape)),
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
  const provider = getProvider(bodyProvider(body));
  const config: Record<string, unknown> = {};
  for (const name of Object.keys(provider.fields)) {
    const value = body[snakeCase(name)];
    if (value !== undefined) config[name] = value;
  }
  const input: RegisterInput = body.provider === undefined && body.preset !== undefined ? presetRegisterInput(id, { ...body, preset: body.preset }) : { id, provider: provider.name, config };
  if (provider.derivedFrom && typeof body.parent === 'string') input.parent = body.parent;
  if (typeof body.client_secret_expires_at === 'string') input.clientSecretExpiresAt = body.client_secret_expires_at;
  const ticket = (body as { refresh_token?: unknown }).refresh_token;
  if (provider.optionalGrant && typeof ticket === 'string') input.grant = { refreshToken: ticket };
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

/**
 * The HTTP API's answers: snake_case zod schemas (for the OpenAPI document) and the mapping from
 * the camelCase types of `TokenClient`. Instants become ISO 8601 strings, durations seconds
 * (`_s`), and settings whose names mark a secret are dropped as a second line of defence.
 */
import { z } from 'zod';
import type { CredentialSummary } from '../client/token-client';
import { redactSecretQuery } from '../egress';
import type { JssdkConfig } from '../jssdk/signature';
import { credentialStatuses, type CredentialDescription, type TokenView } from '../credential';
import { sessionResponseSchema } from './connect-responses';
import { isSecretName, providerNames, snakeCase, snakeField } from './schemas';

/** A token as the API hands it out. */
export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_at: z.string().describe('ISO 8601'),
  expires_in: z.number().int().describe('seconds left when this answer was made'),
  version: z.number().int(),
  status: z.enum(credentialStatuses as [string, ...string[]]),
  scope: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional().describe('non-secret answer fields the credential keeps (its `metadata_fields`, e.g. `instance_url`)'),
});

/** Answer of `POST .../refresh`: the token, and whether this call caused (or joined) an upstream refresh. */
export const refreshResponseSchema = tokenResponseSchema.extend({
  refreshed: z.boolean(),
  reason: z.string().optional().describe('why no upstream refresh happened: superseded, cooldown, daily_quota, force_budget, same_token'),
});

/** Answer of `PUT`: 201 when created, 200 when replaced. */
export const putResponseSchema = z.object({
  id: z.string(),
  provider: z.enum(providerNames),
  created: z.boolean(),
  token: tokenResponseSchema,
  ignored_fields: z.array(z.string()).optional().describe('fields of a replacement that were not applied'),
});

const instantOut = z.string().describe('ISO 8601');
/** Answer of `GET /v1/credentials/{id}` and `DELETE`: status, times, counts, no secrets. */
export const describeResponseSchema = z.object({
  id: z.string(),
  provider: z.enum(providerNames),
  status: z.enum(credentialStatuses as [string, ...string[]]),
  version: z.number().int(),
  settings: z.record(z.string(), z.unknown()).describe('the provider settings that are not secret'),
  expires_at: instantOut.optional(),
  issued_at: instantOut.optional(),
  scope: z.string().optional(),
  last_refresh_at: instantOut.optional(),
  next_refresh_at: instantOut.optional(),
  refresh_token_expires_at: instantOut.optional().describe('when the refresh token dies, when known (the answer\'s refresh_token_expires_in, or the preset\'s absolute lifetime): re-connect before'),
  client_secret_expires_at: instantOut.optional().describe('when the client secret dies, as the registration declared it: rotate it before'),
  last_error: z.object({ kind: z.string(), code: z.string(), message: z.string(), at: instantOut }).optional(),
  counts: z.object({ refreshes: z.number(), upstream_calls: z.number(), failures: z.number(), coalesced: z.number(), runs: z.number() }),
  policy: z.record(z.string(), z.number()).describe('snake_case policy; durations in seconds (`_s`)'),
  quota: z.object({ calls_last_24h: z.number(), max_per_day: z.number(), min_interval_s: z.number(), next_allowed_at: instantOut }),
  has_refresh_token: z.boolean(),
  created_at: instantOut,
  connect: z.array(sessionResponseSchema).optional().describe('pending connect sessions (when the API serves connect links; see docs/connect.md)'),
  connect_link: z.object({ url: z.string(), expires_at: instantOut }).optional().describe('in reauth_required, a fresh link to re-connect a credential a connect link created (shown to keys with the connect or admin scope only)'),
  parent: z.string().optional().describe('a derived credential: the credential whose token it is obtained with'),
  dependents: z.array(z.string()).optional().describe('the derived credentials refreshed whenever this one gets a new token'),
});

/** Answer of `GET /v1/credentials`. */
export const listResponseSchema = z.object({
  credentials: z.array(z.object({ id: z.string(), status: z.string().optional(), provider: z.string().optional(), expires_at: instantOut.optional() })),
});

/** Answer of `POST /v1/credentials/{id}/jssdk-signature`: the fields `wx.config` (or `wx.agentConfig`) needs besides `jsApiList`. */
export const jssdkSignatureResponseSchema = z.object({
  app_id: z.string().describe('`appId` of wx.config: the WeChat AppID, or the WeCom corp ID'),
  timestamp: z.number().int().describe('`timestamp` of wx.config: seconds since the epoch'),
  nonce_str: z.string().describe('`nonceStr` of wx.config'),
  signature: z.string().describe('SHA-1 (hex) of jsapi_ticket, noncestr, timestamp and url'),
  agent_id: z.string().optional().describe('`agentid` of wx.agentConfig (WeCom agent tickets with a configured agentid)'),
  url: z.string().describe('the URL that was signed (the fragment removed)'),
  expires_at: z.string().describe('ISO 8601: when the ticket that signed it expires'),
});

/** Every error answer. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional().describe('the invalid field or parameter; a name the API does not define is shown only as a short prefix ending in …'),
    rule: z.string().optional().describe('the egress rule that refused an outbound URL (metadata_address, private_address, non_canonical...)'),
  }),
});

/** Answer of `GET /healthz`. */
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  temporal: z.boolean(),
  redis: z.union([z.boolean(), z.literal('disabled')]),
});

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function definedOnly<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A token view as the API hands it out. */
export function tokenResponse(view: TokenView, now = Date.now()): z.infer<typeof tokenResponseSchema> {
  return definedOnly({
    access_token: view.accessToken,
    token_type: view.tokenType,
    expires_at: new Date(view.expiresAt).toISOString(),
    expires_in: Math.max(0, Math.floor((view.expiresAt - now) / 1000)),
    version: view.version,
    status: view.status,
    scope: view.scope,
    metadata: view.metadata,
  });
}

/** A setting as shown: a URL with the values of its secret-looking query parameters replaced by `***` (registrations made before they were refused). */
function shownSetting(value: unknown): unknown {
  return typeof value === 'string' && /^https?:/i.test(value) ? redactSecretQuery(value) : value;
}

/** A description in snake_case with ISO times and durations in seconds; secret-named settings are dropped, secret-looking URL query values masked. */
export function describeResponse(d: CredentialDescription): z.infer<typeof describeResponseSchema> {
  const settings = Object.fromEntries(Object.entries(d.settings).filter(([k]) => !isSecretName(k)).map(([k, v]) => [snakeCase(k), shownSetting(v)]));
  const policy = Object.fromEntries(Object.entries(d.policy).map(([k, v]) => [snakeField(k), k.endsWith('Ms') ? v / 1000 : v]));
  return definedOnly({
    id: d.id,
    provider: d.provider,
    status: d.status,
    version: d.version,
    settings,
    expires_at: iso(d.expiresAt),
    issued_at: iso(d.issuedAt),
    scope: d.scope,
    last_refresh_at: iso(d.lastRefreshAt),
    next_refresh_at: iso(d.nextRefreshAt),
    refresh_token_expires_at: iso(d.refreshTokenExpiresAt),
    client_secret_expires_at: iso(d.clientSecretExpiresAt),
    last_error: d.lastError && { kind: d.lastError.kind, code: d.lastError.code, message: d.lastError.message, at: new Date(d.lastError.at).toISOString() },
    counts: { refreshes: d.counts.refreshes, upstream_calls: d.counts.upstreamCalls, failures: d.counts.failures, coalesced: d.counts.coalesced, runs: d.counts.runs },
    policy,
    quota: { calls_last_24h: d.quota.callsLast24h, max_per_day: d.quota.maxPerDay, min_interval_s: d.quota.minIntervalMs / 1000, next_allowed_at: new Date(d.quota.nextAllowedAt).toISOString() },
    has_refresh_token: d.hasRefreshToken,
    created_at: new Date(d.createdAt).toISOString(),
    connect_link: d.connectLink && { url: d.connectLink.url, expires_at: new Date(d.connectLink.expiresAt).toISOString() },
    parent: d.parent,
    dependents: d.dependents,
  });
}

/** A signed JS-SDK config as the API hands it out. */
export function jssdkSignatureResponse(config: JssdkConfig, url: string, expiresAt: number): z.infer<typeof jssdkSignatureResponseSchema> {
  return definedOnly({ app_id: config.appId, timestamp: config.timestamp, nonce_str: config.nonceStr, signature: config.signature, agent_id: config.agentId, url, expires_at: new Date(expiresAt).toISOString() });
}

/** One row of the list answer. */
export function summaryResponse(s: CredentialSummary): z.infer<typeof listResponseSchema>['credentials'][number] {
  return definedOnly({ id: s.id, status: s.status, provider: s.provider, expires_at: iso(s.expiresAt) });
}

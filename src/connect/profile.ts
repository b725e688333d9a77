/**
 * The body of `POST /v1/credentials/{id}/connect` (and of `halflife connect --file`), and how it
 * becomes a session's profile: the provider settings (or a preset, whose endpoints, client
 * authentication, scopes, PKCE support and extra authorization parameters it fills), completed by
 * the issuer's metadata when endpoints are missing, then validated by the `oauth2` provider's own
 * schema. For an existing credential the body may be as small as `{ "client_secret" }`: the rest
 * comes from the credential's settings (Halflife keeps the secret encrypted inside the credential
 * and cannot read it back). Errors name the body's snake_case field.
 */
import { z } from 'zod';
import { InvalidConfigError } from '../errors';
import { snakeCase } from '../providers/config-fields';
import { chooseClientAuth } from '../providers/discovery';
import { clientAuthMethods, type ClientAuthMethod } from '../providers/oauth2-config';
import { fillPlaceholders, fillPresetUrls, MissingPlaceholderError, presetByName, presetNames, type Preset } from '../providers/presets';
import type { UpstreamFetch } from '../providers/provider';
import { parseProviderConfig } from '../providers/registry';
import { endpointUrlProblem, insecureUrlProblem } from '../providers/url';
import type { ConnectMode, ConnectProfile } from './messages';
import { discoverServerMetadata } from './metadata';

/** Authorization request parameters Halflife sets itself. */
const reservedParams = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope'];

/** Default lifetime of a connect session. */
export const defaultSessionTtlMs = 15 * 60_000;

/** The connect request body (snake_case, like every API body). */
export const connectBodySchema = z.strictObject({
  provider: z.literal('oauth2', { error: 'must be oauth2: only OAuth 2.0 authorization servers have a connect step' }).optional(),
  preset: z.enum(presetNames as [string, ...string[]], { error: `must be one of ${presetNames.join(', ')}` }).optional(),
  placeholders: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'names must be letters, digits and "_"'), z.string().min(1).max(256)).optional(),
  token_endpoint: z.string().optional(),
  issuer: z.string().optional(),
  authorization_endpoint: z.string().optional(),
  device_authorization_endpoint: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  client_auth: z.enum(clientAuthMethods, { error: `must be one of ${clientAuthMethods.join(', ')}` }).optional(),
  allow_insecure_http: z.boolean().optional(),
  scope: z.string().max(4096, 'must be at most 4096 characters').optional(),
  authorization_params: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'names must be 1-64 letters, digits, "_", "." or "-"'), z.string().max(1024)).optional(),
  pkce: z.boolean().optional(),
  mode: z.enum(['link', 'device'], { error: 'must be link or device' }).optional(),
  expires_in_s: z.number().int('must be an integer').min(5, 'must be between 5 and 86400').max(86_400, 'must be between 5 and 86400').optional(),
});

/** A parsed connect body. */
export type ConnectBody = z.infer<typeof connectBodySchema>;

/** Parses a connect body; the first problem names its field. */
export function parseConnectBody(raw: unknown): ConnectBody {
  const parsed = connectBodySchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.code === 'unrecognized_keys' ? [issue.keys[0]] : (issue?.path ?? []);
  const reason = issue?.code === 'unrecognized_keys' ? 'is not a field of this request' : (issue?.message ?? 'is invalid');
  throw new InvalidConfigError(path.map(String).join('.') || 'body', reason);
}

/** The settings of the credential a session is for, when it exists (`describe`'s, camelCase, no secret). */
export interface ExistingSettings {
  provider: string;
  settings: Record<string, unknown>;
  /** The scope its current token was granted (asked for again when the body names none). */
  scope?: string;
}

/** What a connect body resolves to. */
export interface ResolvedConnect {
  profile: ConnectProfile;
  mode: ConnectMode;
  ttlMs: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The preset's URLs and authorization parameters with their placeholders filled. */
function presetParts(preset: Preset, values: Record<string, string>) {
  try {
    const params = Object.fromEntries(Object.entries(preset.authorizationParams ?? {}).map(([k, v]) => [k, fillPlaceholders(v, values)]));
    return { urls: fillPresetUrls(preset, values), params };
  } catch (err) {
    if (!(err instanceof MissingPlaceholderError)) throw err;
    const about = preset.placeholders?.find((p) => p.name === err.placeholder)?.description;
    throw new InvalidConfigError(`placeholders.${err.placeholder}`, `is required by the ${preset.name} preset${about ? ` (${about})` : ''}`);
  }
}

/** Checks an endpoint URL (shape, then plain http off loopback). */
function checkUrl(field: string, value: string | undefined, allowInsecureHttp: boolean | undefined): void {
  if (value === undefined) return;
  const problem = endpointUrlProblem(value) ?? insecureUrlProblem(value, allowInsecureHttp);
  if (problem) throw new InvalidConfigError(field, problem.replace('allowInsecureHttp', 'allow_insecure_http'));
}

/** The extra authorization parameters: the preset's, then the body's; `prompt=consent` when offline access is asked for (OpenID Connect Core §11). */
function authorizationParams(presetParams: Record<string, string>, body: ConnectBody, scope: string | undefined): Record<string, string> {
  for (const name of Object.keys(body.authorization_params ?? {})) {
    if (reservedParams.includes(name)) throw new InvalidConfigError(`authorization_params.${name}`, name === 'scope' ? 'is set from `scope`' : 'is set by Halflife');
  }
  const params = { ...presetParams, ...body.authorization_params };
  if (/(^|\s)offline_access(\s|$)/.test(scope ?? '') && params.prompt === undefined) params.prompt = 'consent';
  return params;
}

/** Resolves a connect body (and the existing credential's settings) into a session profile; see the module comment. */
export async function resolveConnect(body: ConnectBody, options: { existing?: ExistingSettings; fetch?: UpstreamFetch } = {}): Promise<ResolvedConnect> {
  const mode: ConnectMode = body.mode ?? 'link';
  const preset = body.preset === undefined ? undefined : presetByName(body.preset);
  if (preset && preset.provider !== 'oauth2') throw new InvalidConfigError('preset', `${preset.name} is a client-credentials preset: it has no authorization step`);
  const { urls, params: presetParams } = preset ? presetParts(preset, body.placeholders ?? {}) : { urls: {}, params: {} };
  const old = options.existing?.settings ?? {};
  const allowInsecureHttp = body.allow_insecure_http ?? (old.allowInsecureHttp === true ? true : undefined);
  let issuer = str(body.issuer) ?? urls.issuer ?? str(old.issuer);
  let tokenEndpoint = str(body.token_endpoint) ?? urls.tokenEndpoint ?? str(old.tokenEndpoint);
  let authorizationEndpoint = str(body.authorization_endpoint) ?? urls.authorizationEndpoint;
  let deviceAuthorizationEndpoint = str(body.device_authorization_endpoint) ?? urls.deviceAuthorizationEndpoint;
  let clientAuth: ClientAuthMethod = body.client_auth ?? preset?.clientAuth ?? (old.clientAuth as ClientAuthMethod | undefined) ?? 'client_secret_basic';
  const fields: [string, string | undefined][] = [['issuer', issuer], ['token_endpoint', tokenEndpoint], ['authorization_endpoint', authorizationEndpoint], ['device_authorization_endpoint', deviceAuthorizationEndpoint]];
  for (const [field, value] of fields) checkUrl(field, value, allowInsecureHttp);
  let issParameter: boolean | undefined;
  const missing = !tokenEndpoint || (mode === 'link' ? !authorizationEndpoint : !deviceAuthorizationEndpoint);
  if (issuer !== undefined && missing) {
    const metadata = await discoverServerMetadata(issuer, { fetch: options.fetch, allowInsecureHttp });
    issuer = metadata.issuer;
    tokenEndpoint ??= metadata.tokenEndpoint;
    authorizationEndpoint ??= metadata.authorizationEndpoint;
    deviceAuthorizationEndpoint ??= metadata.deviceAuthorizationEndpoint;
    issParameter = metadata.issParameter;
    if (body.client_auth === undefined) clientAuth = chooseClientAuth(clientAuth, metadata.tokenEndpointAuthMethods);
    for (const [field, value] of [['token_endpoint', tokenEndpoint], ['authorization_endpoint', authorizationEndpoint], ['device_authorization_endpoint', deviceAuthorizationEndpoint]] as const) {
      checkUrl(field, value, allowInsecureHttp);
    }
  }
  if (mode === 'link' && !authorizationEndpoint) throw new InvalidConfigError('authorization_endpoint', 'is required (neither a preset nor the issuer\'s metadata names one)');
  if (mode === 'device' && !deviceAuthorizationEndpoint) throw new InvalidConfigError('device_authorization_endpoint', 'is required for mode device (neither a preset nor the issuer\'s metadata names one)');
  if (!str(body.client_secret)) {
    const why = options.existing ? ': Halflife keeps the credential\'s secret encrypted inside it and cannot read it back' : '';
    throw new InvalidConfigError('client_secret', `is required${why}`);
  }
  const raw = {
    ...(tokenEndpoint ? { tokenEndpoint } : {}),
    ...(issuer ? { issuer } : {}),
    clientId: str(body.client_id) ?? str(old.clientId),
    clientSecret: body.client_secret,
    clientAuth,
    ...(str(old.scope) ? { scope: old.scope } : {}),
    ...(allowInsecureHttp !== undefined ? { allowInsecureHttp } : {}),
  };
  let config: Record<string, unknown>;
  try {
    config = parseProviderConfig('oauth2', raw);
  } catch (err) {
    const e = err as InvalidConfigError;
    if (e.name !== 'InvalidConfigError') throw err;
    throw new InvalidConfigError(e.field.replace(/^config\./, '').split('.').map(snakeCase).join('.'), e.reason.replace('allowInsecureHttp', 'allow_insecure_http'));
  }
  if (!config.tokenEndpoint) throw new InvalidConfigError('token_endpoint', 'is required (the issuer\'s metadata names none)');
  const scope = str(body.scope) ?? (preset?.defaultScopes?.length ? preset.defaultScopes.join(' ') : undefined) ?? str(old.scope) ?? str(options.existing?.scope);
  const profile: ConnectProfile = {
    config,
    ...(authorizationEndpoint ? { authorizationEndpoint } : {}),
    ...(deviceAuthorizationEndpoint ? { deviceAuthorizationEndpoint } : {}),
    ...(scope ? { scope } : {}),
    authorizationParams: authorizationParams(presetParams, body, scope),
    pkce: body.pkce ?? preset?.pkce !== 'unsupported',
    ...(issParameter ? { issParameter } : {}),
    ...(preset ? { preset: preset.name } : {}),
    defaultLifetimeMs: preset?.accessTokenLifetimeMs ?? 3_600_000,
  };
  return { profile, mode, ttlMs: (body.expires_in_s ?? defaultSessionTtlMs / 1000) * 1000 };
}

/**
 * Validation of registrations: everything is checked before any workflow starts, and the first
 * problem is reported as an `InvalidConfigError` naming the field and the reason. Outbound URLs
 * (token endpoint, issuer, base URLs) are in canonical form and checked against the egress policy
 * (`checkOutboundUrls`): a refused one names the field and the egress `rule`.
 */
import { z } from 'zod';
import type { ConnectSettings } from '../connect/messages';
import type { ProviderName, RefreshPolicy } from '../credential';
import { defaultEgressPolicy, type EgressLookup, type EgressPolicy } from '../egress';
import { InvalidConfigError } from '../errors';
import { policyProblem } from '../policy';
import { isOutboundUrlField, tokenString } from '../providers/config-fields';
import { providerNames } from '../providers/names';
import type { CompletionOptions } from '../providers/provider';
import { resolvePreset } from '../providers/presets/resolve';
import { outboundUrlProblem } from '../providers/url';
import { completeProviderConfig, getProvider, parseProviderConfig, publicSettings } from '../providers/registry';
import type { CredentialSpec } from '../workflows/credential-state';

/** Allowed credential ids: letters, digits, `.`, `_`, `-`; 1–128 characters, starting with a letter or digit. */
export const credentialIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** What a caller passes to register a credential: a `provider` and its configuration, or a `preset` (docs/presets.md). */
export interface RegisterInput {
  id: string;
  /** The provider; optional with `preset` (which names its own). */
  provider?: ProviderName;
  /** A provider preset (`trakt`, `microsoft`...): `config` then holds the client id and secret, the preset's placeholders and any endpoint overrides (`tokenEndpoint`, `issuer`, `baseUrl`). */
  preset?: string;
  /** The provider's configuration (see docs/providers.md), or with `preset` the fields docs/presets.md lists. */
  config: Record<string, unknown>;
  /** The refresh token, for providers that use one. */
  grant?: { refreshToken?: string };
  /** A token the caller already holds; without it the first refresh happens at once. */
  token?: { accessToken: string; tokenType?: string; expiresAt: number | string | Date; scope?: string };
  policy?: Partial<RefreshPolicy>;
  /** How to make a fresh connect link for it (credentials created by a connect link keep these; docs/connect.md). */
  connect?: ConnectSettings;
  /** A derived credential's parent: the id of the credential whose token its refresh uses (e.g. the `wechat` one of a `wechat_jsapi_ticket`). */
  parent?: string;
  /**
   * When the client secret in `config` dies (the provider's console shows it: an Azure AD or Google
   * client secret's expiry), as an ISO 8601 date-time, epoch ms or a Date: `credential.client_secret_expiring`
   * is sent 7 days before. Only for providers whose configuration holds a secret.
   */
  clientSecretExpiresAt?: number | string | Date;
}

const secret = tokenString();

const instantError = 'must be an ISO 8601 date-time with a time zone, epoch milliseconds or a Date';

const schema = z.object({
  id: z.string().regex(credentialIdPattern, 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  provider: z.enum(providerNames, { error: `must be one of ${providerNames.join(', ')}` }).optional(),
  preset: z.unknown().optional(),
  config: z.record(z.string(), z.unknown()),
  grant: z.object({ refreshToken: secret.optional() }).strict().optional(),
  token: z
    .object({
      accessToken: secret,
      tokenType: z.string().min(1).max(64).optional(),
      expiresAt: z.union([z.number().int().positive(), z.iso.datetime({ offset: true }), z.date()]),
      scope: z.string().max(4096).optional(),
    })
    .strict()
    .optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
  connect: z.record(z.string(), z.unknown()).optional(),
  parent: z.string({ error: 'must be a credential id' }).regex(credentialIdPattern, 'must be a credential id: 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit').optional(),
  clientSecretExpiresAt: z.union([z.number({ error: instantError }).int(instantError).positive(instantError).max(8.64e15, instantError), z.iso.datetime({ offset: true, error: instantError }), z.date({ error: instantError })], { error: instantError }).optional(),
}).strict();

/** Throws the first zod issue as an InvalidConfigError. */
export function raiseFirstIssue(error: z.ZodError, prefix = ''): never {
  const issue = error.issues[0];
  const unknown = issue?.code === 'unrecognized_keys' ? [String(issue.keys[0])] : [];
  const field = [prefix, ...(issue?.path ?? []).map(String), ...unknown].filter(Boolean).join('.') || 'input';
  throw new InvalidConfigError(field, unknown.length > 0 ? 'is not a known field' : (issue?.message ?? 'is invalid'));
}

/** Options of `parseRegistration` and `completeRegistration`. */
export interface RegistrationOptions {
  /** Where the registration's outbound URLs may point. @default `defaultEgressPolicy()` (the environment's) */
  egressPolicy?: EgressPolicy;
}

/**
 * Checks every outbound URL field of a configuration (the raw one, and again the validated one
 * with its defaults) against `policy`; the first one refused throws
 * `InvalidConfigError('config.<field>', reason, { rule })`. Values that are not strings are left
 * to the configuration schema.
 */
export function checkOutboundUrls(provider: ProviderName, config: Record<string, unknown>, policy: EgressPolicy): void {
  for (const [name, f] of Object.entries(getProvider(provider).fields)) {
    const value = config[name];
    if (!isOutboundUrlField(f) || typeof value !== 'string') continue;
    const checked = outboundUrlProblem(value, policy);
    if ('problem' in checked) throw new InvalidConfigError(`config.${name}`, checked.problem.reason, checked.problem.rule ? { rule: checked.problem.rule } : undefined);
  }
}

/**
 * The provider, raw configuration and policy of a registration: as given, or resolved from its
 * preset (whose base URL is checked against the egress policy here, so a refusal names `baseUrl`).
 */
function expand(reg: z.infer<typeof schema>, policy: EgressPolicy): { provider: ProviderName; config: Record<string, unknown>; policy?: Partial<RefreshPolicy> } {
  const own = reg.policy as Partial<RefreshPolicy> | undefined;
  if (reg.preset === undefined) {
    if (reg.provider === undefined) throw new InvalidConfigError('provider', `is required (one of ${providerNames.join(', ')}), or give a preset`);
    return { provider: reg.provider, config: reg.config, policy: own };
  }
  const resolved = resolvePreset(reg.preset, reg.config);
  if (reg.provider !== undefined && reg.provider !== resolved.provider) throw new InvalidConfigError('provider', `must be ${resolved.provider} (the provider of the ${resolved.preset.name} preset), or left out`);
  const baseUrl = reg.config.baseUrl;
  const checked = typeof baseUrl === 'string' ? outboundUrlProblem(baseUrl, policy, { allowQuery: false }) : undefined;
  if (checked && 'problem' in checked) throw new InvalidConfigError('config.baseUrl', checked.problem.reason, checked.problem.rule ? { rule: checked.problem.rule } : undefined);
  const merged = { ...resolved.policy, ...own };
  return { provider: resolved.provider, config: resolved.config, ...(Object.keys(merged).length > 0 ? { policy: merged } : {}) };
}

/** A derived provider needs `parent` (another credential); every other provider refuses it. */
function checkParentField(name: ProviderName, id: string, parent: string | undefined): void {
  const kinds = getProvider(name).derivedFrom;
  if (kinds && parent === undefined) throw new InvalidConfigError('parent', `is required by the ${name} provider: the id of its ${kinds.join(' or ')} credential`);
  if (!kinds && parent !== undefined) throw new InvalidConfigError('parent', `is not used by the ${name} provider`);
  if (parent === id) throw new InvalidConfigError('parent', 'must name another credential');
}

/** A declared client-secret expiry needs a provider whose configuration holds a secret; the instant in epoch ms. */
function clientSecretExpiryOf(name: ProviderName, value: number | string | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (getProvider(name).secretFields.length === 0) throw new InvalidConfigError('clientSecretExpiresAt', `is not used by the ${name} provider: its configuration holds no secret`);
  const at = new Date(value).getTime();
  if (!Number.isSafeInteger(at) || at <= 0) throw new InvalidConfigError('clientSecretExpiresAt', instantError);
  return at;
}

/** Validates a registration (outbound URLs against the egress policy too) and turns it into the workflow's starting spec. */
export function parseRegistration(input: unknown, options: RegistrationOptions = {}): CredentialSpec {
  const parsed = schema.safeParse(input);
  if (!parsed.success) raiseFirstIssue(parsed.error);
  const reg = parsed.data;
  const problem = policyProblem(reg.policy);
  if (problem) throw new InvalidConfigError(problem.field, problem.reason);
  const egress = options.egressPolicy ?? defaultEgressPolicy();
  const { provider: name, config: raw, policy } = expand(reg, egress);
  const provider = getProvider(name);
  checkOutboundUrls(name, raw, egress);
  const config = parseProviderConfig(name, raw);
  checkOutboundUrls(name, config, egress);
  if (provider.needsRefreshToken && !reg.grant?.refreshToken) {
    throw new InvalidConfigError('grant.refreshToken', `is required by the ${reg.preset !== undefined ? `${String(reg.preset)} preset` : `${name} provider`}`);
  }
  checkParentField(name, reg.id, reg.parent);
  const clientSecretExpiresAt = clientSecretExpiryOf(name, reg.clientSecretExpiresAt);
  const spec: CredentialSpec = {
    id: reg.id,
    provider: name,
    config,
    settings: publicSettings(name, config),
    grant: provider.needsRefreshToken || (provider.optionalGrant && reg.grant?.refreshToken) ? { refreshToken: reg.grant?.refreshToken } : {},
    policy,
    ...(reg.connect ? { connect: reg.connect as unknown as ConnectSettings } : {}),
    ...(reg.parent !== undefined ? { parent: reg.parent } : {}),
    ...(clientSecretExpiresAt !== undefined ? { clientSecretExpiresAt } : {}),
  };
  if (reg.token) {
    const expiresAt = new Date(reg.token.expiresAt).getTime();
    spec.token = {
      accessToken: reg.token.accessToken,
      tokenType: reg.token.tokenType ?? 'Bearer',
      expiresAt,
      issuedAt: Math.min(Date.now(), expiresAt),
      ...(reg.token.scope !== undefined ? { scope: reg.token.scope } : {}),
    };
  }
  return spec;
}

/**
 * Completes a parsed registration before its workflow starts: the provider may fill its
 * configuration (the OAuth 2.0 providers discover `tokenEndpoint` from `issuer`, through
 * `options.fetch`, by default an egress fetch under `options.egressPolicy`); the settings are
 * derived again and the completed URLs checked against the policy. Errors: `InvalidConfigError`
 * naming the field (with the egress `rule` when the policy refused), or a transient
 * `ProviderError` when the server could not be reached.
 */
export async function completeRegistration(spec: CredentialSpec, options: CompletionOptions & RegistrationOptions & { egressLookup?: EgressLookup } = {}): Promise<CredentialSpec> {
  const policy = options.egressPolicy ?? defaultEgressPolicy();
  const config = await completeProviderConfig(spec.provider, spec.config, { ...options, egressPolicy: policy } as CompletionOptions);
  if (config === spec.config) return spec;
  checkOutboundUrls(spec.provider, config, policy);
  return { ...spec, config, settings: publicSettings(spec.provider, config) };
}

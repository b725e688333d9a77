/**
 * Every provider, and the registration-time helpers built on them: configuration parsing (errors
 * name the field), completion (discovery) and the non-secret view of a configuration.
 *
 * Adding a provider: write its module (one file, see `./provider`), add its name to `./names`
 * and the module to `all` below; a check at load time refuses a mismatch between the two.
 */
import type { z } from 'zod';
import type { ProviderName } from '../credential';
import { InvalidConfigError } from '../errors';
import { githubAppProvider } from './github-app';
import { jwtBearerProvider } from './jwt-bearer';
import { providerNames } from './names';
import { oauth2Provider } from './oauth2';
import { oauth2ClientCredentialsProvider } from './oauth2-client-credentials';
import type { CompletionOptions, Provider } from './provider';
import { wechatProvider } from './wechat';
import { wechatAuthorizerProvider } from './wechat-authorizer';
import { wechatComponentProvider } from './wechat-component';
import { wechatCardTicketProvider, wechatJsapiTicketProvider } from './wechat-ticket';
import { wecomProvider } from './wecom';
import { wecomCorpProvider } from './wecom-corp';
import { wecomSuiteProvider } from './wecom-suite';
import { wecomJsapiTicketProvider } from './wecom-ticket';

export { providerNames } from './names';

/**
 * Forgets a provider's configuration type. Safe because configurations reach `refresh` only
 * after its own `configSchema` parsed them; needed because zod schema types are invariant.
 */
function untyped<C extends Record<string, unknown>>(provider: Provider<C>): Provider {
  return provider as unknown as Provider;
}

/** Every provider module. */
const all: readonly Provider[] = [
  untyped(oauth2Provider),
  untyped(oauth2ClientCredentialsProvider),
  untyped(jwtBearerProvider),
  untyped(githubAppProvider),
  untyped(wechatProvider),
  untyped(wechatJsapiTicketProvider),
  untyped(wechatCardTicketProvider),
  untyped(wecomProvider),
  untyped(wecomJsapiTicketProvider),
  untyped(wechatComponentProvider),
  untyped(wechatAuthorizerProvider),
  untyped(wecomSuiteProvider),
  untyped(wecomCorpProvider),
];

if (all.map((p) => p.name).join() !== providerNames.join()) {
  throw new Error(`providers/registry.ts lists ${all.map((p) => p.name).join(', ')} but providers/names.ts ${providerNames.join(', ')}`);
}

/** Every provider, by name. */
export const providers = Object.fromEntries(all.map((p) => [p.name, p])) as Record<ProviderName, Provider>;

/** Every provider, in documentation order. */
export const providerList: readonly Provider[] = all;

/** The provider called `name`; an unknown name is an `InvalidConfigError` on `provider`. */
export function getProvider(name: ProviderName): Provider {
  const provider = Object.prototype.hasOwnProperty.call(providers, name) ? providers[name] : undefined;
  if (!provider) throw new InvalidConfigError('provider', `must be one of ${providerNames.join(', ')}`);
  return provider;
}

/** Converts the first zod issue into an `InvalidConfigError` whose field starts with `config`. */
function firstIssue(error: z.ZodError): InvalidConfigError {
  const issue = error.issues[0];
  if (!issue) return new InvalidConfigError('config', 'is invalid');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return new InvalidConfigError(['config', ...path, issue.keys[0] ?? ''].join('.'), 'is not a known field');
  }
  if (path.length === 0 && issue.code === 'invalid_type') return new InvalidConfigError('config', 'must be an object');
  return new InvalidConfigError(['config', ...path].join('.'), issue.message);
}

/** Validates a provider configuration and fills its defaults; the first problem is thrown as `InvalidConfigError('config.<field>', reason)`. */
export function parseProviderConfig(name: ProviderName, raw: unknown): Record<string, unknown> {
  const parsed = getProvider(name).configSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error);
  return parsed.data;
}

/**
 * Completes a validated configuration at registration (e.g. the OAuth 2.0 providers discover
 * `tokenEndpoint` from `issuer`); a provider with nothing to complete returns it unchanged.
 */
export async function completeProviderConfig(name: ProviderName, config: Record<string, unknown>, options: CompletionOptions = {}): Promise<Record<string, unknown>> {
  const provider = getProvider(name);
  return provider.complete ? provider.complete(config, options) : config;
}

/** The configuration without its secret fields (what `describe` and the HTTP API show). */
export function publicSettings(name: ProviderName, config: Record<string, unknown>): Record<string, unknown> {
  const secret = new Set<string>(getProvider(name).secretFields);
  return Object.fromEntries(Object.entries(config).filter(([key]) => !secret.has(key)));
}

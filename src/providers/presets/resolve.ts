/**
 * Registration by preset: a preset's name and the credential's own values (client id and secret,
 * the placeholders of the preset's URLs, overrides for proxies, sandboxes and tests) become the
 * configuration of the preset's provider. The quirks stay the preset's: the configuration keeps
 * `preset`, and the provider reads the rest (error rows, answer quirks) from the preset at every
 * refresh, so a corrected preset reaches every credential registered with it.
 *
 * Which URL is used: `tokenEndpoint` when given; else the preset's token endpoint, moved to
 * `baseUrl` when that is given; else, when only `issuer` is overridden, none: it is discovered
 * from that issuer at registration. The issuer is the override, else the preset's (never moved by
 * `baseUrl`: it is the name id_tokens carry, not an address). A placeholder is required only by a
 * URL that is used.
 */
import { InvalidConfigError } from '../../errors';
import { oauth2Fields } from '../oauth2-config';
import { endpointUrlProblem } from '../url';
import { MissingPlaceholderError, fillPlaceholders, placeholdersIn } from './placeholders';
import { presetByName, presetNames } from './index';
import { presetUrlFields, type Preset } from './preset';

/** The fields that override a preset's endpoints, per credential. */
export const presetOverrideFields = ['tokenEndpoint', 'issuer', 'baseUrl'] as const;

/** The provider configuration fields a registration by preset passes through as they are. */
export const presetPassThroughFields = ['clientId', 'clientSecret', 'scope', 'audience', 'resource', 'extraParams', 'metadataFields', 'allowInsecureHttp'] as const;

/** What a preset registration becomes. */
export interface ResolvedPreset {
  preset: Preset;
  provider: Preset['provider'];
  /** The provider configuration (validated afterwards by the provider's own schema). */
  config: Record<string, unknown>;
  /** Policy defaults the preset implies; the registration's own policy wins. */
  policy: { defaultLifetimeMs?: number };
}

/** A placeholder value that goes into a URL: a host name or one path segment. */
const urlValue = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The error for a field of `config` (API: the field's snake_case name). */
const problem = (field: string, reason: string) => new InvalidConfigError(`config.${field}`, reason);

/** The placeholder values of a registration, checked: a value that goes into a URL is a host name or a path segment. */
function placeholderValues(preset: Preset, input: Record<string, unknown>): Record<string, string> {
  const inUrls = new Set(presetUrlFields.flatMap((f) => placeholdersIn(preset[f] ?? '')));
  const values: Record<string, string> = {};
  for (const { name } of preset.placeholders ?? []) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw problem(name, 'must be a non-empty string');
    if (value.length > 2048) throw problem(name, 'must be at most 2048 characters');
    if (inUrls.has(name) && !urlValue.test(value)) throw problem(name, 'must be a host name or a path segment: letters, digits, ".", "_" or "-"');
    values[name] = value;
  }
  return values;
}

/** The preset URL `field` with its placeholders filled; a missing one is an error naming it. */
function filled(preset: Preset, field: (typeof presetUrlFields)[number], values: Record<string, string>): string | undefined {
  const template = preset[field];
  if (template === undefined) return undefined;
  try {
    return fillPlaceholders(template, values);
  } catch (err) {
    if (!(err instanceof MissingPlaceholderError)) throw err;
    const described = preset.placeholders?.find((p) => p.name === err.placeholder)?.description;
    throw problem(err.placeholder, `is required by the ${preset.name} preset${described ? ` (${described})` : ''}`);
  }
}

/** `url` moved to `baseUrl`: its origin replaced, the base's path put in front of its own. */
export function rebaseUrl(url: string, baseUrl: string): string {
  const target = new URL(url);
  const base = new URL(baseUrl);
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${target.pathname}${target.search}`;
}

/** The issuer a registration uses: the override, else the preset's unless a placeholder value makes it unknown. */
function issuerOf(preset: Preset, input: Record<string, unknown>, values: Record<string, string>): unknown {
  if (input.issuer !== undefined) return input.issuer;
  const unknown = (preset.placeholders ?? []).some((p) => values[p.name] !== undefined && p.issuerUnknownFor?.includes(values[p.name] as string));
  return unknown ? undefined : filled(preset, 'issuer', values);
}

/** The token endpoint a registration uses (see the module comment). */
function tokenEndpointOf(preset: Preset, input: Record<string, unknown>, values: Record<string, string>): unknown {
  if (input.tokenEndpoint !== undefined) return input.tokenEndpoint;
  const baseUrl = input.baseUrl;
  if (baseUrl === undefined && input.issuer !== undefined) return undefined;
  const url = filled(preset, 'tokenEndpoint', values);
  if (baseUrl === undefined || url === undefined) return url;
  if (typeof baseUrl !== 'string') throw problem('baseUrl', 'must be a string');
  const shape = endpointUrlProblem(baseUrl, { allowQuery: false });
  if (shape) throw problem('baseUrl', shape);
  return rebaseUrl(url, baseUrl);
}

/**
 * Turns a registration by preset into its provider and configuration. `input` holds the
 * configuration fields in their TypeScript names: the preset's placeholders, the overrides
 * (`presetOverrideFields`) and the pass-through fields (`presetPassThroughFields`). Throws
 * `InvalidConfigError` on `preset` for an unknown name (listing the known ones) and on
 * `config.<field>` for a field the preset sets itself, an unknown field or a bad value.
 */
export function resolvePreset(name: unknown, input: Record<string, unknown>): ResolvedPreset {
  const preset = typeof name === 'string' ? presetByName(name) : undefined;
  if (!preset) throw new InvalidConfigError('preset', `must be one of ${presetNames.join(', ')}`);
  const placeholders = new Set((preset.placeholders ?? []).map((p) => p.name));
  const known = new Set<string>([...placeholders, ...presetOverrideFields, ...presetPassThroughFields]);
  for (const field of Object.keys(input)) {
    if (known.has(field) || input[field] === undefined) continue;
    throw problem(field, Object.hasOwn(oauth2Fields, field) ? `is set by the ${preset.name} preset` : 'is not a known field');
  }
  const values = placeholderValues(preset, input);
  const tokenEndpoint = tokenEndpointOf(preset, input, values);
  const issuer = issuerOf(preset, input, values);
  const passed = Object.fromEntries(presetPassThroughFields.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
  const grace = preset.refreshTokens.reuseGraceMs;
  const tokenParams = Object.fromEntries(Object.entries(preset.tokenParams ?? {}).map(([k, v]) => [k, fillPlaceholders(v, values)]));
  // Values of the wrong shape are passed on as they are, for the provider's schema to refuse.
  const given = { extraParams: passed.extraParams, metadataFields: passed.metadataFields };
  const extraParams = given.extraParams === undefined || isRecord(given.extraParams) ? { ...tokenParams, ...given.extraParams } : given.extraParams;
  const fields = given.metadataFields === undefined || Array.isArray(given.metadataFields) ? [...new Set([...(preset.answerFields ?? []), ...((given.metadataFields as unknown[] | undefined) ?? [])])] : given.metadataFields;
  const config: Record<string, unknown> = {
    ...passed,
    preset: preset.name,
    ...(tokenEndpoint !== undefined ? { tokenEndpoint } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    clientAuth: preset.clientAuth,
    // A grace of 0 (Auth0's leeway off) is no grace: a crashed attempt's retry still waits.
    ...(grace !== undefined && grace > 0 ? { reuseGraceMs: grace } : {}),
    ...(!isRecord(extraParams) || Object.keys(extraParams).length > 0 ? { extraParams } : {}),
    ...(!Array.isArray(fields) || fields.length > 0 ? { metadataFields: fields } : {}),
  };
  return { preset, provider: preset.provider, config, policy: preset.accessTokenLifetimeMs !== undefined ? { defaultLifetimeMs: preset.accessTokenLifetimeMs } : {} };
}

/**
 * Registration by preset over HTTP: `PUT /v1/credentials/{id}` with `preset` instead of
 * `provider` (docs/presets.md). One strict snake_case body per preset, derived from the preset
 * (its placeholders) and from the provider fields a registration by preset takes
 * (`presetOverrideFields`, `presetPassThroughFields`); everything else (client authentication,
 * grace window, error rows) is the preset's. The body becomes a `RegisterInput` with `preset`,
 * which the TokenClient resolves like any other.
 */
import { z } from 'zod';
import type { RegisterInput } from '../client/registration';
import { camelCase, snakeCase } from '../providers/config-fields';
import { oauth2Fields } from '../providers/oauth2-config';
import { presets, type Preset } from '../providers/presets';
import { presetPassThroughFields } from '../providers/presets/resolve';
import { getProvider } from '../providers/registry';
import { endpointUrl } from '../providers/url';
import { apiField, clientSecretFields, grantFields, policyFields } from './body-fields';

/** Fields of a preset body that are not configuration (the grant, a held token, the client secret's expiry, the policy). */
const nonConfigFields = new Set(['preset', ...Object.keys(grantFields), ...Object.keys(clientSecretFields), ...Object.keys(policyFields)]);

/** The override fields of a preset body: each optional, checked like the provider's own. */
const overrideFields = {
  token_endpoint: oauth2Fields.tokenEndpoint.schema.meta({ description: 'replaces the preset\'s token endpoint (a proxy, a sandbox, a test server)' }),
  issuer: oauth2Fields.issuer.schema.meta({ description: 'replaces the preset\'s issuer; given alone, the token endpoint is discovered from it' }),
  base_url: endpointUrl({ allowQuery: false }).optional().meta({ description: 'moves the preset\'s token endpoint to this origin (and path prefix)' }),
};

/** The placeholder fields of a preset, snake_case; required ones are checked when the preset is resolved (overrides can make them unneeded). */
function placeholderFields(preset: Preset): Record<string, z.ZodType> {
  return Object.fromEntries((preset.placeholders ?? []).map((ph) => [snakeCase(ph.name), z.string({ error: 'must be a string' }).optional().meta({ description: ph.description, examples: [ph.example] })]));
}

/** The `PUT /v1/credentials/{id}` body of one preset. */
function presetBodySchema(preset: Preset) {
  const provider = getProvider(preset.provider);
  const passed = Object.fromEntries(presetPassThroughFields.map((name) => [snakeCase(name), apiField(oauth2Fields[name])]));
  return z.strictObject({
    preset: z.literal(preset.name),
    ...placeholderFields(preset),
    ...overrideFields,
    ...passed,
    ...(provider.needsRefreshToken ? grantFields : {}),
    ...clientSecretFields,
    ...policyFields,
  });
}

/** The registration body schema of every preset, by name. */
export const presetBodySchemas: Readonly<Record<string, ReturnType<typeof presetBodySchema>>> = Object.fromEntries(presets.map((p) => [p.name, presetBodySchema(p)]));

/** A parsed preset body: `preset` plus that preset's snake_case fields. */
export type PresetBody = { preset: string } & Record<string, unknown>;

/** True for a body that registers by preset (it names a `preset` and no `provider`). */
export function isPresetBody(body: unknown): body is Record<string, unknown> & { preset: unknown } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'preset' in body && !('provider' in body);
}

/** The configuration part of a preset body, in TypeScript (camelCase) names. */
export function presetConfigOf(body: PresetBody): Record<string, unknown> {
  const placeholders = new Map((presets.find((p) => p.name === body.preset)?.placeholders ?? []).map((ph) => [snakeCase(ph.name), ph.name]));
  return Object.fromEntries(
    Object.entries(body)
      .filter(([field, value]) => !nonConfigFields.has(field) && value !== undefined)
      .map(([field, value]) => [placeholders.get(field) ?? camelCase(field), value]),
  );
}

/** A preset body as the `RegisterInput` of `TokenClient.register` (without grant and policy, which the caller adds). */
export function presetRegisterInput(id: string, body: PresetBody): RegisterInput {
  return { id, preset: body.preset, config: presetConfigOf(body) };
}

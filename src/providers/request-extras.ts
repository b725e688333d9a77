/**
 * Token-request extras shared by the OAuth 2.0 style providers: the `audience` parameter (Auth0),
 * `resource` (RFC 8707, repeatable; Entra v1), free-form extra parameters, and the answer fields
 * kept as non-secret metadata of the token (`instance_url`, a tenant id), returned by `getToken`.
 *
 * Parameters Halflife sets itself (the grant, client authentication, `scope`) cannot be given as
 * extras, and no field that names a token or a secret can be kept as metadata.
 */
import { z } from 'zod';
import { field } from './config-fields';

/** Form parameters that Halflife sets itself and an extra parameter may not replace. */
export const reservedParameters: readonly string[] = [
  'grant_type', 'refresh_token', 'assertion', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type',
  'scope', 'audience', 'resource', 'code', 'code_verifier', 'redirect_uri', 'username', 'password', 'device_code',
];

/** Standard answer fields, read anyway; never metadata. */
const standardAnswerFields = ['access_token', 'refresh_token', 'id_token', 'token_type', 'expires_in', 'expires_at', 'scope', 'token'];

/** Most metadata fields a configuration may name, and the longest value kept. */
export const maxMetadataFields = 10;
export const maxMetadataValueLength = 1024;

const parameterName = /^[A-Za-z0-9_.-]{1,64}$/;
const looksSecret = /token|secret|password|passwd|assertion|key|credential|signature|cookie|code/i;

/** The reason a field name cannot be kept as metadata, or undefined when it can. */
export function metadataFieldProblem(name: string): string | undefined {
  if (!parameterName.test(name)) return 'must be 1-64 letters, digits, ".", "_" or "-"';
  if (standardAnswerFields.includes(name)) return 'is a standard answer field (read by Halflife, never metadata)';
  if (looksSecret.test(name)) return 'names what may be a secret: it is never kept as metadata';
  return undefined;
}

const audienceSchema = z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(2048, 'must be at most 2048 characters');

const resourceValue = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => !/\s/.test(value), 'must not contain whitespace')
  .refine((value) => !value.includes('#'), 'must not contain a fragment (RFC 8707 §2)');

/** One resource or a list of them, kept as a list. */
const resourceSchema = z
  .union([resourceValue, z.array(resourceValue, { error: 'must be a string or a list of strings' }).min(1, 'must not be empty').max(20, 'must list at most 20 resources')], {
    error: 'must be a string or a list of strings',
  })
  .transform((value) => (typeof value === 'string' ? [value] : value));

const extraParamsSchema = z
  .record(z.string(), z.string({ error: 'must be a string' }).max(2048, 'must be at most 2048 characters'), { error: 'must be an object of string values' })
  .superRefine((params, ctx) => {
    const names = Object.keys(params);
    if (names.length > 20) ctx.addIssue({ code: 'custom', message: 'must have at most 20 parameters' });
    for (const name of names) {
      if (!parameterName.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be 1-64 letters, digits, ".", "_" or "-"' });
      else if (reservedParameters.includes(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is set by Halflife (use its own field, or none)' });
    }
  });

const metadataFieldsSchema = z
  .array(z.string({ error: 'must be a string' }), { error: 'must be a list of field names' })
  .max(maxMetadataFields, `must list at most ${maxMetadataFields} fields`)
  .superRefine((names, ctx) => {
    names.forEach((name, i) => {
      const problem = metadataFieldProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem });
    });
  });

/** `audience`: the `audience` parameter of each token request. */
export const audienceField = field(audienceSchema.optional(), { type: 'string', doc: 'sent as the `audience` parameter of every token request (Auth0 APIs and others)' });

/** The extras every OAuth 2.0 style provider takes: `resource`, `extraParams`, `metadataFields`. */
export const requestExtraFields = {
  resource: field(resourceSchema.optional(), {
    type: 'string or list of strings',
    doc: 'sent as `resource` (RFC 8707), once per value: the API(s) the token is for (Entra v1 takes an App ID URI or a GUID)',
  }),
  extraParams: field(extraParamsSchema.optional(), {
    type: 'object of strings',
    doc: 'more form parameters of every token request (not secret: `describe` shows them); the grant, client authentication, `scope`, `audience` and `resource` have their own fields',
  }),
  metadataFields: field(metadataFieldsSchema.optional(), {
    type: 'list of strings',
    doc: `answer fields kept with the token as non-secret metadata and returned by \`getToken\` (e.g. \`instance_url\`); at most ${maxMetadataFields}, no token or secret names`,
  }),
};

/** What the extras contribute to a configuration. */
export interface RequestExtras {
  audience?: string;
  resource?: string[];
  extraParams?: Record<string, string>;
  metadataFields?: string[];
}

/** The form parameters of the extras, in order: `audience`, each `resource`, then the extra parameters. */
export function extraParameters(config: RequestExtras): [string, string][] {
  return [
    ...(config.audience !== undefined ? [['audience', config.audience] as [string, string]] : []),
    ...(config.resource ?? []).map((r): [string, string] => ['resource', r]),
    ...Object.entries(config.extraParams ?? {}),
  ];
}

/**
 * The metadata of an answer: each named field that is present, as text (numbers and booleans
 * written out, objects and lists as JSON); values longer than `maxMetadataValueLength` are left
 * out. Undefined when nothing was kept.
 */
export function metadataOf(body: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, string> | undefined {
  const kept: Record<string, string> = {};
  for (const name of fields ?? []) {
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    if (value === null || value === undefined) continue;
    const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    if (text.length <= maxMetadataValueLength) kept[name] = text;
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

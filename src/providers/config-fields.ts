/**
 * A provider's configuration as one definition: each field's zod schema (with the reasons
 * `InvalidConfigError` shows: "is required", "must be a string", ...), whether it is secret, and
 * its documentation. The configuration schema (camelCase, TypeScript), the HTTP API body
 * (snake_case), the OpenAPI document, the redaction lists and the docs tables are derived from it.
 */
import { z } from 'zod';

/** One field of a provider's configuration. */
export interface ConfigField<S extends z.ZodType = z.ZodType> {
  /** The schema as the configuration parses it, `.default()` or `.optional()` included. */
  readonly schema: S;
  /**
   * The type as the docs show it (`URL`, `string`, `integer ms`). `URL` also marks an outbound
   * URL: registration checks it against the egress policy (`isOutboundUrlField`).
   */
  readonly type: string;
  /** What the field means (docs and OpenAPI). */
  readonly doc: string;
  /** The default as the docs show it, when the schema's own does not say it (an effective default, a condition). */
  readonly docDefault?: string;
  /** Optional in the schema, but required unless this other field is given (`tokenEndpoint` unless `issuer`). */
  readonly requiredUnless?: string;
  /** A secret: never shown by `describe`, redacted in logs and in the Web UI. */
  readonly secret?: boolean;
  /**
   * The HTTP API body fills the default too. Otherwise an absent field stays absent in the API's
   * registration input and the configuration fills it (so a replacement keeps what was sent).
   */
  readonly apiFillsDefault?: boolean;
}

/** The fields of one configuration, by their TypeScript (camelCase) name; the API name is its snake_case. */
export type ConfigFields = Readonly<Record<string, ConfigField>>;

/** `tokenEndpoint` → `token_endpoint`: the API name of a TypeScript field name. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `token_endpoint` → `tokenEndpoint`: the TypeScript name of an API field name. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Declares one field (keeps the schema's own type, so the configuration type is inferred). */
export function field<S extends z.ZodType>(schema: S, meta: Omit<ConfigField<S>, 'schema'>): ConfigField<S> {
  return { schema, ...meta };
}

/** The strict zod object of a set of fields: unknown fields are refused, a `requiredUnless` field is required when its alternative is absent. */
export function configObject<F extends Record<string, ConfigField>>(fields: F) {
  const shape = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.schema])) as { [K in keyof F]: F[K]['schema'] };
  const alternatives = Object.entries(fields).flatMap(([name, f]) => (f.requiredUnless !== undefined ? [[name, f.requiredUnless] as const] : []));
  return z.strictObject(shape).superRefine((config: Record<string, unknown>, ctx) => {
    for (const [name, other] of alternatives) {
      if (config[name] === undefined && config[other] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required' });
    }
  });
}

/** True for a field holding a URL Halflife calls (`type: 'URL'`): checked against the egress policy at registration. */
export function isOutboundUrlField(f: ConfigField): boolean {
  return f.type === 'URL';
}

/** The names of the secret fields. */
export function secretFieldsOf(fields: ConfigFields): string[] {
  return Object.entries(fields).filter(([, f]) => f.secret === true).map(([name]) => name);
}

/** A required, non-empty string of at most `max` characters. */
export function requiredString(max = 1024) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
}

/**
 * Longest configuration secret (client secret, AppSecret, corpsecret): 4096 characters. Real ones
 * are 32 to a few hundred characters; tokens, which can be long JWTs, have their own bound.
 */
export const maxConfigSecretLength = 4096;

/** A required secret: non-empty, at most `maxConfigSecretLength` characters, no leading or trailing whitespace. */
export function secretString() {
  return requiredString(maxConfigSecretLength).refine((value) => value.trim() === value, 'must not start or end with whitespace');
}

/** Longest token (refresh or access token) a registration may carry: 16384 characters, room for large JWTs. */
export const maxTokenLength = 16_384;

/** A required token: non-empty, at most `maxTokenLength` characters. */
export function tokenString() {
  return requiredString(maxTokenLength);
}

/** An optional boolean. */
export function optionalBoolean() {
  return z.boolean({ error: 'must be true or false' }).optional();
}

/** An integer between `min` and `max`. */
export function integer(min: number, max: number) {
  return z.number({ error: 'must be a number' }).int('must be an integer').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
}

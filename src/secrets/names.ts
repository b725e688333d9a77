/**
 * The secret field names: one list, used by the logger's redaction, the codec's redaction, the
 * HTTP API's `isSecretName` and the providers (whose secret configuration fields are added from
 * their own modules). Names match case-insensitively with `_` and `-` removed, so `refreshToken`,
 * `refresh_token` and `REFRESH-TOKEN` are the same name.
 */
import { snakeCase } from '../providers/config-fields';
import { providerList } from '../providers/registry';

/** Names whose values are always secrets, in their wire (snake_case) spelling. */
export const baseSecretFieldNames: readonly string[] = [
  'access_token',
  'refresh_token',
  'id_token',
  'rotated_refresh_token',
  'client_secret',
  'secret',
  'app_secret',
  'password',
  'api_key',
  'x_api_key',
  'authorization',
  'proxy_authorization',
  'cookie',
  'set_cookie',
  'key',
  'private_key',
  'client_assertion',
  'code_verifier',
  'encryption_keys',
  'api_keys_json',
  'halflife_encryption_keys',
  'halflife_api_keys',
];

/**
 * Names that are secrets only when their value is a string: `token` holds the access token in
 * provider answers (`{ token: '…' }`) but a whole token set (with `expiresAt`, `version`) in the
 * workflow state, which is walked so its non-secret fields stay visible.
 */
export const secretWhenStringFieldNames: readonly string[] = ['token'];

/** `name` as names are compared: lower case, without `_` and `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

const providerSecretNames = providerList.flatMap((p) => p.secretFields.map(snakeCase));

/** Every secret field name (the base list and every provider's secret fields), snake_case. */
export const secretFieldNames: readonly string[] = [...new Set([...baseSecretFieldNames, ...providerSecretNames])];

const secretNames = new Set(secretFieldNames.map(normalizeName));
const stringSecretNames = new Set(secretWhenStringFieldNames.map(normalizeName));

/** True for a field name whose value is always a secret. */
export function isSecretName(name: string): boolean {
  return secretNames.has(normalizeName(name));
}

/** True for a field whose value is a secret: a secret name, or a string under a string-only secret name. */
export function isSecretField(name: string, value: unknown): boolean {
  const normalized = normalizeName(name);
  return secretNames.has(normalized) || (stringSecretNames.has(normalized) && typeof value === 'string');
}

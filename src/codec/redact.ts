/**
 * Redaction of secrets in decoded values, for what operators see (the Web UI's codec endpoint)
 * and for text that may carry a known secret (error messages, logs).
 */

/** What a redacted secret becomes: its shape, never its value. */
export interface RedactedSecret {
  redacted: true;
  /** Length of the secret in characters. */
  length: number;
  /** Last four characters, only for secrets of 12 characters or more (short ones would give too much away). */
  last4?: string;
}

/**
 * Field names whose values are secrets, compared case-insensitively with `_` and `-` removed, so
 * `accessToken`, `access_token` and `ACCESS-TOKEN` all match. A secret field's string value is
 * redacted; any other value under it (an object, a number) has all its leaves redacted.
 */
export const secretFieldNames: readonly string[] = [
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'secret',
  'corpsecret',
  'appsecret',
  'password',
  'apikey',
  'authorization',
  'privatekey',
  'clientassertion',
  'codeverifier',
];

/**
 * Names that are secrets only when their value is a string: `token` holds the access token in
 * provider answers (`{ token: '…' }`) but a whole token set (with `expiresAt`, `version`) in the
 * workflow state, which is walked so its non-secret fields stay visible.
 */
export const secretWhenStringFieldNames: readonly string[] = ['token'];

/** Secrets shorter than this are not scrubbed from text (they would match ordinary words). */
export const minScrubLength = 6;

const secretNames = new Set(secretFieldNames);
const stringSecretNames = new Set(secretWhenStringFieldNames);

/** The shape of a secret string: length, and the last four characters when it is at least 12 long. */
export function redactSecret(secret: string): RedactedSecret {
  return secret.length >= 12 ? { redacted: true, length: secret.length, last4: secret.slice(-4) } : { redacted: true, length: secret.length };
}

/** A deep copy of a decoded JSON value with every secret field replaced by its `RedactedSecret` shape. */
export function redactPayloadValue(value: unknown): unknown {
  return walk(value, false);
}

function walk(value: unknown, underSecret: boolean): unknown {
  if (typeof value === 'string') return underSecret ? redactSecret(value) : value;
  if (Array.isArray(value)) return value.map((item) => walk(item, underSecret));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, underSecret || isSecretField(key, item));
    return out;
  }
  if (underSecret && (typeof value === 'number' || typeof value === 'boolean')) return { redacted: true };
  return value;
}

function isSecretField(key: string, value: unknown): boolean {
  const name = key.toLowerCase().replace(/[_-]/g, '');
  return secretNames.has(name) || (stringSecretNames.has(name) && typeof value === 'string');
}

/**
 * `text` with every occurrence of a known secret (of at least `minScrubLength` characters) replaced
 * by `[redacted]`, also in its URL-encoded and JSON-escaped forms (as it appears in URLs and bodies).
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined | null)[]): string {
  const forms = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= minScrubLength)
    .flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]);
  // Longest first, so a secret that contains another is replaced whole.
  const known = [...new Set(forms)].sort((a, b) => b.length - a.length);
  return known.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

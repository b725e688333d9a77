/**
 * Redaction of secrets in decoded values, for what operators see (the Web UI's codec endpoint).
 * Which fields are secret is `../secrets` (one list); a secret field's string value is redacted
 * to its shape, and any other value under it (an object, a number) has all its leaves redacted.
 */
import { isSecretField } from '../secrets/names';

/** The one scrubber of known secret values, under the name older callers import. */
export { scrubKnownSecrets as scrubSecrets } from '../secrets/scrub';

/** What a redacted secret becomes: its shape, never its value. */
export interface RedactedSecret {
  redacted: true;
  /** Length of the secret in characters. */
  length: number;
  /** Last four characters, only for secrets of 12 characters or more (short ones would give too much away). */
  last4?: string;
}

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

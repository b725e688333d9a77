/**
 * Webhook signing secrets in the Standard Webhooks form: `whsec_` and the base64 of 24 to 64
 * random bytes (Halflife makes 32). A secret is shown once, when it is made; afterwards it lives
 * only inside encrypted payloads (the registry's state) or the operator's own configuration.
 */
import { randomBytes } from 'node:crypto';

/** The prefix of every secret. */
export const webhookSecretPrefix = 'whsec_';

/** A new random secret (32 bytes). */
export function generateWebhookSecret(): string {
  return `${webhookSecretPrefix}${randomBytes(32).toString('base64')}`;
}

/** Why `value` is not a usable secret, or undefined when it is. Never quotes the value. */
export function webhookSecretProblem(value: string): string | undefined {
  if (!value.startsWith(webhookSecretPrefix)) return `must start with ${webhookSecretPrefix} (the Standard Webhooks form: ${webhookSecretPrefix}<base64 of 24-64 random bytes>)`;
  const encoded = value.slice(webhookSecretPrefix.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return `must be ${webhookSecretPrefix} followed by standard base64 (with padding)`;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 24 || bytes.length > 64) return `must encode 24 to 64 bytes (this one encodes ${bytes.length})`;
  return undefined;
}

/**
 * Signing a delivery per the Standard Webhooks specification, with the `standardwebhooks`
 * package: `webhook-signature` is `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one
 * signature per active secret separated by spaces (two during a rotation), so a receiver that
 * knows either secret verifies it.
 */
import { Webhook } from 'standardwebhooks';

/** The three Standard Webhooks headers. */
export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** Signs `body` (the exact bytes sent) as message `id` at `at` with each of `secrets`. */
export function signWebhook(id: string, at: Date, body: string, secrets: readonly string[]): WebhookSignatureHeaders {
  if (secrets.length === 0) throw new Error('no active secret to sign with');
  const signatures = secrets.map((secret) => new Webhook(secret).sign(id, at, body));
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signatures.join(' ') };
}

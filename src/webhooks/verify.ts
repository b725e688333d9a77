/**
 * Receiving a Halflife webhook in Node: `verifyWebhook(rawBody, headers, secret)` checks the
 * Standard Webhooks signature (HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, with
 * the `standardwebhooks` package), refuses a timestamp more than five minutes away from now, and
 * answers the parsed body with the message id to deduplicate on. During a secret rotation, pass
 * both secrets. Other languages: docs/webhooks.md, "Verifying in other languages".
 */
import { Webhook } from 'standardwebhooks';
import { WebhookVerificationError } from '../errors';
import type { WebhookPayload } from './payload';

/** Request headers as Node (`IncomingHttpHeaders`), fetch (`Headers`) or a plain object give them. */
export type WebhookRequestHeaders = Record<string, string | string[] | undefined> | { get(name: string): string | null };

/** A verified delivery. */
export interface VerifiedWebhook {
  /** `webhook-id`: the same on every attempt of one delivery; deduplicate on it. */
  id: string;
  /** `webhook-timestamp`: when this attempt was signed. */
  timestamp: Date;
  payload: WebhookPayload;
}

const names = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function headerValues(headers: WebhookRequestHeaders): Record<string, string> {
  const read = (name: string): string | undefined => {
    if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
    const entry = Object.entries(headers as Record<string, string | string[] | undefined>).find(([k]) => k.toLowerCase() === name)?.[1];
    return Array.isArray(entry) ? entry.join(' ') : entry;
  };
  return Object.fromEntries(names.flatMap((n) => {
    const v = read(n);
    return v === undefined ? [] : [[n, v]];
  }));
}

/**
 * Verifies a delivery: `body` exactly as received (the raw bytes, not re-serialised JSON),
 * its headers, and the subscription's secret (or both secrets during a rotation). Throws
 * `WebhookVerificationError` when the headers are missing, no signature matches, or the
 * timestamp is more than five minutes off.
 */
export function verifyWebhook(body: string | Buffer, headers: WebhookRequestHeaders, secrets: string | readonly string[]): VerifiedWebhook {
  const values = headerValues(headers);
  const list = typeof secrets === 'string' ? [secrets] : [...secrets];
  if (list.length === 0) throw new WebhookVerificationError('no secret to verify with');
  let failure: unknown;
  for (const secret of list) {
    try {
      const payload = new Webhook(secret).verify(body, values) as WebhookPayload;
      return { id: values['webhook-id'] as string, timestamp: new Date(Number(values['webhook-timestamp']) * 1000), payload };
    } catch (err) {
      failure = err;
    }
  }
  const message = failure instanceof Error ? failure.message : 'the webhook did not verify';
  throw new WebhookVerificationError(message, { cause: failure });
}

/**
 * The webhook routes' answers in the API's snake_case shapes (zod schemas for the OpenAPI
 * document, and the mapping from `WebhookClient`'s camelCase types). Instants are ISO 8601
 * strings. A secret appears only in the answers that made it (creation, rotation).
 */
import { z } from 'zod';
import type { CreatedWebhook } from '../webhooks/webhook-client';
import type { DeliveryRecord, WebhookView } from '../webhooks/messages';
import type { TestDeliveryResult } from '../webhooks/delivery-messages';

const iso = (ms: number) => new Date(ms).toISOString();
const instant = z.string().describe('ISO 8601');

/** One delivery (one event to one subscription) as its last attempt left it. */
export const deliveryResponseSchema = z.object({
  event_id: z.string().describe('the webhook-id header: the same on every attempt'),
  type: z.string(),
  credential_id: z.string().optional(),
  status: z.enum(['retrying', 'delivered', 'failed', 'gone', 'skipped']),
  attempts: z.number().int(),
  http_status: z.number().int().optional(),
  last_error: z.string().optional(),
  first_attempt_at: instant,
  last_attempt_at: instant,
  next_attempt_at: instant.optional(),
  test: z.boolean().optional(),
});

/** A subscription, its health and its last deliveries; never a secret. */
export const webhookResponseSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  credentials: z.string().describe('glob over credential ids'),
  description: z.string().optional(),
  source: z.enum(['api', 'config']).describe('config: from HALFLIFE_WEBHOOKS (change it there)'),
  created_at: instant.optional(),
  state: z.enum(['active', 'failing', 'disabled']),
  state_since: instant,
  state_reason: z.string().optional(),
  active_secrets: z.number().int().describe('2 while a rotated-away secret still signs'),
  previous_secret_expires_at: instant.optional(),
  delivered: z.number().int(),
  failed: z.number().int(),
  last_delivered_at: instant.optional(),
  deliveries: z.array(deliveryResponseSchema).describe('the last 20, newest first'),
});

/** Answer of `POST /v1/webhooks` (201): the subscription and its secret, shown this once. */
export const createdWebhookResponseSchema = webhookResponseSchema.extend({
  secret: z.string().describe('whsec_…: shown once; verify deliveries with it'),
  warnings: z.array(z.string()).optional(),
});

/** Answer of `POST /v1/webhooks/{id}/rotate-secret`. */
export const rotatedWebhookResponseSchema = webhookResponseSchema.extend({ secret: z.string().describe('the new whsec_… secret, shown once') });

/** Answer of `POST /v1/webhooks/{id}/test`. */
export const testWebhookResponseSchema = z.object({
  id: z.string(),
  event_id: z.string(),
  delivered: z.boolean(),
  outcome: z.enum(['delivered', 'gone', 'retryable', 'client_error', 'skipped']),
  http_status: z.number().int().optional(),
  error: z.string().optional(),
  duration_ms: z.number().int().optional(),
});

/** Answer of `GET /v1/webhooks`. */
export const webhookListResponseSchema = z.object({ webhooks: z.array(webhookResponseSchema) });

/** A delivery record in API terms. */
export function deliveryResponse(d: DeliveryRecord): z.infer<typeof deliveryResponseSchema> {
  return {
    event_id: d.eventId,
    type: d.type,
    ...(d.credentialId !== undefined ? { credential_id: d.credentialId } : {}),
    status: d.status,
    attempts: d.attempts,
    ...(d.httpStatus !== undefined ? { http_status: d.httpStatus } : {}),
    ...(d.lastError !== undefined ? { last_error: d.lastError } : {}),
    first_attempt_at: iso(d.firstAttemptAt),
    last_attempt_at: iso(d.lastAttemptAt),
    ...(d.nextAttemptAt !== undefined ? { next_attempt_at: iso(d.nextAttemptAt) } : {}),
    ...(d.test ? { test: true } : {}),
  };
}

/** A subscription in API terms. */
export function webhookResponse(v: WebhookView): z.infer<typeof webhookResponseSchema> {
  const h = v.health;
  return {
    id: v.id,
    url: v.url,
    events: v.events,
    credentials: v.credentials,
    ...(v.description !== undefined ? { description: v.description } : {}),
    source: v.source,
    ...(v.createdAt > 0 ? { created_at: iso(v.createdAt) } : {}),
    state: h.state,
    state_since: iso(h.since),
    ...(h.reason !== undefined ? { state_reason: h.reason } : {}),
    active_secrets: v.activeSecrets,
    ...(v.previousSecretExpiresAt !== undefined ? { previous_secret_expires_at: iso(v.previousSecretExpiresAt) } : {}),
    delivered: h.delivered,
    failed: h.failed,
    ...(h.lastDeliveredAt !== undefined ? { last_delivered_at: iso(h.lastDeliveredAt) } : {}),
    deliveries: h.deliveries.map(deliveryResponse),
  };
}

/** A subscription just made, with its secret. */
export function createdWebhookResponse(created: CreatedWebhook): z.infer<typeof createdWebhookResponseSchema> {
  return { ...webhookResponse(created.view), secret: created.secret, ...(created.warnings.length > 0 ? { warnings: created.warnings } : {}) };
}

/** A test delivery's outcome in API terms. */
export function testWebhookResponse(result: TestDeliveryResult): z.infer<typeof testWebhookResponseSchema> {
  const o = result.outcome;
  return {
    id: result.subscriptionId,
    event_id: result.eventId,
    delivered: o.kind === 'delivered',
    outcome: o.kind,
    ...(o.httpStatus !== undefined ? { http_status: o.httpStatus } : {}),
    ...(o.error !== undefined ? { error: o.error } : {}),
    ...(o.durationMs !== undefined ? { duration_ms: Math.round(o.durationMs) } : {}),
  };
}

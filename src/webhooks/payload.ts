/**
 * The body of a delivery, as the issue and docs/webhooks.md define it:
 * `{ "type", "timestamp", "data": { "id", "status", "version", "expires_at"?, "reason"?, … } }`,
 * snake_case, instants as ISO 8601 strings. `data.id` is the credential id; what else an event
 * type carries (`event.data`) joins `data` under snake_case names (an `…At` number becomes an ISO
 * `…_at` string) without overriding the common fields. Never a token or a secret: events carry none.
 */
import type { WebhookEvent } from './delivery-messages';

/** A delivery's body. */
export interface WebhookPayload {
  /** `credential.reauth_required`, …, or `webhook.test`. */
  type: string;
  /** When the event happened (ISO 8601), the same on every attempt. */
  timestamp: string;
  data: {
    /** The credential id (absent for a test). */
    id?: string;
    status?: string;
    version?: number;
    expires_at?: string;
    reason?: { code: string; message: string };
    [field: string]: unknown;
  };
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const iso = (ms: number) => new Date(ms).toISOString();

function extraFields(data: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [snake(k), k.endsWith('At') && typeof v === 'number' && Number.isFinite(v) ? iso(v) : v]),
  );
}

/** The body of a delivery of `event`. */
export function webhookPayload(event: WebhookEvent): WebhookPayload {
  return {
    type: event.type,
    timestamp: iso(event.at),
    data: {
      ...extraFields(event.data),
      ...(event.credentialId !== undefined ? { id: event.credentialId } : {}),
      ...(event.status !== undefined ? { status: event.status } : {}),
      ...(event.version !== undefined ? { version: event.version } : {}),
      ...(event.expiresAt !== undefined ? { expires_at: iso(event.expiresAt) } : {}),
      ...(event.reason ? { reason: { code: event.reason.code, message: event.reason.message } } : {}),
    },
  };
}

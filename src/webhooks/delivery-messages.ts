/**
 * The message contract of webhook deliveries: the workflow ids of a credential's delivery queue
 * (`webhooks:deliveries:<credential id>`, started or signalled by the worker's notifier, in
 * order per subscription) and of a test delivery (`webhooks:test:<subscription id>:<nonce>`),
 * the shapes they hold, and their signal and query. No Node imports: the workflows use it.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CredentialStatus } from '../credential';
import type { DeliveryReport, DeliveryStatus } from './messages';
import type { AttemptOutcome, DeliveryPolicy } from './retry-schedule';

/** Prefix of the delivery workflows' ids. */
export const deliveryWorkflowIdPrefix = 'webhooks:deliveries:';

/** The workflow id of a credential's delivery queue. */
export function webhookDeliveryWorkflowId(credentialId: string): string {
  return `${deliveryWorkflowIdPrefix}${credentialId}`;
}

/** The workflow id of one test delivery to `subscriptionId`. */
export function webhookTestWorkflowId(subscriptionId: string, nonce: string): string {
  return `webhooks:test:${subscriptionId}:${nonce}`;
}

/** An event as a delivery carries it (a credential lifecycle event, or a test). Never a token or a secret. */
export interface WebhookEvent {
  id: string;
  type: string;
  /** When it happened (epoch ms). */
  at: number;
  credentialId?: string;
  status?: CredentialStatus;
  version?: number;
  expiresAt?: number;
  reason?: { code: string; message: string };
  data?: Record<string, unknown>;
}

/** A batch of events for one credential's delivery queue, each with the subscriptions it goes to. */
export interface EnqueueRequest {
  items: { event: WebhookEvent; subscriptionIds: string[] }[];
  /** The retry policy of the worker that queued them (the newest wins). */
  policy: DeliveryPolicy;
}

/** Input of a delivery workflow. */
export interface DeliveryWorkflowInput {
  credentialId: string;
  /** The state carried over by continue-as-new. */
  state?: DeliveryQueueState;
  /** History length past which a run continues as new (tests make it small). @default 2000 */
  historyLimit?: number;
}

/** One queued delivery. */
export interface QueuedDelivery {
  event: WebhookEvent;
  attempts: number;
  clientErrors: number;
  firstAttemptAt?: number;
  nextAttemptAt: number;
  lastError?: string;
  httpStatus?: number;
  inFlight?: boolean;
}

/** A delivery workflow's whole state (plain JSON). */
export interface DeliveryQueueState {
  credentialId: string;
  policy: DeliveryPolicy;
  /** Per subscription, oldest first: only the head is being delivered. */
  queues: Record<string, QueuedDelivery[]>;
  /** `<subscription id> <event id>` of recent hand-overs, so a repeated hand-over is not delivered twice. */
  seen: string[];
  /** Reports not yet sent to the registry. */
  reports: DeliveryReport[];
  /** Increments with every change a handler makes, so the loop wakes up. */
  stamp: number;
  /** Deliveries that ended, by status, over this workflow's life. */
  ended: Partial<Record<DeliveryStatus, number>>;
}

/** What a test delivery answers. */
export interface TestDeliveryResult {
  subscriptionId: string;
  eventId: string;
  outcome: AttemptOutcome;
}

/** Input of a test delivery workflow. */
export interface TestDeliveryInput {
  subscriptionId: string;
  event: WebhookEvent;
  policy: DeliveryPolicy;
}

/** Events to deliver, from the notifier (signal-with-start). */
export const enqueueDeliveriesSignal = defineSignal<[EnqueueRequest]>('enqueueDeliveries');

/** A delivery queue as it is now (no secrets: it holds none). */
export const deliveryQueueQuery = defineQuery<DeliveryQueueState>('deliveryQueue');

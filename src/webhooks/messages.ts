/**
 * The message contract of webhook subscriptions: the registry's workflow id, the shapes it holds,
 * and every query, update and signal it answers. Imported by the workflows (so: no Node imports
 * here) and by the worker, the API and the CLI. The registry, `webhooks:registry:<task queue>`,
 * is one per deployment (the task queue its workers poll): it holds the subscriptions made
 * through the API (with their secrets, inside encrypted payloads only) and the health and last
 * deliveries of every subscription, configured ones too. The delivery queues and test
 * deliveries have their own contract: ./delivery-messages.ts.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** The workflow id of the registry of the deployment whose workers poll `taskQueue`. */
export function webhookRegistryWorkflowId(taskQueue: string): string {
  return `webhooks:registry:${taskQueue}`;
}

/** How a subscription id is written: API ones are `wh_` and 20 lowercase letters or digits; configured ones are chosen. */
export const webhookIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** One signing secret (`whsec_…`); the older of two stops signing at `expiresAt`. */
export interface WebhookSecret {
  secret: string;
  createdAt: number;
  expiresAt?: number;
}

/** A subscription: where to send which events, signed with which secrets. */
export interface WebhookSubscription {
  id: string;
  /** Canonical http(s) URL, checked against the egress policy when it was accepted. */
  url: string;
  /** Event types, or `["*"]`. */
  events: string[];
  /** Glob over credential ids. */
  credentials: string;
  /** Newest first; one or two. */
  secrets: WebhookSecret[];
  createdAt: number;
  description?: string;
  /** `api` (kept by the registry) or `config` (`HALFLIFE_WEBHOOKS`, kept by each process). */
  source: 'api' | 'config';
}

/** Where a subscription stands: `failing` after a delivery failed for good, `disabled` after a 410 (until enabled again). */
export type WebhookState = 'active' | 'failing' | 'disabled';

/** Where one delivery stands. */
export type DeliveryStatus = 'retrying' | 'delivered' | 'failed' | 'gone' | 'skipped';

/** One delivery (one event to one subscription) as the last attempt left it. */
export interface DeliveryRecord {
  /** The `webhook-id`: the same on every attempt. */
  eventId: string;
  type: string;
  credentialId?: string;
  status: DeliveryStatus;
  attempts: number;
  httpStatus?: number;
  lastError?: string;
  firstAttemptAt: number;
  lastAttemptAt: number;
  nextAttemptAt?: number;
  /** A test delivery (`POST /v1/webhooks/{id}/test`): it never changes the subscription's state. */
  test?: boolean;
}

/** A subscription's health: its state, counts, and the last deliveries (newest first). */
export interface WebhookHealth {
  state: WebhookState;
  since: number;
  reason?: string;
  delivered: number;
  failed: number;
  lastDeliveredAt?: number;
  deliveries: DeliveryRecord[];
}

/** A subscription as listings show it: no secret, the number of active ones instead. */
export interface WebhookView extends Omit<WebhookSubscription, 'secrets'> {
  activeSecrets: number;
  /** When the previous secret stops signing, while two are active. */
  previousSecretExpiresAt?: number;
  health: WebhookHealth;
}

/** What the registry's listing query answers: its subscriptions, and the health of every id it has heard of (configured ones too). */
export interface RegistryListing {
  subscriptions: WebhookView[];
  health: Record<string, WebhookHealth>;
}

/** A subscription with its secrets and state, as deliveries need it. */
export interface WebhookTarget {
  subscription: WebhookSubscription;
  state: WebhookState;
}

/** What `webhookTargetsQuery` answers: the registry's subscriptions with secrets, and the state of every id it knows (configured ones too). */
export interface RegistryTargets {
  targets: WebhookTarget[];
  states: Record<string, WebhookState>;
}

/** Reports of delivery attempts, sent by the delivery workflows to the registry. */
export interface DeliveryReport {
  subscriptionId: string;
  record: DeliveryRecord;
}

/** Input of the registry workflow. */
export interface RegistryInput {
  /** The state carried over by continue-as-new. */
  state?: RegistryState;
  /** History length past which a run continues as new (tests make it small). @default 3000 */
  historyLimit?: number;
}

/** The registry's whole state (plain JSON). */
export interface RegistryState {
  format: 1;
  subscriptions: WebhookSubscription[];
  health: Record<string, WebhookHealth>;
}

/** `ApplicationFailure.type` of an update naming a subscription the registry does not hold. */
export const webhookNotFoundFailureType = 'HalflifeWebhookNotFound';

/** `ApplicationFailure.type` of an update the registry refuses (an id taken, too many subscriptions). */
export const webhookRefusedFailureType = 'HalflifeWebhookRefused';

/** Arguments of `rotateWebhookSecret`. */
export interface RotateSecretRequest {
  id: string;
  secret: string;
  /** How long the previous secret keeps signing (0: it stops at once). */
  keepPreviousMs: number;
}

/** Arguments of `enableWebhook`: the id, and for a configured subscription nothing more (its health is kept here). */
export interface EnableRequest {
  id: string;
}

/** The registry's subscriptions and health, without secrets. */
export const webhookListingQuery = defineQuery<RegistryListing>('webhookListing');

/** The registry's subscriptions with their secrets and state, for deliveries. */
export const webhookTargetsQuery = defineQuery<RegistryTargets>('webhookTargets');

/** Adds a subscription (validated by the caller, secret included); answers its view. */
export const addWebhookUpdate = defineUpdate<WebhookView, [WebhookSubscription]>('addWebhook');

/** Removes a subscription; answers its last view. */
export const removeWebhookUpdate = defineUpdate<WebhookView, [{ id: string }]>('removeWebhook');

/** Makes `secret` the signing secret; the previous one keeps signing for `keepPreviousMs`. */
export const rotateWebhookSecretUpdate = defineUpdate<WebhookView, [RotateSecretRequest]>('rotateWebhookSecret');

/** Sets a subscription (API or configured) active again after a 410 or a failure. */
export const enableWebhookUpdate = defineUpdate<WebhookHealth, [EnableRequest]>('enableWebhook');

/** Delivery attempts' outcomes, from the delivery workflows. */
export const deliveryReportSignal = defineSignal<[DeliveryReport[]]>('deliveryReport');

/**
 * The webhook registry's state and the pure operations over it: subscriptions made through the
 * API (secrets included: the state only ever travels inside encrypted payloads), and the health
 * of every subscription the delivery workflows report on, configured ones too.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { activeSecrets } from '../../webhooks/matching';
import {
  webhookNotFoundFailureType,
  webhookRefusedFailureType,
  type DeliveryReport,
  type RegistryListing,
  type RegistryTargets,
  type RegistryState,
  type RotateSecretRequest,
  type WebhookHealth,
  type WebhookSubscription,
  type WebhookView,
} from '../../webhooks/messages';

/** Most subscriptions the registry holds. */
export const maxSubscriptions = 100;

/** Deliveries kept per subscription (newest first). */
export const deliveriesKept = 20;

/** Health entries kept for ids the registry does not hold (configured subscriptions), beyond which the oldest go. */
export const foreignHealthKept = 100;

/** An empty registry. */
export function initialRegistryState(): RegistryState {
  return { format: 1, subscriptions: [], health: {} };
}

/** The health of a subscription nothing was reported on yet. */
export function freshHealth(now: number): WebhookHealth {
  return { state: 'active', since: now, delivered: 0, failed: 0, deliveries: [] };
}

/** The health of `id` (a fresh one, not stored, when none was reported yet). */
export function healthOf(state: RegistryState, id: string, now: number): WebhookHealth {
  return state.health[id] ?? freshHealth(now);
}

/** A subscription as listings show it (no secret). */
export function viewOf(sub: WebhookSubscription, health: WebhookHealth, now: number): WebhookView {
  const { secrets: _secrets, ...rest } = sub;
  const active = activeSecrets(sub, now);
  const previous = active.find((s) => s.expiresAt !== undefined);
  return { ...rest, activeSecrets: active.length, ...(previous?.expiresAt !== undefined ? { previousSecretExpiresAt: previous.expiresAt } : {}), health };
}

function refuse(message: string): never {
  throw ApplicationFailure.create({ type: webhookRefusedFailureType, message, nonRetryable: true });
}

function find(state: RegistryState, id: string): WebhookSubscription {
  const sub = state.subscriptions.find((s) => s.id === id);
  if (!sub) throw ApplicationFailure.create({ type: webhookNotFoundFailureType, message: `webhook ${id} not found`, nonRetryable: true });
  return sub;
}

/** Validator of `addWebhook`: a new id, room left, one or two secrets (the caller validated the rest). */
export function validateAdd(state: RegistryState, sub: WebhookSubscription): void {
  if (typeof sub?.id !== 'string' || typeof sub.url !== 'string' || !Array.isArray(sub.events) || typeof sub.credentials !== 'string') refuse('not a subscription');
  if (!Array.isArray(sub.secrets) || sub.secrets.length < 1 || sub.secrets.length > 2) refuse('a subscription has one or two secrets');
  if (state.subscriptions.some((s) => s.id === sub.id)) refuse(`webhook ${sub.id} exists already`);
  if (state.subscriptions.length >= maxSubscriptions) refuse(`the registry holds ${maxSubscriptions} subscriptions already; remove some first`);
}

/** Adds a subscription (after `validateAdd`). */
export function addSubscription(state: RegistryState, sub: WebhookSubscription, now: number): WebhookView {
  state.subscriptions.push({ ...sub, source: 'api' });
  state.health[sub.id] = freshHealth(now);
  return viewOf(sub, state.health[sub.id] as WebhookHealth, now);
}

/** Validator of the updates that name an existing subscription. */
export function validateExisting(state: RegistryState, req: { id: string }): void {
  find(state, req?.id);
}

/** Removes a subscription and its health; answers its last view. */
export function removeSubscription(state: RegistryState, id: string, now: number): WebhookView {
  const sub = find(state, id);
  const view = viewOf(sub, healthOf(state, id, now), now);
  state.subscriptions = state.subscriptions.filter((s) => s.id !== id);
  delete state.health[id];
  return view;
}

/** Makes `req.secret` the signing secret; the previous one signs on for `keepPreviousMs`, older ones stop. */
export function rotateSecret(state: RegistryState, req: RotateSecretRequest, now: number): WebhookView {
  const sub = find(state, req.id);
  const current = activeSecrets(sub, now).find((s) => s.expiresAt === undefined) ?? sub.secrets[0];
  const keep = req.keepPreviousMs > 0 && current ? [{ ...current, expiresAt: now + req.keepPreviousMs }] : [];
  sub.secrets = [{ secret: req.secret, createdAt: now }, ...keep];
  return viewOf(sub, healthOf(state, sub.id, now), now);
}

/** Sets `id` active again (any id: a configured subscription's health is kept here too). */
export function enable(state: RegistryState, id: string, now: number): WebhookHealth {
  const health = { ...healthOf(state, id, now), state: 'active' as const, since: now };
  delete health.reason;
  state.health[id] = health;
  return health;
}

/** Applies delivery reports: the record replaces the same event's; a final status moves the state (tests never do). */
export function applyReports(state: RegistryState, reports: readonly DeliveryReport[], now: number): void {
  for (const { subscriptionId: id, record } of reports) {
    if (typeof id !== 'string' || typeof record?.eventId !== 'string') continue;
    const health = { ...healthOf(state, id, now) };
    const previous = health.deliveries.find((d) => d.eventId === record.eventId);
    health.deliveries = [record, ...health.deliveries.filter((d) => d !== previous)].slice(0, deliveriesKept);
    if (record.status === 'delivered' && previous?.status !== 'delivered') {
      health.delivered++;
      health.lastDeliveredAt = record.lastAttemptAt;
    }
    if (record.status === 'failed' && previous?.status !== 'failed') health.failed++;
    if (!record.test) moveState(health, record, now);
    state.health[id] = health;
  }
  pruneForeignHealth(state);
}

function moveState(health: WebhookHealth, record: DeliveryReport['record'], now: number): void {
  if (health.state === 'disabled') return;
  const to = record.status === 'gone' ? 'disabled' : record.status === 'failed' ? 'failing' : record.status === 'delivered' ? 'active' : health.state;
  if (to === health.state) return;
  health.state = to;
  health.since = now;
  if (to === 'active') delete health.reason;
  else health.reason = to === 'disabled' ? `the receiver answered 410 Gone to ${record.eventId}` : `delivery of ${record.eventId} failed: ${record.lastError ?? 'no reason'}`;
}

function pruneForeignHealth(state: RegistryState): void {
  const held = new Set(state.subscriptions.map((s) => s.id));
  const foreign = Object.entries(state.health).filter(([id]) => !held.has(id));
  if (foreign.length <= foreignHealthKept) return;
  const newest = (h: WebhookHealth) => h.deliveries[0]?.lastAttemptAt ?? h.since;
  foreign.sort(([, a], [, b]) => newest(b) - newest(a));
  for (const [id] of foreign.slice(foreignHealthKept)) delete state.health[id];
}

/** What `webhookListingQuery` answers. */
export function listing(state: RegistryState, now: number): RegistryListing {
  return { subscriptions: state.subscriptions.map((s) => viewOf(s, healthOf(state, s.id, now), now)), health: state.health };
}

/** What `webhookTargetsQuery` answers. */
export function targets(state: RegistryState, now: number): RegistryTargets {
  const states = Object.fromEntries(Object.entries(state.health).map(([id, h]) => [id, h.state]));
  return { targets: state.subscriptions.map((s) => ({ subscription: s, state: healthOf(state, s.id, now).state })), states };
}

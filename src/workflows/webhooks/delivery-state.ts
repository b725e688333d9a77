/**
 * A credential's delivery queue (pure): one FIFO per subscription, of which only the head is
 * attempted, so each receiver gets a credential's events in the order they happened. A repeated
 * hand-over of the same event (the notifier's local activity retried) is recognised and dropped.
 * The retry decisions are ../../webhooks/retry-schedule.ts.
 */
import type { DeliveryPolicy } from '../../webhooks/retry-schedule';
import { verdictOf, type AttemptOutcome } from '../../webhooks/retry-schedule';
import type { DeliveryRecord } from '../../webhooks/messages';
import type { DeliveryQueueState, EnqueueRequest, QueuedDelivery } from '../../webhooks/delivery-messages';

/** Hand-overs remembered for deduplication. */
export const seenKept = 500;

/** Most deliveries queued per subscription; beyond it the oldest waiting ones are dropped (and reported `skipped`). */
export const maxQueued = 1_000;

/** An empty queue. */
export function initialQueueState(credentialId: string, policy: DeliveryPolicy): DeliveryQueueState {
  return { credentialId, policy, queues: {}, seen: [], reports: [], stamp: 0, ended: {} };
}

function record(subscriptionId: string, q: QueuedDelivery, status: DeliveryRecord['status'], now: number): { subscriptionId: string; record: DeliveryRecord } {
  return {
    subscriptionId,
    record: {
      eventId: q.event.id,
      type: q.event.type,
      ...(q.event.credentialId !== undefined ? { credentialId: q.event.credentialId } : {}),
      status,
      attempts: q.attempts,
      ...(q.httpStatus !== undefined ? { httpStatus: q.httpStatus } : {}),
      ...(q.lastError !== undefined ? { lastError: q.lastError } : {}),
      firstAttemptAt: q.firstAttemptAt ?? now,
      lastAttemptAt: now,
      ...(status === 'retrying' ? { nextAttemptAt: q.nextAttemptAt } : {}),
    },
  };
}

/** Queues the events of a hand-over (signal handler): new (subscription, event) pairs only, oldest first. */
export function enqueue(state: DeliveryQueueState, req: EnqueueRequest, now: number): void {
  if (req?.policy) state.policy = req.policy;
  const seen = new Set(state.seen);
  for (const item of Array.isArray(req?.items) ? req.items : []) {
    for (const id of item.subscriptionIds ?? []) {
      const key = `${id} ${item.event.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      state.seen.push(key);
      const queue = (state.queues[id] ??= []);
      queue.push({ event: item.event, attempts: 0, clientErrors: 0, nextAttemptAt: now });
      while (queue.length > maxQueued) {
        const dropAt = queue[0]?.inFlight ? 1 : 0;
        const [dropped] = queue.splice(dropAt, 1);
        if (dropped) state.reports.push(record(id, { ...dropped, lastError: `dropped: more than ${maxQueued} deliveries waiting` }, 'skipped', now));
      }
    }
  }
  if (state.seen.length > seenKept) state.seen = state.seen.slice(-seenKept);
  state.stamp++;
}

/** The heads that may be attempted at `now` (not in flight, due). */
export function dueHeads(state: DeliveryQueueState, now: number): [string, QueuedDelivery][] {
  return Object.entries(state.queues).flatMap(([id, queue]) => {
    const head = queue[0];
    return head && !head.inFlight && head.nextAttemptAt <= now ? [[id, head] as [string, QueuedDelivery]] : [];
  });
}

/** When the next waiting head is due, or undefined when none waits. */
export function nextDueAt(state: DeliveryQueueState): number | undefined {
  const due = Object.values(state.queues).flatMap((q) => (q[0] && !q[0].inFlight ? [q[0].nextAttemptAt] : []));
  return due.length > 0 ? Math.min(...due) : undefined;
}

/** How many attempts are in flight. */
export function inFlightCount(state: DeliveryQueueState): number {
  return Object.values(state.queues).filter((q) => q[0]?.inFlight).length;
}

/** True when nothing is queued and no report waits. */
export function isIdle(state: DeliveryQueueState): boolean {
  return state.reports.length === 0 && Object.values(state.queues).every((q) => q.length === 0);
}

/** Marks the head of `id` in flight (its first attempt starts the clock). */
export function startAttempt(head: QueuedDelivery, now: number): void {
  head.inFlight = true;
  head.firstAttemptAt ??= now;
}

/** Applies the outcome of the head's attempt: it ends (leaves the queue) or waits for its next attempt; either way a report is queued. */
export function applyOutcome(state: DeliveryQueueState, id: string, outcome: AttemptOutcome, now: number): void {
  const queue = state.queues[id];
  const head = queue?.[0];
  if (!queue || !head) return;
  head.inFlight = false;
  head.attempts++;
  if (outcome.kind === 'client_error') head.clientErrors++;
  if (outcome.httpStatus !== undefined) head.httpStatus = outcome.httpStatus;
  else delete head.httpStatus;
  if (outcome.error !== undefined) head.lastError = outcome.error;
  else delete head.lastError;
  const verdict = verdictOf({ attempts: head.attempts, clientErrors: head.clientErrors, firstAttemptAt: head.firstAttemptAt ?? now }, outcome, state.policy, now);
  if (verdict.kind === 'retry') {
    head.nextAttemptAt = verdict.at;
    state.reports.push(record(id, head, 'retrying', now));
  } else {
    queue.shift();
    if (queue.length === 0) delete state.queues[id];
    state.ended[verdict.status] = (state.ended[verdict.status] ?? 0) + 1;
    state.reports.push(record(id, head, verdict.status, now));
  }
  state.stamp++;
}

/** A credential's delivery queue: order per subscription, deduplicated hand-overs, outcomes and reports. */
import { applyOutcome, dueHeads, enqueue, initialQueueState, isIdle, maxQueued, nextDueAt, seenKept, startAttempt } from '../../../src/workflows/webhooks/delivery-state';
import type { WebhookEvent } from '../../../src/webhooks/delivery-messages';
import { defaultDeliveryPolicy } from '../../../src/webhooks/retry-schedule';

const policy = { ...defaultDeliveryPolicy, initialIntervalMs: 1_000 };
const event = (n: number): WebhookEvent => ({ id: `c:1:${n}:credential.rotated`, type: 'credential.rotated', at: n, credentialId: 'c', version: n });

describe('the delivery queue', () => {
  it('queues per subscription in order; a repeated hand-over is dropped', () => {
    const state = initialQueueState('c', policy);
    enqueue(state, { items: [{ event: event(1), subscriptionIds: ['a', 'b'] }, { event: event(2), subscriptionIds: ['a'] }], policy }, 0);
    enqueue(state, { items: [{ event: event(1), subscriptionIds: ['a', 'b'] }, { event: event(3), subscriptionIds: ['a'] }], policy }, 0);
    expect(state.queues.a?.map((q) => q.event.version)).toEqual([1, 2, 3]);
    expect(state.queues.b?.map((q) => q.event.version)).toEqual([1]);
    expect(dueHeads(state, 0).map(([id, head]) => [id, head.event.version])).toEqual([['a', 1], ['b', 1]]);
  });

  it('only the head is attempted; a retry waits, a success moves on; every attempt is reported', () => {
    const state = initialQueueState('c', policy);
    enqueue(state, { items: [{ event: event(1), subscriptionIds: ['a'] }, { event: event(2), subscriptionIds: ['a'] }], policy }, 0);
    const [[, head]] = dueHeads(state, 0) as [[string, NonNullable<(typeof state.queues)['a']>[0]]];
    startAttempt(head, 100);
    expect(dueHeads(state, 100)).toEqual([]);
    expect(nextDueAt(state)).toBeUndefined();
    applyOutcome(state, 'a', { kind: 'retryable', error: 'could not reach the receiver (ECONNREFUSED)' }, 200);
    expect(state.queues.a?.[0]).toMatchObject({ attempts: 1, nextAttemptAt: 1_200, firstAttemptAt: 100, inFlight: false });
    expect(nextDueAt(state)).toBe(1_200);
    expect(dueHeads(state, 1_199)).toEqual([]);
    startAttempt(state.queues.a![0]!, 1_200);
    applyOutcome(state, 'a', { kind: 'delivered', httpStatus: 200 }, 1_300);
    expect(state.queues.a?.map((q) => q.event.version)).toEqual([2]);
    expect(state.reports.map((r) => [r.record.status, r.record.attempts, r.record.lastError])).toEqual([
      ['retrying', 1, 'could not reach the receiver (ECONNREFUSED)'],
      ['delivered', 2, undefined],
    ]);
    expect(state.reports[1]?.record).toMatchObject({ firstAttemptAt: 100, lastAttemptAt: 1_300, httpStatus: 200 });
    expect(state.ended).toEqual({ delivered: 1 });
  });

  it('becomes idle when nothing is queued and every report is sent', () => {
    const state = initialQueueState('c', policy);
    enqueue(state, { items: [{ event: event(1), subscriptionIds: ['a'] }], policy }, 0);
    startAttempt(state.queues.a![0]!, 0);
    applyOutcome(state, 'a', { kind: 'gone', httpStatus: 410 }, 1);
    expect(state.queues).toEqual({});
    expect(isIdle(state)).toBe(false);
    state.reports.splice(0);
    expect(isIdle(state)).toBe(true);
  });

  it('is bounded: remembered hand-overs and queued deliveries (the oldest waiting is dropped and reported)', () => {
    const state = initialQueueState('c', policy);
    enqueue(state, { items: Array.from({ length: maxQueued + 2 }, (_, i) => ({ event: event(i), subscriptionIds: ['a'] })), policy }, 0);
    expect(state.queues.a).toHaveLength(maxQueued);
    expect(state.queues.a?.[0]?.event.version).toBe(2);
    expect(state.reports.map((r) => r.record.status)).toEqual(['skipped', 'skipped']);
    expect(state.seen).toHaveLength(seenKept);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

/** The retry schedule of deliveries: which outcomes end a delivery, when the next attempt runs, when it gives up. */
import { outcomeOfStatus, outcomeOfTransport } from '../../../src/activities/webhooks/deliver-webhook';
import { EgressDeniedError } from '../../../src/egress';
import { backoffMs, defaultDeliveryPolicy, verdictOf, type DeliveryPolicy } from '../../../src/webhooks/retry-schedule';

const policy: DeliveryPolicy = { ...defaultDeliveryPolicy, initialIntervalMs: 1_000, maxIntervalMs: 60_000, giveUpAfterMs: 3_600_000 };
const t0 = 1_000_000;

describe('verdictOf', () => {
  it('2xx, 410 and skipped end the delivery at once', () => {
    for (const kind of ['delivered', 'gone', 'skipped'] as const) {
      expect(verdictOf({ attempts: 1, clientErrors: 0, firstAttemptAt: t0 }, { kind }, policy, t0)).toEqual({ kind: 'done', status: kind });
    }
  });

  it('retryable failures back off exponentially up to the maximum, and fail after giveUpAfterMs', () => {
    expect([1, 2, 3, 4, 7, 8, 30].map((n) => backoffMs(n, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000]);
    expect(verdictOf({ attempts: 1, clientErrors: 0, firstAttemptAt: t0 }, { kind: 'retryable' }, policy, t0)).toEqual({ kind: 'retry', at: t0 + 1_000 });
    expect(verdictOf({ attempts: 50, clientErrors: 0, firstAttemptAt: t0 }, { kind: 'retryable' }, policy, t0 + 3_540_000)).toEqual({ kind: 'retry', at: t0 + 3_600_000 });
    expect(verdictOf({ attempts: 50, clientErrors: 0, firstAttemptAt: t0 }, { kind: 'retryable' }, policy, t0 + 3_540_001)).toEqual({ kind: 'done', status: 'failed' });
  });

  it("honours Retry-After, bounded by the maximum interval", () => {
    expect(verdictOf({ attempts: 1, clientErrors: 0, firstAttemptAt: t0 }, { kind: 'retryable', retryAfterMs: 30_000 }, policy, t0)).toEqual({ kind: 'retry', at: t0 + 30_000 });
    expect(verdictOf({ attempts: 1, clientErrors: 0, firstAttemptAt: t0 }, { kind: 'retryable', retryAfterMs: 10 * 3_600_000 }, policy, t0)).toEqual({ kind: 'retry', at: t0 + 60_000 });
  });

  it('client errors are tried clientErrorAttempts times in all, then fail', () => {
    expect(verdictOf({ attempts: 1, clientErrors: 1, firstAttemptAt: t0 }, { kind: 'client_error' }, policy, t0)).toEqual({ kind: 'retry', at: t0 + 1_000 });
    expect(verdictOf({ attempts: 2, clientErrors: 2, firstAttemptAt: t0 }, { kind: 'client_error' }, policy, t0)).toEqual({ kind: 'retry', at: t0 + 2_000 });
    expect(verdictOf({ attempts: 3, clientErrors: 3, firstAttemptAt: t0 }, { kind: 'client_error' }, policy, t0)).toEqual({ kind: 'done', status: 'failed' });
  });
});

describe('classifying answers', () => {
  it.each([
    [200, 'delivered'], [204, 'delivered'], [299, 'delivered'],
    [410, 'gone'],
    [408, 'retryable'], [429, 'retryable'], [500, 'retryable'], [503, 'retryable'],
    [400, 'client_error'], [401, 'client_error'], [404, 'client_error'], [301, 'client_error'], [307, 'client_error'], [100, 'client_error'],
  ])('HTTP %i is %s', (status, kind) => {
    expect(outcomeOfStatus(status, null, 0).kind).toBe(kind);
  });

  it('reads Retry-After of a 429, and never quotes a body', () => {
    expect(outcomeOfStatus(429, '7', 0)).toEqual({ kind: 'retryable', httpStatus: 429, error: 'HTTP 429', retryAfterMs: 7_000 });
    expect(outcomeOfStatus(302, null, 0).error).toBe('HTTP 302 (redirects are not followed)');
  });

  it('a refused connection is retryable, a refused destination a client error, a timeout retryable', () => {
    const open = new AbortController().signal;
    expect(outcomeOfTransport(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), open)).toEqual({ kind: 'retryable', error: 'could not reach the receiver (ECONNREFUSED)' });
    expect(outcomeOfTransport(new EgressDeniedError('10.0.0.1', 'private_address'), open)).toEqual({ kind: 'client_error', error: 'the egress policy refused the connection (private_address)' });
    expect(outcomeOfTransport(new Error('x'), AbortSignal.abort())).toEqual({ kind: 'retryable', error: 'no answer in time' });
  });
});

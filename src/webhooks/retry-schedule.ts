/**
 * When a webhook delivery is tried again, and when it ends (pure; the delivery workflow decides
 * with it, and the delivery activity asks it whether an attempt was the last, for its metrics).
 *
 * - 2xx: delivered. 410 Gone: the receiver asked to be left alone; the subscription is disabled.
 * - 408, 429, 5xx, no answer (refused, reset, timeout): tried again with exponential backoff
 *   (`initialIntervalMs`, doubling, at most `maxIntervalMs`, at least what `Retry-After` asked
 *   within that bound) until `giveUpAfterMs` after the first attempt; then failed.
 * - any other answer (3xx, other 4xx) or a URL the egress policy refuses: a receiver-side mistake
 *   that waiting rarely fixes: `clientErrorAttempts` attempts in all, then failed.
 */

/** How deliveries are retried; see the module comment. */
export interface DeliveryPolicy {
  /** Wait after the first failed attempt. @default 5_000 */
  initialIntervalMs: number;
  /** Longest wait between two attempts. @default 3_600_000 (1 hour) */
  maxIntervalMs: number;
  /** A delivery that has not succeeded this long after its first attempt fails. @default 86_400_000 (24 hours) */
  giveUpAfterMs: number;
  /** Attempts in all for answers that are the receiver's mistake (4xx but 408/429/410, 3xx). @default 3 */
  clientErrorAttempts: number;
  /** Time allowed for one request (connect, send, answer). @default 10_000 */
  requestTimeoutMs: number;
}

/** The defaults of `DeliveryPolicy`. */
export const defaultDeliveryPolicy: Readonly<DeliveryPolicy> = Object.freeze({
  initialIntervalMs: 5_000,
  maxIntervalMs: 3_600_000,
  giveUpAfterMs: 86_400_000,
  clientErrorAttempts: 3,
  requestTimeoutMs: 10_000,
});

/** What one attempt ended with. */
export interface AttemptOutcome {
  /** `skipped`: the subscription was removed or disabled before the attempt. */
  kind: 'delivered' | 'gone' | 'retryable' | 'client_error' | 'skipped';
  /** The receiver's status code, when it answered. */
  httpStatus?: number;
  /** Why it failed, in a few words (never the receiver's body). */
  error?: string;
  /** What the receiver's `Retry-After` asked for. */
  retryAfterMs?: number;
  durationMs?: number;
}

/** A delivery's progress, counting the attempt being judged. */
export interface AttemptProgress {
  attempts: number;
  /** Attempts that ended in `client_error`. */
  clientErrors: number;
  firstAttemptAt: number;
}

/** How a delivery goes on after an attempt. */
export type AttemptVerdict = { kind: 'done'; status: 'delivered' | 'failed' | 'gone' | 'skipped' } | { kind: 'retry'; at: number };

/** The wait after the `attempts`-th failed attempt: `initialIntervalMs` doubling, at most `maxIntervalMs`. */
export function backoffMs(attempts: number, policy: DeliveryPolicy): number {
  return Math.min(policy.maxIntervalMs, policy.initialIntervalMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
}

/** How a delivery goes on after an attempt ended with `outcome` at `now`. */
export function verdictOf(progress: AttemptProgress, outcome: AttemptOutcome, policy: DeliveryPolicy, now: number): AttemptVerdict {
  switch (outcome.kind) {
    case 'delivered':
    case 'gone':
    case 'skipped':
      return { kind: 'done', status: outcome.kind };
    case 'client_error':
      if (progress.clientErrors >= policy.clientErrorAttempts) return { kind: 'done', status: 'failed' };
      return { kind: 'retry', at: now + backoffMs(progress.attempts, policy) };
    case 'retryable': {
      const asked = Math.min(outcome.retryAfterMs ?? 0, policy.maxIntervalMs);
      const at = now + Math.max(backoffMs(progress.attempts, policy), asked);
      return at > progress.firstAttemptAt + policy.giveUpAfterMs ? { kind: 'done', status: 'failed' } : { kind: 'retry', at };
    }
  }
}

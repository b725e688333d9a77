/**
 * What the main loop does next, as pure functions over the state: run an attempt, start a round,
 * publish, continue as new, or wait until an instant (or until a handler changes something).
 */
import { hasValidToken, lastCallAt } from './credential-state';
import { dependentsDue } from './dependents';
import type { ForceBudget } from './force-budget';
import { forceVerdict, quotaVerdict } from './quota';
import { refreshDueAt } from './schedule';
import type { CredentialState, Round } from './state';

/** A run continues as new after this many history events at the latest (the server suggests it at 4,096). */
export const maxEventsPerRun = 3_000;

/** A run continues as new after this long at the latest, so replay after a worker restart stays cheap. */
export const maxRunAgeMs = 86_400_000;

/** Facts about the current run that the decision needs. */
export interface RunFacts {
  continueAsNewSuggested: boolean;
  historyLength: number;
  runAgeMs: number;
}

/** The main loop's next step. */
export type Step =
  | { kind: 'end' }
  | { kind: 'continue_as_new' }
  | { kind: 'publish' }
  | { kind: 'notify' }
  | { kind: 'dependents' }
  | { kind: 'attempt' }
  | { kind: 'start'; cause: 'scheduled' | 'reprobe' }
  | { kind: 'wait'; until?: number };

/** True when this run should end and continue as new (never with an attempt in flight: the loop awaits those). */
export function shouldContinueAsNew(state: CredentialState, run: RunFacts): boolean {
  return (
    run.continueAsNewSuggested ||
    run.historyLength >= maxEventsPerRun ||
    run.runAgeMs >= maxRunAgeMs ||
    state.cyclesThisRun >= state.policy.maxCyclesPerRun
  );
}

/** True when the Redis mirror is behind and a publication is due. */
export function publicationDue(state: CredentialState, now: number): boolean {
  return !state.mirror.off && state.mirror.revision < state.revision && (state.mirror.retryAt ?? 0) <= now;
}

/** True when lifecycle events wait and a hand-over to the notifier is due. */
export function notificationDue(state: CredentialState, now: number): boolean {
  const n = state.notifier;
  return n !== undefined && !n.off && n.pending.length > 0 && (n.retryAt ?? 0) <= now;
}

/** The instant the next scheduled refresh is due. */
export function scheduledAt(state: CredentialState): number | undefined {
  if (!state.token) return undefined;
  return refreshDueAt(state.token, state.policy, `${state.id}:${state.version}`, lastCallAt(state));
}

function earliest(...instants: (number | undefined)[]): number | undefined {
  const defined = instants.filter((t): t is number => t !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
}

/** Decides the main loop's next step at `now`. */
export function nextStep(state: CredentialState, now: number, run: RunFacts): Step {
  if (state.status === 'revoked') return { kind: 'end' };
  if (publicationDue(state, now)) return { kind: 'publish' };
  if (notificationDue(state, now)) return { kind: 'notify' };
  if (dependentsDue(state)) return { kind: 'dependents' };
  const round = state.round;
  if (round && round.nextAttemptAt <= now) return { kind: 'attempt' };
  if (shouldContinueAsNew(state, run)) return { kind: 'continue_as_new' };
  const mirrorRetry = earliest(
    !state.mirror.off && state.mirror.revision < state.revision ? state.mirror.retryAt : undefined,
    state.notifier && !state.notifier.off && state.notifier.pending.length > 0 ? state.notifier.retryAt : undefined,
  );
  // An expiry warning falling due (set by ./warnings.ts behind its patch): woken for even when no refresh is due before it.
  const warningAt = state.warned?.wakeAt;
  if (round) {
    const expiry = state.status === 'degraded' ? state.token?.expiresAt : undefined;
    return { kind: 'wait', until: earliest(round.nextAttemptAt, expiry, mirrorRetry, warningAt) };
  }
  if (state.status === 'reauth_required') {
    if (state.reprobe && state.reprobe.at <= now) return { kind: 'start', cause: 'reprobe' };
    return { kind: 'wait', until: earliest(state.reprobe?.at, mirrorRetry, warningAt) };
  }
  const due = scheduledAt(state);
  if (due === undefined || due <= now) return { kind: 'start', cause: 'scheduled' };
  return { kind: 'wait', until: earliest(due, mirrorRetry, warningAt) };
}

/** Whether an attempt may call the provider now. */
export type Admission =
  | { kind: 'call'; useForce: boolean }
  | { kind: 'decline'; reason: 'daily_quota' | 'force_budget' }
  | { kind: 'wait'; until: number };

/**
 * Admits an attempt against the hard budgets. The first attempt of a round with a valid token is
 * declined when the daily quota (or, for a forced round, the force budget) is spent; a retry, or a
 * credential without a valid token, waits for the quota or makes an ordinary call instead.
 */
export function admitAttempt(state: CredentialState, round: Round, now: number, budget?: ForceBudget): Admission {
  const valid = hasValidToken(state, now);
  const daily = quotaVerdict(state.recentCalls, state.policy, now, false);
  if (!daily.allowed) return round.attempt === 1 && valid ? { kind: 'decline', reason: 'daily_quota' } : { kind: 'wait', until: daily.nextAllowedAt };
  if (!round.forced || !budget) return { kind: 'call', useForce: round.forced };
  const force = forceVerdict(state.forcedCalls, budget, now);
  if (force.allowed) return { kind: 'call', useForce: true };
  return round.attempt === 1 && valid ? { kind: 'decline', reason: 'force_budget' } : { kind: 'call', useForce: false };
}

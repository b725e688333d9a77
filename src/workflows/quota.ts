/**
 * The per-credential quota guard: a minimum interval between refreshes and a cap on upstream calls
 * in any rolling 24 hours. Pure functions over the call log kept in the workflow state.
 */
import type { RefreshPolicy } from '../credential';
import type { ForceBudget } from './force-budget';

/** Length of the rolling quota window. */
export const quotaWindowMs = 24 * 60 * 60 * 1000;

/** Why a refresh may not reach the provider now (`force_budget`: its force mode may not be used now). */
export type QuotaBlock = 'cooldown' | 'daily_quota' | 'force_budget';

/** The verdict of the guard. */
export interface QuotaVerdict {
  allowed: boolean;
  reason?: QuotaBlock;
  /** The earliest instant an upstream call is allowed. */
  nextAllowedAt: number;
}

/** Drops calls older than the window; returns a new array. */
export function pruneCalls(calls: readonly number[], now: number): number[] {
  return calls.filter((at) => at > now - quotaWindowMs);
}

/**
 * May a new refresh start now? `checkCooldown` is false for retries inside one refresh and for a
 * new grant (reauthorization): they count against the daily cap only.
 */
export function quotaVerdict(
  calls: readonly number[],
  policy: Pick<RefreshPolicy, 'minRefreshIntervalMs' | 'maxRefreshesPerDay'>,
  now: number,
  checkCooldown = true,
): QuotaVerdict {
  const recent = pruneCalls(calls, now);
  if (recent.length >= policy.maxRefreshesPerDay) {
    const oldest = recent[recent.length - policy.maxRefreshesPerDay] ?? now;
    return { allowed: false, reason: 'daily_quota', nextAllowedAt: oldest + quotaWindowMs };
  }
  const last = recent[recent.length - 1];
  if (checkCooldown && last !== undefined && now < last + policy.minRefreshIntervalMs) {
    return { allowed: false, reason: 'cooldown', nextAllowedAt: last + policy.minRefreshIntervalMs };
  }
  return { allowed: true, nextAllowedAt: now };
}

/**
 * May a forced call (the provider's force mode) start now? The same rolling-day cap and spacing as
 * `quotaVerdict`, over the log of forced calls only; a blocked verdict has reason `force_budget`.
 */
export function forceVerdict(forcedCalls: readonly number[], budget: ForceBudget, now: number): QuotaVerdict {
  if (budget.perDay <= 0) return { allowed: false, reason: 'force_budget', nextAllowedAt: Number.POSITIVE_INFINITY };
  const verdict = quotaVerdict(forcedCalls, { minRefreshIntervalMs: budget.minIntervalMs, maxRefreshesPerDay: budget.perDay }, now);
  return verdict.allowed ? verdict : { ...verdict, reason: 'force_budget' };
}

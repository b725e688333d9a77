/**
 * Warnings ahead of trouble, as lifecycle events (pure, over the state): `credential.quota_low`
 * when 80 % of a daily budget is used (the refresh quota, or the WeChat force budget). Each
 * warning is sent once per crossing: it is sent again only after use fell below the mark.
 */
import type { CredentialLifecycleEvent } from '../activities/contracts';
import { forceBudgetOf } from './force-budget';
import { pruneCalls } from './quota';
import type { CredentialState } from './state';

/** The share of a daily budget whose use triggers `credential.quota_low`. */
export const quotaLowRatio = 0.8;

/** What was warned about, so a warning is not repeated (carried over continue-as-new with the state). */
export interface Warned {
  /** Budgets currently at or over the mark: `refreshes`, `force_refresh`. */
  quotaLow?: string[];
}

interface Budget {
  name: 'refreshes' | 'force_refresh';
  used: number;
  limit: number;
}

function budgetsOf(state: CredentialState, now: number): Budget[] {
  const budgets: Budget[] = [{ name: 'refreshes', used: pruneCalls(state.recentCalls, now).length, limit: state.policy.maxRefreshesPerDay }];
  const force = forceBudgetOf(state.provider, state.config);
  if (force && force.perDay > 0) budgets.push({ name: 'force_refresh', used: pruneCalls(state.forcedCalls, now).length, limit: force.perDay });
  return budgets;
}

/** The warnings due now; records them in `state.warned` (and forgets those no longer true). */
export function takeWarnings(state: CredentialState, now: number): CredentialLifecycleEvent[] {
  const events: CredentialLifecycleEvent[] = [];
  const low: string[] = [];
  const before = new Set(state.warned?.quotaLow ?? []);
  for (const budget of budgetsOf(state, now)) {
    if (budget.used < Math.ceil(budget.limit * quotaLowRatio)) continue;
    low.push(budget.name);
    if (before.has(budget.name)) continue;
    events.push({
      id: `${state.id}:${state.createdAt}:credential.quota_low:${budget.name}:${now}`,
      type: 'credential.quota_low',
      credentialId: state.id,
      at: now,
      status: state.status,
      version: state.version,
      ...(state.token ? { expiresAt: state.token.expiresAt } : {}),
      data: { quota: budget.name, used: budget.used, limit: budget.limit },
    });
  }
  if (low.length > 0 || before.size > 0) state.warned = { ...state.warned, quotaLow: low };
  return events;
}

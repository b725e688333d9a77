/**
 * Warnings ahead of trouble, as lifecycle events (pure, over the state): `credential.quota_low`
 * when 80 % of a daily budget is used (the refresh quota, or the WeChat force budget), sent once
 * per crossing (again only after use fell below the mark); `credential.refresh_token_expiring`
 * and `credential.client_secret_expiring`, `expiryWarningLeadMs` before a known expiry, once per
 * expiry (a new expiry re-arms the warning). The expiry warnings issue new commands, so the main
 * loop passes its `patched` in: each one's first command is behind its own patch, and the loop
 * also wakes for them (`Warned.wakeAt`) when no refresh is due before.
 */
import type { CredentialEventType, CredentialLifecycleEvent } from '../activities/contracts';
import { forceBudgetOf } from './force-budget';
import { pruneCalls } from './quota';
import type { CredentialState } from './state';

/** The share of a daily budget whose use triggers `credential.quota_low`. */
export const quotaLowRatio = 0.8;

/** How long before a known refresh-token or client-secret expiry its `…_expiring` event is sent: 7 days. */
export const expiryWarningLeadMs = 7 * 86_400_000;

/** The patches behind the expiry warnings' commands (recorded histories without their markers replay unchanged). */
export const expiryWarningPatches = {
  /** Queues `credential.refresh_token_expiring` (the hand-over to the notifier is a new command). */
  refreshToken: 'halflife-refresh-token-expiry',
  /** Wakes the loop when the refresh-token warning falls due before the next refresh (a shorter timer). */
  refreshTokenWake: 'halflife-refresh-token-expiry-wake',
  /** Everything about `credential.client_secret_expiring`: waking for it, queueing it. */
  clientSecret: 'halflife-client-secret-expiry',
} as const;

/** What was warned about, so a warning is not repeated (carried over continue-as-new with the state). */
export interface Warned {
  /** Budgets currently at or over the mark: `refreshes`, `force_refresh`. */
  quotaLow?: string[];
  /** The `clientSecretExpiresAt` a `credential.client_secret_expiring` event was queued for (one warning per expiry). */
  clientSecretFor?: number;
  /** When the next expiry warning falls due: the loop waits no longer than this. */
  wakeAt?: number;
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

function eventOf(state: CredentialState, id: string, type: CredentialEventType, now: number, data: Record<string, unknown>): CredentialLifecycleEvent {
  return {
    id,
    type,
    credentialId: state.id,
    at: now,
    status: state.status,
    version: state.version,
    ...(state.token ? { expiresAt: state.token.expiresAt } : {}),
    data,
  };
}

/** The quota warnings due now; records them in `state.warned` (and forgets those no longer true). */
export function takeWarnings(state: CredentialState, now: number): CredentialLifecycleEvent[] {
  const events: CredentialLifecycleEvent[] = [];
  const low: string[] = [];
  const before = new Set(state.warned?.quotaLow ?? []);
  for (const budget of budgetsOf(state, now)) {
    if (budget.used < Math.ceil(budget.limit * quotaLowRatio)) continue;
    low.push(budget.name);
    if (before.has(budget.name)) continue;
    const id = `${state.id}:${state.createdAt}:credential.quota_low:${budget.name}:${now}`;
    events.push(eventOf(state, id, 'credential.quota_low', now, { quota: budget.name, used: budget.used, limit: budget.limit }));
  }
  if (low.length > 0 || before.size > 0) state.warned = { ...state.warned, quotaLow: low };
  return events;
}

/** When the warning of `expiresAt` falls due, unless there is nothing to warn of (no expiry, warned already, revoked). */
function warningDueAt(state: CredentialState, expiresAt: number | undefined, warnedFor: number | undefined): number | undefined {
  if (expiresAt === undefined || warnedFor === expiresAt || state.status === 'revoked') return undefined;
  return expiresAt - expiryWarningLeadMs;
}

function expiryEvent(state: CredentialState, type: 'credential.refresh_token_expiring' | 'credential.client_secret_expiring', at: number, now: number, data: Record<string, unknown>): CredentialLifecycleEvent {
  return eventOf(state, `${state.id}:${state.createdAt}:${at}:${type}`, type, now, data);
}

/**
 * The `credential.refresh_token_expiring` event due at `now`, if one is: the refresh token's
 * expiry is known, within `expiryWarningLeadMs`, and not warned about yet (one event per expiry;
 * a new grant clears both).
 */
export function refreshTokenExpiryEvent(state: CredentialState, now: number): CredentialLifecycleEvent | undefined {
  const at = state.refreshTokenExpiresAt;
  const due = warningDueAt(state, at, state.refreshTokenWarnedFor);
  if (at === undefined || due === undefined || now < due) return undefined;
  return expiryEvent(state, 'credential.refresh_token_expiring', at, now, { refreshTokenExpiresAt: at });
}

/**
 * The `credential.client_secret_expiring` event due at `now`, if one is: the registration declared
 * the client secret's expiry, it is within `expiryWarningLeadMs`, and not warned about yet (one
 * event per declared expiry; declaring another one re-arms it).
 */
export function clientSecretExpiryEvent(state: CredentialState, now: number): CredentialLifecycleEvent | undefined {
  const at = state.clientSecretExpiresAt;
  const due = warningDueAt(state, at, state.warned?.clientSecretFor);
  if (at === undefined || due === undefined || now < due) return undefined;
  return expiryEvent(state, 'credential.client_secret_expiring', at, now, { clientSecretExpiresAt: at });
}

/**
 * The expiry warnings due now, each behind its patch (`isPatched` is the workflow's `patched`);
 * records what was warned and sets `state.warned.wakeAt` to when the next one falls due.
 * Histories recorded before a warning existed never know the expiry it warns of, so they never
 * reach its patch check: they replay unchanged.
 */
export function takeExpiryWarnings(state: CredentialState, now: number, isPatched: (patchId: string) => boolean): CredentialLifecycleEvent[] {
  const events: CredentialLifecycleEvent[] = [];
  const wakes: number[] = [];
  const refresh = refreshTokenExpiryEvent(state, now);
  if (refresh && isPatched(expiryWarningPatches.refreshToken)) {
    events.push(refresh);
    state.refreshTokenWarnedFor = state.refreshTokenExpiresAt;
  }
  const refreshDue = warningDueAt(state, state.refreshTokenExpiresAt, state.refreshTokenWarnedFor);
  if (refreshDue !== undefined && refreshDue > now && isPatched(expiryWarningPatches.refreshTokenWake)) wakes.push(refreshDue);
  const secretDue = warningDueAt(state, state.clientSecretExpiresAt, state.warned?.clientSecretFor);
  if (secretDue !== undefined && isPatched(expiryWarningPatches.clientSecret)) {
    const secret = clientSecretExpiryEvent(state, now);
    if (secret) {
      events.push(secret);
      state.warned = { ...state.warned, clientSecretFor: state.clientSecretExpiresAt };
    } else wakes.push(secretDue);
  }
  const wakeAt = wakes.length > 0 ? Math.min(...wakes) : undefined;
  if (wakeAt !== state.warned?.wakeAt) {
    const { wakeAt: _old, ...rest } = state.warned ?? {};
    state.warned = wakeAt === undefined ? rest : { ...rest, wakeAt };
  }
  return events;
}

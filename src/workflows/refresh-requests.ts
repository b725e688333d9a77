/**
 * What a refresh request gets, as pure functions over the state: answered at once (superseded,
 * declined), joined to the round under way, or the start of a new round. The handlers apply the
 * decision and wait; only the main loop ever calls the provider.
 *
 * The rule (README, "Refreshing on demand"): a consumer's report that its token was refused
 * (`staleVersion` = the current version) is honoured with one upstream call shared by every
 * concurrent reporter, unless a hard budget forbids it (`maxRefreshesPerDay`, a provider's force
 * budget). The minimum interval only spaces calls that reports cause, so a consumer that rejects
 * every new version cannot drive more than one call per interval; scheduled refreshes do not
 * count against it. A request without `staleVersion` ("just refresh") waits out the interval
 * since the last call of any kind.
 */
import type { RefreshOutcome } from '../credential';
import type { RefreshRequest } from '../messages';
import { hasValidToken, lastCallAt, tokenView } from './credential-state';
import type { ForceBudget } from './force-budget';
import { forceVerdict, quotaVerdict } from './quota';
import type { CredentialState } from './state';

/** Why a request fails. */
export type RefreshFailure =
  | { failure: 'revoked' }
  | { failure: 'reauth' }
  | { failure: 'upstream' }
  | { failure: 'budget'; code: 'daily_quota' | 'force_budget' | 'cooldown'; nextAllowedAt: number };

/** The round a waiting request waits for, and what it had seen when it joined. */
export interface Join {
  seq: number;
  /** The attempt of the round in flight or next when the request joined. */
  attempt: number;
  /** The version current when the request joined. */
  version: number;
}

/** What a refresh request gets. */
export type RefreshDecision =
  | { kind: 'answer'; outcome: RefreshOutcome }
  | ({ kind: 'fail' } & RefreshFailure)
  | { kind: 'join'; join: Join }
  | { kind: 'start'; cause: 'report' | 'request'; forced: boolean };

/** Decides a refresh request at `now`; `budget` is the provider's force budget, if it has a force mode. */
export function decideRefresh(state: CredentialState, req: RefreshRequest, now: number, budget?: ForceBudget): RefreshDecision {
  if (state.status === 'revoked') return { kind: 'fail', failure: 'revoked' };
  const token = tokenView(state);
  const valid = hasValidToken(state, now);
  if (token && req.staleVersion !== undefined && state.version > req.staleVersion) {
    return { kind: 'answer', outcome: { token, refreshed: false, reason: 'superseded' } };
  }
  const round = state.round;
  if (round) {
    const backingOff = !round.inFlight && round.attempt > 1 && round.nextAttemptAt > now;
    if (!backingOff) return { kind: 'join', join: { seq: round.seq, attempt: round.attempt, version: state.version } };
    // Retrying after a failure: answer now with what there is instead of parking the request.
    if (token && valid) return { kind: 'answer', outcome: { token, refreshed: false, reason: 'upstream_failing' } };
    return state.status === 'reauth_required' ? { kind: 'fail', failure: 'reauth' } : { kind: 'fail', failure: 'upstream' };
  }
  if (state.status === 'reauth_required') return { kind: 'fail', failure: 'reauth' };
  const daily = quotaVerdict(state.recentCalls, state.policy, now, false);
  if (!daily.allowed) return decline(state, now, 'daily_quota', daily.nextAllowedAt);
  if (req.staleVersion !== undefined) {
    const cooldownUntil = state.lastReportCallAt !== undefined ? state.lastReportCallAt + state.policy.minRefreshIntervalMs : now;
    if (now < cooldownUntil && valid) return decline(state, now, 'cooldown', cooldownUntil);
    if (!budget) return { kind: 'start', cause: 'report', forced: true };
    const force = forceVerdict(state.forcedCalls, budget, now);
    if (!force.allowed && valid) return decline(state, now, 'force_budget', force.nextAllowedAt);
    return { kind: 'start', cause: 'report', forced: force.allowed };
  }
  const last = lastCallAt(state);
  if (last !== undefined && now < last + state.policy.minRefreshIntervalMs && valid) {
    return decline(state, now, 'cooldown', last + state.policy.minRefreshIntervalMs);
  }
  return { kind: 'start', cause: 'request', forced: false };
}

function decline(state: CredentialState, now: number, code: 'daily_quota' | 'force_budget' | 'cooldown', nextAllowedAt: number): RefreshDecision {
  const token = tokenView(state);
  if (token && hasValidToken(state, now)) return { kind: 'answer', outcome: { token, refreshed: false, reason: code } };
  return { kind: 'fail', failure: 'budget', code, nextAllowedAt };
}

/**
 * True once a waiting request can be answered: its round ended, or its attempt failed (waiters
 * are answered after the first failed attempt, not parked through a whole outage), or a newer
 * round replaced it, or the credential was revoked.
 */
export function waiterSettled(state: CredentialState, join: Join): boolean {
  if (state.status === 'revoked') return true;
  if (state.lastRound !== undefined && state.lastRound.seq >= join.seq) return true;
  if (state.round !== undefined && state.round.seq > join.seq) return true;
  const attempt = state.lastAttempt;
  return attempt !== undefined && attempt.seq === join.seq && attempt.attempt >= join.attempt && !attempt.ok;
}

/** The answer of a request whose wait has settled (see `waiterSettled`). */
export function waiterOutcome(state: CredentialState, req: RefreshRequest, join: Join, now: number): RefreshOutcome | RefreshFailure {
  if (state.status === 'revoked') return { failure: 'revoked' };
  if (state.status === 'reauth_required') return { failure: 'reauth' };
  const token = tokenView(state);
  const valid = token !== null && hasValidToken(state, now);
  const floor = req.staleVersion ?? join.version;
  if (token && valid && state.version > floor) return { token, refreshed: true };
  const ended = state.lastRound?.seq === join.seq ? state.lastRound : undefined;
  if (token && valid) {
    const reason = ended?.result === 'declined' ? ended.reason : ended?.result === 'same_token' ? 'same_token' : ended ? 'superseded' : 'upstream_failing';
    return { token, refreshed: false, ...(reason !== undefined ? { reason } : {}) };
  }
  if (ended?.result === 'declined') {
    const code = ended.reason === 'force_budget' || ended.reason === 'cooldown' ? ended.reason : 'daily_quota';
    return { failure: 'budget', code, nextAllowedAt: quotaVerdict(state.recentCalls, state.policy, now, false).nextAllowedAt };
  }
  return { failure: 'upstream' };
}

/**
 * State transitions of one credential, as pure functions over the plain-JSON `CredentialState`.
 * Handlers and the main loop call these; unit tests call them directly.
 */
import type { CredentialDescription, CredentialStatus, LastError, TokenSet, TokenView } from '../credential';
import { pruneCalls, quotaVerdict } from './quota';
import type { CredentialState, RoundCause, RoundEnd } from './state';

/** True when the state holds a token that has not expired at `now`. */
export function hasValidToken(state: CredentialState, now: number): boolean {
  return state.token !== undefined && state.token.expiresAt > now;
}

/** The consumer's view of the current token, or null before the first one. */
export function tokenView(state: CredentialState): TokenView | null {
  const t = state.token;
  if (!t) return null;
  return {
    accessToken: t.accessToken,
    tokenType: t.tokenType,
    expiresAt: t.expiresAt,
    version: state.version,
    status: state.status,
    ...(t.scope !== undefined ? { scope: t.scope } : {}),
    ...(t.metadata !== undefined ? { metadata: t.metadata } : {}),
  };
}

/** Deep equality of two plain-JSON values (object keys in any order). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Marks a change made by a handler, so the main loop wakes up and looks again. */
export function touch(state: CredentialState): void {
  state.stamp++;
}

/** Starts a refresh round (the caller checked that none is pending); returns its id. */
export function startRound(state: CredentialState, cause: RoundCause, forced: boolean, now: number): number {
  const seq = ++state.roundSeq;
  state.round = { seq, cause, forced, attempt: 1, nextAttemptAt: now, inFlight: false };
  if (!hasValidToken(state, now) && state.status !== 'reauth_required') state.status = 'refreshing';
  touch(state);
  return seq;
}

/** Ends the round under way. */
export function endRound(state: CredentialState, result: RoundEnd['result'], now: number, reason?: string): void {
  const seq = state.round?.seq ?? state.roundSeq;
  state.lastRound = { seq, result, at: now, ...(reason !== undefined ? { reason } : {}) };
  state.round = undefined;
}

/** Records the start of an upstream call in the quota logs. */
export function recordCall(state: CredentialState, now: number, options: { forced?: boolean; forcePerDay?: number; report?: boolean } = {}): void {
  state.recentCalls = pruneCalls(state.recentCalls, now).slice(-state.policy.maxRefreshesPerDay + 1);
  state.recentCalls.push(now);
  state.counts.upstreamCalls++;
  if (options.forced) state.forcedCalls = [...pruneCalls(state.forcedCalls, now), now].slice(-Math.max(1, options.forcePerDay ?? 1));
  if (options.report) state.lastReportCallAt = now;
}

/** The start of the last upstream call, if any. */
export function lastCallAt(state: CredentialState): number | undefined {
  return state.recentCalls[state.recentCalls.length - 1];
}

/**
 * Applies a successful answer. Returns true when it carried a new access token (version bumped);
 * a repeated token keeps its first `issuedAt` and the earlier expiry. A known refresh-token expiry
 * replaces the one held.
 */
export function applySuccess(state: CredentialState, token: TokenSet, refreshToken: string | undefined, now: number, refreshTokenExpiresAt?: number): boolean {
  const previous = state.token;
  const repeated = previous !== undefined && previous.accessToken === token.accessToken;
  if (repeated) {
    state.token = { ...token, issuedAt: previous.issuedAt, expiresAt: Math.min(previous.expiresAt, token.expiresAt) };
  } else {
    state.token = token;
    state.version++;
    state.counts.refreshes++;
  }
  if (refreshToken) state.grant = { ...state.grant, refreshToken };
  if (refreshTokenExpiresAt !== undefined) state.refreshTokenExpiresAt = refreshTokenExpiresAt;
  state.lastRefreshAt = now;
  state.lastError = undefined;
  state.reprobe = undefined;
  state.status = 'active';
  return !repeated;
}

/**
 * Records the client secret's declared expiry (undefined: none declared). The warning is kept per
 * expiry, so a new one re-arms `credential.client_secret_expiring`; the same one again does not.
 */
export function declareClientSecretExpiry(state: CredentialState, expiresAt: number | undefined): void {
  if (expiresAt === undefined) delete state.clientSecretExpiresAt;
  else state.clientSecretExpiresAt = expiresAt;
}

/** Keeps a refresh token the provider rotated to in an answer that failed otherwise (never replay the old one). */
export function keepRotatedRefreshToken(state: CredentialState, refreshToken: string | undefined): void {
  if (refreshToken && refreshToken !== state.grant.refreshToken) state.grant = { ...state.grant, refreshToken };
}

/** Applies a failed attempt and returns the status it leads to. */
export function applyFailure(state: CredentialState, error: LastError, now: number): CredentialStatus {
  state.counts.failures++;
  state.lastError = error;
  if (error.kind === 'reauth' || error.kind === 'configuration') {
    state.status = 'reauth_required';
  } else {
    state.status = hasValidToken(state, now) ? 'degraded' : 'expired';
  }
  return state.status;
}

/** A failing credential whose token has just expired is `expired`, no longer `degraded`; true when it changed. */
export function expireIfDue(state: CredentialState, now: number): boolean {
  if (state.status !== 'degraded' || hasValidToken(state, now)) return false;
  state.status = 'expired';
  return true;
}

/**
 * A report of a token that was only assumed to live this long shortens the lifetime assumed for
 * the next ones: the token was refused after `now - issuedAt`, so assume 90 % of that from now on.
 */
export function learnLifetime(state: CredentialState, now: number): void {
  const t = state.token;
  if (!t?.assumedLifetime || now >= t.expiresAt) return;
  const observed = Math.max(1_000, Math.round((now - t.issuedAt) * 0.9));
  state.learnedLifetimeMs = Math.min(state.learnedLifetimeMs ?? Number.POSITIVE_INFINITY, observed);
}

/** The `describe` answer (no secrets). */
export function describeState(state: CredentialState, now: number): CredentialDescription {
  const verdict = quotaVerdict(state.recentCalls, state.policy, now);
  const round = state.round;
  return {
    id: state.id,
    provider: state.provider,
    settings: state.settings,
    status: state.status,
    version: state.version,
    expiresAt: state.token?.expiresAt,
    issuedAt: state.token?.issuedAt,
    scope: state.token?.scope,
    lastRefreshAt: state.lastRefreshAt,
    nextRefreshAt: state.nextRefreshAt,
    lastError: state.lastError,
    ...(state.warning ? { warning: state.warning } : {}),
    ...(round ? { refresh: { cause: round.cause, attempt: round.attempt, nextAttemptAt: round.nextAttemptAt, inFlight: round.inFlight } } : {}),
    ...(state.reprobe ? { reprobeAt: state.reprobe.at } : {}),
    ...(state.refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt: state.refreshTokenExpiresAt } : {}),
    ...(state.clientSecretExpiresAt !== undefined ? { clientSecretExpiresAt: state.clientSecretExpiresAt } : {}),
    ...(state.status === 'reauth_required' && state.connectLink?.url ? { connectLink: { url: state.connectLink.url, expiresAt: state.connectLink.expiresAt } } : {}),
    counts: { ...state.counts },
    policy: { ...state.policy },
    quota: {
      callsLast24h: pruneCalls(state.recentCalls, now).length,
      maxPerDay: state.policy.maxRefreshesPerDay,
      minIntervalMs: state.policy.minRefreshIntervalMs,
      nextAllowedAt: verdict.nextAllowedAt,
    },
    hasRefreshToken: Boolean(state.grant.refreshToken),
    createdAt: state.createdAt,
    ...(state.parent !== undefined ? { parent: state.parent } : {}),
    ...(state.dependents?.length ? { dependents: state.dependents.map((d) => d.id) } : {}),
  };
}
export type { CredentialSpec } from './input';

/**
 * FROZEN (release v0.1.0, see ./credential-workflow.ts): do not change.
 *
 * State transitions of one credential, as pure functions over the plain-JSON `CredentialState`.
 * The workflow calls these; unit tests call them directly.
 */
import type {
  CredentialDescription,
  CredentialState,
  CredentialStatus,
  Grant,
  LastError,
  ProviderName,
  RefreshPolicy,
  TokenSet,
  TokenView,
} from './credential';
import { defaultPolicy } from './credential';
import { pruneCalls, quotaVerdict } from './quota';

/** What a new credential starts from (validated by the caller). */
export interface CredentialSpec {
  id: string;
  provider: ProviderName;
  config: Record<string, unknown>;
  /** Config fields shown by `describe` (the provider's non-secret settings). */
  settings?: Record<string, unknown>;
  grant: Grant;
  policy?: Partial<RefreshPolicy>;
  /** A token the caller already holds (e.g. from the authorization code exchange). */
  token?: TokenSet;
}

/** The state of a credential that was just registered. */
export function initialState(spec: CredentialSpec, now: number): CredentialState {
  return {
    id: spec.id,
    provider: spec.provider,
    config: spec.config,
    settings: spec.settings ?? {},
    grant: spec.grant,
    policy: { ...defaultPolicy, ...spec.policy },
    token: spec.token,
    version: spec.token ? 1 : 0,
    revision: 0,
    status: spec.token && spec.token.expiresAt > now ? 'active' : 'refreshing',
    recentCalls: [],
    counts: { refreshes: 0, upstreamCalls: 0, failures: 0, coalesced: 0, runs: 0 },
    cyclesThisRun: 0,
    createdAt: now,
  };
}

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
  };
}

/** Records the start of an upstream call in the quota log. */
export function recordCall(state: CredentialState, now: number): void {
  state.recentCalls = pruneCalls(state.recentCalls, now).slice(-state.policy.maxRefreshesPerDay + 1);
  state.recentCalls.push(now);
  state.counts.upstreamCalls++;
}

/** Starts of the forced calls of the last 24 hours. */
export function forcedCallsOf(state: CredentialState): number[] {
  return state.forcedCalls ?? [];
}

/** Records the start of a forced call (the provider's force mode) in its own log. */
export function recordForcedCall(state: CredentialState, now: number, perDay: number): void {
  state.forcedCalls = [...pruneCalls(forcedCallsOf(state), now), now].slice(-Math.max(1, perDay));
}

/** The start of the last upstream call, if any. */
export function lastCallAt(state: CredentialState): number | undefined {
  return state.recentCalls[state.recentCalls.length - 1];
}

/**
 * Applies a successful answer. Returns true when it carried a new access token (version bumped);
 * a repeated token keeps its first `issuedAt` and the earlier expiry.
 */
export function applySuccess(state: CredentialState, token: TokenSet, refreshToken: string | undefined, now: number): boolean {
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
  state.lastRefreshAt = now;
  state.lastError = undefined;
  state.status = 'active';
  return !repeated;
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

/** The `describe` answer (no secrets). */
export function describeState(state: CredentialState, now: number): CredentialDescription {
  const verdict = quotaVerdict(state.recentCalls, state.policy, now);
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
  };
}

/**
 * The workflow's side of the upstream call: the activity's options and input, and the mapping of
 * its failures to the credential's last error.
 *
 * Retries of the activity itself (a worker that crashed or stopped heartbeating) are left to the
 * server, which retries without adding history events; the next attempt recovers a saved answer
 * before it would call the provider (src/activities/refresh-credential.ts). Provider failures are
 * not retried by the server: they come back classified and the main loop decides.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { CredentialActivities, RefreshCredentialInput } from '../activities/contracts';
import type { LastError } from '../credential';
import { providerFailureType, type ProviderFailureDetails } from '../failure-types';
import { attemptSummary } from './operator-view';
import type { CredentialState } from './state';

/**
 * The activity heartbeats every second while the provider is answering, and once more with the
 * answer; the server notices a dead worker after this long and retries on another one. Ten
 * heartbeat intervals absorb an event loop stalled by load; a lagging attempt that is replaced
 * anyway is covered by the replacement waiting out its request (see the activity).
 */
export const heartbeatTimeoutMs = 10_000;

/** The activity proxy for a credential's policy. */
export function upstreamActivities(state: CredentialState): CredentialActivities {
  const timeoutMs = state.policy.upstreamTimeoutMs;
  return proxyActivities<CredentialActivities>({
    summary: attemptSummary(state),
    // A request is waited for up to two timeouts (the activity's answerWaitTimeouts); a retry after
    // a crash may first wait out the crashed attempt's request as long; a derived credential's
    // attempt may add a parent read and a parent refresh (a timeout each) and a second request.
    startToCloseTimeout: 6 * timeoutMs + 10_000,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', nonRetryableErrorTypes: [providerFailureType] },
    cancellationType: 'TRY_CANCEL',
  });
}

/** The input of one attempt. */
export function attemptInput(state: CredentialState, forced: boolean): RefreshCredentialInput {
  return {
    credentialId: state.id,
    provider: state.provider,
    config: state.config,
    grant: state.grant,
    current: state.token,
    forced,
    defaultLifetimeMs: state.learnedLifetimeMs ?? state.policy.defaultLifetimeMs,
    timeoutMs: state.policy.upstreamTimeoutMs,
    ...(typeof state.config.reuseGraceMs === 'number' ? { reuseGraceMs: state.config.reuseGraceMs } : {}),
    ...(state.refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt: state.refreshTokenExpiresAt } : {}),
    ...(state.parent !== undefined ? { parent: { id: state.parent, ...(state.parentVersion !== undefined ? { minVersion: state.parentVersion } : {}) } } : {}),
  };
}

/** A failed attempt, as the credential's last error plus what the provider asked for. */
export interface AttemptFailure {
  error: LastError;
  retryAfterMs?: number;
  /** A refresh token the provider rotated to in an answer that failed otherwise: keep it, never replay the old one. */
  rotatedRefreshToken?: string;
}

/** Turns an activity failure into the credential's last error (no secrets: providers scrub messages). */
export function toAttemptFailure(err: unknown, now: number): AttemptFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === providerFailureType) {
    const d = cause.details?.[0] as ProviderFailureDetails | undefined;
    if (d) {
      return {
        error: { kind: d.kind, code: d.code, message: d.message, at: now },
        ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
        ...(d.rotatedRefreshToken !== undefined ? { rotatedRefreshToken: d.rotatedRefreshToken } : {}),
      };
    }
  }
  const code = cause instanceof TimeoutFailure ? 'activity_timeout' : 'activity_failed';
  return { error: { kind: 'transient', code, message: 'the refresh activity did not complete', at: now } };
}

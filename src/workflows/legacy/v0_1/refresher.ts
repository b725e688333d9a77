/**
 * FROZEN (release v0.1.0, see ./credential-workflow.ts); patched only to hand off.
 *
 * The refresh engine of one credential, inside the workflow: runs the upstream call with retries,
 * applies the answer, mirrors it to Redis and keeps search attributes current. One refresh at a
 * time: every caller (timer, signal, update) joins the one in flight.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  proxyActivities,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CredentialActivities } from './activity-contracts';
import type { CredentialState, LastError } from './credential';
import { providerFailureType, type ProviderFailureDetails } from './failure-types';
import { expiresAtSearchAttribute, statusSearchAttribute } from './search-attributes';
import { forceBudgetOf } from './force-budget';
import { applyFailure, applySuccess, forcedCallsOf, hasValidToken, recordCall, recordForcedCall } from './credential-state';
import { forceVerdict, quotaVerdict } from './quota';
import { retryDelayMs } from './schedule';
import { handingOff } from './handoff';

/** How a refresh ended. */
export type RefreshResult =
  | { ok: true; newToken: boolean }
  | { ok: false; reason: 'revoked' | 'daily_quota' | 'force_budget' | 'handoff' }
  | { ok: false; reason: 'rejected'; error: LastError };

const publisher = proxyActivities<CredentialActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 milliseconds' },
});

function upstream(state: CredentialState): CredentialActivities {
  const timeoutMs = state.policy.upstreamTimeoutMs;
  return proxyActivities<CredentialActivities>({
    startToCloseTimeout: timeoutMs + 10_000,
    // The activity heartbeats once, right after the provider answered; a worker that dies
    // before completing is noticed after this long and the retry reads the heartbeat.
    heartbeatTimeout: timeoutMs + 2_000,
    retry: {
      initialInterval: '1 second',
      maximumInterval: '10 seconds',
      maximumAttempts: 5,
      nonRetryableErrorTypes: [providerFailureType],
    },
  });
}

/** Turns an activity failure into the credential's last error (no secrets: providers scrub messages). */
export function toLastError(err: unknown, now: number): { error: LastError; retryAfterMs?: number } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === providerFailureType) {
    const d = cause.details?.[0] as ProviderFailureDetails | undefined;
    if (d) return { error: { kind: d.kind, code: d.code, message: d.message, at: now }, retryAfterMs: d.retryAfterMs };
  }
  const code = cause instanceof TimeoutFailure ? 'activity_timeout' : 'activity_failed';
  return { error: { kind: 'transient', code, message: 'the refresh activity did not complete', at: now } };
}

/** Creates the engine for `state`; `isRevoked` ends waits and retries early. */
export function createRefresher(state: CredentialState, isRevoked: () => boolean) {
  let inFlight: Promise<RefreshResult> | undefined;
  let shown: { status?: string; expiresAt?: number } = {};

  function syncSearchAttributes(): void {
    const status = state.status;
    const expiresAt = state.token?.expiresAt;
    if (status === shown.status && expiresAt === shown.expiresAt) return;
    upsertSearchAttributes([
      { key: statusSearchAttribute, value: status },
      ...(expiresAt !== undefined ? [{ key: expiresAtSearchAttribute, value: new Date(expiresAt) }] : []),
    ]);
    shown = { status, expiresAt };
  }

  // Publications run one after another in the background: a refresh is answered as soon as its
  // state is applied, and a slow or absent Redis never delays callers or the schedule.
  let publishing: Promise<void> = Promise.resolve();

  /**
   * Mirrors the state as it is now to Redis, after the publications before it; a Redis fault is
   * logged and never stops the workflow. Await the result only where order matters (revoke, the
   * end of a run).
   */
  function publish(event: 'rotated' | 'status' | 'revoked'): Promise<void> {
    state.revision++;
    syncSearchAttributes();
    const t = state.token;
    const input = {
      credentialId: state.id,
      event,
      record: {
        accessToken: t?.accessToken,
        tokenType: t?.tokenType,
        expiresAt: t?.expiresAt,
        scope: t?.scope,
        version: state.version,
        revision: state.revision,
        status: state.status,
      },
    };
    publishing = publishing.then(async () => {
      try {
        await publisher.publishCredential(input);
      } catch (err) {
        // A cancelled workflow stops publishing; its own awaits see the cancellation.
        if (isCancellation(err)) return;
        log.warn('publishing to Redis failed; the workflow state stays the source of truth', {
          credentialId: input.credentialId,
          event,
          version: input.record.version,
        });
      }
    });
    return publishing;
  }

  /** Waits until `until`, turning `degraded` into `expired` when the token expires meanwhile. */
  async function pause(until: number): Promise<void> {
    while (!isRevoked() && Date.now() < until) {
      const expiry = state.token?.expiresAt;
      const wakeAt = state.status === 'degraded' && expiry !== undefined && expiry < until ? expiry : until;
      await condition(isRevoked, Math.max(1, wakeAt - Date.now()));
      if (state.status === 'degraded' && !hasValidToken(state, Date.now())) {
        state.status = 'expired';
        void publish('status');
      }
    }
  }

  async function run(forced: boolean): Promise<RefreshResult> {
    if (state.status === 'active') state.status = 'refreshing';
    for (let attempt = 1; ; attempt++) {
      if (isRevoked()) return { ok: false, reason: 'revoked' };
      if (handingOff()) return { ok: false, reason: 'handoff' };
      const verdict = quotaVerdict(state.recentCalls, state.policy, Date.now(), false);
      if (!verdict.allowed) {
        if (forced && attempt === 1 && hasValidToken(state, Date.now())) {
          if (state.status === 'refreshing') state.status = 'active';
          return { ok: false, reason: 'daily_quota' };
        }
        log.warn('daily refresh quota reached; waiting', { credentialId: state.id, until: verdict.nextAllowedAt });
        await pause(verdict.nextAllowedAt);
        continue;
      }
      // A provider with a force mode (WeChat stable_token) uses it only within the credential's own
      // budget. Past the budget, a request with a still valid token is answered with that token
      // and no call; a retry, or a credential without a valid token, makes an ordinary call.
      const budget = forced ? forceBudgetOf(state.provider, state.config) : undefined;
      let useForce = forced;
      if (budget) {
        const force = forceVerdict(forcedCallsOf(state), budget, Date.now());
        useForce = force.allowed;
        if (!force.allowed && attempt === 1 && hasValidToken(state, Date.now())) {
          if (state.status === 'refreshing') state.status = 'active';
          log.info('forced refresh declined: force budget spent', { credentialId: state.id, until: force.nextAllowedAt });
          return { ok: false, reason: 'force_budget' };
        }
        if (useForce) recordForcedCall(state, Date.now(), budget.perDay);
      }
      recordCall(state, Date.now());
      try {
        const result = await upstream(state).refreshCredential({
          credentialId: state.id,
          provider: state.provider,
          config: state.config,
          grant: state.grant,
          current: state.token,
          forced: useForce,
          defaultLifetimeMs: state.policy.defaultLifetimeMs,
          timeoutMs: state.policy.upstreamTimeoutMs,
        });
        if (isRevoked()) return { ok: false, reason: 'revoked' };
        const newToken = applySuccess(state, result.token, result.refreshToken, Date.now());
        void publish(newToken ? 'rotated' : 'status');
        return { ok: true, newToken };
      } catch (err) {
        if (isCancellation(err)) throw err;
        const { error, retryAfterMs } = toLastError(err, Date.now());
        const before = state.status;
        const status = applyFailure(state, error, Date.now());
        log.warn('refresh attempt failed', { credentialId: state.id, attempt, kind: error.kind, code: error.code });
        if (status !== before) void publish('status');
        if (status === 'reauth_required') return { ok: false, reason: 'rejected', error };
        await pause(Date.now() + retryDelayMs(attempt, state.policy, Date.now(), state.token?.expiresAt, retryAfterMs));
      }
    }
  }

  return {
    /** Starts a refresh, or joins the one in flight. `forced`: a consumer reported the token invalid. */
    refresh(forced: boolean): Promise<RefreshResult> {
      inFlight ??= run(forced).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    /** The refresh in flight, if any. */
    get inFlight(): Promise<RefreshResult> | undefined {
      return inFlight;
    },
    publish,
    /** Resolves when every publication started so far has finished. */
    published: (): Promise<void> => publishing,
    syncSearchAttributes,
  };
}

/** The refresh engine's interface. */
export type Refresher = ReturnType<typeof createRefresher>;

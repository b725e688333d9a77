/**
 * The main loop of a credential run: the only place that issues commands (activities, timers,
 * search attributes). Handlers only change the state and wait; the loop notices and acts. Because
 * an update's handler runs its synchronous part while the activation's jobs are applied, and the
 * loop continues only afterwards, the order in which an update and a timer or activity completion
 * arrive in one workflow task cannot change the commands: replay stays deterministic.
 */
import { condition, isCancellation, log, patched, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { RefreshCredentialResult } from '../activities/contracts';
import { applyFailure, applySuccess, endRound, expireIfDue, keepRotatedRefreshToken, recordCall, startRound } from './credential-state';
import { forceBudgetOf } from './force-budget';
import { admitAttempt, nextStep, scheduledAt, type RunFacts } from './next-step';
import { connectLinkDue, makeConnectLink } from './connect-link';
import { signalDependents } from './dependent-signals';
import { eventsOf, queueEvents } from './lifecycle-events';
import { flushEvents } from './notification';
import type { DecisionClock } from './decision-clock';
import { currentDetails, timerSummary } from './operator-view';
import { noteChange, publish } from './publication';
import { publishWithEvents } from './publish-and-notify';
import { isReprobed, reprobeDelayMs, retryDelayMs } from './schedule';
import type { CredentialState, Round } from './state';
import { attemptInput, toAttemptFailure, upstreamActivities } from './upstream';
import { takeExpiryWarnings, takeWarnings } from './warnings';

function runFacts(now: number): RunFacts {
  const info = workflowInfo();
  return { continueAsNewSuggested: info.continueAsNewSuggested, historyLength: info.historyLength, runAgeMs: now - info.runStartTime.getTime() };
}

/** Waits until `until` (or forever), or until a handler changes the state, or the server suggests continue-as-new. */
async function waitForChange(state: CredentialState, clock: DecisionClock, until: number | undefined): Promise<void> {
  const stamp = state.stamp;
  const changed = () => state.stamp !== stamp || workflowInfo().continueAsNewSuggested;
  if (until === undefined) await clock.server(() => condition(changed));
  else if (until > clock.now()) await clock.server(() => condition(changed, Math.max(1, until - Date.now()), { summary: timerSummary(state, until) }));
}

/** Runs one attempt of the round under way: admission, the upstream call, and what its outcome means. */
async function runAttempt(state: CredentialState, clock: DecisionClock, round: Round): Promise<void> {
  const budget = forceBudgetOf(state.provider, state.config);
  const admission = admitAttempt(state, round, clock.now(), budget);
  if (admission.kind === 'decline') {
    log.info('refresh declined', { credentialId: state.id, reason: admission.reason, cause: round.cause });
    endRound(state, 'declined', clock.now(), admission.reason);
    return;
  }
  if (admission.kind === 'wait') {
    log.warn('daily refresh quota reached; waiting', { credentialId: state.id, until: admission.until });
    state.lastAttempt = { seq: round.seq, attempt: round.attempt, ok: false, at: clock.now() };
    round.nextAttemptAt = admission.until;
    return;
  }
  recordCall(state, clock.now(), { forced: admission.useForce, forcePerDay: budget?.perDay, report: round.cause === 'report' && round.attempt === 1 });
  round.inFlight = true;
  // The attempt waits for its own activity only. (Waking also on a handler's change, a revoke or a
  // new grant, would race with the activity's completion when both arrive in one workflow task:
  // the handler's change is applied while the jobs are, the completion only in a later microtask,
  // so the decision would depend on the order of the jobs, which replay need not keep.) A request
  // in flight is never abandoned anyway: its answer may hold the rotated refresh token.
  let settled: { ok: true; value: RefreshCredentialResult } | { ok: false; error: unknown } | undefined;
  void upstreamActivities(state).refreshCredential(attemptInput(state, admission.useForce)).then(
    (value) => (settled = { ok: true, value }),
    (error: unknown) => (settled = { ok: false, error }),
  );
  await clock.server(() => condition(() => settled !== undefined));
  round.inFlight = false;
  const now = clock.now();
  if (!settled) return;
  if (state.status === 'revoked') return; // revoked meanwhile: the credential ends, whatever came back
  if (state.round !== round) return; // a new grant replaced this round meanwhile: the new round runs with it
  if (settled.ok) {
    const { token, refreshToken, warning, recovered, refreshTokenExpiresAt } = settled.value;
    const fresh = applySuccess(state, token, refreshToken, now, refreshTokenExpiresAt);
    state.warning = warning ? { ...warning, at: now } : undefined;
    state.lastAttempt = { seq: round.seq, attempt: round.attempt, ok: true, at: now };
    if (recovered) log.info('applied an answer recovered from a crashed attempt', { credentialId: state.id, recovered });
    endRound(state, fresh ? 'new_token' : 'same_token', now);
    state.cyclesThisRun++;
    return;
  }
  if (isCancellation(settled.error)) throw settled.error;
  const failure = toAttemptFailure(settled.error, now);
  keepRotatedRefreshToken(state, failure.rotatedRefreshToken);
  const status = applyFailure(state, failure.error, now);
  state.lastAttempt = { seq: round.seq, attempt: round.attempt, ok: false, at: now };
  log.warn('refresh attempt failed', { credentialId: state.id, attempt: round.attempt, kind: failure.error.kind, code: failure.error.code });
  if (status === 'reauth_required') {
    if (isReprobed(state.provider, failure.error)) {
      const count = state.reprobe?.count ?? 0;
      state.reprobe = { at: now + reprobeDelayMs(count), count: count + 1 };
    }
    endRound(state, 'rejected', now);
    return;
  }
  const seed = `${state.id}:${round.seq}:${round.attempt}`;
  round.nextAttemptAt = now + retryDelayMs(round.attempt, state.policy, now, state.token?.expiresAt, failure.retryAfterMs, seed);
  round.attempt++;
}

/** Runs the credential until it is revoked, or until this run should continue as new. */
export async function runMainLoop(state: CredentialState, clock: DecisionClock): Promise<'revoked' | 'continue_as_new'> {
  let shownDetails: string | undefined;
  for (;;) {
    if (state.status === 'revoked') return 'revoked';
    expireIfDue(state, clock.now());
    state.nextRefreshAt = state.round ? state.round.nextAttemptAt : scheduledAt(state);
    if (connectLinkDue(state)) await clock.server(() => makeConnectLink(state));
    const before = state.mirror.shown;
    const event = noteChange(state);
    queueEvents(state, takeWarnings(state, clock.now()));
    if (event) queueEvents(state, eventsOf(state, before, clock.now()));
    queueEvents(state, takeExpiryWarnings(state, clock.now(), patched));
    if (event && !state.mirror.off) await clock.local((stamp) => publishWithEvents(state, () => clock.now(), event, stamp));
    const details = currentDetails(state);
    if (details !== shownDetails) setCurrentDetails((shownDetails = details));
    const step = nextStep(state, clock.now(), runFacts(clock.now()));
    switch (step.kind) {
      case 'end':
        return 'revoked';
      case 'continue_as_new':
        return 'continue_as_new';
      case 'publish':
        await clock.local((stamp) => publish(state, () => clock.now(), undefined, stamp));
        break;
      case 'notify':
        await clock.local((stamp) => flushEvents(state, () => clock.now(), stamp));
        break;
      case 'dependents':
        await clock.server(() => signalDependents(state));
        break;
      case 'start':
        startRound(state, step.cause, false, clock.now());
        break;
      case 'attempt':
        if (state.round) await runAttempt(state, clock, state.round);
        break;
      case 'wait':
        await waitForChange(state, clock, step.until);
        break;
    }
  }
}

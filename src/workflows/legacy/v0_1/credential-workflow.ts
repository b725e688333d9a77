/**
 * FROZEN: the credential workflow of release v0.1.0, kept so that runs started by that release
 * replay deterministically (docs/operations.md, "Upgrading"). Do not change it except through
 * `patched()` markers. Its one patch (`handoffPatch`, see ./handoff.ts) ends the run at its next
 * step executed by a newer worker and continues it as new, where the current workflow code takes
 * over with the carried state.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { handingOff, handoffFailure } from './handoff';
import type { CredentialDescription, CredentialState, RefreshOutcome } from './credential';
import { reauthRequiredFailureType, refreshFailedFailureType, revokedFailureType } from './failure-types';
import {
  describeQuery,
  forceRefreshSignal,
  getTokenQuery,
  reauthorizeUpdate,
  reconfigureUpdate,
  refreshUpdate,
  revokeUpdate,
  type RefreshRequest,
} from './messages';
import { describeState, hasValidToken, lastCallAt, tokenView } from './credential-state';
import { quotaVerdict } from './quota';
import { createRefresher, type RefreshResult } from './refresher';
import { refreshDueAt } from './schedule';
import { validateReauthorizeRequest, validateReconfigureRequest, validateRefreshRequest } from './validators';

function failureFor(state: CredentialState, result: Exclude<RefreshResult, { ok: true }>): ApplicationFailure {
  if (result.reason === 'handoff') return handoffFailure();
  if (result.reason === 'revoked') {
    return ApplicationFailure.create({ type: revokedFailureType, message: 'credential revoked', nonRetryable: true });
  }
  if (result.reason === 'rejected') {
    return ApplicationFailure.create({
      type: reauthRequiredFailureType,
      message: `${result.error.code}: ${result.error.message}`,
      nonRetryable: true,
      details: [result.error],
    });
  }
  const code = result.reason;
  return ApplicationFailure.create({
    type: refreshFailedFailureType,
    message: `${state.id}: ${code === 'force_budget' ? 'force refresh budget spent' : 'daily refresh quota reached'}`,
    nonRetryable: true,
    details: [{ code }],
  });
}

/** Runs one credential until it is revoked (or cancelled); returns its final description. */
export async function legacyCredentialWorkflow(initial: CredentialState): Promise<CredentialDescription> {
  const state = initial;
  state.counts.runs++;
  state.cyclesThisRun = 0;
  let revoked = state.status === 'revoked';
  let forced: RefreshRequest | undefined;
  let wakeups = 0;
  const refresher = createRefresher(state, () => revoked);
  const canSuggested = () => workflowInfo().continueAsNewSuggested;

  /** Answers a refresh request: joins, declines (superseded/cooldown/quota) or runs a refresh. */
  async function answerRefresh(req: RefreshRequest): Promise<RefreshOutcome> {
    if (revoked) throw failureFor(state, { ok: false, reason: 'revoked' });
    const current = tokenView(state);
    if (current && req.staleVersion !== undefined && state.version > req.staleVersion) {
      state.counts.coalesced++;
      return { token: current, refreshed: false, reason: 'superseded' };
    }
    if (refresher.inFlight) {
      state.counts.coalesced++;
    } else {
      if (state.status === 'reauth_required' && state.lastError) {
        throw failureFor(state, { ok: false, reason: 'rejected', error: state.lastError });
      }
      const verdict = quotaVerdict(state.recentCalls, state.policy, Date.now());
      if (current && !verdict.allowed) {
        state.counts.coalesced++;
        return { token: current, refreshed: false, reason: verdict.reason };
      }
    }
    const result = await refresher.refresh(req.staleVersion !== undefined);
    const token = tokenView(state);
    if (!result.ok && result.reason === 'handoff' && token && hasValidToken(state, Date.now())) return { token, refreshed: false, reason: 'upgrading' };
    if (result.ok && token) return { token, refreshed: result.newToken, ...(result.newToken ? {} : { reason: 'same_token' }) };
    if (!result.ok && (result.reason === 'daily_quota' || result.reason === 'force_budget') && token) {
      state.counts.coalesced++;
      return { token, refreshed: false, reason: result.reason };
    }
    throw failureFor(state, result.ok ? { ok: false, reason: 'revoked' } : result);
  }

  setHandler(getTokenQuery, () => tokenView(state));
  setHandler(describeQuery, () => describeState(state, Date.now()));
  setHandler(
    forceRefreshSignal,
    (req) => {
      if (req?.staleVersion !== undefined && state.version > req.staleVersion) {
        state.counts.coalesced++;
        return;
      }
      forced = req ?? {};
    },
  );
  setHandler(refreshUpdate, (req) => answerRefresh(req ?? {}), { validator: validateRefreshRequest });
  setHandler(
    reauthorizeUpdate,
    async (req) => {
      if (revoked) throw failureFor(state, { ok: false, reason: 'revoked' });
      await refresher.inFlight;
      if (req.grant) state.grant = { ...req.grant };
      if (req.config) state.config = req.config;
      if (req.settings) state.settings = req.settings;
      state.lastError = undefined;
      state.status = 'refreshing';
      wakeups++;
      const result = await refresher.refresh(false);
      const token = tokenView(state);
      if (result.ok && token) return token;
      throw failureFor(state, result.ok ? { ok: false, reason: 'revoked' } : result);
    },
    { validator: (req) => validateReauthorizeRequest(state, req) },
  );
  setHandler(
    reconfigureUpdate,
    (req) => {
      if (req.policy) state.policy = { ...state.policy, ...req.policy };
      if (req.config) state.config = req.config;
      if (req.settings) state.settings = req.settings;
      if (req.config && state.status === 'reauth_required' && state.lastError?.kind === 'configuration') {
        state.status = 'refreshing';
        forced = { reason: 'reconfigured' };
      }
      wakeups++;
      return describeState(state, Date.now());
    },
    { validator: validateReconfigureRequest },
  );
  setHandler(revokeUpdate, (req) => {
    if (!revoked) log.info('credential revoked', { credentialId: state.id, reason: req?.reason });
    revoked = true;
    state.status = 'revoked';
    return describeState(state, Date.now());
  });

  try {
    if (state.revision === 0 && state.token) await refresher.publish('rotated');
    while (!revoked && !(state.cyclesThisRun >= state.policy.maxCyclesPerRun || canSuggested()) && !handingOff()) {
      if (state.status === 'reauth_required') {
        await condition(() => revoked || state.status !== 'reauth_required' || canSuggested());
        continue;
      }
      const due = state.token
        ? refreshDueAt(state.token, state.policy, `${state.id}:${state.version}`, lastCallAt(state))
        : Date.now();
      state.nextRefreshAt = due;
      const seen = { wakeups, call: lastCallAt(state) };
      const interrupted = () =>
        revoked || forced !== undefined || wakeups !== seen.wakeups || lastCallAt(state) !== seen.call || canSuggested();
      if (due > Date.now() && (await condition(interrupted, due - Date.now()))) {
        if (forced === undefined) continue;
        const req = forced;
        forced = undefined;
        const verdict = quotaVerdict(state.recentCalls, state.policy, Date.now());
        if (!verdict.allowed && hasValidToken(state, Date.now())) {
          state.counts.coalesced++;
          log.info('forced refresh declined', { credentialId: state.id, reason: verdict.reason, request: req.reason });
          continue;
        }
        await refresher.refresh(req.staleVersion !== undefined);
      } else {
        await refresher.refresh(false);
      }
      state.cyclesThisRun++;
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    revoked = true;
    state.status = 'revoked';
  }

  if (revoked) {
    await CancellationScope.nonCancellable(() => refresher.publish('revoked'));
    return describeState(state, Date.now());
  }
  await condition(allHandlersFinished);
  await refresher.published();
  log.info('continuing as new', { credentialId: state.id, cycles: state.cyclesThisRun, version: state.version });
  const continueAsNew = makeContinueAsNewFunc<typeof legacyCredentialWorkflow>({
    typedSearchAttributes: workflowInfo().typedSearchAttributes,
  });
  return continueAsNew(state);
}

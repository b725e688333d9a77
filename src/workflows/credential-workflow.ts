/**
 * The credential workflow: one per credential, id `credential:<id>`. It wires the message handlers
 * (./handlers.ts) to the state and runs the main loop (./main-loop.ts), which sleeps until the
 * refresh instant, refreshes, publishes, and ends the run with continue-as-new before its history
 * grows large. Runs started by release v0.1.0 replay on the frozen code in ./legacy/v0_1 and hand
 * over to this code at their next step.
 */
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { CredentialDescription } from '../credential';
import {
  addDependentSignal,
  describeQuery,
  forceRefreshSignal,
  getTokenQuery,
  parentRotatedSignal,
  pushKeysQuery,
  reauthorizeUpdate,
  reconfigureUpdate,
  refreshUpdate,
  registerUpdate,
  revokeUpdate,
} from '../messages';
import { describeState, tokenView } from './credential-state';
import { DecisionClock, decisionClockPatch, stampedClockPatch } from './decision-clock';
import { derivedCredentialsPatch, signalDependents } from './dependent-signals';
import { onAddDependent, onParentRotated } from './dependents';
import { onForceRefresh, onReauthorize, onReconfigure, onRefresh, onRegister, onRevoke } from './handlers';
import { stateFromInput, type CredentialWorkflowInput } from './input';
import { legacyCredentialWorkflow } from './legacy/v0_1/credential-workflow';
import { runMainLoop } from './main-loop';
import { pushKeysOf } from '../platform/push-kinds';
import { eventsOf, queueEvents } from './lifecycle-events';
import { flushEvents } from './notification';
import { noteChange, publish } from './publication';
import type { CredentialState } from './state';
import type { ReauthorizeRequest, RegisterRequest } from '../messages';
import {
  refuseWhileDraining,
  validateReauthorizeRequest,
  validateReconfigureRequest,
  validateRefreshRequest,
  validateRegisterRequest,
} from './validators';

/**
 * Marks runs of this code that start from a v0.1.0 state (a v0.1.0 run continued as new): their
 * history carries the marker; a v0.1.0 run being replayed has none at its start.
 */
export const currentCodePatch = 'halflife-v0.2-workflow';

/** True for a run of release v0.1.0 being replayed (raw state input and no marker of this code). */
function isV01Replay(input: unknown): boolean {
  const raw = typeof input === 'object' && input !== null && !('spec' in input) && !('state' in input) && !('format' in input);
  return raw && !patched(currentCodePatch);
}

function wireHandlers(state: CredentialState): void {
  setHandler(getTokenQuery, () => tokenView(state));
  setHandler(describeQuery, () => describeState(state, Date.now()));
  setHandler(pushKeysQuery, () => pushKeysOf(state.provider, state.config));
  setHandler(forceRefreshSignal, (req) => onForceRefresh(state, req));
  const open = <T>(validate?: (req: T) => void) => (req: T) => {
    refuseWhileDraining(state);
    validate?.(req);
  };
  setHandler(refreshUpdate, (req) => onRefresh(state, req), { validator: open(validateRefreshRequest) });
  setHandler(registerUpdate, (req) => onRegister(state, req), { validator: open<RegisterRequest>((req) => validateRegisterRequest(state, req)) });
  setHandler(reauthorizeUpdate, (req) => onReauthorize(state, req), { validator: open<ReauthorizeRequest>((req) => validateReauthorizeRequest(state, req)) });
  setHandler(reconfigureUpdate, (req) => onReconfigure(state, req), { validator: open(validateReconfigureRequest) });
  setHandler(revokeUpdate, (req) => onRevoke(state, req?.reason));
  setHandler(addDependentSignal, (req) => {
    const outcome = onAddDependent(state, req);
    if (outcome === 'bad_request' || outcome === 'full') log.warn('derived credential not added', { credentialId: state.id, outcome });
  });
  // Guarded: a history in which a worker without this handler got the signal replays unchanged.
  setHandler(parentRotatedSignal, (req) => {
    if (patched(derivedCredentialsPatch) && onParentRotated(state, req, Date.now()) === 'not_parent') log.info('ignored parentRotated from a credential that is not the parent', { credentialId: state.id });
  });
}

/** Runs one credential until it is revoked (or cancelled); returns its final description. */
export async function credentialWorkflow(input: CredentialWorkflowInput): Promise<CredentialDescription> {
  if (isV01Replay(input)) return legacyCredentialWorkflow(input as never);
  const state = stateFromInput(input, Date.now());
  state.counts.runs++;
  state.cyclesThisRun = 0;
  wireHandlers(state);
  const clock = new DecisionClock(patched(decisionClockPatch), patched(stampedClockPatch));

  try {
    for (;;) {
      if ((await runMainLoop(state, clock)) === 'revoked') break;
      // Continue as new only with nothing in flight: every handler finished, no round due now. A
      // request arriving meanwhile is refused by the validators and retried by the client on the
      // next run; a round that became due goes back to the loop first.
      state.draining = true;
      await clock.server(() => condition(() => allHandlersFinished() || (state.round !== undefined && state.round.nextAttemptAt <= clock.now())));
      if (allHandlersFinished() && !(state.round && state.round.nextAttemptAt <= clock.now())) {
        log.info('continuing as new', { credentialId: state.id, cycles: state.cyclesThisRun, version: state.version });
        const continueAsNew = makeContinueAsNewFunc<typeof credentialWorkflow>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
        return await continueAsNew({ state: { ...state, draining: undefined } });
      }
      state.draining = false;
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    state.status = 'revoked';
  }
  // Revoked: wake every waiting handler (they answer `revoked`), then leave a tombstone in Redis,
  // retried while Redis might still serve the old token (its key expires with the token).
  await CancellationScope.nonCancellable(async () => {
    await clock.server(() => condition(allHandlersFinished));
    const before = state.mirror.shown;
    if (noteChange(state)) queueEvents(state, eventsOf(state, before, clock.now()));
    await clock.local((stamp) => flushEvents(state, () => clock.now(), stamp));
    await clock.server(() => signalDependents(state, true)); // derived credentials report the parent's end at once
    for (;;) {
      await clock.local((stamp) => publish(state, () => clock.now(), 'revoked', stamp));
      const servedUntil = state.token?.expiresAt ?? 0;
      if (state.mirror.off || state.mirror.revision >= state.revision || clock.now() >= servedUntil) break;
      const wakeAt = Math.min(state.mirror.retryAt ?? clock.now() + 1_000, servedUntil);
      await clock.server(() => sleep(Math.max(1, wakeAt - Date.now())));
    }
  });
  return describeState(state, clock.now());
}

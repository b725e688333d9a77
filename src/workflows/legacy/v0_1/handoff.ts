/**
 * The hand-off patch of the frozen v0.1.0 workflow: at its first step executed live by a newer
 * worker (a loop iteration or a refresh attempt), a v0.1.0 run stops and continues as new, so the
 * current workflow code takes over with the carried state. While replaying v0.1.0 history the patch
 * is absent and the frozen code runs exactly as it did.
 */
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { retryOnNewRunFailureType } from '../../../failure-types';

/** The `patched()` id of the hand-off. */
export const handoffPatch = 'halflife-v0.1-handoff';

/** True once this run executes live on a worker that knows the hand-off (never while replaying v0.1.0 history). */
export function handingOff(): boolean {
  return patched(handoffPatch);
}

/** The failure an update gets when it met the hand-off: the client retries it on the new run. */
export function handoffFailure(): ApplicationFailure {
  return ApplicationFailure.create({
    type: retryOnNewRunFailureType,
    message: 'the credential is moving to a new workflow run (upgrade); retry the request',
    nonRetryable: true,
  });
}

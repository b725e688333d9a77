/**
 * The parent's side of derived credentials that issues commands: signalling `parentRotated` to
 * each dependent not yet told of the current version (the main loop calls it after a new version
 * was published), or to every dependent when the parent is revoked. A dependent that cannot be
 * signalled (it was revoked: its workflow has completed) is dropped; a live one that was dropped
 * by mistake announces itself again at its next refresh.
 *
 * Guarded by `patched(derivedCredentialsPatch)`: the commands exist only in runs of code that has
 * them, and only when there are dependents, which no run of older code ever had.
 */
import { getExternalWorkflowHandle, log, patched } from '@temporalio/workflow';
import { credentialWorkflowId, parentRotatedSignal } from '../messages';
import { noteDependentsTold } from './dependents';
import type { CredentialState } from './state';

/** The patch marking runs whose parent credentials signal their dependents. */
export const derivedCredentialsPatch = 'halflife-derived-credentials';

/** Signals the dependents that need it (all of them with `revoked`); never throws (but for cancellation). */
export async function signalDependents(state: CredentialState, revoked = false): Promise<void> {
  const version = state.version;
  const due = (state.dependents ?? []).filter((d) => revoked || d.version < version).map((d) => d.id);
  if (due.length === 0) return;
  if (!patched(derivedCredentialsPatch)) {
    noteDependentsTold(state, version, due, []);
    return;
  }
  const request = { parentId: state.id, version, ...(revoked ? { revoked: true } : {}) };
  const results = await Promise.allSettled(due.map((id) => getExternalWorkflowHandle(credentialWorkflowId(id)).signal(parentRotatedSignal, request)));
  const gone = due.filter((_, i) => results[i]?.status === 'rejected');
  if (gone.length > 0) log.info('derived credentials could not be signalled (revoked?); forgetting them', { credentialId: state.id, dependents: gone });
  noteDependentsTold(state, version, due, gone);
}

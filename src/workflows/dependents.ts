/**
 * Derived credentials (a WeChat JS-SDK ticket obtained with a `wechat` credential's token), as
 * state over both ends of the link. The derived credential names its `parent`; its refresh
 * activity reads the parent's current token and, the first time, announces it to the parent
 * (`addDependent`). The parent keeps its dependents in its state (carried over continue-as-new,
 * at most `maxDependents`) and, after each new version, the main loop signals every dependent that
 * has not yet been told (`parentRotated`, ./dependent-signals.ts); the dependent refreshes at once.
 *
 * These are the handlers and the pure decisions: they change state and never issue commands (nor
 * log: they say what they did, and the wiring logs what is worth it).
 */
import type { AddDependentRequest, ParentRotatedRequest } from '../messages';
import { lastCallAt, startRound, touch } from './credential-state';
import type { CredentialState } from './state';

/** Most dependents one parent keeps (a WeChat app has two tickets, a WeCom corp one per agent). */
export const maxDependents = 100;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** `addDependent` signal: remembers a derived credential. Signals never throw: says `bad_request` or `full` instead. */
export function onAddDependent(state: CredentialState, req: AddDependentRequest | undefined): 'added' | 'known' | 'bad_request' | 'full' | 'revoked' {
  if (!req || typeof req.id !== 'string' || !idPattern.test(req.id) || req.id === state.id || !isVersion(req.version)) return 'bad_request';
  if (state.status === 'revoked') return 'revoked';
  const list = state.dependents ?? [];
  const known = list.find((d) => d.id === req.id);
  if (known) {
    if (req.version > known.version) known.version = req.version;
    return 'known';
  }
  if (list.length >= maxDependents) return 'full';
  // No `touch`: the loop need not wake. A dependent announces the version it has seen, normally the
  // current one; one that missed a version meanwhile is told at the loop's next turn. (Not waking
  // also keeps replay unchanged for a history in which a worker without this handler got the signal.)
  state.dependents = [...list, { id: req.id, version: req.version }];
  return 'added';
}

/** True when some dependent has not been told of the current version. */
export function dependentsDue(state: CredentialState): boolean {
  return state.status !== 'revoked' && (state.dependents ?? []).some((d) => d.version < state.version);
}

/**
 * `parentRotated` signal: the parent has a new version (or ended), so refresh now: start a round,
 * or bring forward one that waits. The derived credential's cooldown (`minRefreshIntervalMs`
 * since its last call) still spaces the calls, so a parent rotating in a burst cannot drive the
 * derived endpoint's quota down. A parked credential (`reauth_required`) tries again too: the
 * parent may be what it waited for.
 */
export function onParentRotated(state: CredentialState, req: ParentRotatedRequest | undefined, now: number): 'refresh' | 'not_parent' | 'revoked' {
  if (!req || req.parentId !== state.parent || !isVersion(req.version)) return 'not_parent';
  if (state.status === 'revoked') return 'revoked';
  state.parentVersion = Math.max(state.parentVersion ?? 0, req.version);
  const last = lastCallAt(state);
  const at = Math.max(now, last !== undefined ? last + state.policy.minRefreshIntervalMs : now);
  const round = state.round;
  if (round) {
    if (!round.inFlight && round.nextAttemptAt > at) {
      round.nextAttemptAt = at;
      touch(state);
    }
    return 'refresh';
  }
  state.reprobe = undefined;
  startRound(state, 'parent', false, now);
  if (state.round) state.round.nextAttemptAt = at;
  return 'refresh';
}

/** Records that `told` dependents now know `version`; drops the ones that could not be signalled (revoked). */
export function noteDependentsTold(state: CredentialState, version: number, told: readonly string[], gone: readonly string[]): void {
  const toldSet = new Set(told);
  const goneSet = new Set(gone);
  state.dependents = (state.dependents ?? []).filter((d) => !goneSet.has(d.id)).map((d) => (toldSet.has(d.id) ? { ...d, version: Math.max(d.version, version) } : d));
}

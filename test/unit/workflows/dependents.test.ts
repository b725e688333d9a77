/**
 * Derived credentials as state: the parent's list of dependents (bounded, plain JSON, due when a
 * dependent has not been told of the current version), and the dependent's reaction to
 * `parentRotated` (a round now, or after its cooldown; a parked credential tries again).
 */
import { applyFailure, applySuccess, describeState, recordCall } from '../../../src/workflows/credential-state';
import { dependentsDue, maxDependents, noteDependentsTold, onAddDependent, onParentRotated } from '../../../src/workflows/dependents';
import { initialState } from '../../../src/workflows/input';
import { nextStep } from '../../../src/workflows/next-step';

const run = { continueAsNewSuggested: false, historyLength: 10, runAgeMs: 0 };
const token = (accessToken: string, issuedAt: number, expiresAt: number) => ({ accessToken, tokenType: 'Bearer', issuedAt, expiresAt });

function parentAt(now: number) {
  const state = initialState({ id: 'wx-main', provider: 'wechat', config: {}, grant: {} }, now);
  applySuccess(state, token('at-1', now, now + 7_200_000), undefined, now);
  state.round = undefined;
  return state;
}

function childAt(now: number) {
  const state = initialState({ id: 'wx-ticket', provider: 'wechat', config: {}, grant: {}, parent: 'wx-main' }, now);
  recordCall(state, now);
  applySuccess(state, token('ticket-1', now, now + 7_200_000), undefined, now);
  state.round = undefined;
  return state;
}

describe('the parent side', () => {
  it('keeps each dependent once, with the newest version it has seen, and survives a JSON round trip', () => {
    const parent = parentAt(0);
    expect(onAddDependent(parent, { id: 'wx-ticket', version: 1 })).toBe('added');
    expect(onAddDependent(parent, { id: 'wx-ticket', version: 1 })).toBe('known');
    expect(onAddDependent(parent, { id: 'wx-card', version: 0 })).toBe('added');
    expect(parent.dependents).toEqual([{ id: 'wx-ticket', version: 1 }, { id: 'wx-card', version: 0 }]);
    expect(JSON.parse(JSON.stringify(parent))).toEqual(parent);
    expect(describeState(parent, 0).dependents).toEqual(['wx-ticket', 'wx-card']);
  });

  it('refuses bad announcements and itself, and stops at the bound', () => {
    const parent = parentAt(0);
    for (const bad of [undefined, { id: '', version: 1 }, { id: '../x', version: 1 }, { id: 'ok', version: -1 }, { id: 'ok', version: 1.5 }, { id: 'wx-main', version: 1 }]) {
      expect(onAddDependent(parent, bad as never)).toBe('bad_request');
    }
    for (let i = 0; i < maxDependents; i++) expect(onAddDependent(parent, { id: `d-${i}`, version: 1 })).toBe('added');
    expect(onAddDependent(parent, { id: 'one-more', version: 1 })).toBe('full');
    expect(parent.dependents).toHaveLength(maxDependents);
  });

  it('is due once a dependent lags the current version, and the loop signals before anything else but publication', () => {
    const parent = parentAt(0);
    onAddDependent(parent, { id: 'wx-ticket', version: 1 });
    parent.mirror.revision = parent.revision;
    expect(dependentsDue(parent)).toBe(false);
    applySuccess(parent, token('at-2', 1000, 7_201_000), undefined, 1000);
    expect(parent.version).toBe(2);
    expect(dependentsDue(parent)).toBe(true);
    parent.mirror.revision = parent.revision - 1;
    expect(nextStep(parent, 1000, run).kind).toBe('publish');
    parent.mirror.revision = parent.revision;
    expect(nextStep(parent, 1000, run).kind).toBe('dependents');
    noteDependentsTold(parent, 2, ['wx-ticket'], []);
    expect(dependentsDue(parent)).toBe(false);
    expect(nextStep(parent, 1000, run).kind).toBe('wait');
  });

  it('forgets dependents that could not be signalled, and a credential without any is never due', () => {
    const parent = parentAt(0);
    expect(dependentsDue(parent)).toBe(false);
    onAddDependent(parent, { id: 'gone', version: 0 });
    onAddDependent(parent, { id: 'alive', version: 0 });
    noteDependentsTold(parent, 1, ['gone', 'alive'], ['gone']);
    expect(parent.dependents).toEqual([{ id: 'alive', version: 1 }]);
  });
});

describe('the dependent side', () => {
  it('starts a round at once when its last call is older than the cooldown', () => {
    const child = childAt(0);
    const now = child.policy.minRefreshIntervalMs + 1;
    expect(onParentRotated(child, { parentId: 'wx-main', version: 2 }, now)).toBe('refresh');
    expect(child.round).toMatchObject({ cause: 'parent', nextAttemptAt: now });
    expect(child.parentVersion).toBe(2);
    expect(nextStep(child, now, run).kind).toBe('attempt');
  });

  it('spaces calls by its cooldown when the parent rotates in a burst', () => {
    const child = childAt(0);
    expect(onParentRotated(child, { parentId: 'wx-main', version: 2 }, 100)).toBe('refresh');
    expect(child.round?.nextAttemptAt).toBe(child.policy.minRefreshIntervalMs);
  });

  it('brings a waiting round forward, and leaves one in flight alone', () => {
    const child = childAt(0);
    child.round = { seq: 9, cause: 'scheduled', forced: false, attempt: 3, nextAttemptAt: 500_000, inFlight: false };
    onParentRotated(child, { parentId: 'wx-main', version: 2 }, 20_000);
    expect(child.round.nextAttemptAt).toBe(20_000);
    child.round = { seq: 10, cause: 'scheduled', forced: false, attempt: 1, nextAttemptAt: 20_000, inFlight: true };
    onParentRotated(child, { parentId: 'wx-main', version: 3 }, 30_000);
    expect(child.round).toMatchObject({ seq: 10, nextAttemptAt: 20_000 });
    expect(child.parentVersion).toBe(3);
  });

  it('tries again from reauth_required (the parent may be what it waited for)', () => {
    const child = childAt(0);
    applyFailure(child, { kind: 'configuration', code: 'parent_reauth_required', message: 'the parent credential wx-main is reauth_required', at: 1 }, 1);
    child.reprobe = { at: 3_600_000, count: 1 };
    expect(child.status).toBe('reauth_required');
    onParentRotated(child, { parentId: 'wx-main', version: 2 }, 60_000);
    expect(child.round?.cause).toBe('parent');
    expect(child.reprobe).toBeUndefined();
  });

  it('ignores a signal from another credential, and does nothing once revoked', () => {
    const child = childAt(0);
    expect(onParentRotated(child, { parentId: 'someone-else', version: 5 }, 60_000)).toBe('not_parent');
    expect(child.round).toBeUndefined();
    child.status = 'revoked';
    expect(onParentRotated(child, { parentId: 'wx-main', version: 5 }, 60_000)).toBe('revoked');
    expect(child.round).toBeUndefined();
  });
});

/**
 * The expiry warnings of ./warnings.ts as pure decisions: `credential.client_secret_expiring` due
 * `expiryWarningLeadMs` before the declared expiry, once per expiry, re-armed by a new one; the
 * loop's wake-up for a warning due before the next refresh; each behind its own patch (a history
 * without the marker never gets the warning or the shorter timer).
 */
import { applySuccess, declareClientSecretExpiry, describeState } from '../../../src/workflows/credential-state';
import { initialState, migrateState } from '../../../src/workflows/input';
import { nextStep } from '../../../src/workflows/next-step';
import type { CredentialState } from '../../../src/workflows/state';
import { clientSecretExpiryEvent, expiryWarningLeadMs, expiryWarningPatches, takeExpiryWarnings } from '../../../src/workflows/warnings';

const DAY = 86_400_000;
const run = { continueAsNewSuggested: false, historyLength: 10, runAgeMs: 0 };
const spec = { id: 'c1', provider: 'oauth2' as const, config: { clientSecret: 's' }, settings: {}, grant: { refreshToken: 'rt' } };

/** A credential holding a token that lives `lifetimeMs` from 0, the client secret dying at `secretAt`. */
function credential(secretAt: number | undefined, lifetimeMs = 30 * DAY): CredentialState {
  const state = initialState({ ...spec, ...(secretAt !== undefined ? { clientSecretExpiresAt: secretAt } : {}) }, 0);
  applySuccess(state, { accessToken: 'at-1', tokenType: 'Bearer', issuedAt: 0, expiresAt: lifetimeMs }, undefined, 0);
  state.round = undefined;
  return state;
}

/** Every patch applies (a new run), and the ones asked for are recorded. */
function patches(applied = true) {
  const asked: string[] = [];
  return { asked, isPatched: (id: string) => (asked.push(id), applied) };
}

describe('clientSecretExpiryEvent', () => {
  const secretAt = 20 * DAY;

  it('is due from the lead on, carrying the expiry, with an id per expiry', () => {
    const state = credential(secretAt);
    expect(clientSecretExpiryEvent(state, secretAt - expiryWarningLeadMs - 1)).toBeUndefined();
    const event = clientSecretExpiryEvent(state, secretAt - expiryWarningLeadMs);
    expect(event).toMatchObject({ type: 'credential.client_secret_expiring', credentialId: 'c1', status: 'active', version: 1, data: { clientSecretExpiresAt: secretAt } });
    expect(event?.id).toBe(`c1:0:${secretAt}:credential.client_secret_expiring`);
    expect(clientSecretExpiryEvent(state, secretAt + DAY)).toBeDefined(); // past the expiry: still said once
  });

  it('is not due without a declared expiry, or for a revoked credential', () => {
    expect(clientSecretExpiryEvent(credential(undefined), 100 * DAY)).toBeUndefined();
    expect(clientSecretExpiryEvent({ ...credential(secretAt), status: 'revoked' }, secretAt)).toBeUndefined();
  });
});

describe('takeExpiryWarnings', () => {
  it('sends the client-secret warning once per expiry, and again for a new expiry', () => {
    const state = credential(20 * DAY);
    const { isPatched } = patches();
    expect(takeExpiryWarnings(state, 13 * DAY - 1, isPatched)).toEqual([]);
    const [first, ...more] = takeExpiryWarnings(state, 13 * DAY, isPatched);
    expect(more).toEqual([]);
    expect(first?.type).toBe('credential.client_secret_expiring');
    expect(takeExpiryWarnings(state, 14 * DAY, isPatched)).toEqual([]);
    // The same expiry declared again (a retried reconfiguration) is not a new one.
    declareClientSecretExpiry(state, 20 * DAY);
    expect(takeExpiryWarnings(state, 15 * DAY, isPatched)).toEqual([]);
    // The secret was rotated: a new expiry re-arms the warning, due from its own lead.
    declareClientSecretExpiry(state, 400 * DAY);
    expect(takeExpiryWarnings(state, 16 * DAY, isPatched)).toEqual([]);
    const again = takeExpiryWarnings(state, 393 * DAY, isPatched);
    expect(again.map((e) => [e.type, e.data])).toEqual([['credential.client_secret_expiring', { clientSecretExpiresAt: 400 * DAY }]]);
    expect(again[0]?.id).not.toBe(first?.id);
    // Forgotten: nothing more.
    declareClientSecretExpiry(state, undefined);
    expect(takeExpiryWarnings(state, 399 * DAY, isPatched)).toEqual([]);
    expect(state).not.toHaveProperty('clientSecretExpiresAt');
  });

  it('wakes the loop when the warning falls due before the next refresh, and not after it was sent', () => {
    const state = credential(20 * DAY);
    const { isPatched } = patches();
    // The token lives 30 days: its refresh is due near day 15, the warning on day 13.
    expect(takeExpiryWarnings(state, DAY, isPatched)).toEqual([]);
    expect(state.warned?.wakeAt).toBe(13 * DAY);
    expect(nextStep(state, DAY, run)).toEqual({ kind: 'wait', until: 13 * DAY });
    takeExpiryWarnings(state, 13 * DAY, isPatched);
    expect(state.warned).toEqual({ clientSecretFor: 20 * DAY });
    expect(nextStep(state, 13 * DAY, run)).toMatchObject({ kind: 'wait' });
    expect((nextStep(state, 13 * DAY, run) as { until: number }).until).toBeGreaterThan(14 * DAY);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('wakes for a refresh token that outlives the lead the same way, behind its own patch', () => {
    const state = credential(undefined);
    applySuccess(state, { accessToken: 'at-1', tokenType: 'Bearer', issuedAt: 0, expiresAt: 30 * DAY }, undefined, 0, 10 * DAY);
    const { asked, isPatched } = patches();
    expect(takeExpiryWarnings(state, DAY, isPatched)).toEqual([]);
    expect(asked).toEqual([expiryWarningPatches.refreshTokenWake]);
    expect(nextStep(state, DAY, run)).toEqual({ kind: 'wait', until: 3 * DAY });
    expect(takeExpiryWarnings(state, 3 * DAY, isPatched).map((e) => e.type)).toEqual(['credential.refresh_token_expiring']);
    expect(asked).toContain(expiryWarningPatches.refreshToken);
    expect(state.refreshTokenWarnedFor).toBe(10 * DAY);
    expect(state.warned?.wakeAt).toBeUndefined();
  });

  it('replaying a history without the markers: no warning, no marker recorded, no shorter timer', () => {
    const state = credential(20 * DAY);
    applySuccess(state, { accessToken: 'at-1', tokenType: 'Bearer', issuedAt: 0, expiresAt: 30 * DAY }, undefined, 0, 25 * DAY);
    const { asked, isPatched } = patches(false);
    expect(takeExpiryWarnings(state, DAY, isPatched)).toEqual([]);
    expect(state.warned?.wakeAt).toBeUndefined();
    expect(takeExpiryWarnings(state, 19 * DAY, isPatched)).toEqual([]);
    expect(state.refreshTokenWarnedFor).toBeUndefined();
    expect(new Set(asked)).toEqual(new Set(Object.values(expiryWarningPatches)));
  });

  it('asks no patch of a credential with no known expiry (every recorded release history)', () => {
    const state = credential(undefined);
    const { asked, isPatched } = patches();
    expect(takeExpiryWarnings(state, 100 * DAY, isPatched)).toEqual([]);
    expect(asked).toEqual([]);
    expect(state.warned).toBeUndefined();
  });

  it('the declared expiry survives continue-as-new and is shown by describe', () => {
    const state = credential(20 * DAY);
    const carried = migrateState(JSON.parse(JSON.stringify(state)) as Record<string, unknown>, DAY);
    expect(carried.clientSecretExpiresAt).toBe(20 * DAY);
    expect(describeState(carried, DAY).clientSecretExpiresAt).toBe(20 * DAY);
    expect(describeState(credential(undefined), DAY)).not.toHaveProperty('clientSecretExpiresAt');
  });
});

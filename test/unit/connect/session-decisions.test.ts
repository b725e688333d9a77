/**
 * The pure decisions of a connect session: which requests a session still takes (once, before
 * its expiry, in its mode), how the provider's answer and activity failures end it, and that
 * provider-supplied text is cut to one safe line.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { connectFailureType, connectSessionClosedFailureType, type ConnectSessionInput } from '../../../src/connect/messages';
import {
  callbackErrorOutcome, closedReason, connectedOutcome, expiredOutcome, failureOutcome, noRefreshTokenOutcome, providerText, refuseUnlessOpen,
} from '../../../src/workflows/connect/session-decisions';
import { initialSessionState, sessionView } from '../../../src/workflows/connect/session-state';

const input = (mode: 'link' | 'device' = 'link'): ConnectSessionInput => ({
  handle: 'h',
  credentialId: 'billing',
  mode,
  createdAt: 1_000,
  expiresAt: 10_000,
  profile: { config: { clientId: 'c', clientSecret: 'super-secret-value' }, authorizationParams: {}, pkce: true, defaultLifetimeMs: 3_600_000 },
  redirectUri: 'https://hl.example/connect/callback',
  url: 'https://hl.example/connect/token',
  authorizationUrl: 'https://idp.example/auth?state=token',
  codeVerifier: 'verifier-secret-verifier-secret',
});

describe('closedReason / refuseUnlessOpen', () => {
  it('a pending session takes requests of its own mode until it expires', () => {
    const state = initialSessionState(input());
    expect(closedReason(state, 'link', 9_999)).toBeUndefined();
    expect(closedReason(state, 'link', 10_000)).toEqual({ reason: 'expired' });
    expect(closedReason(state, 'device', 5_000)).toEqual({ reason: 'wrong_mode' });
  });

  it('a session with a callback in progress or an outcome refuses the next one (single use)', () => {
    const state = initialSessionState(input());
    state.status = 'exchanging';
    expect(closedReason(state, 'link', 5_000)).toEqual({ reason: 'in_progress' });
    state.outcome = connectedOutcome({ registration: 'created', version: 1 }, 'billing', 6_000);
    expect(closedReason(state, 'link', 5_000)).toMatchObject({ reason: 'used', outcome: { result: 'connected' } });
    state.outcome = expiredOutcome(10_000);
    expect(closedReason(state, 'link', 11_000)).toMatchObject({ reason: 'expired' });
  });

  it('refuses with an ApplicationFailure whose type and details say why', () => {
    const state = initialSessionState(input());
    state.outcome = connectedOutcome({ registration: 'created', version: 1 }, 'billing', 6_000);
    let thrown: unknown;
    try {
      refuseUnlessOpen(state, 'link', 7_000);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ type: connectSessionClosedFailureType, details: [{ reason: 'used' }] });
  });

  it('device sessions answer their device code even after they ended; only the mode is checked', () => {
    const state = initialSessionState(input('device'));
    state.outcome = expiredOutcome(10_000);
    expect(() => refuseUnlessOpen(state, 'device', 20_000)).not.toThrow();
    expect(() => refuseUnlessOpen(state, 'link', 5_000)).toThrow(/another kind/);
  });
});

describe('outcomes', () => {
  it('access_denied is a denial; any other error an exchange failure; the provider text is one short, clean line', () => {
    expect(callbackErrorOutcome({ error: 'access_denied', errorDescription: 'The user\u0000 said\nno' }, 1)).toMatchObject({
      result: 'denied', code: 'access_denied', message: 'access was denied (the authorization server answered access_denied: The user said no)',
    });
    expect(callbackErrorOutcome({ error: 'invalid_scope <b>' }, 1)).toMatchObject({ result: 'exchange_failed', code: 'invalid_scope__b_' });
    expect(providerText('x'.repeat(500))).toHaveLength(200);
  });

  it('says how to get a refresh token when none came', () => {
    expect(noRefreshTokenOutcome(1, 'openid api').message).toMatch(/ask for offline access/);
    expect(noRefreshTokenOutcome(1, 'openid offline_access').message).toMatch(/did not grant offline_access/);
  });

  it("takes an activity's own classification, else a generic failure", () => {
    const classified = ApplicationFailure.create({ type: connectFailureType, message: 'x', nonRetryable: true, details: [{ result: 'exchange_failed', code: 'invalid_grant', message: 'spent' }] });
    const wrapped = new ActivityFailure('failed', 'exchangeAuthorizationCode', '1', 1 as never, 'identity', classified);
    expect(failureOutcome(wrapped, 'exchange_failed', 5)).toEqual({ result: 'exchange_failed', code: 'invalid_grant', message: 'spent', at: 5 });
    expect(failureOutcome(new Error('boom'), 'handover_failed', 5)).toMatchObject({ result: 'handover_failed', code: 'activity_failed' });
  });
});

describe('sessionView', () => {
  it('shows no code, verifier, device code, client secret or token, and no link once the session ended', () => {
    const state = initialSessionState(input());
    state.callback = { code: 'the-authorization-code' };
    state.grant = { refreshToken: 'refresh-secret', token: { accessToken: 'access-secret', tokenType: 'Bearer', issuedAt: 1, expiresAt: 2 } };
    const shown = JSON.stringify(sessionView(state));
    for (const secret of ['the-authorization-code', 'refresh-secret', 'access-secret', 'verifier-secret', 'super-secret-value', 'idp.example']) expect(shown).not.toContain(secret);
    expect(sessionView(state).url).toBe('https://hl.example/connect/token');
    state.outcome = expiredOutcome(3);
    expect(sessionView(state).url).toBeUndefined();
  });

  it('is plain JSON', () => {
    const state = initialSessionState(input('device'));
    state.device = { deviceCode: 'dc', userCode: 'ABCD-EFGH', verificationUri: 'https://idp/device', intervalS: 5, expiresAt: 9 };
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(sessionView(state).device).toEqual({ userCode: 'ABCD-EFGH', verificationUri: 'https://idp/device', intervalS: 5, expiresAt: 9 });
  });
});

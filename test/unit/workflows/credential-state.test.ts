import { applyFailure, applySuccess, describeState, recordCall, tokenView } from '../../../src/workflows/credential-state';
import { initialState } from '../../../src/workflows/input';

const spec = {
  id: 'c1',
  provider: 'oauth2' as const,
  config: { tokenEndpoint: 'http://127.0.0.1/token', clientId: 'id', clientSecret: 'client-secret-value' },
  settings: { tokenEndpoint: 'http://127.0.0.1/token', clientId: 'id' },
  grant: { refreshToken: 'refresh-token-value' },
};

const token = (accessToken: string, issuedAt: number, expiresAt: number) => ({ accessToken, tokenType: 'Bearer', issuedAt, expiresAt });

describe('credential state', () => {
  it('is plain JSON: a JSON round trip (what continue-as-new does) changes nothing', () => {
    const state = initialState(spec, 1000);
    recordCall(state, 1000);
    applySuccess(state, token('at-1', 1000, 5000), 'rt-2', 1000);
    applyFailure(state, { kind: 'transient', code: 'http_503', message: 'HTTP 503', at: 2000 }, 2000);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('bumps the version for a new token and stores the rotated refresh token', () => {
    const state = initialState(spec, 0);
    expect(applySuccess(state, token('at-1', 0, 1000), 'rt-2', 0)).toBe(true);
    expect(state.version).toBe(1);
    expect(state.grant.refreshToken).toBe('rt-2');
    expect(applySuccess(state, token('at-2', 500, 1500), undefined, 500)).toBe(true);
    expect(state.grant.refreshToken).toBe('rt-2');
    expect(state.version).toBe(2);
  });

  it('keeps issuedAt and the earlier expiry when the same token comes back', () => {
    const state = initialState(spec, 0);
    applySuccess(state, token('same', 0, 10_000), undefined, 0);
    expect(applySuccess(state, token('same', 5000, 15_000), undefined, 5000)).toBe(false);
    expect(state.version).toBe(1);
    expect(state.token).toMatchObject({ issuedAt: 0, expiresAt: 10_000 });
  });

  it('moves to degraded, expired or reauth_required by failure kind and token validity', () => {
    const state = initialState(spec, 0);
    applySuccess(state, token('at', 0, 1000), undefined, 0);
    expect(applyFailure(state, { kind: 'transient', code: 'x', message: 'x', at: 1 }, 500)).toBe('degraded');
    expect(applyFailure(state, { kind: 'malformed', code: 'x', message: 'x', at: 1 }, 1500)).toBe('expired');
    expect(applyFailure(state, { kind: 'reauth', code: 'invalid_grant', message: 'x', at: 1 }, 1500)).toBe('reauth_required');
  });

  it('never shows secrets in the token view or description', () => {
    const state = initialState(spec, 0);
    applySuccess(state, token('access-token-value', 0, 1000), 'refresh-token-rotated', 0);
    const view = JSON.stringify(tokenView(state));
    const description = JSON.stringify(describeState(state, 10));
    for (const secret of ['refresh-token-value', 'refresh-token-rotated', 'client-secret-value']) {
      expect(view).not.toContain(secret);
      expect(description).not.toContain(secret);
    }
    expect(description).not.toContain('access-token-value');
  });
});

/**
 * Refresh-token expiry: read from the answer's `refresh_token_expires_in`, else a preset's
 * absolute lifetime; kept in the credential state (cleared by a new grant's handler); shown by
 * describe and the operator view; warned about once, `expiryWarningLeadMs` ahead.
 */
import { sendJson, startLoopbackServer, type LoopbackServer } from '../../../src/fakes/fake-http';
import { refreshTokenExpiry } from '../../../src/providers/oauth2-answer';
import { applySuccess, describeState } from '../../../src/workflows/credential-state';
import { initialState } from '../../../src/workflows/input';
import { expiryWarningLeadMs, refreshTokenExpiryEvent } from '../../../src/workflows/warnings';
import { currentDetails } from '../../../src/workflows/operator-view';
import { context, manualClock, refreshWith } from './kit';

const DAY = 86_400_000;

describe('refresh_token_expires_in', () => {
  it.each([
    [3600, 3_600_000],
    ['15811200', 15_811_200_000],
    [' 60 ', 60_000],
    [0.5, 500],
  ])('%j counts from when the request was sent', (value, ms) => {
    expect(refreshTokenExpiry(value, 1_000)).toBe(1_000 + ms);
  });

  it.each([undefined, null, 0, -1, 'soon', '1e3', Number.POSITIVE_INFINITY, {}, true])('%j is ignored, never failing the answer', (value) => {
    expect(refreshTokenExpiry(value, 1_000)).toBeUndefined();
  });
});

describe('the oauth2 provider reports when the refresh token dies', () => {
  let server: LoopbackServer;
  let body: Record<string, unknown> = {};
  beforeAll(async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, body));
  });
  afterAll(async () => {
    await server.close();
  });
  const grant = { refreshToken: 'rt-old-123456' };
  const config = (preset?: string) => ({ tokenEndpoint: `${server.url}/token`, clientId: 'app', clientSecret: 'secret-123456', ...(preset ? { preset } : {}) });
  const clock = manualClock();

  it('from the answer, with or without a preset; the answer wins over the preset', async () => {
    body = { access_token: 'a', token_type: 'bearer', expires_in: '28800', refresh_token: 'rt-new', refresh_token_expires_in: '86400' };
    expect((await refreshWith('oauth2', config(), grant, context({ now: clock.now }))).refreshTokenExpiresAt).toBe(clock.now() + DAY);
    expect((await refreshWith('oauth2', config('github'), grant, context({ now: clock.now, refreshTokenExpiresAt: clock.now() + 5 * DAY }))).refreshTokenExpiresAt).toBe(clock.now() + DAY);
  });

  it('else from the preset\'s absolute lifetime, once: an estimate held is not made again', async () => {
    body = { access_token: 'a', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-new' };
    expect((await refreshWith('oauth2', config('spotify'), grant, context({ now: clock.now }))).refreshTokenExpiresAt).toBe(clock.now() + 180 * DAY);
    expect((await refreshWith('oauth2', config('spotify'), grant, context({ now: clock.now, refreshTokenExpiresAt: 42 }))).refreshTokenExpiresAt).toBeUndefined();
  });

  it('not at all without a source: no preset, or one with only an idle lifetime (each refresh renews it)', async () => {
    expect((await refreshWith('oauth2', config(), grant, context())).refreshTokenExpiresAt).toBeUndefined();
    expect((await refreshWith('oauth2', config('microsoft'), grant, context())).refreshTokenExpiresAt).toBeUndefined();
  });

  it('the client credentials grant has no refresh token, so no expiry either', async () => {
    body = { access_token: 'a', token_type: 'Bearer', expires_in: 3600, refresh_token_expires_in: 60 };
    expect((await refreshWith('oauth2_client_credentials', config(), {}, context())).refreshTokenExpiresAt).toBeUndefined();
  });
});

describe('in the credential', () => {
  const spec = { id: 'c1', provider: 'oauth2' as const, config: {}, settings: {}, grant: { refreshToken: 'rt' } };
  const token = (at: number) => ({ accessToken: `at-${at}`, tokenType: 'Bearer', issuedAt: at, expiresAt: at + 3_600_000 });

  it('a known expiry is kept across answers that do not say, replaced by one that does, and shown by describe', () => {
    const state = initialState(spec, 0);
    applySuccess(state, token(0), 'rt-2', 0, 30 * DAY);
    applySuccess(state, token(1000), 'rt-3', 1000);
    expect(state.refreshTokenExpiresAt).toBe(30 * DAY);
    applySuccess(state, token(2000), 'rt-4', 2000, 40 * DAY);
    expect(describeState(state, 2000).refreshTokenExpiresAt).toBe(40 * DAY);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(describeState(initialState(spec, 0), 0)).not.toHaveProperty('refreshTokenExpiresAt');
  });

  it('one expiring event per expiry, from the warning lead on, carrying the expiry', () => {
    const state = initialState(spec, 0);
    const expiry = 30 * DAY;
    applySuccess(state, token(0), undefined, 0, expiry);
    expect(refreshTokenExpiryEvent(state, expiry - expiryWarningLeadMs - 1)).toBeUndefined();
    const event = refreshTokenExpiryEvent(state, expiry - expiryWarningLeadMs);
    expect(event).toMatchObject({ type: 'credential.refresh_token_expiring', credentialId: 'c1', status: 'active', data: { refreshTokenExpiresAt: expiry } });
    expect(event?.id).toBe(`c1:0:${expiry}:credential.refresh_token_expiring`);
    state.refreshTokenWarnedFor = expiry;
    expect(refreshTokenExpiryEvent(state, expiry - 1)).toBeUndefined();
    applySuccess(state, token(1), undefined, 1, expiry + DAY);
    expect(refreshTokenExpiryEvent(state, expiry)).toBeDefined();
    expect(refreshTokenExpiryEvent({ ...state, status: 'revoked' }, expiry)).toBeUndefined();
    expect(refreshTokenExpiryEvent(initialState(spec, 0), expiry)).toBeUndefined();
  });

  it('the operator view names the expiry, and within the lead what to do', () => {
    const now = Date.now();
    const state = initialState(spec, now);
    applySuccess(state, token(now), undefined, now, now + 60 * DAY);
    expect(currentDetails(state)).toMatch(/ · refresh token expires \d{4}-/);
    state.refreshTokenExpiresAt = now + DAY;
    expect(currentDetails(state)).toMatch(/refresh token expires .* → re-connect before then: run `halflife connect c1`/);
  });
});

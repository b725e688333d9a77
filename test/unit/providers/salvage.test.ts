/**
 * A 200 is never lost (issue 19.1): answers oauth4webapi rejects are read by Halflife's own rules
 * against the fake authorization server over real HTTP. A usable one gives a token and a warning;
 * an unusable one still hands back the rotated refresh token (`ProviderError.rotatedRefreshToken`).
 * Also the id_token rules: ignored without `issuer`, validated against it with one.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../../src/fakes/oauth2-server';
import { context, expectNoSecrets, idToken, manualClock, providerFailure, refreshWith } from './kit';

describe('oauth2 answers that fail validation', () => {
  let fake: FakeOAuth2Server;
  let n = 0;
  const issuer = 'http://127.0.0.1:1/oauth2/default';
  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
  });
  afterAll(async () => {
    await fake.close();
  });

  function client(extra: Record<string, unknown> = {}) {
    n += 1;
    const clientId = `salvage-${n}`;
    const clientSecret = `salvage-secret-${n}-${Math.random().toString(36).slice(2)}`;
    fake.addClient(clientId, clientSecret);
    return { clientId, clientSecret, refreshToken: fake.issueRefreshToken(clientId), config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, ...extra } };
  }
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (clientId: string, overrides: Record<string, unknown> = {}) => ({ iss: issuer, aud: clientId, sub: 'user-1', iat: now(), exp: now() + 300, ...overrides });
  const answer = (body: Record<string, unknown>) => JSON.stringify({ access_token: 'at-salvaged', token_type: 'Bearer', expires_in: 600, refresh_token: 'rt-rotated-0123456789', ...body });

  test('with issuer: an id_token from another issuer costs nothing; token, rotated refresh token and a warning come back', async () => {
    const c = client({ issuer });
    fake.respondNextWith(1, answer({ id_token: idToken(claims(c.clientId, { iss: 'http://127.0.0.1:1' })) }));
    const clock = manualClock();
    const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context({ now: clock.now }));
    expect(result.token).toEqual({ accessToken: 'at-salvaged', tokenType: 'Bearer', issuedAt: clock.now(), expiresAt: clock.now() + 599_000 });
    expect(result.refreshToken).toBe('rt-rotated-0123456789');
    expect(result.warning).toEqual({ code: 'id_token_rejected', message: expect.stringContaining('OAUTH_JWT_CLAIM_COMPARISON_FAILED') });
    expect(result.warning?.message).not.toContain(c.clientSecret);
  });

  test.each<[string, (clientId: string) => Record<string, unknown>]>([
    ['a wrong audience', (id) => claims(id, { aud: 'someone-else' })],
    ['an expired id_token', (id) => claims(id, { exp: now() - 3600, iat: now() - 7200 })],
    ['a missing sub', (id) => ({ ...claims(id), sub: undefined })],
  ])('with issuer: %s is a warning, not a failure', async (_what, make) => {
    const c = client({ issuer });
    fake.respondNextWith(1, answer({ id_token: idToken(make(c.clientId)) }));
    const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    expect(result.refreshToken).toBe('rt-rotated-0123456789');
    expect(result.warning?.code).toBe('id_token_rejected');
  });

  test('with issuer: a matching id_token passes without a warning', async () => {
    const c = client({ issuer });
    fake.respondNextWith(1, answer({ id_token: idToken(claims(c.clientId)) }));
    const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    expect(result.warning).toBeUndefined();
    expect(result.token.accessToken).toBe('at-salvaged');
  });

  test('without issuer: any id_token (even garbage) is ignored on purpose', async () => {
    const c = client();
    fake.respondNextWith(1, answer({ id_token: 'not.a-jwt' }));
    const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    expect(result.warning).toBeUndefined();
    expect(result.refreshToken).toBe('rt-rotated-0123456789');
  });

  test.each<[string, string, string, Record<string, unknown>, string | undefined]>([
    ['scope as a list', answer({ scope: ['read', 'write'] }), 'application/json', { scope: 'read write' }, 'rt-rotated-0123456789'],
    ['scope as a number (the configured one is kept)', answer({ scope: 5 }), 'application/json', { scope: 'configured' }, 'rt-rotated-0123456789'],
    ['a refresh_token that is not a string (dropped), expires_in as a string', answer({ expires_in: '600', refresh_token: 42 }), 'text/plain', {}, undefined],
  ])('%s: used, with answer_not_conform', async (_what, body, contentType, token, refreshToken) => {
    const c = client({ scope: 'configured' });
    fake.respondNextWith(1, body, 200, contentType);
    const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    expect(result.token).toMatchObject({ accessToken: 'at-salvaged', ...token });
    expect(result.token.expiresAt - result.token.issuedAt).toBe(599_000);
    expect(result.warning?.code).toBe('answer_not_conform');
    expect(result.refreshToken).toBe(refreshToken);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['no access_token', { access_token: undefined }, 'missing_access_token'],
    ['an empty access_token', { access_token: '' }, 'missing_access_token'],
    ['expires_in 0', { expires_in: 0 }, 'invalid_expires_in'],
    ['expires_in "soon"', { expires_in: 'soon' }, 'invalid_expires_in'],
    ['token_type "mac"', { token_type: 'mac' }, 'invalid_token_type'],
    ['no token_type', { token_type: undefined }, 'invalid_token_type'],
  ])('%s with a new refresh token: malformed, and the rotated refresh token is handed back', async (_what, body, code) => {
    const c = client();
    fake.respondNextWith(1, answer(body));
    const err = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context()));
    expect({ kind: err.kind, code: err.code, httpStatus: err.httpStatus }).toEqual({ kind: 'malformed', code, httpStatus: 200 });
    expect(err.rotatedRefreshToken).toBe('rt-rotated-0123456789');
    // A secret: not enumerable, so neither JSON nor a spread carries it.
    expectNoSecrets(err, ['rt-rotated-0123456789', c.clientSecret, c.refreshToken]);
  });

  test('an unusable answer repeating the refresh token sent, or carrying none, has no rotatedRefreshToken', async () => {
    const c = client();
    fake.respondNextWith(1, answer({ expires_in: -1, refresh_token: c.refreshToken }));
    const repeated = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context()));
    expect(repeated.rotatedRefreshToken).toBeUndefined();
    fake.respondNextWith(1, answer({ expires_in: -1, refresh_token: undefined }));
    const none = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context()));
    expect(none.rotatedRefreshToken).toBeUndefined();
  });

  test('client credentials: a refresh token in any answer is ignored', async () => {
    const c = client();
    fake.respondNextWith(1, answer({ scope: ['a'] }));
    const used = await refreshWith('oauth2_client_credentials', c.config, {}, context());
    expect(used.refreshToken).toBeUndefined();
    expect(used.warning?.code).toBe('answer_not_conform');
    fake.respondNextWith(1, answer({ access_token: undefined }));
    const err = await providerFailure(refreshWith('oauth2_client_credentials', c.config, {}, context()));
    expect(err.code).toBe('missing_access_token');
    expect(err.rotatedRefreshToken).toBeUndefined();
  });

  test('a body that is not a JSON object is invalid_json, whatever oauth4webapi said', async () => {
    const c = client();
    fake.respondNextWith(1, '["access_token"]');
    const err = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context()));
    expect(err.code).toBe('invalid_json');
  });
});

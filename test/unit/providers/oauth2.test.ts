/** The `oauth2` provider against the fake authorization server over real HTTP. */
import { startFakeOAuth2Server, type FakeClientAuth, type FakeOAuth2Server } from '../../../src/fakes/oauth2-server';
import { context, expectNoSecrets, manualClock, providerFailure, refreshWith, until } from './kit';

describe('oauth2 provider', () => {
  let fake: FakeOAuth2Server;
  let n = 0;
  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
  });
  afterAll(async () => {
    await fake.close();
  });

  /** A new client at the fake with a seeded refresh token. */
  function client(options: { auth?: FakeClientAuth; secret?: string } = {}) {
    n += 1;
    const clientId = `client-${n}`;
    const clientSecret = options.secret ?? `secret-${n}-${Math.random().toString(36).slice(2)}`;
    fake.addClient(clientId, clientSecret, { auth: options.auth });
    const refreshToken = fake.issueRefreshToken(clientId);
    const config = { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret };
    return { clientId, clientSecret, refreshToken, config };
  }

  test('refreshes with client_secret_basic: absolute times from ctx.now, a valid token, a rotated refresh token', async () => {
    const c = client();
    const clock = manualClock();
    const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context({ now: clock.now }));
    expect(result.token).toEqual({ accessToken: fake.lastAccessToken, tokenType: 'Bearer', issuedAt: clock.now(), expiresAt: clock.now() + 3_599_000 }); // expires_in 3600: a whole second taken off
    expect(fake.isValidAccessToken(result.token.accessToken)).toBe(true);
    expect(result.refreshToken).toBeDefined();
    expect(result.refreshToken).not.toBe(c.refreshToken);
    expect(fake.requests.at(-1)).toMatchObject({ grantType: 'refresh_token', clientId: c.clientId, authMethod: 'client_secret_basic' });
  });

  test('the rotated refresh token works and the old one is dead (a replay is invalid_grant → reauth)', async () => {
    const c = client();
    const first = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    const second = await refreshWith('oauth2', c.config, { refreshToken: first.refreshToken }, context());
    expect(second.refreshToken).toBeDefined();
    const replays = fake.replays;
    const err = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context()));
    expect({ kind: err.kind, code: err.code, httpStatus: err.httpStatus }).toEqual({ kind: 'reauth', code: 'invalid_grant', httpStatus: 400 });
    expect(fake.replays).toBe(replays + 1);
    expectNoSecrets(err, [c.clientSecret, c.refreshToken]);
  });

  test('client_secret_post sends the credentials in the body', async () => {
    const c = client({ auth: 'client_secret_post' });
    await refreshWith('oauth2', { ...c.config, clientAuth: 'client_secret_post' }, { refreshToken: c.refreshToken }, context());
    expect(fake.requests.at(-1)).toMatchObject({ clientId: c.clientId, authMethod: 'client_secret_post' });
  });

  test('Basic credentials are form-urlencoded first (RFC 6749 §2.3.1), so odd characters survive', async () => {
    const c = client({ secret: 'p:a+s s%w/ord=&ü' });
    await expect(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context())).resolves.toBeDefined();
  });

  test('a wrong secret is invalid_client (configuration), through the 401 + WWW-Authenticate answer, with no secret in the error', async () => {
    const c = client();
    const err = await providerFailure(refreshWith('oauth2', { ...c.config, clientSecret: 'wrong-secret-value' }, { refreshToken: c.refreshToken }, context()));
    expect({ kind: err.kind, code: err.code, httpStatus: err.httpStatus }).toEqual({ kind: 'configuration', code: 'invalid_client', httpStatus: 401 });
    expectNoSecrets(err, ['wrong-secret-value', c.clientSecret, c.refreshToken]);
  });

  test('the wrong authentication method is invalid_client', async () => {
    const c = client({ auth: 'client_secret_post' });
    const err = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context()));
    expect(err.code).toBe('invalid_client');
  });

  test('a grant without a refresh token is missing_refresh_token, with no upstream call', async () => {
    const c = client();
    const calls = fake.callsFor(c.clientId);
    const err = await providerFailure(refreshWith('oauth2', c.config, {}, context()));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'missing_refresh_token' });
    expect(fake.callsFor(c.clientId)).toBe(calls);
  });

  test('without rotation: no refresh token in the answer, or the same one repeated, leaves refreshToken undefined', async () => {
    const c = client();
    fake.setRotate(false);
    try {
      const plain = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
      expect(plain.refreshToken).toBeUndefined();
      fake.respondNextWith(1, JSON.stringify({ access_token: 'at-echo', token_type: 'bearer', expires_in: 60, refresh_token: c.refreshToken }));
      const echoed = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
      expect(echoed.refreshToken).toBeUndefined();
      expect(echoed.token.tokenType).toBe('Bearer');
    } finally {
      fake.setRotate(true);
    }
  });

  test('the configured scope is sent and the granted scope reported', async () => {
    const c = client();
    const result = await refreshWith('oauth2', { ...c.config, scope: 'read write' }, { refreshToken: c.refreshToken }, context());
    expect(fake.requests.at(-1)?.scope).toBe('read write');
    expect(result.token.scope).toBe('read write');
  });

  test('a missing expires_in means ctx.defaultLifetimeMs', async () => {
    const c = client();
    fake.setOmitExpiresIn(true);
    try {
      const clock = manualClock();
      const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context({ now: clock.now, defaultLifetimeMs: 123_000 }));
      expect(result.token.expiresAt - result.token.issuedAt).toBe(123_000);
    } finally {
      fake.setOmitExpiresIn(false);
    }
  });

  test('expires_in follows setExpiresIn', async () => {
    const c = client();
    fake.setExpiresIn(2);
    try {
      const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
      expect(result.token.expiresAt - result.token.issuedAt).toBe(1_000);
    } finally {
      fake.setExpiresIn(3600);
    }
  });

  test.each<[string, string, number, string]>([
    ['token_type "mac"', '{"access_token":"a","token_type":"mac","expires_in":60}', 200, 'invalid_token_type'],
    ['expires_in 0', '{"access_token":"a","token_type":"Bearer","expires_in":0}', 200, 'invalid_expires_in'],
    ['a JSON array', '[1,2]', 200, 'invalid_json'],
    ['a redirect', '', 302, 'http_302'],
    ['401 without an error body', 'denied', 401, 'http_401'],
    ['400 with an HTML page', '<html>bad</html>', 400, 'http_400'],
  ])('%s is %s', async (_what, body, status, code) => {
    const c = client();
    fake.respondNextWith(1, body, status, body.startsWith('<') || body === 'denied' ? 'text/html' : 'application/json');
    const err = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context()));
    expect(err.code).toBe(code);
  });

  test('a numeric-string expires_in is accepted; a huge one is clamped to a year', async () => {
    const c = client();
    fake.respondNextWith(1, '{"access_token":"a1","token_type":"Bearer","expires_in":"120"}');
    const r1 = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    expect(r1.token.expiresAt - r1.token.issuedAt).toBe(119_000);
    fake.respondNextWith(1, '{"access_token":"a2","token_type":"Bearer","expires_in":2147483647}');
    const r2 = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    expect(r2.token.expiresAt - r2.token.issuedAt).toBe(365 * 86_400_000);
  });

  test('a hanging endpoint is a timeout via the AbortSignal', async () => {
    const c = client();
    fake.hangNext(1);
    const err = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context({ signal: AbortSignal.timeout(300) })));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'transient', code: 'timeout' });
  });

  test('revokeAll kills refresh and access tokens', async () => {
    const c = client();
    const result = await refreshWith('oauth2', c.config, { refreshToken: c.refreshToken }, context());
    fake.revokeAll();
    expect(fake.isValidAccessToken(result.token.accessToken)).toBe(false);
    const err = await providerFailure(refreshWith('oauth2', c.config, { refreshToken: result.refreshToken }, context()));
    expect(err.code).toBe('invalid_grant');
  });
});

describe('fake OAuth 2.0 server', () => {
  test('the protected resource accepts valid Bearer tokens only; counters count every hit', async () => {
    const fake = await startFakeOAuth2Server({ rotate: false, echoRefreshToken: true });
    try {
      fake.addClient('c1', 's1');
      const rt = fake.issueRefreshToken('c1');
      fake.failNext(1, { status: 503 });
      await providerFailure(refreshWith('oauth2', { tokenEndpoint: fake.tokenEndpoint, clientId: 'c1', clientSecret: 's1' }, { refreshToken: rt }, context()));
      await refreshWith('oauth2', { tokenEndpoint: fake.tokenEndpoint, clientId: 'c1', clientSecret: 's1' }, { refreshToken: rt }, context());
      expect([fake.calls, fake.callsFor('c1'), fake.callTimesFor('c1').length, fake.callTimes.length]).toEqual([2, 2, 2, 2]);
      const ok = await fetch(fake.resourceUrl, { headers: { authorization: `Bearer ${fake.lastAccessToken}` } });
      expect(ok.status).toBe(200);
      const bad = await fetch(fake.resourceUrl, { headers: { authorization: 'Bearer nope' } });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
    } finally {
      await fake.close();
    }
  });

  test('close() ends hanging requests', async () => {
    const fake = await startFakeOAuth2Server();
    fake.hangNext(1);
    const pending = fetch(fake.tokenEndpoint, { method: 'POST', body: 'grant_type=client_credentials' }).then(
      () => 'answered',
      () => 'failed',
    );
    await until(() => fake.calls > 0);
    await fake.close();
    await expect(pending).resolves.toBe('failed');
  });
});

/** The `oauth2_client_credentials` provider against the fake authorization server over real HTTP. */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../../src/fakes/oauth2-server';
import { context, expectNoSecrets, manualClock, providerFailure, refreshWith } from './kit';

describe('oauth2_client_credentials provider', () => {
  let fake: FakeOAuth2Server;
  const config = () => ({ tokenEndpoint: fake.tokenEndpoint, clientId: 'svc', clientSecret: 'svc-secret-123' });
  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
    fake.addClient('svc', 'svc-secret-123');
  });
  afterAll(async () => {
    await fake.close();
  });

  test('every refresh is a new grant: a new valid token, no refresh token', async () => {
    const clock = manualClock();
    const first = await refreshWith('oauth2_client_credentials', config(), {}, context({ now: clock.now }));
    const second = await refreshWith('oauth2_client_credentials', config(), {}, context({ now: clock.now }));
    expect(first.token.accessToken).not.toBe(second.token.accessToken);
    expect(first.refreshToken).toBeUndefined();
    expect(first.token).toMatchObject({ tokenType: 'Bearer', issuedAt: clock.now(), expiresAt: clock.now() + 3_599_000 });
    expect(fake.isValidAccessToken(second.token.accessToken)).toBe(true);
    expect(fake.requests.at(-1)).toMatchObject({ grantType: 'client_credentials', clientId: 'svc', authMethod: 'client_secret_basic' });
  });

  test('client_secret_post and scope', async () => {
    const result = await refreshWith('oauth2_client_credentials', { ...config(), clientAuth: 'client_secret_post', scope: 'metrics:read' }, {}, context());
    expect(fake.requests.at(-1)).toMatchObject({ authMethod: 'client_secret_post', scope: 'metrics:read' });
    expect(result.token.scope).toBe('metrics:read');
  });

  test('a refresh token in the answer is ignored', async () => {
    fake.respondNextWith(1, JSON.stringify({ access_token: 'at-1', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt-unexpected' }));
    const result = await refreshWith('oauth2_client_credentials', config(), {}, context());
    expect(result.refreshToken).toBeUndefined();
  });

  test('a wrong secret is invalid_client, and the secret is not in the error', async () => {
    const err = await providerFailure(refreshWith('oauth2_client_credentials', { ...config(), clientSecret: 'not-the-secret' }, {}, context()));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'invalid_client' });
    expectNoSecrets(err, ['not-the-secret', 'svc-secret-123']);
  });

  test('a hanging endpoint is a timeout via the AbortSignal', async () => {
    fake.hangNext(1);
    const err = await providerFailure(refreshWith('oauth2_client_credentials', config(), {}, context({ signal: AbortSignal.timeout(300) })));
    expect(err.code).toBe('timeout');
  });
});

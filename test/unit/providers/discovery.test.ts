/**
 * Discovery (issue 19.2): from an issuer to its token endpoint and client authentication, by OIDC
 * Discovery then RFC 8414, against a real metadata server on loopback; then a refresh through the
 * discovered endpoint of the fake authorization server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { completeRegistration, parseRegistration } from '../../../src/client/registration';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../../../src/fakes/fake-http';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../../src/fakes/oauth2-server';
import { chooseClientAuth, discoverAuthorizationServer } from '../../../src/providers/discovery';
import { context, countingFetch, refreshWith } from './kit';

type Route = (res: ServerResponse) => void;

describe('discoverAuthorizationServer', () => {
  let server: LoopbackServer;
  let oauth: FakeOAuth2Server;
  const routes = new Map<string, Route>();
  const requested: string[] = [];
  const issuer = () => `${server.url}/oauth2/default`;
  const metadata = (extra: Record<string, unknown> = {}) => ({ issuer: issuer(), token_endpoint: oauth.tokenEndpoint, ...extra });
  const serve = (path: string, status: number, body: unknown) => routes.set(path, (res) => sendJson(res, status, body));

  beforeAll(async () => {
    oauth = await startFakeOAuth2Server();
    server = await startLoopbackServer((req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requested.push(path);
      (routes.get(path) ?? ((r: ServerResponse) => sendJson(r, 404, { error: 'not_found' })))(res);
    });
  });
  afterAll(async () => {
    await Promise.all([server.close(), oauth.close()]);
  });
  beforeEach(() => {
    routes.clear();
    requested.length = 0;
  });

  test('OpenID Connect Discovery: {issuer}/.well-known/openid-configuration', async () => {
    serve('/oauth2/default/.well-known/openid-configuration', 200, metadata({ token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'] }));
    const upstream = countingFetch();
    const found = await discoverAuthorizationServer(issuer(), { fetch: upstream.fetch });
    expect(found).toEqual({ issuer: issuer(), tokenEndpoint: oauth.tokenEndpoint, tokenEndpointAuthMethods: ['client_secret_post', 'private_key_jwt'], document: 'openid-configuration' });
    expect(upstream.urls.map((u) => u.pathname)).toEqual(['/oauth2/default/.well-known/openid-configuration']);
  });

  test('then RFC 8414: /.well-known/oauth-authorization-server before the issuer path', async () => {
    serve('/.well-known/oauth-authorization-server/oauth2/default', 200, metadata());
    const found = await discoverAuthorizationServer(issuer());
    expect(found).toMatchObject({ tokenEndpoint: oauth.tokenEndpoint, document: 'oauth-authorization-server' });
    expect(found.tokenEndpointAuthMethods).toBeUndefined();
    expect(requested).toEqual(['/oauth2/default/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/oauth2/default']);
  });

  test.each<[string, () => void, string]>([
    ['no metadata at all', () => undefined, 'has no authorization server metadata'],
    ['metadata of another issuer', () => serve('/oauth2/default/.well-known/openid-configuration', 200, metadata({ issuer: 'https://elsewhere.example.com' })), 'has no authorization server metadata'],
    ['no token_endpoint', () => serve('/oauth2/default/.well-known/openid-configuration', 200, metadata({ token_endpoint: undefined })), 'names no token_endpoint'],
    ['a token_endpoint with credentials', () => serve('/oauth2/default/.well-known/openid-configuration', 200, metadata({ token_endpoint: 'https://u:p@as.example.com/token' })), 'unusable token_endpoint'],
    ['a plain-http token_endpoint off loopback', () => serve('/oauth2/default/.well-known/openid-configuration', 200, metadata({ token_endpoint: 'http://as.example.com/token' })), 'must use https'],
  ])('%s is an InvalidConfigError on config.issuer', async (_what, setup, reason) => {
    setup();
    await expect(discoverAuthorizationServer(issuer())).rejects.toMatchObject({ name: 'InvalidConfigError', field: 'config.issuer', reason: expect.stringContaining(reason) });
  });

  test('a busy or unreachable server is transient (the registration can be tried again)', async () => {
    routes.set('/oauth2/default/.well-known/openid-configuration', (res) => sendJson(res, 503, {}, { 'retry-after': '5' }));
    await expect(discoverAuthorizationServer(issuer())).rejects.toMatchObject({ name: 'ProviderError', kind: 'transient', code: 'http_503', retryAfterMs: 5_000 });
    await expect(discoverAuthorizationServer('http://127.0.0.1:1/x')).rejects.toMatchObject({ name: 'ProviderError', kind: 'transient', code: 'network_error' });
  });

  test('a plain-http issuer off loopback is refused before any request', async () => {
    const upstream = countingFetch();
    await expect(discoverAuthorizationServer('http://login.example.com', { fetch: upstream.fetch })).rejects.toMatchObject({ name: 'InvalidConfigError', field: 'config.issuer' });
    expect(upstream.urls).toEqual([]);
  });

  test('client authentication follows token_endpoint_auth_methods_supported', () => {
    expect(chooseClientAuth('client_secret_basic', undefined)).toBe('client_secret_basic');
    expect(chooseClientAuth('client_secret_basic', ['client_secret_basic', 'client_secret_post'])).toBe('client_secret_basic');
    expect(chooseClientAuth('client_secret_basic', ['client_secret_post'])).toBe('client_secret_post');
    expect(() => chooseClientAuth('client_secret_basic', ['private_key_jwt'])).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: 'config.clientAuth' }));
  });

  test('completeRegistration fills tokenEndpoint and clientAuth from the issuer; the refresh then uses them', async () => {
    serve('/oauth2/default/.well-known/openid-configuration', 200, metadata({ token_endpoint_auth_methods_supported: ['client_secret_post'] }));
    oauth.addClient('discovered', 'discovered-secret-1', { auth: 'client_secret_post' });
    const refreshToken = oauth.issueRefreshToken('discovered');
    const spec = parseRegistration({ id: 'd1', provider: 'oauth2', config: { issuer: issuer(), clientId: 'discovered', clientSecret: 'discovered-secret-1' }, grant: { refreshToken } });
    expect(spec.config.tokenEndpoint).toBeUndefined();
    const completed = await completeRegistration(spec);
    expect(completed.config).toMatchObject({ issuer: issuer(), tokenEndpoint: oauth.tokenEndpoint, clientAuth: 'client_secret_post' });
    expect(completed.settings).toMatchObject({ tokenEndpoint: oauth.tokenEndpoint, clientAuth: 'client_secret_post' });
    expect(completed.settings).not.toHaveProperty('clientSecret');
    const result = await refreshWith('oauth2', completed.config, completed.grant, context());
    expect(oauth.isValidAccessToken(result.token.accessToken)).toBe(true);
  });

  test('completeRegistration leaves a configuration with a token endpoint (or another provider) alone, with no request', async () => {
    const upstream = countingFetch();
    const spec = parseRegistration({ id: 'd2', provider: 'oauth2', config: { tokenEndpoint: oauth.tokenEndpoint, issuer: issuer(), clientId: 'c', clientSecret: 'cs-123456' }, grant: { refreshToken: 'rt-1234567' } });
    expect(await completeRegistration(spec, { fetch: upstream.fetch })).toBe(spec);
    const wecom = parseRegistration({ id: 'd3', provider: 'wecom', config: { corpid: 'c', corpsecret: 'cs-123456' } });
    expect(await completeRegistration(wecom, { fetch: upstream.fetch })).toBe(wecom);
    expect(upstream.urls).toEqual([]);
  });
});

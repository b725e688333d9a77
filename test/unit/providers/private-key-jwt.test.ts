/**
 * `private_key_jwt` client authentication and the token-request extras of the OAuth 2.0 providers,
 * over real HTTP: the fake JWT token endpoint verifies the client assertion (signature, `aud`,
 * `iss` = `sub` = client id, `exp`, `jti`); a recording fetch shows the form each grant sends.
 * (The same against oidc-provider, through the workflow: test/integration/private-key-jwt-peer.test.ts.)
 */
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startFakeJwtBearerServer, type FakeJwtBearerServer } from '../../../src/fakes/jwt-bearer-server';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../../src/fakes/oauth2-server';
import { chooseClientAuth } from '../../../src/providers/discovery';
import { cappedFetch } from '../../../src/providers/http';
import type { UpstreamFetch } from '../../../src/providers/provider';
import { context, expectNoSecrets, providerFailure, refreshWith } from './kit';
import { privateKeySecrets } from '../../helpers/secrets-scan';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecJwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'client-key-1' };
const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

function recordingFetch() {
  const forms: URLSearchParams[] = [];
  const headers: Headers[] = [];
  const fetch: UpstreamFetch = (url, init) => {
    forms.push(new URLSearchParams(String(init.body)));
    headers.push(new Headers(init.headers));
    return cappedFetch(url, init);
  };
  return { fetch, forms, headers };
}

describe('private_key_jwt client authentication', () => {
  let fake: FakeJwtBearerServer;
  beforeAll(async () => {
    fake = await startFakeJwtBearerServer();
    fake.addClient('svc-ec', ec.publicKey, ['ES256']);
    fake.addClient('svc-rsa', rsa.publicKey, ['PS256']);
  });
  afterAll(async () => {
    await fake.close();
  });

  test('client_credentials with an ES256 JWK: the assertion is verified; no secret is sent', async () => {
    const upstream = recordingFetch();
    const config = { tokenEndpoint: fake.tokenEndpoint, clientId: 'svc-ec', clientAuth: 'private_key_jwt', privateKey: ecJwk, keyId: 'client-key-1', scope: 'reports' };
    const result = await refreshWith('oauth2_client_credentials', config, {}, context({ fetch: upstream.fetch }));
    expect(fake.isValidAccessToken(result.token.accessToken)).toBe(true);
    const form = upstream.forms[0];
    expect(form?.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(form?.get('client_id')).toBe('svc-ec');
    expect(form?.get('client_secret')).toBeNull();
    expect(upstream.headers[0]?.get('authorization')).toBeNull();
    const assertion = form?.get('client_assertion') ?? '';
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'client-key-1' });
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: 'svc-ec', sub: 'svc-ec', aud: fake.tokenEndpoint, jti: expect.any(String) });
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(fake.grantedFor('svc-ec').at(-1)?.claims).toMatchObject({ iss: 'svc-ec' });
  });

  test('PS256 with an RSA PEM, chosen by signingAlgorithm', async () => {
    const config = { tokenEndpoint: fake.tokenEndpoint, clientId: 'svc-rsa', clientAuth: 'private_key_jwt', privateKey: rsaPem, signingAlgorithm: 'PS256' };
    await refreshWith('oauth2_client_credentials', config, {}, context());
    expect(fake.grantedFor('svc-rsa').at(-1)?.alg).toBe('PS256');
  });

  test('a key the server does not know is invalid_client, and neither key nor assertion is in the error', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const err = await providerFailure(refreshWith('oauth2_client_credentials', { tokenEndpoint: fake.tokenEndpoint, clientId: 'svc-ec', clientAuth: 'private_key_jwt', privateKey: stranger }, {}, context()));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'invalid_client' });
    expect(fake.requests.at(-1)?.refused).toBe('bad signature');
    expectNoSecrets(err, privateKeySecrets(stranger));
  });

  test('assertionAudience replaces the token endpoint as aud (and the fake, wanting its endpoint, refuses it)', async () => {
    const err = await providerFailure(
      refreshWith('oauth2_client_credentials', { tokenEndpoint: fake.tokenEndpoint, clientId: 'svc-ec', clientAuth: 'private_key_jwt', privateKey: ecJwk, assertionAudience: 'https://issuer.example.com' }, {}, context()),
    );
    expect(err.code).toBe('invalid_client');
    expect(fake.requests.at(-1)?.refused).toContain('aud');
  });

  test('discovery keeps private_key_jwt when the server lists it, and has no fallback when it does not', () => {
    expect(chooseClientAuth('private_key_jwt', ['client_secret_basic', 'private_key_jwt'])).toBe('private_key_jwt');
    expect(chooseClientAuth('client_secret_basic', ['client_secret_post', 'private_key_jwt'])).toBe('client_secret_post');
    expect(() => chooseClientAuth('private_key_jwt', ['client_secret_basic'])).toThrow(expect.objectContaining({ field: 'config.clientAuth', reason: expect.stringContaining('none of private_key_jwt') }));
  });
});

describe('token-request extras and metadata (oauth2)', () => {
  let oauth: FakeOAuth2Server;
  beforeAll(async () => {
    oauth = await startFakeOAuth2Server();
    oauth.addClient('app', 'app-secret-123');
  });
  afterAll(async () => {
    await oauth.close();
  });

  test.each(['oauth2', 'oauth2_client_credentials'] as const)('%s sends scope, audience, each resource and the extra parameters', async (provider) => {
    const upstream = recordingFetch();
    const config = {
      tokenEndpoint: oauth.tokenEndpoint,
      clientId: 'app',
      clientSecret: 'app-secret-123',
      scope: 'read',
      audience: 'https://api.example.com',
      resource: ['https://a.example.com', 'urn:example:b'],
      extraParams: { tenant: 'contoso' },
    };
    const grant = provider === 'oauth2' ? { refreshToken: oauth.issueRefreshToken('app') } : {};
    await refreshWith(provider, config, grant, context({ fetch: upstream.fetch }));
    const form = upstream.forms[0];
    expect(form?.get('grant_type')).toBe(provider === 'oauth2' ? 'refresh_token' : 'client_credentials');
    expect(form?.get('scope')).toBe('read');
    expect(form?.get('audience')).toBe('https://api.example.com');
    expect(form?.getAll('resource')).toEqual(['https://a.example.com', 'urn:example:b']);
    expect(form?.get('tenant')).toBe('contoso');
  });

  test('a single resource is one parameter', async () => {
    const upstream = recordingFetch();
    await refreshWith('oauth2_client_credentials', { tokenEndpoint: oauth.tokenEndpoint, clientId: 'app', clientSecret: 'app-secret-123', resource: 'https://graph.example.com' }, {}, context({ fetch: upstream.fetch }));
    expect(upstream.forms[0]?.getAll('resource')).toEqual(['https://graph.example.com']);
  });

  test('metadataFields keep the named answer fields as text; absent ones and over-long values are left out', async () => {
    oauth.respondNextWith(1, JSON.stringify({ access_token: 'at-meta-1', token_type: 'Bearer', expires_in: 60, instance_url: 'https://na1.example.my', tenant_id: 42, flags: { beta: true }, huge: 'x'.repeat(2000) }));
    const config = { tokenEndpoint: oauth.tokenEndpoint, clientId: 'app', clientSecret: 'app-secret-123', metadataFields: ['instance_url', 'tenant_id', 'flags', 'huge', 'missing'] };
    const result = await refreshWith('oauth2_client_credentials', config, {}, context());
    expect(result.token.metadata).toEqual({ instance_url: 'https://na1.example.my', tenant_id: '42', flags: '{"beta":true}' });
    const plain = await refreshWith('oauth2_client_credentials', { ...config, metadataFields: undefined }, {}, context());
    expect(plain.token.metadata).toBeUndefined();
  });
});

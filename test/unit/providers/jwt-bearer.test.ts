/**
 * The `jwt_bearer` provider against the fake JWT token endpoint over real HTTP: the fake verifies
 * each assertion's signature with the public key, its algorithm, `aud`, `exp` window and `jti`
 * (replay), so a provider that signs wrongly fails here. RS256 and ES256 keys, PEM (PKCS#8,
 * PKCS#1, SEC1) and JWK, and a Google service account key file taken as it is.
 */
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startFakeJwtBearerServer, type FakeJwtBearerServer } from '../../../src/fakes/jwt-bearer-server';
import type { UpstreamFetch } from '../../../src/providers/provider';
import { cappedFetch } from '../../../src/providers/http';
import { context, expectNoSecrets, providerFailure, refreshWith } from './kit';
import { privateKeySecrets } from '../../helpers/secrets-scan';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const rsaPkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const ecSec1 = ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
const ecJwk = ec.privateKey.export({ format: 'jwk' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** A fetch that records each request body (the form the provider sent). */
function recordingFetch() {
  const bodies: URLSearchParams[] = [];
  const fetch: UpstreamFetch = (url, init) => {
    bodies.push(new URLSearchParams(String(init.body)));
    return cappedFetch(url, init);
  };
  return { fetch, bodies, assertion: () => bodies.at(-1)?.get('assertion') ?? '' };
}

describe('jwt_bearer provider', () => {
  let fake: FakeJwtBearerServer;
  beforeAll(async () => {
    fake = await startFakeJwtBearerServer({ maxAssertionLifetimeS: 3600 });
    fake.addIssuer('rsa-svc', rsa.publicKey, ['RS256']);
    fake.addIssuer('ec-svc', ec.publicKey, ['ES256']);
    fake.addIssuer('sa@project.iam.gserviceaccount.com', rsa.publicKey, ['RS256']);
  });
  afterAll(async () => {
    await fake.close();
  });

  test.each([
    ['RS256, PKCS#8 PEM', 'rsa-svc', rsaPkcs8, 'RS256'],
    ['RS256, PKCS#1 PEM', 'rsa-svc', rsaPkcs1, 'RS256'],
    ['ES256, SEC1 PEM', 'ec-svc', ecSec1, 'ES256'],
    ['ES256, JWK object', 'ec-svc', ecJwk, 'ES256'],
  ])('%s: the fake verifies the assertion and issues a token', async (_label, issuer, privateKey, alg) => {
    const before = fake.grantedFor(issuer).length;
    const now = Date.now();
    const result = await refreshWith('jwt_bearer', { tokenEndpoint: fake.tokenEndpoint, privateKey, issuer, keyId: 'k-1' }, {}, context({ now: () => now }));
    expect(fake.isValidAccessToken(result.token.accessToken)).toBe(true);
    expect(result.token).toMatchObject({ tokenType: 'Bearer', issuedAt: now, expiresAt: now + 3_599_000 });
    expect(result.refreshToken).toBeUndefined();
    const granted = fake.grantedFor(issuer);
    expect(granted).toHaveLength(before + 1);
    const iat = Math.floor(now / 1000);
    expect(granted.at(-1)).toMatchObject({ alg, claims: { iss: issuer, sub: issuer, aud: fake.tokenEndpoint, iat, exp: iat + 180, jti: expect.any(String) } });
  });

  test('the header names alg and kid; each refresh has a new jti', async () => {
    const upstream = recordingFetch();
    const config = { tokenEndpoint: fake.tokenEndpoint, privateKey: ecSec1, issuer: 'ec-svc', keyId: 'key-7' };
    await refreshWith('jwt_bearer', config, {}, context({ fetch: upstream.fetch }));
    const first = upstream.assertion();
    await refreshWith('jwt_bearer', config, {}, context({ fetch: upstream.fetch }));
    expect(decodeProtectedHeader(first)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'key-7' });
    expect(decodeJwt(first).jti).not.toBe(decodeJwt(upstream.assertion()).jti);
    expect(upstream.bodies[0]?.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(fake.replays).toBe(0);
  });

  test('an assertion echoed in an error description is scrubbed', async () => {
    const upstream = recordingFetch();
    fake.rejectNextWith(1, 'invalid_grant', { description: 'echo {assertion}' });
    const err = await providerFailure(refreshWith('jwt_bearer', { tokenEndpoint: fake.tokenEndpoint, privateKey: rsaPkcs8, issuer: 'rsa-svc' }, {}, context({ fetch: upstream.fetch })));
    expect(upstream.assertion()).toMatch(/^eyJ/);
    expect(err.message).toContain('echo [redacted]');
    expectNoSecrets(err, [upstream.assertion(), ...privateKeySecrets(rsaPkcs8)]);
  });

  test('the fake refuses a replayed assertion (same jti) with invalid_grant', async () => {
    const upstream = recordingFetch();
    await refreshWith('jwt_bearer', { tokenEndpoint: fake.tokenEndpoint, privateKey: rsaPkcs8, issuer: 'rsa-svc' }, {}, context({ fetch: upstream.fetch }));
    const replayed = upstream.assertion();
    const replays = fake.replays;
    const replay: UpstreamFetch = (url, init) => cappedFetch(url, { ...init, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: replayed }).toString() });
    const err = await providerFailure(refreshWith('jwt_bearer', { tokenEndpoint: fake.tokenEndpoint, privateKey: rsaPkcs8, issuer: 'rsa-svc' }, {}, context({ fetch: replay })));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'invalid_grant' });
    expect(err.message).toContain('jti already used');
    expect(fake.replays).toBe(replays + 1);
  });

  test.each([
    ['a key the fake does not know', { privateKey: stranger }, 'bad signature'],
    ['another audience', { audience: 'https://elsewhere.example.com' }, 'aud'],
    ['an expired assertion (clock 2 hours behind)', { now: -7_200_000 }, 'exp'],
    ['an assertion issued in the future (clock 10 minutes ahead)', { now: 600_000 }, 'iat in the future'],
    ['a lifetime longer than the server allows', { assertionLifetimeMs: 3_600_000, maxS: 600 }, 'lifetime over 600 s'],
  ])('the fake refuses %s', async (_label, change, reason) => {
    const { now: shift, maxS, ...overrides } = change as Record<string, unknown> & { now?: number; maxS?: number };
    const strict = maxS !== undefined ? await startFakeJwtBearerServer({ maxAssertionLifetimeS: maxS }) : fake;
    if (strict !== fake) strict.addIssuer('rsa-svc', rsa.publicKey);
    try {
      const config = { tokenEndpoint: strict.tokenEndpoint, privateKey: rsaPkcs8, issuer: 'rsa-svc', ...overrides };
      const err = await providerFailure(refreshWith('jwt_bearer', config, {}, context({ now: () => Date.now() + (shift ?? 0) })));
      expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'configuration', code: 'invalid_grant' });
      expect(strict.requests.at(-1)?.refused).toContain(reason);
      expectNoSecrets(err, privateKeySecrets(rsaPkcs8));
    } finally {
      if (strict !== fake) await strict.close();
    }
  });

  test('subject, audience, extra claims, scope as a parameter, resource (repeated) and extra parameters', async () => {
    const strict = await startFakeJwtBearerServer({ audience: 'https://login.example.com' });
    strict.addIssuer('consumer-key', rsa.publicKey);
    strict.setAnswerExtras({ instance_url: 'https://eu12.example.my', id: 'https://login.example.com/id/00D/005', issued_at: 1_767_225_600_000 });
    try {
      const config = {
        tokenEndpoint: strict.tokenEndpoint,
        privateKey: rsaPkcs1,
        issuer: 'consumer-key',
        subject: 'ops@example.com',
        audience: 'https://login.example.com',
        claims: { tenant: 't-1', roles: ['a', 'b'] },
        scope: 'api refresh',
        resource: ['https://api-1.example.com', 'https://api-2.example.com'],
        extraParams: { client_hint: 'batch' },
        metadataFields: ['instance_url', 'id', 'issued_at', 'absent'],
      };
      const result = await refreshWith('jwt_bearer', config, {}, context());
      const seen = strict.requests.at(-1);
      expect(seen?.claims).toMatchObject({ iss: 'consumer-key', sub: 'ops@example.com', aud: 'https://login.example.com', tenant: 't-1', roles: ['a', 'b'] });
      expect(seen?.claims?.scope).toBeUndefined();
      expect(seen?.params).toEqual({ scope: ['api refresh'], resource: ['https://api-1.example.com', 'https://api-2.example.com'], client_hint: ['batch'] });
      expect(result.token.scope).toBe('api refresh');
      expect(result.token.metadata).toEqual({ instance_url: 'https://eu12.example.my', id: 'https://login.example.com/id/00D/005', issued_at: '1767225600000' });
    } finally {
      await strict.close();
    }
  });

  describe('a Google service account key file, as downloaded', () => {
    const keyFile = {
      type: 'service_account',
      project_id: 'project',
      private_key_id: 'a1b2c3',
      private_key: rsaPkcs8,
      client_email: 'sa@project.iam.gserviceaccount.com',
      client_id: '1234567890',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      universe_domain: 'googleapis.com',
    };

    test.each([
      ['its parsed object', keyFile],
      ['its text', JSON.stringify(keyFile, null, 2)],
    ])('%s: iss is client_email, kid private_key_id, scope a claim, no sub', async (_label, serviceAccount) => {
      const upstream = recordingFetch();
      // tokenEndpoint overrides the key file's token_uri (here: the fake).
      const result = await refreshWith('jwt_bearer', { serviceAccount, tokenEndpoint: fake.tokenEndpoint, scope: 'https://www.googleapis.com/auth/cloud-platform' }, {}, context({ fetch: upstream.fetch }));
      expect(fake.isValidAccessToken(result.token.accessToken)).toBe(true);
      const claims = fake.requests.at(-1)?.claims;
      expect(claims).toMatchObject({ iss: keyFile.client_email, aud: fake.tokenEndpoint, scope: 'https://www.googleapis.com/auth/cloud-platform' });
      expect(claims?.sub).toBeUndefined();
      expect(decodeProtectedHeader(upstream.assertion())).toMatchObject({ alg: 'RS256', kid: 'a1b2c3' });
      expect(upstream.bodies.at(-1)?.get('scope')).toBeNull();
    });

    test('domain-wide delegation: subject becomes sub', async () => {
      await refreshWith('jwt_bearer', { serviceAccount: keyFile, tokenEndpoint: fake.tokenEndpoint, subject: 'user@example.com' }, {}, context());
      expect(fake.requests.at(-1)?.claims).toMatchObject({ sub: 'user@example.com' });
    });
  });
});

/**
 * The `github_app` provider against the fake GitHub API over real HTTP (under `/api/v3`, as GitHub
 * Enterprise Server serves it): the fake verifies the app JWT (RS256 with the app's public key,
 * `iat` backdated at most 60 s, `exp` at most 10 minutes ahead), mints installation tokens with
 * `expires_at`, and refuses unknown installations (404) and narrowing beyond the grant (422).
 */
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startFakeGithubServer, type FakeGithubServer } from '../../../src/fakes/github-app-server';
import { cappedFetch } from '../../../src/providers/http';
import type { UpstreamFetch } from '../../../src/providers/provider';
import { context, expectNoSecrets, providerFailure, refreshWith } from './kit';
import { privateKeySecrets } from '../../helpers/secrets-scan';

const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = app.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const secrets = privateKeySecrets(pem);
// Made once: a 2048-bit RSA key can take seconds on a busy machine.
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('github_app provider', () => {
  let github: FakeGithubServer;
  const config = (overrides: Record<string, unknown> = {}) => ({ appId: 424242, privateKey: pem, installationId: 77, baseUrl: github.baseUrl, ...overrides });
  beforeAll(async () => {
    github = await startFakeGithubServer({ pathPrefix: '/api/v3', expiresIn: 3600 });
    github.addApp('424242', app.publicKey);
    github.addInstallation(77, { appId: '424242', repositories: [{ id: 1, name: 'site' }, { id: 2, name: 'infra' }], permissions: { contents: 'write', metadata: 'read', issues: 'read' } });
  });
  afterAll(async () => {
    await github.close();
  });

  test('an installation token with its expires_at; the app JWT is RS256, iat backdated 60 s, exp 9 minutes ahead', async () => {
    const headers: Headers[] = [];
    const recording: UpstreamFetch = (url, init) => {
      headers.push(new Headers(init.headers));
      return cappedFetch(url, init);
    };
    const now = Date.now();
    const result = await refreshWith('github_app', config({ metadataFields: ['repository_selection', 'permissions'] }), {}, context({ now: () => now, fetch: recording }));
    expect(github.isValidToken(result.token.accessToken)).toBe(true);
    expect(result.token.accessToken).toMatch(/^ghs_/);
    const expiresAt = Math.floor((now + 3_600_000) / 1000) * 1000;
    expect(result.token).toMatchObject({ tokenType: 'Bearer', issuedAt: now });
    expect(Math.abs(result.token.expiresAt - expiresAt)).toBeLessThanOrEqual(1000);
    expect(result.token.metadata).toEqual({ repository_selection: 'all', permissions: JSON.stringify({ contents: 'write', metadata: 'read', issues: 'read' }) });

    const nowS = Math.floor(now / 1000);
    expect(github.requests.at(-1)?.claims).toEqual({ iss: '424242', iat: nowS - 60, exp: nowS + 540 });
    const jwt = (headers[0]?.get('authorization') ?? '').replace(/^Bearer /, '');
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(decodeJwt(jwt).exp! - decodeJwt(jwt).iat!).toBeLessThanOrEqual(600);
    expect(headers[0]?.get('accept')).toBe('application/vnd.github+json');
    expect(headers[0]?.get('x-github-api-version')).toBe('2022-11-28');
    expect(headers[0]?.get('user-agent')).toBeTruthy();
  });

  test('narrowing by repository names, ids and permissions is the request body', async () => {
    const result = await refreshWith('github_app', config({ repositories: ['site'], repositoryIds: [2], permissions: { contents: 'read' }, metadataFields: ['repository_selection'] }), {}, context());
    expect(github.requests.at(-1)?.body).toEqual({ repositories: ['site'], repository_ids: [2], permissions: { contents: 'read' } });
    expect(result.token.metadata).toEqual({ repository_selection: 'selected' });
    // Without narrowing, no body at all.
    await refreshWith('github_app', config(), {}, context());
    expect(github.requests.at(-1)?.body).toEqual({});
  });

  test.each([
    ['a key GitHub does not know (401)', () => config({ privateKey: stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }) }), 'app_jwt_rejected', 401],
    ['a clock 5 minutes ahead (iat in the future, 401)', () => config(), 'app_jwt_rejected', 401, 300_000],
    ['a clock 11 minutes behind (exp passed, 401)', () => config(), 'app_jwt_rejected', 401, -660_000],
    ['an unknown installation (404)', () => config({ installationId: 999 }), 'installation_not_found', 404],
    ['a repository the installation lacks (422)', () => config({ repositories: ['secret-repo'] }), 'narrowing_rejected', 422],
    ['a permission above the grant (422)', () => config({ permissions: { issues: 'write' } }), 'narrowing_rejected', 422],
  ])('%s is classified', async (_label, make, code, status, shift = 0) => {
    const err = await providerFailure(refreshWith('github_app', make(), {}, context({ now: () => Date.now() + shift })));
    expect({ kind: err.kind, code: err.code, httpStatus: err.httpStatus }).toEqual({ kind: 'configuration', code, httpStatus: status });
    expect(github.requests.at(-1)?.status).toBe(status);
    expectNoSecrets(err, secrets);
  });

  test('an installation of another app is not found', async () => {
    const other = stranger;
    github.addApp('555', other.publicKey);
    const err = await providerFailure(refreshWith('github_app', config({ appId: '555', privateKey: other.privateKey.export({ type: 'pkcs1', format: 'pem' }) }), {}, context()));
    expect(err.code).toBe('installation_not_found');
  });

  test('403 with x-ratelimit-remaining: 0 is a transient rate limit until x-ratelimit-reset; other 403s are configuration', async () => {
    const now = Date.now();
    github.failNext(1, 403, { message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(now / 1000) + 120) } });
    const limited = await providerFailure(refreshWith('github_app', config(), {}, context({ now: () => now })));
    expect({ kind: limited.kind, code: limited.code }).toEqual({ kind: 'transient', code: 'rate_limited' });
    expect(limited.retryAfterMs).toBeGreaterThan(118_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(120_000);
    github.failNext(1, 403, { message: 'This installation has been suspended' });
    const suspended = await providerFailure(refreshWith('github_app', config(), {}, context()));
    expect({ kind: suspended.kind, code: suspended.code }).toEqual({ kind: 'configuration', code: 'installation_forbidden' });
    expect(suspended.message).toContain('This installation has been suspended');
  });

  test('the app JWT echoed by a proxy is scrubbed from the error', async () => {
    github.failNext(1, 401, { message: 'bad token {jwt}' });
    const err = await providerFailure(refreshWith('github_app', config(), {}, context()));
    expect(err.message).toContain('bad token [redacted]');
    expect(err.message).not.toMatch(/eyJ/);
  });

  test('a missing token or an unreadable or past expires_at is malformed', async () => {
    github.respondNextWith(1, JSON.stringify({ token: 'ghs_x', expires_at: new Date(Date.now() - 1000).toISOString() }));
    expect((await providerFailure(refreshWith('github_app', config(), {}, context()))).code).toBe('invalid_expires_at');
    github.respondNextWith(1, JSON.stringify({ expires_at: new Date(Date.now() + 3_600_000).toISOString() }));
    expect((await providerFailure(refreshWith('github_app', config(), {}, context()))).code).toBe('missing_access_token');
  });
});

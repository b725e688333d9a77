/**
 * Every route × { no key, wrong key, key without the scope, key for another credential, right key }.
 *
 * Keys (see fake-token-client.ts): team-a keys with read / refresh / admin, an admin key for
 * team-b, and keys over every credential. `read` is implied by every scope, so read routes have
 * no "key without the scope" case; `/metrics` and the codec endpoint need `read` over all credentials.
 */
import type { InjectOptions } from 'fastify';
import { bearer, oauth2Body, testKeys, testServer } from './fake-token-client';

interface RouteCase {
  name: string;
  request: InjectOptions;
  /** A key that authenticates but lacks the scope (none for read routes). */
  withoutScope?: string;
  /** A key with the scope that does not cover the credential (or not all credentials). */
  otherCredential: string;
  /** Status the "other credential" key gets (list routes answer 200 with the rows filtered). */
  otherStatus: number;
  right: string;
  rightStatus: number;
}

const id = 'team-a.one';
const routes: RouteCase[] = [
  { name: 'PUT credential', request: { method: 'PUT', url: `/v1/credentials/${id}`, payload: oauth2Body() }, withoutScope: testKeys.refreshTeamA, otherCredential: testKeys.adminTeamB, otherStatus: 403, right: testKeys.adminTeamA, rightStatus: 200 },
  { name: 'GET token', request: { method: 'GET', url: `/v1/credentials/${id}/token` }, otherCredential: testKeys.adminTeamB, otherStatus: 403, right: testKeys.readTeamA, rightStatus: 200 },
  { name: 'POST refresh', request: { method: 'POST', url: `/v1/credentials/${id}/refresh`, payload: { stale_version: 1 } }, withoutScope: testKeys.readTeamA, otherCredential: testKeys.adminTeamB, otherStatus: 403, right: testKeys.refreshTeamA, rightStatus: 200 },
  { name: 'POST reauthorize', request: { method: 'POST', url: `/v1/credentials/${id}/reauthorize`, payload: { refresh_token: 'new-refresh-token-123' } }, withoutScope: testKeys.refreshTeamA, otherCredential: testKeys.adminTeamB, otherStatus: 403, right: testKeys.adminTeamA, rightStatus: 200 },
  { name: 'GET describe', request: { method: 'GET', url: `/v1/credentials/${id}` }, otherCredential: testKeys.adminTeamB, otherStatus: 403, right: testKeys.readTeamA, rightStatus: 200 },
  { name: 'GET list', request: { method: 'GET', url: '/v1/credentials' }, otherCredential: testKeys.adminTeamB, otherStatus: 200, right: testKeys.readTeamA, rightStatus: 200 },
  { name: 'DELETE credential', request: { method: 'DELETE', url: `/v1/credentials/${id}` }, withoutScope: testKeys.refreshTeamA, otherCredential: testKeys.adminTeamB, otherStatus: 403, right: testKeys.adminTeamA, rightStatus: 200 },
  { name: 'GET metrics', request: { method: 'GET', url: '/metrics' }, otherCredential: testKeys.adminTeamB, otherStatus: 403, right: testKeys.readAll, rightStatus: 200 },
];

async function setup() {
  const { app, client } = testServer();
  await client.register({ id, provider: 'oauth2', config: { tokenEndpoint: 'https://auth.example.com/t', clientId: 'c' }, grant: { refreshToken: 'rt-1234567890' } });
  await client.register({ id: 'team-b.two', provider: 'wecom', config: { corpid: 'corp' } });
  return { app, client };
}

describe.each(routes)('$name', (route) => {
  it('without a key: 401 with a Bearer challenge, and the client is never called', async () => {
    const { app, client } = await setup();
    const calls = client.calls.length;
    const res = await app.inject(route.request);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="halflife"');
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(client.calls.length).toBe(calls);
  });

  it('with a wrong key: 401 invalid_token', async () => {
    const { app } = await setup();
    for (const header of [bearer('not-a-configured-key-000'), { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }]) {
      const res = await app.inject({ ...route.request, headers: header });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="halflife"/);
    }
    const res = await app.inject({ ...route.request, headers: bearer('not-a-configured-key-000') });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="halflife", error="invalid_token"');
  });

  it('with a key for another credential: 403 (or, for the list, 200 with only the covered rows)', async () => {
    const { app, client } = await setup();
    const calls = client.calls.length;
    const res = await app.inject({ ...route.request, headers: bearer(route.otherCredential) });
    expect(res.statusCode).toBe(route.otherStatus);
    expect(res.json()).toEqual(route.otherStatus === 200 ? { credentials: [expect.objectContaining({ id: 'team-b.two' })] } : { error: { code: 'forbidden', message: expect.any(String) } });
    // A refusal reaches nothing behind the API: no registration, refresh, revoke or read happened.
    expect(client.calls.length - calls).toBe(route.otherStatus === 200 ? 1 : 0);
  });

  it('with the right key: success', async () => {
    const { app } = await setup();
    const res = await app.inject({ ...route.request, headers: bearer(route.right) });
    expect(res.statusCode).toBe(route.rightStatus);
  });

  it('with a key over every credential and a stronger scope: success', async () => {
    const { app } = await setup();
    const res = await app.inject({ ...route.request, headers: bearer(testKeys.adminAll) });
    expect(res.statusCode).toBe(route.rightStatus);
  });
});

// `read` is implied by every scope: only the routes that need more have a "key without the scope" case.
describe.each(routes.filter((r): r is RouteCase & { withoutScope: string } => r.withoutScope !== undefined))('$name', (route) => {
  it('with a key lacking the scope: 403 insufficient_scope, and the client is never called', async () => {
    const { app, client } = await setup();
    const calls = client.calls.length;
    const res = await app.inject({ ...route.request, headers: bearer(route.withoutScope) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope", scope="(admin|refresh|read)"/);
    expect(client.calls.length).toBe(calls);
  });
});

test('the list with the right key holds exactly the covered credential', async () => {
  const { app } = await setup();
  const res = await app.inject({ method: 'GET', url: '/v1/credentials', headers: bearer(testKeys.readTeamA) });
  expect(res.statusCode).toBe(200);
  expect(res.json().credentials.map((c: { id: string }) => c.id)).toEqual([id]);
});

describe('routes without a key', () => {
  it.each(['/healthz', '/openapi.json'])('%s answers without a key', async (url) => {
    const { app } = testServer();
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });
});

describe('codec endpoint', () => {
  const decode = { method: 'POST' as const, url: '/codec/decode', payload: { payloads: [] } };

  it('refuses no key, a wrong key and a key without read over all credentials; admits read over all', async () => {
    const { app } = testServer();
    expect((await app.inject(decode)).statusCode).toBe(401);
    expect((await app.inject({ ...decode, headers: bearer('not-a-configured-key-000') })).statusCode).toBe(401);
    expect((await app.inject({ ...decode, headers: bearer(testKeys.adminTeamA) })).statusCode).toBe(403);
    expect((await app.inject({ ...decode, headers: bearer(testKeys.readAll) })).statusCode).toBe(200);
  });

  it('admits a keyless loopback caller only when allowed (development)', async () => {
    const { app } = testServer({ codec: { codec: { encode: async (p) => p, decode: async (p) => p }, allowLoopbackWithoutKey: true } });
    expect((await app.inject({ ...decode, remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    expect((await app.inject({ ...decode, remoteAddress: '10.0.0.5' })).statusCode).toBe(401);
    expect((await app.inject({ ...decode, remoteAddress: '127.0.0.1', headers: bearer('not-a-configured-key-000') })).statusCode).toBe(401);
  });
});

describe('the matrix covers every route', () => {
  it('every route the server registers is in the matrix, public, or the codec endpoint', async () => {
    const { app } = testServer();
    const registered: string[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD' && method !== 'OPTIONS') registered.push(`${method} ${route.url}`);
    });
    await app.ready();
    const covered = new Set([
      ...routes.map((r) => `${r.request.method} ${String(r.request.url).replace(id, ':id')}`),
      'GET /healthz',
      'GET /openapi.json',
      ...codecRoutes.map((path) => `POST ${path}`),
    ]);
    expect(registered.length).toBeGreaterThan(8);
    expect(registered.filter((r) => !covered.has(r))).toEqual([]);
  });
});

const codecRoutes = ['/codec/decode', '/codec/encode'];

describe.each(codecRoutes)('codec endpoint %s', (url) => {
  const request = { method: 'POST' as const, url, payload: { payloads: [] } };

  it('no key 401, wrong key 401, key over some credentials only 403, read over all 200', async () => {
    const { app } = testServer();
    const status = async (headers: Record<string, string>) => (await app.inject({ ...request, headers })).statusCode;
    expect(await status({})).toBe(401);
    expect(await status(bearer('not-a-configured-key-000'))).toBe(401);
    // Authenticated, but the key does not cover every credential: forbidden.
    expect(await status(bearer(testKeys.adminTeamA))).toBe(403);
    expect(await status(bearer(testKeys.readTeamA))).toBe(403);
    expect(await status(bearer(testKeys.readAll))).toBe(200);
    expect(await status(bearer(testKeys.adminAll))).toBe(200);
  });

  it('413 beyond its body limit (4 MiB) with a valid key; 401 without one, before the body is read', async () => {
    const { app } = testServer();
    const big = { payloads: [{ metadata: {}, data: 'A'.repeat(4 * 1024 * 1024) }] };
    const withKey = await app.inject({ ...request, payload: big, headers: bearer(testKeys.readAll) });
    expect(withKey.statusCode).toBe(413);
    expect(withKey.json().error.code).toBe('payload_too_large');
    expect((await app.inject({ ...request, payload: big })).statusCode).toBe(401);
  });
});

describe('request body size limit on every route that takes a body', () => {
  const bodyRoutes = routes.filter((r) => r.request.method === 'PUT' || r.request.method === 'POST');

  it.each(bodyRoutes.map((r) => [r.name, r] as const))('%s: 413 with the right key, 401 without a key', async (_name, route) => {
    const { app, client } = testServer({ bodyLimit: 1024 });
    await client.register({ id, provider: 'oauth2', config: { tokenEndpoint: 'https://auth.example.com/t', clientId: 'c' }, grant: { refreshToken: 'rt-1234567890' } });
    const calls = client.calls.length;
    const payload = { ...(route.request.payload as object), padding: 'x'.repeat(2048) };
    const res = await app.inject({ ...route.request, payload, headers: bearer(route.right) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
    expect((await app.inject({ ...route.request, payload })).statusCode).toBe(401);
    expect(client.calls.length).toBe(calls);
  });

  it('the default limit is 64 KiB', async () => {
    const { app } = testServer();
    const route = bodyRoutes[0] as RouteCase;
    const payload = { ...(route.request.payload as object), padding: 'x'.repeat(64 * 1024) };
    expect((await app.inject({ ...route.request, payload, headers: bearer(route.right) })).statusCode).toBe(413);
  });
});

describe('API keys are kept only as hashes', () => {
  it('neither the key set nor an authenticated key shows a configured key, in JSON or inspected', async () => {
    const { inspect } = await import('node:util');
    const { ApiKeys } = await import('../../../src/api/keys');
    const keys = ApiKeys.of([{ key: testKeys.adminAll, scopes: ['admin'], credentials: '*' }]);
    const authenticated = keys.authenticate(`Bearer ${testKeys.adminAll}`);
    expect(authenticated).toBeDefined();
    for (const text of [JSON.stringify(keys), inspect(keys, { depth: 10, showHidden: true }), JSON.stringify(authenticated), inspect(authenticated, { depth: 10 })]) {
      expect(text).not.toContain(testKeys.adminAll);
    }
  });
});

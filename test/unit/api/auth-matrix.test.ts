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

  it('with a key lacking the scope: 403 insufficient_scope', async () => {
    if (!route.withoutScope) return; // read is implied by every scope
    const { app, client } = await setup();
    const calls = client.calls.length;
    const res = await app.inject({ ...route.request, headers: bearer(route.withoutScope) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope", scope="(admin|refresh|read)"/);
    expect(client.calls.length).toBe(calls);
  });

  it('with a key for another credential: 403 (list: only covered rows)', async () => {
    const { app } = await setup();
    const res = await app.inject({ ...route.request, headers: bearer(route.otherCredential) });
    expect(res.statusCode).toBe(route.otherStatus);
    if (route.otherStatus === 200) expect(res.json()).toEqual({ credentials: [expect.objectContaining({ id: 'team-b.two' })] });
    else expect(res.json().error.code).toBe('forbidden');
  });

  it('with the right key: success', async () => {
    const { app } = await setup();
    const res = await app.inject({ ...route.request, headers: bearer(route.right) });
    expect(res.statusCode).toBe(route.rightStatus);
    if (route.name === 'GET list') expect(res.json().credentials.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  it('with a key over every credential and a stronger scope: success', async () => {
    const { app } = await setup();
    const res = await app.inject({ ...route.request, headers: bearer(testKeys.adminAll) });
    expect(res.statusCode).toBe(route.rightStatus);
  });
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
    expect((await app.inject({ ...decode, headers: bearer(testKeys.adminTeamA) })).statusCode).toBe(401);
    expect((await app.inject({ ...decode, headers: bearer(testKeys.readAll) })).statusCode).toBe(200);
  });

  it('admits a keyless loopback caller only when allowed (development)', async () => {
    const { app } = testServer({ codec: { codec: { encode: async (p) => p, decode: async (p) => p }, allowLoopbackWithoutKey: true } });
    expect((await app.inject({ ...decode, remoteAddress: '127.0.0.1' })).statusCode).toBe(200);
    expect((await app.inject({ ...decode, remoteAddress: '10.0.0.5' })).statusCode).toBe(401);
    expect((await app.inject({ ...decode, remoteAddress: '127.0.0.1', headers: bearer('not-a-configured-key-000') })).statusCode).toBe(401);
  });
});

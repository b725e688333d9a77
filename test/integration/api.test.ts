/**
 * The HTTP API as users run it: `halflife api` as a child process (the product's wiring: its own
 * TokenClient, Redis options, health probes, metrics), configured from the environment, called with
 * `fetch`; behind it the test Temporal dev server and Redis, a worker process, and the fake OAuth
 * 2.0 token endpoint.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { startApiProcess, type ApiProcessHandle } from '../helpers/api-process';
import { uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const adminKey = `it-admin-${uniqueId('k')}-0123456789`;
const otherTeamKey = `it-other-${uniqueId('k')}-0123456789`;

describe('HTTP API over real Temporal, Redis and a token endpoint', () => {
  const taskQueue = uniqueId('tq-api');
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let api: ApiProcessHandle;
  let base: string;
  /** Every response body and header seen, to search for secrets at the end. */
  const seen: string[] = [];

  async function call(method: string, path: string, options: { body?: unknown; key?: string } = {}): Promise<{ status: number; body: ReturnType<typeof JSON.parse>; headers: Headers }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.key === '' ? {} : { authorization: `Bearer ${options.key ?? adminKey}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    seen.push(text, JSON.stringify([...res.headers]));
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
  }

  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
    fake.setExpiresIn(3600);
    worker = await startWorkerProcess(taskQueue);
    api = await startApiProcess(taskQueue, [
      { key: adminKey, scopes: ['admin'], credentials: '*' },
      { key: otherTeamKey, scopes: ['read'], credentials: 'other-*' },
    ]);
    base = api.url;
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await fake?.close();
  });

  it('registers, serves, refreshes, describes, lists, replaces and revokes a credential; never shows a secret', async () => {
    const id = uniqueId('api');
    const clientId = uniqueId('client');
    const clientSecret = `secret-${uniqueId('s')}-${uniqueId('s')}`;
    fake.addClient(clientId, clientSecret);
    const refreshToken = fake.issueRefreshToken(clientId);

    const put = await call('PUT', `/v1/credentials/${id}`, {
      body: { provider: 'oauth2', token_endpoint: fake.tokenEndpoint, client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ id, provider: 'oauth2', created: true, token: { token_type: expect.any(String), status: 'active' } });
    const first = put.body.token;

    const token = await call('GET', `/v1/credentials/${id}/token`);
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ access_token: first.access_token, version: first.version, status: 'active' });
    expect(Date.parse(token.body.expires_at)).toBeGreaterThan(Date.now() + 3_000_000);

    const calls = fake.callsFor(clientId);
    const refreshed = await call('POST', `/v1/credentials/${id}/refresh`, { body: { stale_version: first.version } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ version: first.version + 1, refreshed: true });
    expect(refreshed.body.access_token).not.toBe(first.access_token);
    expect(fake.callsFor(clientId)).toBe(calls + 1);

    const stale = await call('POST', `/v1/credentials/${id}/refresh`, { body: { stale_version: first.version } });
    expect(stale.body).toMatchObject({ version: first.version + 1, refreshed: false, reason: 'superseded' });
    expect(fake.callsFor(clientId)).toBe(calls + 1);

    const described = await call('GET', `/v1/credentials/${id}`);
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ id, provider: 'oauth2', status: 'active', version: first.version + 1, has_refresh_token: true });
    expect(described.body.settings).toMatchObject({ client_id: clientId });

    const listed = await waitFor('the credential in the list', async () => {
      const list = await call('GET', '/v1/credentials?provider=oauth2');
      return list.body.credentials?.find((c: { id: string }) => c.id === id);
    });
    expect(listed).toMatchObject({ id, provider: 'oauth2' });
    const otherTeam = await call('GET', '/v1/credentials', { key: otherTeamKey });
    expect(otherTeam.status).toBe(200);
    expect(otherTeam.body.credentials.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await call('GET', `/v1/credentials/${id}/token`, { key: otherTeamKey })).status).toBe(403);
    expect((await call('GET', `/v1/credentials/${id}/token`, { key: '' })).status).toBe(401);

    const newRefreshToken = fake.issueRefreshToken(clientId);
    const replaced = await call('PUT', `/v1/credentials/${id}`, {
      body: { provider: 'oauth2', token_endpoint: fake.tokenEndpoint, client_id: clientId, client_secret: clientSecret, refresh_token: newRefreshToken, refresh_ratio: 0.6 },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id, created: false, token: { version: first.version + 2 } });
    expect(replaced.body.ignored_fields).toBeUndefined();
    expect((await call('GET', `/v1/credentials/${id}`)).body).toMatchObject({
      version: first.version + 2,
      status: 'active',
      policy: expect.objectContaining({ refresh_ratio: 0.6 }),
    });
    const mismatch = await call('PUT', `/v1/credentials/${id}`, { body: { provider: 'wecom', corpid: 'c', corpsecret: 'corp-secret-123456' } });
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.error.code).toBe('provider_mismatch');

    const metrics = await call('GET', '/metrics');
    expect(metrics.body).toMatch(new RegExp(`halflife_token_headroom_seconds\\{credential="${id}"\\} \\d+`));

    const revoked = await call('DELETE', `/v1/credentials/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, status: 'revoked' });
    await waitFor('the revoked credential to be gone', async () => (await call('GET', `/v1/credentials/${id}/token`)).status === 404);

    const everything = seen.join('\n');
    expect(everything).not.toContain(clientSecret);
    expect(everything).not.toContain(refreshToken);
    expect(everything).not.toContain(newRefreshToken);
  });

  it('answers 422 naming the field for a bad registration, before any workflow starts', async () => {
    const id = uniqueId('api');
    const res = await call('PUT', `/v1/credentials/${id}`, {
      body: { provider: 'oauth2', token_endpoint: 'ftp://example.com/token', client_id: 'c', client_secret: 'secret-value-123456', refresh_token: 'rt-value-123456' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'invalid_config', field: 'token_endpoint' });
    expect((await call('GET', `/v1/credentials/${id}`)).status).toBe(404);
  });

  it('serves health and the OpenAPI document without a key', async () => {
    const health = await call('GET', '/healthz', { key: '' });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', temporal: true, redis: true });
    const doc = await call('GET', '/openapi.json', { key: '' });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/credentials/{id}', '/v1/credentials/{id}/token', '/v1/credentials/{id}/refresh', '/v1/credentials/{id}/reauthorize', '/v1/credentials', '/healthz', '/metrics']),
    );
  });
});

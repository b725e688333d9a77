/** The HTTP layer over an in-memory TokenClient: shapes, replace semantics, limits, health, metrics, OpenAPI, secrets. */
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { RouteOptions } from 'fastify';
import { createLogger } from '../../../src/logger';
import { CredentialNotFoundError, InvalidConfigError, ReauthRequiredError, RefreshFailedError, TokenExpiredError } from '../../../src/errors';
import { bearer, oauth2Body, testKeys, testServer } from './fake-token-client';

const admin = bearer(testKeys.adminAll);
const isoPattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('PUT /v1/credentials/:id', () => {
  it('creates (201, Location) and maps the body to the camelCase registration', async () => {
    const { app, client } = testServer();
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body({ scope: 'a b', refresh_ratio: 0.6, min_refresh_interval_s: 30, max_refreshes_per_day: 50 }) });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/credentials/c1');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      id: 'c1',
      provider: 'oauth2',
      created: true,
      token: { access_token: expect.any(String), token_type: 'Bearer', expires_at: expect.stringMatching(isoPattern), expires_in: expect.any(Number), version: 1, status: 'active' },
    });
    expect(client.calls[0]).toEqual({
      method: 'register',
      args: [{
        id: 'c1',
        provider: 'oauth2',
        config: { tokenEndpoint: 'https://auth.example.com/oauth/token', clientId: 'client-123', clientSecret: 'client-secret-VERY-SECRET-abcdef', clientAuth: 'client_secret_basic', scope: 'a b' },
        grant: { refreshToken: 'refresh-token-VERY-SECRET-123456' },
        policy: { refreshRatio: 0.6, minRefreshIntervalMs: 30_000, maxRefreshesPerDay: 50 },
      }, { replace: true }],
    });
  });

  it('passes a token the caller holds', async () => {
    const { app, client } = testServer();
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body({ access_token: 'held-access-token', expires_at: expiresAt }) });
    expect(res.statusCode).toBe(201);
    expect(client.calls[0]?.args[0]).toMatchObject({ token: { accessToken: 'held-access-token', expiresAt } });
    const half = await app.inject({ method: 'PUT', url: '/v1/credentials/c2', headers: admin, payload: oauth2Body({ access_token: 'held-access-token' }) });
    expect(half.statusCode).toBe(422);
    expect(half.json().error.field).toBe('expires_at');
  });

  it.each([
    ['wechat', { provider: 'wechat', appid: 'wx1', secret: 'app-secret-123456', stable: true, base_url: 'https://api.weixin.qq.com' }, { appid: 'wx1', secret: 'app-secret-123456', stable: true, baseUrl: 'https://api.weixin.qq.com/' }],
    ['wecom', { provider: 'wecom', corpid: 'corp1', corpsecret: 'corp-secret-123456' }, { corpid: 'corp1', corpsecret: 'corp-secret-123456' }],
    ['oauth2_client_credentials', { provider: 'oauth2_client_credentials', token_endpoint: 'https://a.example/t', client_id: 'c', client_secret: 's-123456', client_auth: 'client_secret_post' }, { tokenEndpoint: 'https://a.example/t', clientId: 'c', clientSecret: 's-123456', clientAuth: 'client_secret_post' }],
  ])('maps a %s body', async (_name, payload, config) => {
    const { app, client } = testServer();
    expect((await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload })).statusCode).toBe(201);
    expect(client.calls[0]?.args[0]).toEqual({ id: 'c1', provider: payload.provider, config });
    expect(client.calls[0]?.args[1]).toEqual({ replace: true });
  });

  it('replaces an existing credential (200) with one registration call carrying the new config, grant and policy', async () => {
    const { app, client } = testServer();
    await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body({ client_id: 'client-456', refresh_token: 'rt-new-0123456789', refresh_ratio: 0.7 }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'c1', created: false, token: { version: 2 } });
    expect(res.json().ignored_fields).toBeUndefined();
    const replace = client.calls.filter((c) => c.method === 'register')[1];
    expect(replace?.args[0]).toMatchObject({ grant: { refreshToken: 'rt-new-0123456789' }, config: { clientId: 'client-456' }, policy: { refreshRatio: 0.7 } });
    expect(replace?.args[1]).toEqual({ replace: true });
    expect(client.calls.filter((c) => c.method === 'reauthorize' || c.method === 'reconfigure')).toEqual([]);
  });

  it('answers the same body again with 200 and the current token, changing nothing (a retried PUT)', async () => {
    const { app } = testServer();
    const first = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    const again = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, token: { version: first.json().token.version } });
  });

  it('lists what a replacement did not apply (a supplied token: a replacement fetches its own)', async () => {
    const { app } = testServer();
    await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body({ access_token: 'x-token', expires_at: expiresAt, refresh_ratio: 0.7 }) });
    expect(res.statusCode).toBe(200);
    expect(res.json().ignored_fields).toEqual(['access_token', 'expires_at']);
  });

  it('refuses to replace a credential with another provider (409 provider_mismatch)', async () => {
    const { app } = testServer();
    await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    const res = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: { provider: 'wecom', corpid: 'c', corpsecret: 'secret-123456' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'provider_mismatch', field: 'provider' });
  });
});

describe('request validation', () => {
  const put = (payload: unknown, url = '/v1/credentials/c1') => ({ method: 'PUT' as const, url, headers: { ...admin, 'content-type': 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  it.each([
    ['a missing field', oauth2Body({ client_id: undefined }), 'client_id'],
    ['a wrong type', oauth2Body({ client_secret: 42 }), 'client_secret'],
    ['an unknown field', oauth2Body({ clientSecret: 'camel' }), 'clientSecret'],
    ['an unknown provider', { provider: 'github' }, 'provider'],
    ['no provider', { appid: 'x' }, 'provider'],
    ['a bad enum', oauth2Body({ client_auth: 'tls_client_auth' }), 'client_auth'],
    ['a ratio out of range', oauth2Body({ refresh_ratio: 1.5 }), 'refresh_ratio'],
    ['a bad date', oauth2Body({ access_token: 'a', expires_at: 'tomorrow' }), 'expires_at'],
  ])('422 naming the field for %s', async (_name, body, field) => {
    const { app, client } = testServer();
    const res = await app.inject(put(body));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error: { code: 'invalid_config', message: expect.stringContaining(field), field } });
    expect(client.calls).toEqual([]);
  });

  it('400 for a body that is not JSON or not an object', async () => {
    const { app } = testServer();
    for (const payload of ['{"provider":', '[1,2]', '"text"', '{"__proto__": {"polluted": true}, "provider": "oauth2"}']) {
      const res = await app.inject(put(payload));
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_request', field: 'body' });
    }
  });

  it('400 naming id for a bad credential id, 400 naming a bad query parameter', async () => {
    const { app } = testServer();
    for (const id of ['-leading-dash', '.hidden', 'a%2Fb', '..%2F..%2Fx', 'x'.repeat(129), 'sp%20ace', '%C3%A9t%C3%A9']) {
      const res = await app.inject(put(oauth2Body(), `/v1/credentials/${id}`));
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('id');
    }
    const long = await app.inject(put(oauth2Body(), `/v1/credentials/${'x'.repeat(300)}`));
    expect(long.statusCode).toBe(414);
    expect(long.json().error.code).toBe('uri_too_long');
    const list = await app.inject({ method: 'GET', url: '/v1/credentials?status=sleeping', headers: admin });
    expect(list.statusCode).toBe(400);
    expect(list.json().error.field).toBe('status');
    const token = await app.inject({ method: 'GET', url: '/v1/credentials/c1/token?min_ttl=5', headers: admin });
    expect(token.json().error).toMatchObject({ code: 'invalid_request', field: 'min_ttl' });
  });

  it('413 for a body over the limit, 415 for a body that is not JSON', async () => {
    const { app } = testServer({ bodyLimit: 1024 });
    const big = await app.inject(put(oauth2Body({ scope: 'x'.repeat(2000) })));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
    const text = await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: { ...admin, 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
  });

  it('the default body limit is 64 KiB', async () => {
    const { app } = testServer();
    const res = await app.inject(put(oauth2Body({ scope: 'x'.repeat(70_000) })));
    expect(res.statusCode).toBe(413);
  });

  it('404 for unknown routes and unknown credentials', async () => {
    const { app } = testServer();
    const route = await app.inject({ method: 'GET', url: '/v2/nothing', headers: admin });
    expect(route.statusCode).toBe(404);
    expect(route.json().error.code).toBe('not_found');
    const cred = await app.inject({ method: 'GET', url: '/v1/credentials/nope/token', headers: admin });
    expect(cred.statusCode).toBe(404);
    expect(cred.headers['cache-control']).toBe('no-store');
    expect(cred.json().error.code).toBe('credential_not_found');
  });
});

describe('token, refresh, reauthorize, describe, list, delete', () => {
  async function withCredential() {
    const server = testServer();
    await server.app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    return server;
  }

  it('GET token passes min_ttl_s as milliseconds', async () => {
    const { app, client } = await withCredential();
    const res = await app.inject({ method: 'GET', url: '/v1/credentials/c1/token?min_ttl_s=120', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(['access_token', 'expires_at', 'expires_in', 'status', 'token_type', 'version']);
    expect(client.calls.at(-1)).toEqual({ method: 'getToken', args: ['c1', { minTtlMs: 120_000 }] });
  });

  it('POST refresh with and without a body; a superseded stale_version answers at once', async () => {
    const { app } = await withCredential();
    const fresh = await app.inject({ method: 'POST', url: '/v1/credentials/c1/refresh', headers: admin });
    expect(fresh.json()).toMatchObject({ version: 2, refreshed: true });
    const stale = await app.inject({ method: 'POST', url: '/v1/credentials/c1/refresh', headers: admin, payload: { stale_version: 1 } });
    expect(stale.json()).toMatchObject({ version: 2, refreshed: false, reason: 'superseded' });
    const emptyJson = await app.inject({ method: 'POST', url: '/v1/credentials/c1/refresh', headers: { ...admin, 'content-type': 'application/json' }, payload: '' });
    expect(emptyJson.json()).toMatchObject({ version: 3, refreshed: true });
    const bad = await app.inject({ method: 'POST', url: '/v1/credentials/c1/refresh', headers: admin, payload: { stale_version: -1 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.field).toBe('stale_version');
  });

  it('POST reauthorize with a grant only, or with a full configuration', async () => {
    const { app, client } = await withCredential();
    const grant = await app.inject({ method: 'POST', url: '/v1/credentials/c1/reauthorize', headers: admin, payload: { refresh_token: 'rt-again-0123456789' } });
    expect(grant.statusCode).toBe(200);
    expect(client.calls.at(-1)).toEqual({ method: 'reauthorize', args: ['c1', { grant: { refreshToken: 'rt-again-0123456789' } }] });
    const full = await app.inject({ method: 'POST', url: '/v1/credentials/c1/reauthorize', headers: admin, payload: oauth2Body({ client_secret: 'rotated-secret-123456' }) });
    expect(full.statusCode).toBe(200);
    expect(client.calls.at(-1)?.args[1]).toMatchObject({ config: { clientSecret: 'rotated-secret-123456' }, settings: expect.any(Object) });
    const empty = await app.inject({ method: 'POST', url: '/v1/credentials/c1/reauthorize', headers: admin });
    expect(empty.statusCode).toBe(200);
    expect(client.calls.at(-1)).toEqual({ method: 'reauthorize', args: ['c1', {}] });
  });

  it('GET describe is snake_case with ISO times and seconds', async () => {
    const { app } = await withCredential();
    const body = (await app.inject({ method: 'GET', url: '/v1/credentials/c1', headers: admin })).json();
    expect(body).toMatchObject({
      id: 'c1',
      provider: 'oauth2',
      status: 'active',
      settings: { token_endpoint: 'https://auth.example.com/oauth/token', client_id: 'client-123', client_auth: 'client_secret_basic' },
      expires_at: expect.stringMatching(isoPattern),
      counts: { refreshes: 1, upstream_calls: 1, failures: 0, coalesced: 0, runs: 1 },
      policy: { refresh_ratio: 0.5, min_refresh_interval_s: 10, max_refreshes_per_day: 1000, default_lifetime_s: 3600 },
      quota: { calls_last_24h: 1, max_per_day: 1000, min_interval_s: 10, next_allowed_at: expect.stringMatching(isoPattern) },
      has_refresh_token: true,
      created_at: expect.stringMatching(isoPattern),
    });
    const keys = JSON.stringify(body).match(/"([A-Za-z_0-9]+)":/g) ?? [];
    expect(keys.filter((k) => /[A-Z]/.test(k))).toEqual([]);
  });

  it('GET list filters and maps; DELETE revokes', async () => {
    const { app, client } = await withCredential();
    const list = await app.inject({ method: 'GET', url: '/v1/credentials?provider=oauth2&status=active', headers: admin });
    expect(list.json()).toEqual({ credentials: [{ id: 'c1', status: 'active', provider: 'oauth2', expires_at: expect.stringMatching(isoPattern) }] });
    expect(client.calls.at(-1)).toEqual({ method: 'list', args: [{ provider: 'oauth2', status: 'active' }] });
    const del = await app.inject({ method: 'DELETE', url: '/v1/credentials/c1', headers: admin });
    expect(del.json()).toMatchObject({ id: 'c1', status: 'revoked' });
    expect(client.calls.at(-1)?.args).toEqual(['c1', 'revoked through the HTTP API by admin-all']);
    expect((await app.inject({ method: 'DELETE', url: '/v1/credentials/c1', headers: admin })).statusCode).toBe(404);
  });
});

describe('errors from the client', () => {
  it.each<[string, Error, number, string, Record<string, unknown>, string | undefined]>([
    ['ReauthRequiredError', new ReauthRequiredError('c1', 'invalid_grant'), 409, 'reauth_required', {}, undefined],
    ['TokenExpiredError', new TokenExpiredError('c1'), 503, 'token_expired', {}, '5'],
    ['RefreshFailedError', new RefreshFailedError('c1', 'http_503', 'token endpoint answered 503'), 502, 'refresh_failed', {}, undefined],
    ['CredentialNotFoundError', new CredentialNotFoundError('c1'), 404, 'credential_not_found', {}, undefined],
    ['InvalidConfigError', new InvalidConfigError('config.tokenEndpoint', 'must use https'), 422, 'invalid_config', { field: 'token_endpoint', message: 'token_endpoint: must use https' }, undefined],
    ['a Temporal outage', Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { code: 14, details: 'x', metadata: {} }), 503, 'temporal_unavailable', {}, '5'],
    ['an unexpected error', new TypeError('cannot read properties of undefined (secret stuff at /src/x.ts:1)'), 500, 'internal', { message: 'internal error' }, undefined],
  ])('%s → %d %s', async (_name, error, status, code, body, retryAfter) => {
    const { app, client } = testServer();
    await client.register({ id: 'c1', provider: 'wecom', config: { corpid: 'x' } });
    client.failNext('getToken', error);
    const res = await app.inject({ method: 'GET', url: '/v1/credentials/c1/token', headers: admin });
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatchObject({ code, ...body });
    expect(res.body).not.toMatch(/at \/|\.ts:|stack|secret stuff/);
    // Every 503 says when to come back; nothing else does.
    expect(res.headers['retry-after']).toBe(retryAfter);
  });
});

describe('secrets', () => {
  it('appear in no response, header or log line', async () => {
    let logs = '';
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
    const { app, client } = testServer({ logger: createLogger('trace', sink) });
    const secrets = ['client-secret-VERY-SECRET-abcdef', 'refresh-token-VERY-SECRET-123456', 'app-secret-VERY-SECRET-7890', 'rt-rotated-VERY-SECRET-555'];
    const answers: string[] = [];
    const call = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) => {
      const res = await app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
      answers.push(JSON.stringify(res.headers), res.body);
      return res;
    };
    await call('PUT', '/v1/credentials/c1', oauth2Body());
    await call('PUT', '/v1/credentials/c1', oauth2Body({ refresh_token: secrets[3] }));
    await call('PUT', '/v1/credentials/w1', { provider: 'wechat', appid: 'wx', secret: secrets[2] });
    await call('PUT', '/v1/credentials/c2', oauth2Body({ client_id: 7 }));
    await call('PUT', '/v1/credentials/c3', oauth2Body({ bogus_field: secrets[0] }));
    client.failNext('register', new Error(`upstream said no to ${secrets[0]}`));
    await call('PUT', '/v1/credentials/c4', oauth2Body());
    for (const id of ['c1', 'w1']) {
      await call('GET', `/v1/credentials/${id}/token`);
      await call('POST', `/v1/credentials/${id}/refresh`, {});
      await call('POST', `/v1/credentials/${id}/reauthorize`, id === 'c1' ? { refresh_token: secrets[3] } : {});
      await call('GET', `/v1/credentials/${id}`);
    }
    await call('GET', '/v1/credentials');
    await call('GET', '/metrics');
    await call('DELETE', '/v1/credentials/c1');
    expect(logs).toContain('request failed'); // the unexpected error was logged...
    for (const secret of secrets) {
      expect(answers.join('\n')).not.toContain(secret);
      expect(logs).not.toContain(secret); // ...without the secret it carried
    }
  });
});

describe('health, metrics and the OpenAPI document', () => {
  it.each([
    [{ temporal: async () => true }, 200, { status: 'ok', temporal: true, redis: 'disabled' }],
    [{ temporal: async () => true, redis: async () => false }, 200, { status: 'ok', temporal: true, redis: false }],
    [{ temporal: async () => true, redis: async () => true }, 200, { status: 'ok', temporal: true, redis: true }],
    [{ temporal: async () => false, redis: async () => true }, 503, { status: 'unavailable', temporal: false, redis: true }],
    [{ temporal: () => Promise.reject(new Error('down')) }, 503, { status: 'unavailable', temporal: false, redis: 'disabled' }],
    [{ temporal: () => new Promise<boolean>(() => undefined), timeoutMs: 50 }, 503, { status: 'unavailable', temporal: false, redis: 'disabled' }],
  ])('healthz %#', async (health, status, body) => {
    const { app } = testServer({ health });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(body);
    expect(res.headers['retry-after']).toBe(status === 503 ? '5' : undefined);
  });

  it('while closing, a request still arriving on an open connection gets 503 shutting_down with Retry-After', async () => {
    const { app } = testServer();
    let entered!: () => void;
    const slowEntered = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    app.get('/test-slow', async () => {
      entered();
      await released;
      return { slow: true };
    });
    let markClosing!: () => void;
    const closingStarted = new Promise<void>((resolve) => (markClosing = resolve));
    app.addHook('preClose', async () => markClosing());
    let markAnswered!: () => void;
    const secondAnswered = new Promise<void>((resolve) => (markAnswered = resolve));
    app.addHook('onSend', async (request) => {
      if (request.url === '/healthz') markAnswered();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /test-slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await slowEntered;
    const closed = app.close();
    await closingStarted;
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'); // pipelined behind the slow request
    await secondAnswered; // answered (queued behind the first), not dropped
    release();
    await closed;
    await ended;
    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(second).toContain('{"error":{"code":"shutting_down","message":"the server is shutting down; try again"}}');
  });

  it('metrics count requests by route template and record the headroom of served tokens', async () => {
    const { app } = testServer();
    await app.inject({ method: 'PUT', url: '/v1/credentials/c1', headers: admin, payload: oauth2Body() });
    await app.inject({ method: 'GET', url: '/v1/credentials/c1/token', headers: admin });
    await app.inject({ method: 'GET', url: '/nowhere' });
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(testKeys.readAll) });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/halflife_http_requests_total\{method="GET",route="\/v1\/credentials\/:id\/token",status="200"\} 1/);
    expect(res.body).toMatch(/halflife_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(res.body).toMatch(/halflife_http_request_duration_seconds_bucket\{le="0.005",method="PUT",route="\/v1\/credentials\/:id",status="201"\}/);
    const headroom = /halflife_token_headroom_seconds\{credential="c1"\} ([\d.]+)/.exec(res.body);
    expect(Number(headroom?.[1])).toBeGreaterThan(3500);
    expect(res.body).toMatch(/halflife_token_headroom_served_seconds_count 2/);
    await app.inject({ method: 'DELETE', url: '/v1/credentials/c1', headers: admin });
    const after = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(testKeys.readAll) });
    expect(after.body).not.toMatch(/halflife_token_headroom_seconds\{credential="c1"\}/);
  });

  it('openapi.json is OpenAPI 3.1 and lists exactly the routes the server has', async () => {
    const { app } = testServer();
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => void routes.push(route));
    await app.ready();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const served = routes
      .flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`))
      .filter((r) => !r.startsWith('head ') && !r.startsWith('options '));
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual([...new Set(served)].sort());
    // token_endpoint is required unless issuer is given (then it is discovered): one of the two.
    // client_secret is required unless client_auth is private_key_jwt (the configuration checks it).
    expect(doc.components.schemas.Oauth2Credential.required).toEqual(expect.arrayContaining(['client_id', 'refresh_token']));
    expect(doc.components.schemas.Oauth2Credential.allOf).toEqual([{ anyOf: [{ required: ['token_endpoint'] }, { required: ['issuer'] }] }]);
    expect(doc.paths['/v1/credentials/{id}'].put['x-halflife-scope']).toBe('admin');
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });
});

/**
 * The webhook routes over inject, with a fake WebhookClient that validates bodies as the real one
 * does: admin over every credential, ids checked, 422 naming the field, the secret only in the
 * creation and rotation answers, errors mapped (404, 409), and the OpenAPI document listing
 * exactly the routes served.
 */
import type { RouteOptions } from 'fastify';
import type { ApiWebhookClient } from '../../../src/api/webhook-routes';
import { defaultEgressPolicy } from '../../../src/egress';
import { WebhookConflictError, WebhookNotFoundError } from '../../../src/errors';
import { freshHealth } from '../../../src/workflows/webhooks/registry-state';
import type { WebhookView } from '../../../src/webhooks/messages';
import { generateWebhookSecret } from '../../../src/webhooks/secrets';
import { parseSubscriptionBody } from '../../../src/webhooks/subscription-input';
import { bearer, testKeys, testServer } from './fake-token-client';

const secret = generateWebhookSecret();

function fakeWebhooks(): ApiWebhookClient & { calls: string[] } {
  const views: WebhookView[] = [{ id: 'cfg-pager', url: 'https://hooks.example/p', events: ['*'], credentials: '*', createdAt: 0, source: 'config', activeSecrets: 1, health: freshHealth(1_000) }];
  const calls: string[] = [];
  const get = async (id: string) => {
    const v = views.find((x) => x.id === id);
    if (!v) throw new WebhookNotFoundError(id);
    return v;
  };
  return {
    calls,
    list: async () => views,
    get,
    async create(body) {
      calls.push('create');
      const req = parseSubscriptionBody(body, defaultEgressPolicy({}));
      const view: WebhookView = { id: 'wh_0123456789abcdef0123', url: req.url, events: req.events, credentials: req.credentials, createdAt: 2_000, source: 'api', activeSecrets: 1, health: freshHealth(2_000) };
      views.push(view);
      return { view, secret, warnings: [] };
    },
    async remove(id) {
      if (id === 'cfg-pager') throw new WebhookConflictError('configured', id);
      return get(id);
    },
    async rotateSecret(id, options) {
      calls.push(`rotate ${options?.keepPreviousMs}`);
      return { view: await get(id), secret: options?.secret ?? secret };
    },
    enable: get,
    async test(id) {
      await get(id);
      return { subscriptionId: id, eventId: 'test_1', outcome: { kind: 'delivered', httpStatus: 204, durationMs: 12.4 } };
    },
  };
}

function server() {
  const webhooks = fakeWebhooks();
  return { ...testServer({ webhooks }), webhooks };
}

const post = (url: string, payload: unknown, key: string = testKeys.adminAll) => ({ method: 'POST' as const, url, headers: { ...bearer(key), 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

describe('webhook routes', () => {
  it('need admin over every credential', async () => {
    const { app, webhooks } = server();
    expect((await app.inject({ method: 'GET', url: '/v1/webhooks' })).statusCode).toBe(401);
    for (const key of [testKeys.readAll, testKeys.adminTeamA]) {
      expect((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(key) })).statusCode).toBe(403);
      expect((await app.inject(post('/v1/webhooks', { url: 'https://hooks.example/x' }, key))).statusCode).toBe(403);
    }
    expect(webhooks.calls).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(testKeys.adminAll) })).statusCode).toBe(200);
  });

  it('POST answers 201 with the secret once; listings never carry it', async () => {
    const { app } = server();
    const created = await app.inject(post('/v1/webhooks', { url: 'https://hooks.example/x', events: ['credential.revoked'], credentials: 'billing-*' }));
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.json()).toMatchObject({ id: 'wh_0123456789abcdef0123', secret, events: ['credential.revoked'], credentials: 'billing-*', state: 'active', source: 'api', created_at: new Date(2_000).toISOString() });
    const listed = await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(testKeys.adminAll) });
    expect(listed.body).not.toContain(secret);
    expect(listed.json().webhooks.map((w: { id: string; source: string }) => [w.id, w.source])).toEqual([['cfg-pager', 'config'], ['wh_0123456789abcdef0123', 'api']]);
    expect(listed.json().webhooks[0].created_at).toBeUndefined();
  });

  it.each([
    [{ url: 'https://hooks.example/x', events: ['credential.nope'] }, 'events.0', /unknown event type/],
    [{ url: 'https://hooks.example/x', events: [] }, 'events', /at least one/],
    [{ url: 'http://hooks.example/x' }, 'url', /must use https/],
    [{ url: 'https://10.1.2.3/x' }, 'url', /private/],
    [{ url: 'https://hooks.example/x#frag' }, 'url', /fragment/],
    [{ url: 'https://hooks.example/x?client_secret=abc' }, 'url', /secret/],
    [{ url: 'https://hooks.example/x', credentials: '.hidden' }, 'credentials', /matches no credential/],
    [{ url: 'https://hooks.example/x', secret: 'not-a-secret-value' }, 'secret', /whsec_/],
    [{ url: 'https://hooks.example/x', colour: 'red' }, 'colour', /not a field/],
    [{ events: ['*'] }, 'url', /required/],
  ])('422 for %j naming %s', async (payload, field, reason) => {
    const { app } = server();
    const res = await app.inject(post('/v1/webhooks', payload));
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'invalid_config', field });
    expect(res.json().error.message).toMatch(reason);
    expect(res.body).not.toContain('not-a-secret-value');
  });

  it('ids are checked; unknown ones answer 404; configured ones 409 on removal', async () => {
    const { app } = server();
    const admin = bearer(testKeys.adminAll);
    expect((await app.inject({ method: 'GET', url: '/v1/webhooks/-bad', headers: admin })).json().error).toMatchObject({ code: 'invalid_request', field: 'id' });
    expect((await app.inject({ method: 'GET', url: '/v1/webhooks/wh_missing', headers: admin })).json()).toEqual({ error: { code: 'webhook_not_found', message: 'webhook wh_missing not found' } });
    expect((await app.inject({ method: 'DELETE', url: '/v1/webhooks/cfg-pager', headers: admin })).statusCode).toBe(409);
    expect((await app.inject({ method: 'DELETE', url: '/v1/webhooks/wh_missing', headers: admin })).statusCode).toBe(404);
  });

  it('rotate-secret takes an optional body (seconds); test answers the receiver\'s outcome', async () => {
    const { app, webhooks } = server();
    const rotated = await app.inject(post('/v1/webhooks/cfg-pager/rotate-secret', { keep_previous_s: 60 }));
    expect(rotated.json()).toMatchObject({ id: 'cfg-pager', secret });
    expect(webhooks.calls).toEqual(['rotate 60000']);
    expect((await app.inject(post('/v1/webhooks/cfg-pager/rotate-secret', { keep_previous_s: -1 }))).json().error).toMatchObject({ code: 'invalid_config', field: 'keep_previous_s' });
    expect((await app.inject(post('/v1/webhooks/cfg-pager/rotate-secret', { other: 1 }))).json().error).toMatchObject({ code: 'invalid_config', field: 'other' });
    const tested = await app.inject({ method: 'POST', url: '/v1/webhooks/cfg-pager/test', headers: bearer(testKeys.adminAll) });
    expect(tested.json()).toEqual({ id: 'cfg-pager', event_id: 'test_1', delivered: true, outcome: 'delivered', http_status: 204, duration_ms: 12 });
  });

  it('openapi.json lists exactly the routes served, webhook routes included', async () => {
    const { app } = server();
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => void routes.push(route));
    await app.ready();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const served = routes
      .flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m.toLowerCase()} ${r.url.replace(/:(\w+)/g, '{$1}')}`))
      .filter((r) => !r.startsWith('head ') && !r.startsWith('options '));
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual([...new Set(served)].sort());
    expect(documented).toEqual(expect.arrayContaining(['post /v1/webhooks', 'get /v1/webhooks', 'post /v1/webhooks/{id}/test']));
    expect(doc.components.schemas.WebhookBody.required).toEqual(['url']);
  });
});

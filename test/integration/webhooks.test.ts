/**
 * Webhooks end to end (issue 14), against a real dev server, a worker process and a real HTTP
 * receiver on loopback: a grant revoked at the provider (the fake, and the real oidc-provider
 * peer) is announced by a signed `credential.reauth_required` within 5 s that verifies with
 * `verifyWebhook`; a receiver down for 60 s across three events gets all three, in order, once
 * each after deduplication; a worker killed while a delivery is in flight does not lose it; a
 * 410 disables the subscription; a 400 is tried a few times, then the subscription is failing.
 * Subscription secrets never appear in a raw history.
 */
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { ApiKeys } from '../../src/api/keys';
import { createApiServer } from '../../src/api/server';
import { defaultEgressPolicy } from '../../src/egress';
import { parseConfiguredWebhooks } from '../../src/webhooks/subscription-input';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { WebhookVerificationError } from '../../src/errors';
import { verifyWebhook } from '../../src/webhooks/verify';
import { WebhookClient } from '../../src/webhooks/webhook-client';
import { webhookRegistryWorkflowId, type WebhookView } from '../../src/webhooks/messages';
import { webhookDeliveryWorkflowId } from '../../src/webhooks/delivery-messages';
import { generateWebhookSecret } from '../../src/webhooks/secrets';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-peer';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { registerAtPeer } from '../helpers/oidc-credential';
import { findSecrets, historyHaystacks, rawHistories } from '../helpers/secrets-scan';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const taskQueue = uniqueId('webhooks');
/** A configured subscription (HALFLIFE_WEBHOOKS) for credentials `cfg-*`, with its own secret. */
const configuredSecret = generateWebhookSecret();
/** Short retries, so a receiver that comes back is reached within a few seconds; the configured subscription. */
let workerEnv: Record<string, string>;
let configuredJson: string;

let fake: FakeOAuth2Server;
let worker: WorkerProcess;
let client: Awaited<ReturnType<typeof openTokenClient>>;
let webhooks: WebhookClient;
let receiver: WebhookReceiver;
const secrets: string[] = [];

beforeAll(async () => {
  fake = await startFakeOAuth2Server();
  receiver = await startWebhookReceiver();
  configuredJson = JSON.stringify([{ id: 'ops-pager', url: receiver.url, events: ['credential.rotated'], credentials: 'cfg-*', secret: configuredSecret }]);
  workerEnv = { HALFLIFE_WEBHOOK_RETRY_INITIAL_S: '0.5', HALFLIFE_WEBHOOK_RETRY_MAX_S: '2', HALFLIFE_WEBHOOKS: configuredJson };
  worker = await startWorkerProcess(taskQueue, workerEnv);
  client = await openTokenClient(taskQueue);
  webhooks = new WebhookClient({ temporal: client.temporal, taskQueue, configured: parseConfiguredWebhooks(configuredJson, defaultEgressPolicy()) });
});
afterAll(async () => {
  await client?.shutdown();
  await worker?.stop();
  await fake?.close();
  await receiver?.close();
});
beforeEach(() => receiver.answer(() => 200));

/** Subscribes the receiver (or `url`) to `events` of `credentials`; remembers the secret for the history scan. */
async function subscribe(credentials: string, events: string[], url = receiver.url) {
  const created = await webhooks.create({ url, events, credentials });
  secrets.push(created.secret);
  return created;
}

const eventsFor = (r: WebhookReceiver, id: string, type?: string) => r.events().filter((e) => e.data.id === id && (type === undefined || e.type === type));

async function view(id: string): Promise<WebhookView> {
  return webhooks.get(id);
}

describe('webhooks', () => {
  it('a grant revoked at the fake provider: a signed credential.reauth_required arrives within 5 s and verifies', async () => {
    const own = await startFakeOAuth2Server();
    try {
      const reg = await registerOAuth2(client, own);
      const { secret, view: sub } = await subscribe(reg.id, ['credential.reauth_required']);
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      own.revokeAll();
      const t0 = Date.now();
      await client.refresh(reg.id, { staleVersion: reg.token.version }).catch(() => undefined);
      const [request] = await receiver.waitFor('the reauth_required delivery', (rs) => {
        const hit = rs.filter((r) => r.body.includes(`"id":"${reg.id}"`));
        return hit.length > 0 ? hit : undefined;
      }, 5_000);
      expect(request!.receivedAt - t0).toBeLessThan(5_000);
      const verified = verifyWebhook(request!.body, request!.headers, secret);
      expect(verified.id).toBe(request!.id);
      expect(verified.payload).toMatchObject({ type: 'credential.reauth_required', data: { id: reg.id, status: 'reauth_required', version: 1, reason: { code: 'invalid_grant' } } });
      expect(request!.headers['content-type']).toBe('application/json');
      expect(() => verifyWebhook(request!.body, request!.headers, generateWebhookSecret())).toThrow(WebhookVerificationError);
      expect(() => verifyWebhook(request!.body.replace('reauth_required', 'recovered'), request!.headers, secret)).toThrow(WebhookVerificationError);
      const shown = await waitFor('the delivery recorded', async () => ((await view(sub.id)).health.deliveries[0]?.status === 'delivered' ? view(sub.id) : undefined));
      expect(shown.health).toMatchObject({ state: 'active', delivered: 1, deliveries: [{ eventId: request!.id, type: 'credential.reauth_required', credentialId: reg.id, status: 'delivered', attempts: 1, httpStatus: 200 }] });
    } finally {
      await own.close();
    }
  });

  it('a grant revoked at the OpenID peer (oidc-provider): reauth_required within 5 s, verified', async () => {
    const peer: OidcPeer = await startOidcPeer({ accessTokenTtlS: 300, rotation: 'strict' });
    try {
      const cred = await registerAtPeer(client, peer, { policy: { minRefreshIntervalMs: 0, retryInitialMs: 200, upstreamTimeoutMs: 2000 } });
      const { secret } = await subscribe(cred.id, ['credential.reauth_required', 'credential.rotated']);
      expect(await peer.revokeGrant(cred.grantId)).toBe(true);
      const t0 = Date.now();
      await client.refresh(cred.id, { staleVersion: cred.token.version }).catch(() => undefined);
      const request = await receiver.waitFor('the reauth_required delivery', (rs) => rs.find((r) => r.body.includes(`"id":"${cred.id}"`)), 5_000);
      expect(request.receivedAt - t0).toBeLessThan(5_000);
      const { payload } = verifyWebhook(Buffer.from(request.body), new Headers(request.headers as Record<string, string>), [generateWebhookSecret(), secret]);
      expect(payload).toMatchObject({ type: 'credential.reauth_required', data: { id: cred.id, status: 'reauth_required', reason: { code: 'invalid_grant' } } });
      expect(eventsFor(receiver, cred.id, 'credential.rotated')).toEqual([]);
    } finally {
      await peer.close();
    }
  });

  it('a receiver down for 60 s across three events gets all three, in order, exactly once after deduplication', async () => {
    const own = await startWebhookReceiver();
    try {
      const reg = await registerOAuth2(client, fake);
      const { view: sub } = await subscribe(reg.id, ['credential.rotated'], own.url);
      await own.down();
      const downAt = Date.now();
      let version = reg.token.version;
      for (let i = 0; i < 3; i++) version = (await client.refresh(reg.id, { staleVersion: version })).token.version;
      expect(version).toBe(reg.token.version + 3);
      // The head delivery is being retried (and failing) while the receiver is down.
      await waitFor('attempts failing against the closed port', async () => {
        const d = (await view(sub.id)).health.deliveries[0];
        return d?.status === 'retrying' && d.attempts >= 2 && /could not reach the receiver/.test(d.lastError ?? '');
      }, { timeoutMs: 30_000 });
      expect(own.requests).toHaveLength(0);
      // The outage lasts 60 s (the scenario itself, not a wait for a condition).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + 60_000 - Date.now())));
      await own.up();
      const events = await own.waitFor('the three rotations', () => (own.unique().length >= 3 ? own.events() : undefined), 30_000);
      expect(events.map((e) => [e.type, e.data.version])).toEqual([
        ['credential.rotated', reg.token.version + 1],
        ['credential.rotated', reg.token.version + 2],
        ['credential.rotated', reg.token.version + 3],
      ]);
      expect(new Set(events.map((e) => e.id)).size).toBe(3);
      const shown = await waitFor('three delivered', async () => {
        const v = await view(sub.id);
        return v.health.delivered === 3 ? v : undefined;
      });
      expect(shown.health.deliveries.filter((d) => d.status === 'delivered').map((d) => d.eventId).sort()).toEqual(events.map((e) => e.id).sort());
      expect(shown.health.deliveries.find((d) => d.eventId === events[0]!.id)!.attempts).toBeGreaterThan(2);
    } finally {
      await own.close();
    }
  });

  it('a worker killed while a delivery is in flight: another worker delivers it (same webhook-id)', async () => {
    const reg = await registerOAuth2(client, fake);
    const { secret, view: sub } = await subscribe(reg.id, ['credential.rotated']);
    receiver.answer((r) => (r.body.includes(`"id":"${reg.id}"`) && receiver.requests.filter((x) => x.id === r.id).length === 1 ? 'hang' : 200));
    await client.refresh(reg.id, { staleVersion: reg.token.version });
    const first = await receiver.waitFor('the first attempt', (rs) => rs.find((r) => r.body.includes(`"id":"${reg.id}"`)));
    await worker.kill();
    worker = await startWorkerProcess(taskQueue, workerEnv);
    const again = await receiver.waitFor('the repeated attempt', (rs) => rs.filter((r) => r.id === first.id)[1], 60_000);
    expect(verifyWebhook(again.body, again.headers, secret).payload).toMatchObject({ type: 'credential.rotated', data: { id: reg.id, version: reg.token.version + 1 } });
    expect(again.body).toBe(first.body);
    expect(eventsFor(receiver, reg.id)).toHaveLength(1);
    await waitFor('delivered', async () => (await view(sub.id)).health.deliveries[0]?.status === 'delivered');
  });

  it('410 Gone disables the subscription: later events are not sent to it', async () => {
    const gone = await startWebhookReceiver();
    try {
      gone.answer(() => 410);
      const reg = await registerOAuth2(client, fake);
      const { view: sub } = await subscribe(reg.id, ['credential.rotated'], gone.url);
      const { view: witness } = await subscribe(reg.id, ['credential.rotated']);
      const v2 = (await client.refresh(reg.id, { staleVersion: reg.token.version })).token.version;
      const disabled = await waitFor('disabled', async () => {
        const v = await view(sub.id);
        return v.health.state === 'disabled' ? v : undefined;
      });
      expect(disabled.health).toMatchObject({ reason: expect.stringMatching(/410 Gone/), deliveries: [{ status: 'gone', attempts: 1, httpStatus: 410 }] });
      await client.refresh(reg.id, { staleVersion: v2 });
      await receiver.waitFor('the witness gets the second event', () => eventsFor(receiver, reg.id).length === 2 || undefined);
      await waitFor('the witness delivery recorded', async () => (await view(witness.id)).health.delivered === 2);
      expect(gone.requests).toHaveLength(1);
      expect((await view(sub.id)).health.deliveries).toHaveLength(1);
      // Enabled again, it gets the next event.
      gone.answer(() => 204);
      expect((await webhooks.enable(sub.id)).health.state).toBe('active');
      await client.refresh(reg.id, { staleVersion: v2 + 1 });
      await gone.waitFor('a delivery after enable', (rs) => rs.length === 2 || undefined);
    } finally {
      await gone.close();
    }
  });

  it('a 400 is tried a few times, then the delivery fails and the subscription is failing; a success makes it active again', async () => {
    const reg = await registerOAuth2(client, fake);
    const { view: sub } = await subscribe(reg.id, ['credential.rotated']);
    receiver.answer((r) => (r.body.includes(`"id":"${reg.id}"`) ? 400 : 200));
    const v2 = (await client.refresh(reg.id, { staleVersion: reg.token.version })).token.version;
    const failing = await waitFor('failing', async () => {
      const v = await view(sub.id);
      return v.health.state === 'failing' ? v : undefined;
    });
    expect(failing.health).toMatchObject({ failed: 1, deliveries: [{ status: 'failed', attempts: 3, httpStatus: 400, lastError: 'HTTP 400' }] });
    expect(receiver.requests.filter((r) => r.body.includes(`"id":"${reg.id}"`))).toHaveLength(3);
    receiver.answer(() => 200);
    await client.refresh(reg.id, { staleVersion: v2 });
    await waitFor('active again', async () => (await view(sub.id)).health.state === 'active');
  });

  it('a configured subscription (HALFLIFE_WEBHOOKS) is delivered to, listed with its health, and cannot be removed through the API', async () => {
    const reg = await registerOAuth2(client, fake, {}, uniqueId('cfg'));
    await client.refresh(reg.id, { staleVersion: reg.token.version });
    // The configured subscription existed before the registration: it also got the first token's rotation (version 1).
    const request = await receiver.waitFor('the configured delivery', (rs) => rs.find((r) => r.body.includes(`"id":"${reg.id}"`) && r.body.includes(`"version":${reg.token.version + 1}`)));
    expect(verifyWebhook(request.body, request.headers, configuredSecret).payload).toMatchObject({ type: 'credential.rotated', data: { id: reg.id, version: reg.token.version + 1 } });
    const shown = await waitFor('the configured delivery recorded', async () => {
      const v = await view('ops-pager');
      return v.health.delivered >= 1 ? v : undefined;
    });
    expect(shown).toMatchObject({ id: 'ops-pager', source: 'config', credentials: 'cfg-*', activeSecrets: 1 });
    await expect(webhooks.remove('ops-pager')).rejects.toMatchObject({ name: 'WebhookConflictError', code: 'webhook_conflict' });
  });

  it('the HTTP API: 201 with the secret once, 422 naming the field, admin over all credentials, list, test, remove', async () => {
    const adminKey = 'admin-key-0123456789abcdef';
    const teamKey = 'team-admin-0123456789abcdef';
    const app = createApiServer({
      tokenClient: client,
      keys: ApiKeys.of([{ key: adminKey, scopes: ['admin'], credentials: '*' }, { key: teamKey, scopes: ['admin'], credentials: 'team-*' }]),
      health: { temporal: async () => true },
      webhooks,
    });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, key = adminKey) => {
        const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}) }, ...(payload ? { body: JSON.stringify(payload) } : {}) });
        const body = await res.text();
        return { statusCode: res.status, body, headers: Object.fromEntries(res.headers), json: () => JSON.parse(body) };
      };
      const created = await call('POST', '/v1/webhooks', { url: receiver.url, events: ['credential.revoked'], credentials: 'api-none-*' });
      expect(created.statusCode).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const body = created.json();
      expect(body).toMatchObject({ id: expect.stringMatching(/^wh_[0-9a-f]{20}$/), url: receiver.url, events: ['credential.revoked'], credentials: 'api-none-*', source: 'api', state: 'active', active_secrets: 1, deliveries: [] });
      expect(body.secret).toMatch(/^whsec_/);
      expect(body.warnings).toEqual([expect.stringContaining('matches no credential registered now')]);
      secrets.push(body.secret);

      const listed = await call('GET', '/v1/webhooks');
      expect(listed.statusCode).toBe(200);
      expect(listed.body).not.toContain(body.secret);
      expect(listed.json().webhooks.map((w: { id: string }) => w.id)).toEqual(expect.arrayContaining(['ops-pager', body.id]));

      for (const [payload, field] of [
        [{ url: receiver.url, events: ['credential.nope'] }, 'events.0'],
        [{ url: 'https://169.254.169.254/latest' }, 'url'],
        [{ url: 'not a url' }, 'url'],
        [{ url: receiver.url, credentials: '-x' }, 'credentials'],
        [{ url: receiver.url, secret: 'whsec_short' }, 'secret'],
      ] as const) {
        const res = await call('POST', '/v1/webhooks', payload);
        expect(res.statusCode).toBe(422);
        expect(res.json().error).toMatchObject({ code: 'invalid_config', field });
      }
      expect((await call('POST', '/v1/webhooks', { url: 'https://169.254.169.254/x' })).json().error.rule).toBe('metadata_address');
      expect((await call('GET', '/v1/webhooks', undefined, teamKey)).statusCode).toBe(403);

      const tested = await call('POST', `/v1/webhooks/${body.id}/test`);
      expect(tested.json()).toMatchObject({ id: body.id, delivered: true, outcome: 'delivered', http_status: 200 });
      const rotated = await call('POST', `/v1/webhooks/${body.id}/rotate-secret`, { keep_previous_s: 60 });
      expect(rotated.json()).toMatchObject({ id: body.id, active_secrets: 2, secret: expect.stringMatching(/^whsec_/) });
      secrets.push(rotated.json().secret);
      const testedAgain = (await call('POST', `/v1/webhooks/${body.id}/test`)).json();
      const signedTwice = receiver.requests.find((r) => r.id === testedAgain.event_id)!;
      expect(signedTwice.signature.split(' ')).toHaveLength(2);
      expect(verifyWebhook(signedTwice.body, signedTwice.headers, body.secret).id).toBe(testedAgain.event_id);
      expect(verifyWebhook(signedTwice.body, signedTwice.headers, rotated.json().secret).id).toBe(testedAgain.event_id);

      expect((await call('DELETE', '/v1/webhooks/ops-pager')).statusCode).toBe(409);
      expect((await call('DELETE', `/v1/webhooks/${body.id}`)).statusCode).toBe(200);
      expect((await call('GET', `/v1/webhooks/${body.id}`)).json().error.code).toBe('webhook_not_found');
      expect((await call('POST', '/v1/webhooks/wh_00000000000000000000/test')).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('a test delivery goes through a worker and is recorded; secrets never appear in a raw history', async () => {
    const { view: sub } = await subscribe('nothing-matches-*', ['*']);
    const result = await webhooks.test(sub.id);
    expect(result.outcome).toMatchObject({ kind: 'delivered', httpStatus: 200 });
    const request = receiver.requests.find((r) => r.id === result.eventId)!;
    expect(JSON.parse(request.body)).toMatchObject({ type: 'webhook.test', data: { subscription_id: sub.id } });
    await waitFor('the test recorded', async () => (await view(sub.id)).health.deliveries[0]?.test === true);

    const env = testEnv();
    const connection = await Connection.connect({ address: env.temporalAddress });
    try {
      const ids = [webhookRegistryWorkflowId(taskQueue), ...(await client.list()).map((c) => webhookDeliveryWorkflowId(c.id))];
      const haystacks = [];
      for (const id of ids) {
        const runs = await rawHistories(connection, env.namespace, id).catch(() => []);
        for (const run of runs) haystacks.push(...historyHaystacks(`${id}/${run.runId}`, run.events));
      }
      expect(haystacks.length).toBeGreaterThan(0);
      const wanted = new Map(secrets.map((s, i) => [`secret ${i}`, s] as const));
      expect(findSecrets(haystacks, wanted)).toEqual([]);
      // Negative control: the same search finds a secret that is there.
      expect(findSecrets([{ name: 'control', text: `x${secrets[0]}y` }], wanted)).not.toEqual([]);
    } finally {
      await connection.close();
    }
    expect(secrets.some((s) => worker.output().includes(s.slice(6)))).toBe(false);
  });
});

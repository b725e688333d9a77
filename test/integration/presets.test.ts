/**
 * Registration by preset through the HTTP API as users run it (`halflife api` and a worker as child
 * processes, the test Temporal dev server and Redis): against the real OpenID peer served the way
 * Okta custom servers are (issuer `/oauth2/default`, `openid` scope), with `token_endpoint` and
 * `issuer` overridden, refreshing once; against the fake authorization server, the GitHub preset's
 * refresh-token expiry (the preset's lifetime, then the answer's `refresh_token_expires_in`), its
 * `credential.refresh_token_expiring` webhook (behind a patch; the history replays) and its
 * 200-with-error answers through the workflow,
 * and Salesforce's missing `expires_in` (the preset's lifetime, unless the credential sets one).
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { generateWebhookSecret } from '../../src/webhooks/secrets';
import { verifyWebhook } from '../../src/webhooks/verify';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-peer';
import { startApiProcess, type ApiProcessHandle } from '../helpers/api-process';
import { historiesOf, replayHistories } from '../helpers/replay';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const DAY = 86_400_000;
const adminKey = `it-presets-${uniqueId('k')}-0123456789`;
const taskQueue = uniqueId('tq-presets');
const webhookSecret = generateWebhookSecret();

let peer: OidcPeer;
let fake: FakeOAuth2Server;
let receiver: WebhookReceiver;
let worker: WorkerProcess;
let api: ApiProcessHandle;
let client: Awaited<ReturnType<typeof openTokenClient>>;

/** One call to the API with the admin key; the body parsed. */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: ReturnType<typeof JSON.parse> }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

/** A client and a seeded refresh token at the fake. */
function fakeClient() {
  const clientId = uniqueId('app');
  const clientSecret = `secret-${uniqueId('s')}`;
  fake.addClient(clientId, clientSecret);
  return { client_id: clientId, client_secret: clientSecret, refresh_token: fake.issueRefreshToken(clientId) };
}

beforeAll(async () => {
  peer = await startOidcPeer({ issuerPath: '/oauth2/default', accessTokenTtlS: 3600, rotation: 'strict' });
  fake = await startFakeOAuth2Server();
  receiver = await startWebhookReceiver();
  const subscriptions = [{ id: 'expiry', url: receiver.url, events: ['credential.refresh_token_expiring'], credentials: 'preset-*', secret: webhookSecret }];
  worker = await startWorkerProcess(taskQueue, { HALFLIFE_WEBHOOKS: JSON.stringify(subscriptions), HALFLIFE_WEBHOOK_RETRY_INITIAL_S: '0.5', HALFLIFE_WEBHOOK_RETRY_MAX_S: '2' });
  api = await startApiProcess(taskQueue, [{ key: adminKey, scopes: ['admin'], credentials: '*' }]);
  client = await openTokenClient(taskQueue);
});

afterAll(async () => {
  await client?.shutdown();
  await api?.stop();
  await worker?.stop();
  await receiver?.close();
  await fake?.close();
  await peer?.close();
});

it('okta preset at the OpenID peer: token_endpoint and issuer overridden, one refresh rotates the grant, the id_token passes against the real issuer', async () => {
  const peerClient = await peer.addClient({ auth: 'client_secret_basic' });
  const grant = await peer.mintGrant({ clientId: peerClient.clientId, scope: 'openid offline_access api' });
  const id = uniqueId('preset-okta');
  const put = await call('PUT', `/v1/credentials/${id}`, {
    preset: 'okta',
    token_endpoint: peer.tokenEndpoint,
    issuer: peer.issuer,
    client_id: peerClient.clientId,
    client_secret: peerClient.clientSecret,
    refresh_token: grant.refreshToken,
    access_token: grant.accessToken,
    expires_at: new Date(Date.now() + grant.expiresIn * 1000).toISOString(),
  });
  expect(put.status).toBe(201);
  expect(put.body).toMatchObject({ id, provider: 'oauth2', created: true, token: { access_token: grant.accessToken, version: 1 } });

  const refreshed = await call('POST', `/v1/credentials/${id}/refresh`, { stale_version: 1 });
  expect(refreshed.status).toBe(200);
  expect(refreshed.body).toMatchObject({ refreshed: true, version: 2, status: 'active' });
  expect(await peer.isAccessTokenValid(refreshed.body.access_token)).toBe(true);
  expect(await peer.grant(grant.grantId)).toMatchObject({ refreshCount: 1, revoked: false, live: true });

  const described = await call('GET', `/v1/credentials/${id}`);
  expect(described.body.settings).toMatchObject({ preset: 'okta', token_endpoint: peer.tokenEndpoint, issuer: peer.issuer, client_auth: 'client_secret_basic', reuse_grace_ms: 30_000 });
  expect(described.body.settings).not.toHaveProperty('client_secret');
  expect(described.body).not.toHaveProperty('refresh_token_expires_at');
  // The answer carried an id_token from the issuer with a path: checked against it, and it passed.
  expect((await client.describe(id)).warning).toBeUndefined();
});

it('an unknown preset is 422 on preset, and nothing is registered', async () => {
  const id = uniqueId('preset-unknown');
  const res = await call('PUT', `/v1/credentials/${id}`, { preset: 'oktaa', token_endpoint: fake.tokenEndpoint, ...fakeClient() });
  expect(res.status).toBe(422);
  expect(res.body.error).toMatchObject({ code: 'invalid_config', field: 'preset', message: expect.stringContaining('okta') });
  expect((await call('GET', `/v1/credentials/${id}`)).status).toBe(404);
});

it('github preset: the refresh token\'s expiry from the preset, then from the answer; one expiring webhook; a 200 with an error is a rejected grant', async () => {
  const id = uniqueId('preset-github');
  const registeredAt = Date.now();
  // No cooldown: the test refreshes three times in a row.
  const put = await call('PUT', `/v1/credentials/${id}`, { preset: 'github', token_endpoint: fake.tokenEndpoint, min_refresh_interval_s: 0, ...fakeClient() });
  expect(put.status).toBe(201);
  const first = await call('GET', `/v1/credentials/${id}`);
  expect(first.body.settings).toMatchObject({ preset: 'github', client_auth: 'client_secret_post' });
  // The fake says nothing of the refresh token's life: the preset's absolute lifetime (15811200 s) counts from the first refresh.
  const estimated = Date.parse(first.body.refresh_token_expires_at);
  expect(estimated).toBeGreaterThanOrEqual(registeredAt + 15_811_200_000);
  expect(estimated).toBeLessThanOrEqual(Date.now() + 15_811_200_000);

  // GitHub's own answer: numbers as strings, a refresh token that dies in three days.
  fake.respondNextWith(1, JSON.stringify({ access_token: 'ghu_new', token_type: 'bearer', expires_in: '28800', refresh_token: 'ghr_new', refresh_token_expires_in: String(3 * 86_400), scope: '' }));
  const sentAt = Date.now();
  const refreshed = await call('POST', `/v1/credentials/${id}/refresh`, { stale_version: put.body.token.version });
  expect(refreshed.body).toMatchObject({ refreshed: true, access_token: 'ghu_new' });
  expect(Date.parse(refreshed.body.expires_at)).toBeGreaterThanOrEqual(sentAt + 8 * 3_600_000 - 1_000); // whole seconds count one less (src/providers/lifetime.ts)
  const second = await call('GET', `/v1/credentials/${id}`);
  const expiresAt = Date.parse(second.body.refresh_token_expires_at);
  expect(expiresAt).toBeGreaterThanOrEqual(sentAt + 3 * DAY);
  expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3 * DAY);

  const request = await receiver.waitFor('the expiring event', (rs) => rs.find((r) => r.body.includes(`"id":"${id}"`)));
  const { payload } = verifyWebhook(request.body, request.headers, webhookSecret);
  expect(payload).toMatchObject({ type: 'credential.refresh_token_expiring', data: { id, status: 'active', refresh_token_expires_at: second.body.refresh_token_expires_at } });

  // GitHub answers a dead refresh token with HTTP 200 and an error field: re-authorization, not a retried malformed answer.
  fake.respondNextWith(1, JSON.stringify({ error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.' }));
  const calls = fake.requests.length;
  const refused = await call('POST', `/v1/credentials/${id}/refresh`, { stale_version: refreshed.body.version });
  expect(refused.status).toBe(409);
  const parked = await call('GET', `/v1/credentials/${id}`);
  expect(parked.body).toMatchObject({ status: 'reauth_required', last_error: { kind: 'reauth', code: 'bad_refresh_token' } });
  expect(fake.requests.length).toBe(calls + 1);
  // One warning per expiry, however often the loop ran since.
  expect(receiver.unique().filter((r) => r.body.includes(`"id":"${id}"`))).toHaveLength(1);

  // The warning is behind a patch: its marker is in the history, and the history replays on this code.
  const history = await client.temporal.workflow.getHandle(credentialWorkflowId(id)).fetchHistory();
  expect(history.events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  const outcomes = await replayHistories(await historiesOf(client.temporal, credentialWorkflowId(id)));
  expect(outcomes.length).toBeGreaterThan(0);
  expect(outcomes.filter((o) => o.error)).toEqual([]);
});

it('salesforce preset: no expires_in, so the preset\'s two hours, unless the credential sets its own default lifetime', async () => {
  fake.setOmitExpiresIn(true);
  try {
    const id = uniqueId('preset-sf');
    const sentAt = Date.now();
    const put = await call('PUT', `/v1/credentials/${id}`, { preset: 'salesforce', login_host: 'login.salesforce.com', token_endpoint: fake.tokenEndpoint, ...fakeClient() });
    expect(put.status).toBe(201);
    expect(Date.parse(put.body.token.expires_at)).toBeGreaterThanOrEqual(sentAt + 2 * 3_600_000);
    expect(Date.parse(put.body.token.expires_at)).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    expect((await call('GET', `/v1/credentials/${id}`)).body.policy.default_lifetime_s).toBe(7200);

    const own = uniqueId('preset-sf');
    const before = Date.now();
    const mine = await call('PUT', `/v1/credentials/${own}`, { preset: 'salesforce', login_host: 'login.salesforce.com', token_endpoint: fake.tokenEndpoint, default_lifetime_s: 600, ...fakeClient() });
    expect(Date.parse(mine.body.token.expires_at)).toBeGreaterThanOrEqual(before + 600_000);
    expect(Date.parse(mine.body.token.expires_at)).toBeLessThanOrEqual(Date.now() + 600_000);
  } finally {
    fake.setOmitExpiresIn(false);
  }
});

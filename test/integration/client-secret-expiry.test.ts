/**
 * `credential.client_secret_expiring` end to end (issue 14), against the test dev server, a worker
 * process and a real webhook receiver on loopback: a registration declares its client secret's
 * expiry 7 days and a few seconds ahead, with an access token that lives an hour, so no refresh
 * is due before the warning: the workflow wakes for it on its own and exactly one signed event
 * arrives, not before it was due. Rotating the client secret (a replacing registration with the
 * new secret and its expiry) re-arms the warning: one more event, for the new expiry, and the new
 * secret is what the next refresh uses. The history (with the patch marker) replays.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { generateWebhookSecret } from '../../src/webhooks/secrets';
import { verifyWebhook } from '../../src/webhooks/verify';
import { expiryWarningLeadMs } from '../../src/workflows/warnings';
import { fastPolicy } from '../helpers/oauth2-credential';
import { historiesOf, replayHistories } from '../helpers/replay';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const taskQueue = uniqueId('tq-secret-expiry');
const webhookSecret = generateWebhookSecret();

let fake: FakeOAuth2Server;
let receiver: WebhookReceiver;
let worker: WorkerProcess;
let client: Awaited<ReturnType<typeof openTokenClient>>;

beforeAll(async () => {
  fake = await startFakeOAuth2Server({ expiresIn: 3600 });
  receiver = await startWebhookReceiver();
  const subscriptions = [{ id: 'secrets', url: receiver.url, events: ['credential.client_secret_expiring', 'credential.rotated'], credentials: 'secret-*', secret: webhookSecret }];
  worker = await startWorkerProcess(taskQueue, { HALFLIFE_WEBHOOKS: JSON.stringify(subscriptions), HALFLIFE_WEBHOOK_RETRY_INITIAL_S: '0.5', HALFLIFE_WEBHOOK_RETRY_MAX_S: '2' });
  client = await openTokenClient(taskQueue);
});

afterAll(async () => {
  await client?.shutdown();
  await worker?.stop();
  await receiver?.close();
  await fake?.close();
});

/** The unique deliveries of `type` for credential `id`, verified with the subscription's secret. */
function verified(id: string, type: string) {
  return receiver
    .unique()
    .map((r) => ({ request: r, payload: verifyWebhook(r.body, r.headers, webhookSecret).payload }))
    .filter((d) => d.payload.data.id === id && d.payload.type === type);
}

it('one signed client_secret_expiring per declared expiry, woken for with no refresh due; rotating the secret re-arms it', async () => {
  const id = uniqueId('secret-cred');
  const clientId = uniqueId('client');
  const secret1 = `secret-${uniqueId('s')}`;
  fake.addClient(clientId, secret1);
  const refreshToken = fake.issueRefreshToken(clientId);
  // The same grant each time: a replacement with it applies the new configuration without a refresh.
  const registration = (clientSecret: string) => ({
    id,
    provider: 'oauth2' as const,
    config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, clientAuth: 'client_secret_basic' },
    grant: { refreshToken },
    policy: { ...fastPolicy, minRefreshIntervalMs: 0 },
  });
  // Due 4 s from now; the token lives an hour, so its refresh is due in about 30 minutes.
  const firstExpiry = Date.now() + expiryWarningLeadMs + 4_000;
  const reg = await client.register({ ...registration(secret1), clientSecretExpiresAt: new Date(firstExpiry).toISOString() });
  expect(reg.token.version).toBe(1);
  const described = await client.describe(id);
  expect(described.clientSecretExpiresAt).toBe(firstExpiry);
  expect(described.nextRefreshAt).toBeGreaterThan(Date.now() + 10 * 60_000);

  const [first] = await receiver.waitFor('the first expiring event', () => {
    const hits = verified(id, 'credential.client_secret_expiring');
    return hits.length > 0 ? hits : undefined;
  }, 30_000);
  expect(first!.request.receivedAt).toBeGreaterThanOrEqual(firstExpiry - expiryWarningLeadMs);
  expect(first!.payload).toMatchObject({ type: 'credential.client_secret_expiring', data: { id, status: 'active', version: 1, client_secret_expires_at: new Date(firstExpiry).toISOString() } });
  expect(fake.callsFor(clientId)).toBe(1); // the registration's own refresh only: the warning did not need one

  // The secret is rotated: the replacing registration carries the new secret and its expiry, and is applied without a refresh.
  const secret2 = `secret-${uniqueId('s')}`;
  fake.addClient(clientId, secret2);
  const secondExpiry = Date.now() + expiryWarningLeadMs + 3_000;
  const replaced = await client.register({ ...registration(secret2), clientSecretExpiresAt: secondExpiry }, { replace: true });
  expect(replaced.result).toBe('replaced');
  const second = await receiver.waitFor('the expiring event of the new secret', () => verified(id, 'credential.client_secret_expiring').find((d) => d.payload.data.client_secret_expires_at === new Date(secondExpiry).toISOString()), 30_000);
  expect(second.request.receivedAt).toBeGreaterThanOrEqual(secondExpiry - expiryWarningLeadMs);
  expect(second.request.id).not.toBe(first!.request.id);

  // The next refresh authenticates with the new secret; once its rotation event arrived, any repeated warning
  // queued before it would have too (deliveries are ordered per credential).
  const refreshed = await client.refresh(id, { staleVersion: reg.token.version });
  expect(refreshed.token.version).toBe(2);
  await receiver.waitFor('the rotation to version 2', () => verified(id, 'credential.rotated').find((d) => d.payload.data.version === 2), 30_000);
  const expiring = verified(id, 'credential.client_secret_expiring').map((d) => d.payload.data.client_secret_expires_at);
  expect(expiring).toEqual([new Date(firstExpiry).toISOString(), new Date(secondExpiry).toISOString()]);

  // Behind a patch: its marker is in the history, and the history replays on this code.
  const history = await client.temporal.workflow.getHandle(credentialWorkflowId(id)).fetchHistory();
  expect(history.events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  const outcomes = await replayHistories(await historiesOf(client.temporal, credentialWorkflowId(id)));
  expect(outcomes.length).toBeGreaterThan(0);
  expect(outcomes.filter((o) => o.error)).toEqual([]);
  await client.revoke(id);
});

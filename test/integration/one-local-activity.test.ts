/**
 * A rotation publishes to Redis and hands `credential.rotated` to the webhooks in one local
 * activity (`publishAndNotify`, behind `patched('halflife-one-local-activity')`): one marker per
 * change where there were two. Checked on a real worker, dev server, Redis and receiver: every
 * rotation and the status change to `reauth_required` reach both Redis and the receiver, the
 * history holds one `publishAndNotify` marker per change and no separate hand-over, and it replays.
 */
import { temporal } from '@temporalio/proto';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { TokenCache } from '../../src/redis/token-cache';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { historiesOf, releaseBundle, replayHistories } from '../helpers/replay';
import { openRedis, openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { generateWebhookSecret } from '../../src/webhooks/secrets';

const taskQueue = uniqueId('one-la');
let fake: FakeOAuth2Server;
let receiver: WebhookReceiver;
let worker: WorkerProcess;
let client: Awaited<ReturnType<typeof openTokenClient>>;
const redis = openRedis();

beforeAll(async () => {
  fake = await startFakeOAuth2Server();
  receiver = await startWebhookReceiver();
  const subscriptions = JSON.stringify([{ id: 'one-la', url: receiver.url, events: ['credential.rotated', 'credential.reauth_required'], credentials: 'ola-*', secret: generateWebhookSecret() }]);
  worker = await startWorkerProcess(taskQueue, { HALFLIFE_WEBHOOK_RETRY_INITIAL_S: '0.5', HALFLIFE_WEBHOOKS: subscriptions });
  client = await openTokenClient(taskQueue);
});
afterAll(async () => {
  await client?.shutdown();
  await worker?.stop();
  await fake?.close();
  await receiver?.close();
  redis.disconnect();
});

/** The activity type of every local-activity marker of a history, in order. */
function localActivities(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_local_activity') return [];
    const data = m.details?.data?.payloads?.[0]?.data;
    const type = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type : undefined;
    return [type ?? '?'];
  });
}

it('each change is published and announced in one local activity, and the run replays', async () => {
  const reg = await registerOAuth2(client, fake, { minRefreshIntervalMs: 0 }, uniqueId('ola'));
  let version = reg.token.version;
  for (let i = 0; i < 3; i++) version = (await client.refresh(reg.id, { staleVersion: version })).token.version;
  expect(version).toBe(reg.token.version + 3);
  fake.revokeAll();
  await client.refresh(reg.id, { staleVersion: version }).catch(() => undefined);

  // Registering without a token refreshes at once: version 1 is a rotation too.
  expect(reg.token.version).toBe(1);
  const events = await receiver.waitFor('four rotations and the reauth_required', () => {
    const mine = receiver.events().filter((e) => e.data.id === reg.id);
    return mine.length >= 5 ? mine : undefined;
  });
  expect(events.map((e) => `${e.type}@${String(e.data.version)}`)).toEqual([
    'credential.rotated@1',
    `credential.rotated@${reg.token.version + 1}`,
    `credential.rotated@${reg.token.version + 2}`,
    `credential.rotated@${reg.token.version + 3}`,
    `credential.reauth_required@${version}`,
  ]);
  const cache = new TokenCache(redis, { prefix: 'halflife', namespace: testEnv().namespace });
  await waitFor('Redis to hold the reauth_required status', async () => ((await cache.read(reg.id))?.status === 'reauth_required' ? true : undefined));
  expect((await cache.read(reg.id))?.version).toBe(version);

  const history = await client.temporal.workflow.getHandle(credentialWorkflowId(reg.id)).fetchHistory();
  const types = localActivities(history);
  // The run's first publication (no token yet) raises no event; each of the five changes after it is one combined activity.
  expect(types.filter((t) => t === 'publishAndNotify')).toHaveLength(5);
  expect(types.filter((t) => t === 'notifyCredential')).toHaveLength(0);
  expect(types.filter((t) => t === 'publishCredential').length).toBeLessThanOrEqual(1);

  const runs = await historiesOf(client.temporal, credentialWorkflowId(reg.id));
  const outcomes = await replayHistories(runs);
  expect(outcomes.length).toBeGreaterThan(0);
  expect(outcomes.filter((o) => o.error)).toEqual([]);
  // The release before the change cannot run it: rolling back past a patch wedges the runs that took it (docs/operations.md).
  const onPrevious = await replayHistories(runs, { bundlePath: releaseBundle('v0.4.0') });
  expect(onPrevious.map((o) => o.error?.message ?? '').filter((m) => m.includes('Non-deprecated patch marker encountered for change halflife-one-local-activity'))).toHaveLength(runs.length);
});

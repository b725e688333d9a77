/**
 * Operating webhooks: the `halflife webhooks` commands against a real deployment (a secret
 * printed once, the exit codes of bad input and unknown ids), and bounded history of the webhook
 * workflows: with a small history limit, the registry and a
 * delivery queue continue as new several times and carry their whole state: subscriptions,
 * secrets, health, the queue's order and the hand-overs it already took (so a repeated hand-over
 * after continue-as-new is still not delivered twice).
 */
import { runCli } from '../helpers/cli-process';
import { testEnv } from '../helpers/test-env';
import { WebhookClient } from '../../src/webhooks/webhook-client';
import { webhookRegistryWorkflow } from '../../src/workflows/webhooks/registry-workflow';
import { webhookDeliveryWorkflow } from '../../src/workflows/webhooks/delivery-workflow';
import {
  addWebhookUpdate,
  deliveryReportSignal,
  webhookListingQuery,
  webhookTargetsQuery,
} from '../../src/webhooks/messages';
import {
  deliveryQueueQuery,
  enqueueDeliveriesSignal,
  webhookDeliveryWorkflowId,
  type WebhookEvent,
} from '../../src/webhooks/delivery-messages';
import { defaultDeliveryPolicy } from '../../src/webhooks/retry-schedule';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const taskQueue = uniqueId('webhook-history');
let worker: WorkerProcess;
let client: Awaited<ReturnType<typeof openTokenClient>>;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  worker = await startWorkerProcess(taskQueue, { HALFLIFE_WEBHOOK_RETRY_INITIAL_S: '0.2', HALFLIFE_WEBHOOK_RETRY_MAX_S: '1' });
  client = await openTokenClient(taskQueue);
});
afterAll(async () => {
  await client?.shutdown();
  await worker?.stop();
  await receiver?.close();
});

it('halflife webhooks: add (secret printed once), list, show, test, rotate-secret, remove; bad input exits 2, an unknown id 3', async () => {
  const t = testEnv();
  const env = { TEMPORAL_ADDRESS: t.temporalAddress, TEMPORAL_NAMESPACE: t.namespace, HALFLIFE_ENCRYPTION_KEYS: t.encryptionKeys, HALFLIFE_TASK_QUEUE: taskQueue, HALFLIFE_LOG_LEVEL: 'warn', REDIS_URL: t.redisUrl };
  const added = await runCli(['webhooks', 'add', '--url', receiver.url, '--events', 'credential.reauth_required,credential.revoked', '--credentials', 'billing-*'], env);
  expect(added.code).toBe(0);
  const secret = /whsec_\S+/.exec(added.stdout)?.[0];
  const id = /subscribed (wh_[0-9a-f]+)/.exec(added.stdout)?.[1];
  expect(secret).toBeDefined();
  expect(added.stdout).toContain('warning: credentials: "billing-*" matches no credential registered now');
  const listed = await runCli(['webhooks'], env);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain(`${id}  active  ${receiver.url}`);
  expect(listed.stdout).not.toContain(secret!);
  const tested = await runCli(['webhooks', 'test', id!], env);
  expect(tested.stdout).toMatch(/^delivered test_[0-9a-f]+ \(HTTP 200/);
  const shown = JSON.parse((await runCli(['--json', 'webhooks', 'show', id!], env)).stdout);
  expect(shown).toMatchObject({ id, state: 'active', deliveries: [{ type: 'webhook.test', status: 'delivered', test: true }] });
  expect(JSON.stringify(shown)).not.toContain(secret!);
  const rotated = JSON.parse((await runCli(['--json', 'webhooks', 'rotate-secret', id!, '--keep-previous', '0'], env)).stdout);
  expect(rotated).toMatchObject({ id, active_secrets: 1, secret: expect.stringMatching(/^whsec_/) });
  expect(rotated.secret).not.toBe(secret);
  const bad = await runCli(['--json', 'webhooks', 'add', '--url', receiver.url, '--events', 'credential.typo'], env);
  expect(bad.code).toBe(2);
  expect(JSON.parse(bad.stderr).error).toMatchObject({ code: 'invalid_config', field: 'events.0' });
  expect((await runCli(['webhooks', 'remove', id!], env)).code).toBe(0);
  expect((await runCli(['webhooks', 'remove', id!], env)).code).toBe(3);
});

/** How many runs the workflow `id` has had (its continue-as-new chain). */
async function runs(id: string): Promise<number> {
  let count = 0;
  for await (const _ of client.temporal.workflow.list({ query: `WorkflowId = '${id}'` })) count++;
  return count;
}

it('the registry continues as new with its subscriptions, secrets and health', async () => {
  const id = uniqueId('registry-can');
  const handle = await client.temporal.workflow.start(webhookRegistryWorkflow, { workflowId: id, taskQueue, args: [{ historyLimit: 25 }] });
  for (let i = 0; i < 6; i++) {
    await handle.executeUpdate(addWebhookUpdate, { args: [{ id: `wh_${i}`, url: `https://hooks.example/${i}`, events: ['*'], credentials: '*', secrets: [{ secret: `whsec_${i}`, createdAt: 1 }], createdAt: 1, source: 'api' }] });
    await handle.signal(deliveryReportSignal, [{ subscriptionId: `wh_${i}`, record: { eventId: `e${i}`, type: 'credential.rotated', status: 'failed', attempts: 3, firstAttemptAt: 1, lastAttemptAt: 2 } }]);
  }
  await waitFor('several runs', async () => (await runs(id)) >= 3, { timeoutMs: 30_000 });
  const listing = await handle.query(webhookListingQuery);
  expect(listing.subscriptions.map((s) => [s.id, s.health.state, s.health.failed])).toEqual(Array.from({ length: 6 }, (_, i) => [`wh_${i}`, 'failing', 1]));
  expect((await handle.query(webhookTargetsQuery)).targets.map((t) => t.subscription.secrets[0]?.secret)).toEqual(Array.from({ length: 6 }, (_, i) => `whsec_${i}`));
  await handle.terminate('test done');
});

it('a delivery queue continues as new mid-way and delivers every event once, in order; a repeated hand-over is still dropped', async () => {
  const webhooks = new WebhookClient({ temporal: client.temporal, taskQueue });
  const { view: sub } = await webhooks.create({ url: receiver.url, events: ['*'], credentials: '*' });
  const credentialId = uniqueId('queue-can');
  const events: WebhookEvent[] = Array.from({ length: 8 }, (_, i) => ({ id: `${credentialId}:1:${i}:credential.rotated`, type: 'credential.rotated', at: 1_000 + i, credentialId, status: 'active', version: i + 1 }));
  const handOver = (batch: WebhookEvent[]) =>
    client.temporal.workflow.signalWithStart(webhookDeliveryWorkflow, {
      workflowId: webhookDeliveryWorkflowId(credentialId),
      taskQueue,
      args: [{ credentialId, historyLimit: 30 }],
      signal: enqueueDeliveriesSignal,
      signalArgs: [{ items: batch.map((event) => ({ event, subscriptionIds: [sub.id] })), policy: { ...defaultDeliveryPolicy, initialIntervalMs: 200, maxIntervalMs: 1_000 } }],
    });
  // The receiver fails every first attempt, so each delivery takes two attempts (more history).
  receiver.answer((r) => (receiver.requests.filter((x) => x.id === r.id).length === 1 ? 503 : 200));
  await handOver(events.slice(0, 4));
  await handOver(events.slice(2, 8));
  const mine = () => receiver.events().filter((e) => e.data.id === credentialId);
  await receiver.waitFor('all eight', () => mine().length === 8 || undefined, 60_000);
  expect(mine().map((e) => e.data.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(await runs(webhookDeliveryWorkflowId(credentialId))).toBeGreaterThanOrEqual(3);

  receiver.answer(() => 200);
  const marker: WebhookEvent = { ...events[0]!, id: `${credentialId}:1:99:credential.rotated`, version: 99 };
  await handOver([...events, marker]);
  await receiver.waitFor('the marker', () => mine().some((e) => e.data.version === 99) || undefined);
  expect(mine()).toHaveLength(9);
  expect(receiver.requests.filter((r) => r.body.includes(`"id":"${credentialId}"`))).toHaveLength(17);
  const queue = await client.temporal.workflow.getHandle(webhookDeliveryWorkflowId(credentialId)).query(deliveryQueueQuery);
  expect(queue.queues).toEqual({});
  await client.temporal.workflow.getHandle(webhookDeliveryWorkflowId(credentialId)).terminate('test done');
});

/**
 * Bounded history of the webhook workflows: with a small history limit, the registry and a
 * delivery queue continue as new several times and carry their whole state: subscriptions,
 * secrets, health, the queue's order and the hand-overs it already took (so a repeated hand-over
 * after continue-as-new is still not delivered twice).
 */
import { WebhookClient } from '../../src/webhooks/webhook-client';
import { webhookRegistryWorkflow } from '../../src/workflows/webhooks/registry-workflow';
import { webhookDeliveryWorkflow } from '../../src/workflows/webhooks/delivery-workflow';
import {
  addWebhookUpdate,
  deliveryQueueQuery,
  deliveryReportSignal,
  enqueueDeliveriesSignal,
  webhookDeliveryWorkflowId,
  webhookListingQuery,
  webhookTargetsQuery,
  type WebhookEvent,
} from '../../src/webhooks/messages';
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

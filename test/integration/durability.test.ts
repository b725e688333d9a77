/**
 * Nothing is lost when workers die or are replaced, and history stays bounded by continue-as-new.
 */
import { credentialWorkflowId } from '../../src/messages';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('durability', () => {
  let fake: FakeOAuth2Server;
  const workers: WorkerProcess[] = [];
  const clients: Awaited<ReturnType<typeof openTokenClient>>[] = [];

  async function setup(taskQueue: string, env: Record<string, string> = {}) {
    const worker = await startWorkerProcess(taskQueue, env);
    workers.push(worker);
    return worker;
  }

  async function clientFor(taskQueue: string) {
    const client = await openTokenClient(taskQueue);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown()));
    await Promise.all(workers.map((w) => w.kill()));
    await fake?.close();
  });

  it('a worker killed after the provider answered loses nothing: the retry reuses the heartbeated token set', async () => {
    fake.setExpiresIn(3600);
    const taskQueue = uniqueId('tq-crash');
    const id = uniqueId('cred');
    const first = await setup(taskQueue, { HALFLIFE_TEST_AT: 'after_save', HALFLIFE_TEST_FOR: id });
    const client = await clientFor(taskQueue);
    const cred = await registerOAuth2(client, fake, {}, id);
    const refreshing = client.temporal.workflow
      .getHandle(credentialWorkflowId(id))
      .signal('forceRefresh', { staleVersion: cred.token.version, reason: 'test' });
    await refreshing;
    await first.waitForOutput(`AT after_save ${id}`);
    // the answer is durable on the server before the worker dies
    await waitFor('heartbeat details on the server', async () => {
      const d = await client.temporal.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId: credentialWorkflowId(id) },
      });
      return d.pendingActivities?.[0]?.heartbeatDetails?.payloads?.length;
    });
    const rotatedAccessToken = fake.lastAccessToken;
    expect(fake.callsFor(cred.clientId)).toBe(2);
    await first.kill();

    await setup(taskQueue);
    const after = await waitFor(
      'the refresh to complete on the new worker',
      async () => {
        const view = await client.getToken(id);
        return view.version === cred.token.version + 1 ? view : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(after.accessToken).toBe(rotatedAccessToken);
    expect(fake.callsFor(cred.clientId)).toBe(2);
    expect(fake.replays).toBe(0);
    // the rotated refresh token was kept: the next refresh works
    const next = await client.refresh(id, { staleVersion: after.version });
    expect(next.token.version).toBe(after.version + 1);
    expect(fake.replays).toBe(0);
    await client.revoke(id);
  });

  it('a new worker process picks up existing credentials after the first one stopped', async () => {
    fake.setExpiresIn(2);
    const taskQueue = uniqueId('tq-handover');
    const first = await setup(taskQueue);
    const client = await clientFor(taskQueue);
    const cred = await registerOAuth2(client, fake);
    await waitFor('a scheduled refresh on the first worker', () => fake.callsFor(cred.clientId) >= 2);
    await first.stop();
    const callsAtStop = fake.callsFor(cred.clientId);
    await setup(taskQueue);
    await waitFor('refreshes on the second worker', () => fake.callsFor(cred.clientId) >= callsAtStop + 2, {
      timeoutMs: 30_000,
    });
    const described = await client.describe(cred.id);
    expect(described.version).toBeGreaterThanOrEqual(callsAtStop + 1);
    expect(fake.replays).toBe(0);
    await client.revoke(cred.id);
  });

  it('continues as new after the configured cycles, carrying version, token and counts', async () => {
    fake.setExpiresIn(2);
    const taskQueue = uniqueId('tq-can');
    await setup(taskQueue);
    const client = await clientFor(taskQueue);
    const cred = await registerOAuth2(client, fake, { maxCyclesPerRun: 2 });
    const handle = client.temporal.workflow.getHandle(credentialWorkflowId(cred.id));
    const firstRun = (await handle.describe()).runId;
    const described = await waitFor(
      'two continue-as-new',
      async () => {
        const d = await client.describe(cred.id);
        return d.counts.runs >= 3 ? d : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    expect((await handle.describe()).runId).not.toBe(firstRun);
    // Each finished run made `maxCyclesPerRun` (2) refreshes before continuing as new.
    expect(described.version).toBeGreaterThanOrEqual(2 * (described.counts.runs - 1));
    expect(described.counts.refreshes).toBe(described.version);
    expect(described.counts.upstreamCalls).toBeGreaterThanOrEqual(described.version);
    const token = await client.getToken(cred.id);
    expect(fake.isValidAccessToken(token.accessToken)).toBe(true);
    expect(fake.replays).toBe(0);
    await client.revoke(cred.id);
  });
});

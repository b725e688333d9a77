/**
 * The wedge of the crash-window issue: with no worker running, a credential's refresh timer fires
 * and a consumer's `refresh` update arrives, so the next workflow task carries both; a worker
 * starts and handles them together. The history must then replay (a new worker, with an empty
 * cache, replays it on the next query). On release v0.1.0, whose update handler scheduled the
 * activity itself, this replay was seen to fail; on the current code, where only the main loop
 * issues commands, it replays, and the histories join the replay corpus of the release issue.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { historiesOf, replayHistories } from '../helpers/replay';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('an update in the same workflow task as a timer or an activity completion, after a restart', () => {
  let fake: FakeOAuth2Server;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    fake = await startFakeOAuth2Server({ expiresIn: 4 });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await fake?.close();
  });

  it('replays on a fresh worker, answers queries, and keeps refreshing', async () => {
    const taskQueue = uniqueId('tq-wedge');
    const client = await openTokenClient(taskQueue);
    try {
      const first = await startWorkerProcess(taskQueue);
      workers.push(first);
      const cred = await registerOAuth2(client, fake, {});
      const due = (await client.describe(cred.id)).nextRefreshAt ?? 0;
      await first.kill();
      // The timer fires on the server with no worker: a workflow task waits for one.
      const handle = client.temporal.workflow.getHandle(credentialWorkflowId(cred.id));
      await waitFor('the timer to fire with no worker', async () => Date.now() > due + 500 && (await handle.describe()).raw.pendingWorkflowTask !== null, { timeoutMs: 30_000 });
      // A consumer reports its token meanwhile: the update joins that same workflow task.
      const reported = client.refresh(cred.id, { staleVersion: cred.token.version });
      await waitFor('the update to be admitted', async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 1, { timeoutMs: 10_000 });
      workers.push(await startWorkerProcess(taskQueue));
      const outcome = await reported;
      expect(outcome.token.version).toBeGreaterThan(cred.token.version);
      // A new worker, empty cache: the next query replays the whole history. While the next task
      // still waits on the killed worker's sticky queue, the query makes this worker apply that
      // task's history at stale time: the activation guard refuses it (the client retries the
      // query) instead of letting it wedge the run (src/workflows/activation-guard.ts).
      await workers.at(-1)?.kill();
      workers.push(await startWorkerProcess(taskQueue));
      const described = await client.describe(cred.id); // a failing workflow task would make this fail
      expect(['active', 'refreshing']).toContain(described.status); // its token may have expired while no worker ran
      await waitFor('another scheduled refresh', async () => (await client.describe(cred.id)).version >= outcome.token.version + 1, { timeoutMs: 30_000 });
      const runs = await historiesOf(client.temporal, credentialWorkflowId(cred.id));
      const outcomes = await replayHistories(runs);
      expect(outcomes.filter((o) => o.error)).toEqual([]);
      expect(fake.replays).toBe(0);
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
    }
  });

  it.each([['revoke'], ['refresh']])('a %s in the same workflow task as the refresh activity completing replays', async (kind) => {
    const taskQueue = uniqueId(`tq-wedge-${kind}`);
    const client = await openTokenClient(taskQueue);
    // 20 s tokens: the new token must still be valid after the workers' restarts.
    const fake = await startFakeOAuth2Server({ expiresIn: 20 });
    try {
      // The first worker starts the scheduled refresh and hangs before sending it; it is killed there.
      const first = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_AT: 'before_request', HALFLIFE_TEST_FOR: '*', HALFLIFE_TEST_DO: 'hang' });
      workers.push(first);
      const cred = await registerOAuth2(client, fake, {});
      await first.waitForOutput(`AT before_request ${cred.id}`, 30_000);
      const calls = fake.callsFor(cred.clientId);
      await first.kill();
      // An activity-only worker retries the attempt: it completes while no one takes workflow tasks.
      workers.push(await startWorkerProcess(taskQueue, { HALFLIFE_TEST_ACTIVITIES_ONLY: '1' }));
      const handle = client.temporal.workflow.getHandle(credentialWorkflowId(cred.id));
      await waitFor('the retried attempt to complete, its workflow task waiting', async () =>
        fake.callsFor(cred.clientId) > calls && (await handle.describe()).raw.pendingActivities?.length === 0 && (await handle.describe()).raw.pendingWorkflowTask !== null,
      { timeoutMs: 60_000, intervalMs: 100 });
      // The update arrives now: it joins the completion in the same workflow task.
      const sent = kind === 'revoke' ? client.revoke(cred.id) : client.refresh(cred.id, { staleVersion: cred.token.version + 1 });
      workers.push(await startWorkerProcess(taskQueue));
      const answer = await sent;
      expect(answer).toBeTruthy();
      // A fresh worker replays the whole history for the next query.
      await workers.at(-1)?.kill();
      workers.push(await startWorkerProcess(taskQueue));
      const described = await client.describe(cred.id);
      // Revoked, or alive (refreshing when its token ran out while workers restarted).
      expect(kind === 'revoke' ? ['revoked'] : ['active', 'refreshing']).toContain(described.status);
      const outcomes = await replayHistories(await historiesOf(client.temporal, credentialWorkflowId(cred.id)));
      expect(outcomes.filter((o) => o.error)).toEqual([]);
      expect(fake.replays).toBe(0);
      await client.revoke(cred.id).catch((err: unknown) => expect(err).toMatchObject({ name: 'CredentialNotFoundError' }));
    } finally {
      await client.shutdown();
      await fake.close();
    }
  });
});

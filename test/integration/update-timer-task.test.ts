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

describe('an update in the same workflow task as a timer, after a restart', () => {
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
      // A new worker, empty cache: the next query replays the whole history.
      await workers.at(-1)?.kill();
      workers.push(await startWorkerProcess(taskQueue));
      const described = await client.describe(cred.id); // a failing workflow task would make this fail
      expect(['active', 'refreshing']).toContain(described.status); // its token may have expired while no worker ran
      await waitFor('another scheduled refresh', async () => (await client.describe(cred.id)).version >= outcome.token.version + 1, { timeoutMs: 30_000 });
      const outcomes = await replayHistories(await historiesOf(client.temporal, credentialWorkflowId(cred.id)));
      expect(outcomes.filter((o) => o.error)).toEqual([]);
      expect(fake.replays).toBe(0);
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
    }
  });
});

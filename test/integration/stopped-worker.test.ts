/**
 * A worker that stops while it holds a credential's workflow task (frozen here with SIGSTOP, as a
 * crashed or hung host would be): the task times out, and the server refuses queries and updates
 * with FAILED_PRECONDITION, the same answer it gives for a workflow task that fails. The client
 * must say what an operator can act on: `no_worker` (start or wait for a worker), not
 * `workflow_failing` (reset the workflow). Found by `npm run chaos`, where every such read was
 * reported as a failing workflow.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId, forceRefreshSignal } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('a worker stopped while it holds the workflow task', () => {
  let fake: FakeOAuth2Server;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    fake = await startFakeOAuth2Server({ expiresIn: 3600 });
  });
  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGCONT');
      await w.kill();
    }
    await fake?.close();
  });

  it('is reported as no_worker (not workflow_failing), and the credential answers again once a worker runs', async () => {
    const taskQueue = uniqueId('tq-stopped');
    const client = await openTokenClient(taskQueue);
    try {
      const frozen = await startWorkerProcess(taskQueue);
      workers.push(frozen);
      const cred = await registerOAuth2(client, fake, {});
      frozen.child.kill('SIGSTOP');
      // A message makes a workflow task; the frozen worker's open polls take it and never answer.
      const handle = client.temporal.workflow.getHandle(credentialWorkflowId(cred.id));
      await handle.signal(forceRefreshSignal, {});
      await waitFor('the workflow task to time out on the frozen worker', async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2, { timeoutMs: 60_000, intervalMs: 500 });

      const refused = await client.describe(cred.id).then(
        () => undefined,
        (err: unknown) => err as { name?: string; code?: string; message?: string },
      );
      expect({ name: refused?.name, code: refused?.code, message: refused?.message }).toEqual({ name: 'NoWorkerError', code: 'no_worker', message: expect.stringContaining('stopped') });

      // Killed now (its polls gone, as after a SIGKILL): the server refuses at once, still no_worker.
      await frozen.kill();
      const refusedAfterKill = await client.describe(cred.id).then(
        () => undefined,
        (err: unknown) => err as { name?: string; code?: string },
      );
      expect({ name: refusedAfterKill?.name, code: refusedAfterKill?.code }).toEqual({ name: 'NoWorkerError', code: 'no_worker' });
      workers.push(await startWorkerProcess(taskQueue));
      const described = await waitFor('the credential to answer on a new worker', () => client.describe(cred.id).catch(() => undefined), { timeoutMs: 60_000 });
      expect(described.status).toBe('active');
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
    }
  });
});

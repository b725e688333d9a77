/**
 * A token read at the worst moment of a worker crash: the worker died before its refresh, the
 * token has expired, and the workflow cannot answer (its task belongs to nobody until the next
 * worker takes it over). The read waits through that moment and comes back with the new token,
 * instead of a 503 the caller would only retry (the chaos suite counted 96 such answers).
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('a token read while the credential has no worker', () => {
  let fake: FakeOAuth2Server;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    fake = await startFakeOAuth2Server({ expiresIn: 3 });
  });
  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGCONT');
      await w.kill();
    }
    await fake?.close();
  });

  it('waits for the next worker and returns the new token, not no_worker', async () => {
    const taskQueue = uniqueId('tq-readcrash');
    const client = await openTokenClient(taskQueue, { refreshTimeoutMs: 60_000 });
    try {
      const first = await startWorkerProcess(taskQueue);
      workers.push(first);
      const cred = await registerOAuth2(client, fake);
      // Frozen before the refresh at half-life: its open polls take the timer's workflow task and
      // never answer; the task times out, and is killed with it, as in a crash mid-task.
      first.child.kill('SIGSTOP');
      const handle = client.temporal.workflow.getHandle(credentialWorkflowId(cred.id));
      await waitFor('the workflow task to time out on the frozen worker', async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2, { timeoutMs: 60_000, intervalMs: 250 });
      await first.kill();
      await waitFor('the token to expire', () => Date.now() > cred.token.expiresAt + 200, { timeoutMs: 10_000 });

      const read = client.getToken(cred.id).then(
        (token) => ({ token }),
        (error: unknown) => ({ error: error as { name?: string; code?: string } }),
      );
      // The hostile moment, shown by a call issued after the read: the server refuses the
      // workflow's queries (its task is owed by a worker that is gone), which reads as no_worker.
      const refused = await client.describe(cred.id).then(
        () => undefined,
        (err: unknown) => err as { code?: string },
      );
      expect(refused?.code).toBe('no_worker');
      workers.push(await startWorkerProcess(taskQueue));

      const outcome = await read;
      expect(outcome).toEqual({ token: expect.objectContaining({ version: 2 }) });
      if ('token' in outcome) expect(outcome.token.expiresAt).toBeGreaterThan(Date.now());
      expect(fake.callsFor(cred.clientId)).toBe(2);
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
    }
  });
});

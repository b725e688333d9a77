/**
 * A worker that stops while it holds a credential's workflow task (frozen here with SIGSTOP, as a
 * crashed or hung host would be): the task times out, and the server refuses queries and updates
 * with FAILED_PRECONDITION, the same answer it gives for a workflow task that fails. The client
 * must say what an operator can act on: `no_worker` (start or wait for a worker), not
 * `workflow_failing` (reset the workflow). Found by `npm run chaos`, where every such read was
 * reported as a failing workflow. And a read of an expired token, or a registration, at that
 * moment waits for the next worker rather than fail.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId, forceRefreshSignal } from '../../src/messages';
import { fastPolicy, registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

// Each case waits out workflow-task timeouts on a frozen worker: 60–90 s alone, more on a loaded machine.
jest.setTimeout(240_000);

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

  it('makes a registration wait for the next worker (not no_worker), and each caller hears what it did', async () => {
    // Registrations during a crash, as the chaos storm met them: a new credential's first workflow
    // task goes to one of two workers that froze, and times out there, then on the other; from then
    // on the server refuses the credential's updates at once. The same registration sent again then (from
    // another process, as a retrying caller would) waits for the next worker like a read does, and so
    // does the first. The one applied first reports `created`, the other `unchanged`.
    const taskQueue = uniqueId('tq-regcrash');
    const [first, second] = await Promise.all([openTokenClient(taskQueue, { refreshTimeoutMs: 60_000 }), openTokenClient(taskQueue, { refreshTimeoutMs: 60_000 })]);
    const settle = <T>(p: Promise<T>) => p.then((outcome) => ({ outcome }), (error: unknown) => ({ error: error as { name?: string; code?: string } }));
    try {
      const frozen = await Promise.all([startWorkerProcess(taskQueue), startWorkerProcess(taskQueue)]);
      workers.push(...frozen);
      await registerOAuth2(first, fake); // the workers are up and polling
      for (const w of frozen) w.child.kill('SIGSTOP');
      const clientId = uniqueId('client');
      const clientSecret = `secret-${uniqueId('s')}-${uniqueId('s')}`;
      fake.addClient(clientId, clientSecret);
      const spec = {
        id: uniqueId('regcrash'),
        provider: 'oauth2',
        config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, clientAuth: 'client_secret_basic' },
        grant: { refreshToken: fake.issueRefreshToken(clientId) },
        policy: fastPolicy,
      } as const;

      const created = settle(first.register(spec));
      const handle = first.temporal.workflow.getHandle(credentialWorkflowId(spec.id));
      await waitFor('the first workflow task to time out on both frozen workers', async () => ((await handle.describe().catch(() => undefined))?.raw.pendingWorkflowTask?.attempt ?? 0) >= 3, { timeoutMs: 90_000, intervalMs: 250 });
      await Promise.all(frozen.map((w) => w.kill()));
      // The hostile moment: the server now refuses the credential's updates and queries at once.
      const again = settle(second.register(spec));
      const refused = await first.describe(spec.id).then(
        () => undefined,
        (err: unknown) => err as { code?: string },
      );
      expect(refused?.code).toBe('no_worker');
      workers.push(await startWorkerProcess(taskQueue));

      // Both were refused by the server and waited; the one the new worker applied first created it.
      const answers = await Promise.all([created, again]);
      const token = expect.objectContaining({ status: 'active', version: 1 });
      for (const answer of answers) expect(answer).toEqual({ outcome: expect.objectContaining({ id: spec.id, token }) });
      expect(answers.map((a) => ('outcome' in a ? a.outcome.result : a.error.code)).sort()).toEqual(['created', 'unchanged']);
      expect(fake.replays).toBe(0);
      await first.revoke(spec.id);
    } finally {
      await Promise.all([first.shutdown(), second.shutdown()]);
    }
  });

  it('makes a token read wait for the next worker, which returns the new token (not no_worker)', async () => {
    // The worst moment of a crash for a reader: the token expired and nobody can answer. The read
    // waits through it instead of a 503 it would only retry (the chaos suite counted 96 of those).
    fake.setExpiresIn(3);
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
      // A newer token than the expired one (with 2 s tokens the new worker may have refreshed twice
      // by the time the read returns), valid, and no refresh token ever presented twice.
      expect(outcome).toEqual({ token: expect.objectContaining({ status: 'active' }) });
      if ('token' in outcome) {
        expect(outcome.token.version).toBeGreaterThanOrEqual(2);
        expect(outcome.token.expiresAt).toBeGreaterThan(Date.now());
      }
      expect(fake.replays).toBe(0);
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
    }
  });
});

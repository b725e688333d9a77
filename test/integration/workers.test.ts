/**
 * "Run as many workers as you like": three worker processes on one task queue, 20 rotating OAuth
 * 2.0 credentials. Every credential is refreshed on schedule, each refresh token is used exactly
 * once at the provider (no replay, one call per version), and the work really is shared between
 * the processes (the worker identities in the raw histories).
 */
import { Connection } from '@temporalio/client';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { rawHistories } from '../helpers/secrets-scan';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('several workers on one task queue', () => {
  const env = testEnv();
  const taskQueue = uniqueId('tq-workers');
  let fake: FakeOAuth2Server;
  let workers: WorkerProcess[] = [];
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  let raw: Connection;
  const ids: string[] = [];

  beforeAll(async () => {
    [fake, client, raw, ...workers] = await Promise.all([
      startFakeOAuth2Server({ expiresIn: 8 }),
      openTokenClient(taskQueue),
      Connection.connect({ address: env.temporalAddress }),
      startWorkerProcess(taskQueue),
      startWorkerProcess(taskQueue),
      startWorkerProcess(taskQueue),
    ] as const);
  });
  afterAll(async () => {
    for (const id of ids) await client?.revoke(id).catch(() => undefined);
    await client?.shutdown();
    await Promise.all(workers.map((w) => w.stop()));
    await raw?.close();
    await fake?.close();
  });

  it('3 workers, 20 credentials: each refreshed on schedule, no refresh token used twice, the work shared', async () => {
    expect(workers).toHaveLength(3);
    const creds = await Promise.all(Array.from({ length: 20 }, () => registerOAuth2(client, fake)));
    ids.push(...creds.map((c) => c.id));

    // Two scheduled refreshes each (tokens live 8 s; the default policy refreshes them at ~7 s).
    const settled = await waitFor('two scheduled refreshes of every credential, between two cycles', async () => {
      const all = await Promise.all(creds.map((c) => client.describe(c.id)));
      const between = all.every((d, i) => d.version >= 3 && d.refresh === undefined && d.counts.upstreamCalls === fake.callsFor(creds[i]!.clientId));
      return between ? all : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });

    expect(fake.replays).toBe(0);
    for (const [i, d] of settled.entries()) {
      // One upstream call per version: nothing was called twice, by one worker or by two.
      expect({ id: d.id, calls: fake.callsFor(creds[i]!.clientId), failures: d.counts.failures, status: d.status }).toEqual({ id: d.id, calls: d.version, failures: 0, status: 'active' });
    }
    for (const c of creds) expect(fake.isValidAccessToken((await client.getToken(c.id)).accessToken)).toBe(true);

    // Which processes ran the refresh activities: more than one of the three.
    const identities = new Set<string>();
    for (const c of creds) {
      for (const run of await rawHistories(raw, env.namespace, credentialWorkflowId(c.id))) {
        for (const e of run.events) if (e.activityTaskStartedEventAttributes?.identity) identities.add(e.activityTaskStartedEventAttributes.identity);
      }
    }
    const ours = new Set(workers.map((w) => `test-worker-${w.pid}`));
    expect([...identities].every((i) => ours.has(i))).toBe(true);
    expect(identities.size).toBeGreaterThanOrEqual(2);
  });
});

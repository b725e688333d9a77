/**
 * Upgrading the worker under running credentials (docs/operations.md, "Upgrading"): credentials are
 * started the way release v0.1.0 started them, on a worker running the recorded v0.1.0 workflow
 * bundle, and refresh a few times; the worker is then replaced mid-cycle by one running the
 * current code. Each run of v0.1.0 replays on the frozen code, hands over at its next step
 * (continue-as-new with the carried state), and the credential keeps refreshing on the current
 * code with the same grant, no replayed refresh token and no non-determinism error.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { statusSearchAttribute } from '../../src/search-attributes';
import { initialState as v01InitialState } from '../../src/workflows/legacy/v0_1/credential-state';
import { historiesOf, releaseBundle, replayHistories } from '../helpers/replay';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('upgrade from release v0.1.0 under running credentials', () => {
  let fake: FakeOAuth2Server;
  const workers: WorkerProcess[] = [];
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  const taskQueue = uniqueId('tq-upgrade');

  beforeAll(async () => {
    fake = await startFakeOAuth2Server({ expiresIn: 3 });
    client = await openTokenClient(taskQueue);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await client?.shutdown();
    await fake?.close();
  });

  it('v0.1.0 runs hand over to the current code and keep refreshing', async () => {
    const old = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_BUNDLE: releaseBundle('v0.1.0') });
    workers.push(old);
    const ids = [uniqueId('v01'), uniqueId('v01')];
    for (const id of ids) {
      const clientId = uniqueId('client');
      const clientSecret = `secret-${uniqueId('s')}`;
      fake.addClient(clientId, clientSecret);
      // Exactly what v0.1.0's TokenClient.register sent: the whole state, by workflow name.
      const state = v01InitialState(
        {
          id,
          provider: 'oauth2',
          config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, clientAuth: 'client_secret_basic' },
          settings: { tokenEndpoint: fake.tokenEndpoint, clientId },
          grant: { refreshToken: fake.issueRefreshToken(clientId) },
          policy: { minRefreshIntervalMs: 0, jitterRatio: 0.02 },
        },
        Date.now(),
      );
      await client.temporal.workflow.start('credentialWorkflow', {
        workflowId: credentialWorkflowId(id),
        taskQueue,
        args: [state],
        typedSearchAttributes: [{ key: statusSearchAttribute, value: state.status }],
      });
    }
    const before = await Promise.all(
      ids.map((id) => waitFor(`${id} to refresh twice on v0.1.0`, async () => {
        const d = await client.describe(id);
        return d.version >= 2 && d.status === 'active' ? d : undefined;
      }, { timeoutMs: 60_000, intervalMs: 100 })),
    );
    await old.stop();

    workers.push(await startWorkerProcess(taskQueue));
    const after = await Promise.all(
      ids.map((id, i) => waitFor(`${id} to keep refreshing on the current code`, async () => {
        const d = await client.describe(id);
        return d.version >= before[i]!.version + 3 && d.status === 'active' && d.counts.runs >= 2 ? d : undefined;
      }, { timeoutMs: 90_000, intervalMs: 100 })),
    );
    expect(after.map((d) => d.counts.failures)).toEqual([0, 0]);
    expect(fake.replays).toBe(0);

    // The current client's calls work on the upgraded credentials.
    const now = await client.getToken(ids[0]!);
    const refreshed = await client.refresh(ids[0]!, { staleVersion: now.version });
    expect(refreshed.token.version).toBeGreaterThan(now.version);

    // Every run, the v0.1.0 ones and the new ones, replays against the current code.
    for (const id of ids) {
      const runs = await historiesOf(client.temporal, credentialWorkflowId(id));
      expect(runs.length).toBeGreaterThanOrEqual(2);
      const outcomes = await replayHistories(runs);
      expect(outcomes.filter((o) => o.error)).toEqual([]);
    }
    await Promise.all(ids.map((id) => client.revoke(id)));
  });
});

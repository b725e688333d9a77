/**
 * The rolling restart of docs/security.md ("Rotation procedure", step 2): with two workers on one
 * task queue, restarted one at a time, first every process gets `k1,k2` (k1 still encrypts), then
 * every process gets `k2,k1` (k2 encrypts). Old and new workers run side by side at every step, and
 * nothing fails: no workflow task or activity fails in any credential's history, every credential
 * keeps refreshing, no refresh token is replayed, and payloads name k1 until the first `k2,k1`
 * worker writes.
 *
 * Control: skipping the first step (a `k2,k1` worker next to one holding `k1` only) does fail
 * tasks, seen by the same history check, which is why the procedure has that step.
 */
import { Connection } from '@temporalio/client';
import { isEncrypted, keyIdMetadataKey } from '../../src/codec/aes-gcm-codec';
import { generateKey } from '../../src/codec/keyring';
import { startDevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/net';
import { requiredSearchAttributes } from '../../src/search-attributes';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { metadataText, payloadsIn, rawHistories, type RawEvent } from '../helpers/secrets-scan';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

type TestClient = Awaited<ReturnType<typeof openTokenClient>>;

describe('rolling key rotation: workers restarted one at a time', () => {
  const env = testEnv();
  const k1 = generateKey('k1');
  const k2 = generateKey('k2');
  let fake: FakeOAuth2Server;
  let raw: Connection;
  const started: WorkerProcess[] = [];

  beforeAll(async () => {
    [fake, raw] = await Promise.all([startFakeOAuth2Server({ expiresIn: 3 }), Connection.connect({ address: env.temporalAddress })]);
  });
  afterAll(async () => {
    await Promise.all(started.map((w) => w.kill()));
    await raw?.close();
    await fake?.close();
  });

  /** A rolling deployment on `taskQueue` (on `temporalAddress`, else the test server): two worker slots and a client, each replaced with a new ring. */
  function deployment(taskQueue: string, temporalAddress?: string) {
    const at: Record<string, string> = temporalAddress ? { HALFLIFE_TEST_TEMPORAL_ADDRESS: temporalAddress } : {};
    const slots: (WorkerProcess | undefined)[] = [undefined, undefined];
    let client: TestClient | undefined;
    return {
      get client(): TestClient {
        if (!client) throw new Error('no client');
        return client;
      },
      /** Restarts worker `slot` with `ring` (the other keeps running). */
      async restart(slot: 0 | 1, ring: string): Promise<void> {
        await slots[slot]?.stop();
        const worker = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_ENCRYPTION_KEYS: ring, ...at });
        started.push(worker);
        slots[slot] = worker;
      },
      async useClient(ring: string): Promise<void> {
        const previous = client;
        client = await openTokenClient(taskQueue, { encryptionKeys: ring, ...(temporalAddress ? { temporalAddress } : {}) });
        await previous?.shutdown();
      },
      async close(ids: string[]): Promise<void> {
        for (const id of ids) await client?.revoke(id).catch(() => undefined);
        await client?.shutdown();
        await Promise.all(slots.map((w) => w?.stop()));
      },
    };
  }

  const eventsOf = async (id: string, on: Connection = raw): Promise<RawEvent[]> => (await rawHistories(on, env.namespace, credentialWorkflowId(id))).flatMap((r) => r.events);

  /** Failed workflow tasks and activities in the credentials' histories (a task that could not decrypt fails). */
  async function failures(ids: string[], on: Connection = raw): Promise<number> {
    let count = 0;
    for (const id of ids) {
      for (const e of await eventsOf(id, on)) if (e.workflowTaskFailedEventAttributes || e.activityTaskFailedEventAttributes) count++;
    }
    return count;
  }

  /** Waits until every credential is `by` versions further and active. */
  async function keepsRefreshing(client: TestClient, ids: string[], by: number): Promise<void> {
    const start = await Promise.all(ids.map((id) => client.describe(id)));
    await waitFor(`every credential ${by} versions further`, async () => {
      const now = await Promise.all(ids.map((id) => client.describe(id)));
      return now.every((d, i) => d.status === 'active' && d.version >= start[i]!.version + by);
    }, { timeoutMs: 40_000, intervalMs: 100 });
  }

  const keyIds = async (ids: string[]) => {
    const found = new Set<string>();
    for (const id of ids) for (const p of payloadsIn(await eventsOf(id))) if (isEncrypted(p)) found.add(metadataText(p, keyIdMetadataKey) ?? '<none>');
    return found;
  };

  it('k1 → k1,k2 on each worker in turn → k2,k1 on each in turn: nothing fails, every credential keeps refreshing', async () => {
    const d = deployment(uniqueId('tq-rolling'));
    const ids: string[] = [];
    try {
      await d.restart(0, k1);
      await d.restart(1, k1);
      await d.useClient(k1);
      for (let i = 0; i < 4; i++) ids.push((await registerOAuth2(d.client, fake)).id);
      await keepsRefreshing(d.client, ids, 1);

      // Step 2a: every process learns k2, one at a time; k1 still encrypts.
      await d.restart(0, `${k1},${k2}`);
      await keepsRefreshing(d.client, ids, 1);
      await d.restart(1, `${k1},${k2}`);
      await d.useClient(`${k1},${k2}`);
      await keepsRefreshing(d.client, ids, 1);
      expect(await keyIds(ids)).toEqual(new Set(['k1']));

      // Step 2b: k2 first, one at a time; the worker still on k1,k2 reads what the new one writes.
      await d.restart(0, `${k2},${k1}`);
      await keepsRefreshing(d.client, ids, 2);
      await d.restart(1, `${k2},${k1}`);
      await d.useClient(`${k2},${k1}`);
      await keepsRefreshing(d.client, ids, 2);

      expect(await keyIds(ids)).toEqual(new Set(['k1', 'k2']));
      expect(await failures(ids)).toBe(0);
      expect(fake.replays).toBe(0);
      for (const id of ids) expect(fake.isValidAccessToken((await d.client.getToken(id)).accessToken)).toBe(true);
    } finally {
      await d.close(ids);
    }
  });

  it('control: without the first step (a k2,k1 worker next to one holding k1 only), tasks fail', async () => {
    // On a server without eager activity dispatch (a Temporal cluster's default), any worker may
    // run any activity, so the k1-only worker soon gets one the k2,k1 worker scheduled. (With eager
    // dispatch, as on this project's dev servers, a run's activities stay with the worker that runs
    // it; the k1 worker then meets k2 only in a run it takes over, which this control does not provoke.)
    const server = await startDevServer({ port: await freePort(), uiPort: null, searchAttributes: { ...requiredSearchAttributes }, dynamicConfig: ['system.enableActivityEagerExecution=false'], log: () => undefined });
    const own = await Connection.connect({ address: server.address });
    const d = deployment(uniqueId('tq-rolling-control'), server.address);
    const ids: string[] = [];
    try {
      await d.restart(0, k1);
      await d.restart(1, k1);
      await d.useClient(`${k1},${k2}`);
      for (let i = 0; i < 4; i++) ids.push((await registerOAuth2(d.client, fake)).id);
      await keepsRefreshing(d.client, ids, 1);
      await d.restart(0, `${k2},${k1}`);
      await waitFor('a task failing on the k1-only worker', async () => (await failures(ids, own)) > 0, { timeoutMs: 40_000, intervalMs: 500 });
    } finally {
      await d.close(ids);
      await own.close();
      await server.stop();
    }
  });
});

/**
 * History stays bounded: a credential continues as new when its run reaches the event threshold
 * (src/workflows/next-step.ts `maxEventsPerRun`) and when the server suggests it, long before the
 * cycle limit, with its whole state carried over. Both are driven by many refresh requests (five
 * clients asking without pause, answered from the cooldown) while the token rotates every few
 * seconds; no request fails across the change of run, and no version is lost: one provider call
 * per version, no refresh token replayed, Redis and every interface on the newest version.
 *
 * The server's suggestion is provoked on a dev server of this test's own, configured to suggest
 * continue-as-new after 300 events (`limit.historyCount.suggestContinueAsNew`).
 */
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { RefreshOutcome } from '../../src/credential';
import { freePort } from '../../src/dev/net';
import { startDevServer, type DevServerHandle } from '../../src/dev/dev-server';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { TokenCache } from '../../src/redis/token-cache';
import { requiredSearchAttributes } from '../../src/search-attributes';
import { maxEventsPerRun } from '../../src/workflows/next-step';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { rawHistories, type RawRun } from '../helpers/secrets-scan';
import { openRedis, openTokenClient, testEnv, testStateDir, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

type TestClient = Awaited<ReturnType<typeof openTokenClient>>;

/** Five clients asking for refreshes without pause until `done` holds; every answer is kept. */
async function refreshStorm(clients: TestClient[], id: string, done: () => Promise<boolean>): Promise<RefreshOutcome[][]> {
  let stop = false;
  const answers = clients.map(() => [] as RefreshOutcome[]);
  const loops = clients.map(async (c, i) => {
    while (!stop) answers[i]!.push(await c.refresh(id));
  });
  try {
    await waitFor('the run to continue as new', done, { timeoutMs: 150_000, intervalMs: 500 });
  } finally {
    stop = true;
  }
  await Promise.all(loops);
  return answers;
}

/** Nothing lost: versions only grew for every caller, one provider call per version, Redis and reads on the newest. */
async function expectNothingLost(client: TestClient, fake: FakeOAuth2Server, cred: { id: string; clientId: string }, answers: RefreshOutcome[][], redisNamespace: string): Promise<void> {
  for (const seen of answers) {
    const versions = seen.map((o) => o.token.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  }
  const described = await waitFor('a moment between two refreshes', async () => {
    const d = await client.describe(cred.id);
    return d.refresh === undefined && d.counts.upstreamCalls === fake.callsFor(cred.clientId) ? d : undefined;
  }, { intervalMs: 100 });
  expect(described.status).toBe('active');
  expect(described.counts.runs).toBeGreaterThanOrEqual(2);
  expect(Math.max(...answers.flat().map((o) => o.token.version))).toBeLessThanOrEqual(described.version);
  expect(fake.callsFor(cred.clientId)).toBe(described.version);
  expect(described.counts.refreshes).toBe(described.version);
  expect(fake.replays).toBe(0);
  const token = await client.getToken(cred.id);
  expect(fake.isValidAccessToken(token.accessToken)).toBe(true);
  const redis = openRedis();
  try {
    const cache = new TokenCache(redis, { prefix: 'halflife', namespace: redisNamespace });
    await waitFor('Redis on the newest version', async () => ((await cache.read(cred.id))?.version ?? 0) >= described.version);
  } finally {
    redis.disconnect();
  }
  // And it keeps refreshing in the new run.
  await waitFor('a refresh in the new run', async () => (await client.describe(cred.id)).version > described.version, { timeoutMs: 20_000 });
}

/**
 * The first run of a credential (the oldest), the number of events before the server first
 * suggested continue-as-new in it (undefined: never), and its completed upstream calls.
 */
async function firstRun(raw: Connection, namespace: string, id: string): Promise<{ run: RawRun; suggestedAt?: number; refreshes: number }> {
  const runs = await rawHistories(raw, namespace, credentialWorkflowId(id));
  expect(runs.length).toBeGreaterThanOrEqual(2);
  const run = runs[runs.length - 1] as RawRun;
  expect(run.events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  const index = run.events.findIndex((e) => e.workflowTaskStartedEventAttributes?.suggestContinueAsNew === true);
  const refreshes = run.events.filter((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.length).length;
  return { run, ...(index >= 0 ? { suggestedAt: index } : {}), refreshes };
}

describe('continue-as-new at the event threshold', () => {
  const env = testEnv();
  const taskQueue = uniqueId('tq-can-events');
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let clients: TestClient[] = [];
  let raw: Connection;

  beforeAll(async () => {
    [fake, worker, raw, ...clients] = await Promise.all([
      startFakeOAuth2Server({ expiresIn: 4 }),
      startWorkerProcess(taskQueue),
      Connection.connect({ address: env.temporalAddress }),
      ...Array.from({ length: 5 }, () => openTokenClient(taskQueue)),
    ] as const);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown()));
    await worker?.stop();
    await raw?.close();
    await fake?.close();
  });

  it(`a run ends at ${maxEventsPerRun} events, before the server would suggest it, with nothing lost`, async () => {
    const [client] = clients as [TestClient];
    // A cycle limit it cannot reach, so only the event count can end the run.
    const cred = await registerOAuth2(client, fake, { maxCyclesPerRun: 10_000 });
    const answers = await refreshStorm(clients, cred.id, async () => (await client.describe(cred.id)).counts.runs >= 2);
    const { run, suggestedAt, refreshes } = await firstRun(raw, env.namespace, cred.id);
    expect(run.events.length).toBeGreaterThanOrEqual(maxEventsPerRun);
    // The threshold was reached before the server suggested anything (it does at 4,096 events).
    // Draining under the storm takes a few hundred events more (refused updates still cost tasks).
    expect(suggestedAt ?? Number.POSITIVE_INFINITY).toBeGreaterThan(maxEventsPerRun);
    expect(run.events.length).toBeLessThan(2 * maxEventsPerRun);
    expect(refreshes).toBeLessThan(10_000);
    expect(answers.flat().length).toBeGreaterThan(100);
    await expectNothingLost(client, fake, cred, answers, env.namespace);
    await client.revoke(cred.id);
  });
});

describe("continue-as-new on the server's suggestion", () => {
  const taskQueue = uniqueId('tq-can-suggested');
  const suggestAt = 300;
  let server: DevServerHandle;
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let clients: TestClient[] = [];
  let raw: Connection;

  beforeAll(async () => {
    server = await startDevServer({
      port: await freePort(),
      uiPort: null,
      searchAttributes: { ...requiredSearchAttributes },
      extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${suggestAt}`],
      logFile: path.join(testStateDir, `test-temporal-can-${process.pid}.log`),
    });
    [fake, worker, raw, ...clients] = await Promise.all([
      startFakeOAuth2Server({ expiresIn: 4 }),
      startWorkerProcess(taskQueue, { HALFLIFE_TEST_TEMPORAL_ADDRESS: server.address }),
      Connection.connect({ address: server.address }),
      ...Array.from({ length: 5 }, () => openTokenClient(taskQueue, { temporalAddress: server.address })),
    ] as const);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown()));
    await worker?.stop();
    await raw?.close();
    await fake?.close();
    await server?.stop();
  });

  it(`a run ends when the server suggests it (after ${suggestAt} events here), long before the thresholds of its own`, async () => {
    const [client] = clients as [TestClient];
    const cred = await registerOAuth2(client, fake);
    const answers = await refreshStorm(clients, cred.id, async () => (await client.describe(cred.id)).counts.runs >= 2);
    const { run, suggestedAt, refreshes } = await firstRun(raw, server.namespace, cred.id);
    expect(suggestedAt).toBeGreaterThanOrEqual(suggestAt - 10);
    expect(run.events.length).toBeLessThan(maxEventsPerRun);
    expect(refreshes).toBeLessThan(100); // the default cycle limit was not what ended it
    await expectNothingLost(client, fake, cred, answers, server.namespace);
    await client.revoke(cred.id);
  });
});

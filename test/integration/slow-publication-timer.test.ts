/**
 * A refresh is not late by the local activities of the task that scheduled it. The server starts a
 * timer only when the workflow task completes, after its local activities (the publication to
 * Redis first); the timer's length must count from after them, not from the task's start, or
 * every refresh inherits their time. Here the publication is made slow on purpose (the worker's
 * thread kept busy for 3 s inside it, as on a starved host), and the next refresh must still come
 * at the instant the workflow computed. (The workflow's time after a local activity is the
 * activation that brought its answer; a timer counted from the instant the decision clock holds
 * for the run's decisions, the task's start in older runs, fails this.) The history then replays.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { historiesOf, replayHistories } from '../helpers/replay';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const stallMs = 3_000;

jest.setTimeout(120_000);

let fake: FakeOAuth2Server;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  fake = await startFakeOAuth2Server({ expiresIn: 16 });
});
afterAll(async () => {
  await worker?.stop();
  await fake?.close();
});

it('the refresh after a slow publication comes at its computed instant', async () => {
  const taskQueue = uniqueId('tq-stamp-timer');
  const client = await openTokenClient(taskQueue);
  try {
    const id = uniqueId('stamp-timer');
    worker = await startWorkerProcess(taskQueue, {
      HALFLIFE_TEST_AT: 'before_publish',
      HALFLIFE_TEST_FOR: id,
      HALFLIFE_TEST_DO: 'stall',
      HALFLIFE_TEST_STALL_MS: String(stallMs),
      HALFLIFE_TEST_STALL_VERSIONS: '2',
    });
    const reg = await registerOAuth2(client, fake, { jitterRatio: 0 }, id);
    await worker.waitForOutput(`STALL before_publish ${id} v2 `, 30_000);
    const due = await waitFor('version 2 published, and its refresh instant', async () => {
      const d = await client.describe(id);
      return d.version === 2 && d.nextRefreshAt !== undefined ? d.nextRefreshAt : undefined;
    });
    const third = await waitFor('the third call to the token endpoint', () => fake.callTimesFor(reg.clientId)[2], { timeoutMs: 30_000 });
    // Counted from the task's start, the timer would fire `stallMs` after `due`.
    expect(third - due).toBeGreaterThan(-50);
    expect(third - due).toBeLessThan(stallMs / 2);

    const outcomes = await replayHistories(await historiesOf(client.temporal, credentialWorkflowId(id)));
    expect(outcomes.filter((o) => o.error)).toEqual([]);
  } finally {
    await client.shutdown();
  }
});

/**
 * A workflow task that times out on a live worker while a local activity runs, the wedge the soak
 * found. Right after a refresh's answer, the worker publishes it to Redis (a local activity); the
 * worker is frozen there (SIGSTOP, as an overloaded host starves every thread), so the task times
 * out before it could heartbeat it. Once the worker runs again it completes a later attempt of the
 * task with what it computed in the first, and history keeps only that later attempt, 20 s on. The
 * token lives 16 s: its next refresh and its expiry fall between the two instants, so a decision
 * taken by the first attempt's time differs from replay's (`UpsertWorkflowSearchAttributesMachine
 * does not handle TimerStarted`). Decided by the instant the local activity answered (its stamp),
 * both agree (src/workflows/decision-clock.ts).
 *
 * Which attempt the SDK completes depends on its threads' timing: on the code before stamps, about
 * one hostile moment in three wedged. The test makes the moment three times, then replays.
 */
import { temporal } from '@temporalio/proto';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { historiesOf, replayHistories } from '../helpers/replay';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const { EventType, TimeoutType } = temporal.api.enums.v1;

/** The versions whose publication is frozen: every other refresh, so the run calms down in between. */
const frozenVersions = [2, 4, 6];

jest.setTimeout(240_000);

describe('a workflow task that times out while its local activity runs on a frozen worker', () => {
  let fake: FakeOAuth2Server;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    fake = await startFakeOAuth2Server({ expiresIn: 16 });
  });
  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGCONT');
      await w.kill();
    }
    await fake?.close();
  });

  it('replays, with no failed workflow task, and the credential keeps refreshing', async () => {
    const taskQueue = uniqueId('tq-starved');
    const client = await openTokenClient(taskQueue);
    try {
      const id = uniqueId('starved');
      const worker = await startWorkerProcess(taskQueue, {
        HALFLIFE_TEST_AT: 'before_publish',
        HALFLIFE_TEST_FOR: id,
        HALFLIFE_TEST_DO: 'stall',
        HALFLIFE_TEST_STALL_MS: '3000',
        HALFLIFE_TEST_STALL_VERSIONS: frozenVersions.join(','),
      });
      workers.push(worker);
      await registerOAuth2(client, fake, {}, id);
      const handle = client.temporal.workflow.getHandle(credentialWorkflowId(id));
      for (const version of frozenVersions) {
        // The hostile moment: inside the publication of a new token, the whole worker stops.
        await worker.waitForOutput(`STALL before_publish ${id} v${version} `, 60_000);
        worker.child.kill('SIGSTOP');
        await waitFor('the workflow task to time out on the frozen worker', async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2, { timeoutMs: 30_000, intervalMs: 100 });
        worker.child.kill('SIGCONT');
      }
      const last = frozenVersions[frozenVersions.length - 1]!;
      await waitFor('two refreshes after the last freeze', async () => ((await client.describe(id).catch(() => undefined))?.version ?? 0) >= last + 2, { timeoutMs: 90_000, intervalMs: 500 });

      const runs = await historiesOf(client.temporal, credentialWorkflowId(id));
      const events = runs.flatMap((r) => temporal.api.history.v1.History.decode(Buffer.from(r.historyBase64, 'base64')).events ?? []);
      // Each freeze timed a task out after the worker had started it, and the same worker went on.
      const timeouts = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT && e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE);
      expect(timeouts.length).toBeGreaterThanOrEqual(frozenVersions.length);
      const starters = new Set(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).map((e) => e.workflowTaskStartedEventAttributes?.identity));
      expect([...starters]).toEqual([`test-worker-${worker.pid}`]);
      expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).map((e) => e.workflowTaskFailedEventAttributes?.failure?.message)).toEqual([]);

      const outcomes = await replayHistories(runs);
      expect(outcomes.filter((o) => o.error)).toEqual([]);
      expect(fake.replays).toBe(0);
      await client.revoke(id);
    } finally {
      await client.shutdown();
    }
  });
});

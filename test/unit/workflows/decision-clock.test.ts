/**
 * The decision clock (src/workflows/decision-clock.ts) against the two executions of one history:
 * live, where a local activity's result arrives in a later workflow task (a later time), and
 * replay, where it arrives in the task that asked for it. Both must decide by the same instant.
 */
import { DecisionClock } from '../../../src/workflows/decision-clock';

let wallClock = 0;
beforeEach(() => {
  jest.spyOn(Date, 'now').mockImplementation(() => wallClock);
});
afterEach(() => jest.restoreAllMocks());

/** A local activity whose result reaches the workflow at `resolvedAt` (the time of that task). */
function localActivity(resolvedAt: number): () => Promise<void> {
  return async () => {
    await Promise.resolve();
    wallClock = resolvedAt;
  };
}

describe('DecisionClock', () => {
  it('decides after a local activity at the instant it was asked for, live (later task) and in replay (same task) alike', async () => {
    const live = new DecisionClock(true);
    wallClock = 37_000;
    await live.local(localActivity(41_000));
    const replay = new DecisionClock(true);
    wallClock = 37_000;
    await replay.local(localActivity(37_000));
    expect(live.now()).toBe(37_000);
    expect(replay.now()).toBe(37_000);
  });

  it('holds the instant across several local activities in a row', async () => {
    const clock = new DecisionClock(true);
    wallClock = 10_000;
    await clock.local(localActivity(12_000));
    await clock.local(localActivity(15_000));
    expect(clock.now()).toBe(10_000);
  });

  it('releases the instant when a wait on the server ends in a later task', async () => {
    const clock = new DecisionClock(true);
    wallClock = 10_000;
    await clock.local(localActivity(12_000));
    await clock.server(async () => {
      wallClock = 20_000; // the timer fired in a new workflow task
    });
    expect(clock.now()).toBe(20_000);
  });

  it('keeps the instant when the wait ended at once (nothing moved the time)', async () => {
    const clock = new DecisionClock(true);
    wallClock = 10_000;
    await clock.local(localActivity(12_000));
    await clock.server(async () => undefined);
    expect(clock.now()).toBe(10_000);
  });

  it('holds during the activity too: a failure handled inside it is dated at the instant asked for', async () => {
    const clock = new DecisionClock(true);
    wallClock = 10_000;
    let datedAt = 0;
    await clock.local(async () => {
      await localActivity(13_000)();
      datedAt = clock.now();
    });
    expect(datedAt).toBe(10_000);
  });

  it('without its patch (runs recorded before it) decides by the task time, as those runs did', async () => {
    const clock = new DecisionClock(false);
    wallClock = 10_000;
    await clock.local(localActivity(12_000));
    expect(clock.now()).toBe(12_000);
  });
});

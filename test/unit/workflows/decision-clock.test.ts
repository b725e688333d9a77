/**
 * The decision clock (src/workflows/decision-clock.ts) against the two executions of one history:
 * live, where a local activity's result arrives in a later workflow task (a later time), and
 * replay, where it arrives in the task that asked for it; and, with stamps, live, where the
 * activity was asked for in a task attempt that timed out, and replay, where it was asked for
 * seconds later, in the attempt history kept. Both must decide by the same instant.
 */
import { DecisionClock, unstamp } from '../../../src/workflows/decision-clock';

let wallClock = 0;
beforeEach(() => {
  jest.spyOn(Date, 'now').mockImplementation(() => wallClock);
});
afterEach(() => jest.restoreAllMocks());

/** A local activity whose result reaches the workflow at `resolvedAt` (the time of that task). */
function localActivity(resolvedAt: number): () => Promise<undefined> {
  return async () => {
    await Promise.resolve();
    wallClock = resolvedAt;
    return undefined;
  };
}

/** A stamped local activity: answered at `answeredAt` (its marker's stamp), its result applied at `resolvedAt`. */
function stampedActivity(answeredAt: number, resolvedAt: number, asked: boolean[]): (stamp: boolean) => Promise<number | undefined> {
  return async (stamp) => {
    asked.push(stamp);
    await Promise.resolve();
    wallClock = resolvedAt;
    return stamp ? answeredAt : undefined;
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
      return undefined;
    });
    expect(datedAt).toBe(10_000);
  });

  it('without its patch (runs recorded before it) decides by the task time, as those runs did', async () => {
    const clock = new DecisionClock(false);
    wallClock = 10_000;
    await clock.local(localActivity(12_000));
    expect(clock.now()).toBe(12_000);
  });

  it('with stamps, decides after a local activity by the instant it answered: the attempt that asked for it does not matter', async () => {
    const asked: boolean[] = [];
    // Live: asked for at 1,760 in an attempt that timed out; answered at 11,800; applied in the next attempt, at 11,775.
    const live = new DecisionClock(true, true);
    wallClock = 1_760;
    await live.local(stampedActivity(11_800, 11_775, asked));
    // Replay: the kept attempt asks for it at 11,775 and applies the recorded answer at once.
    const replay = new DecisionClock(true, true);
    wallClock = 11_775;
    await replay.local(stampedActivity(11_800, 11_775, asked));
    expect(live.now()).toBe(11_800);
    expect(replay.now()).toBe(11_800);
    expect(asked).toEqual([true, true]);
  });

  it('with stamps, a local activity that failed (no stamp) keeps the instant it was asked for', async () => {
    const clock = new DecisionClock(true, true);
    wallClock = 10_000;
    await clock.local(async () => {
      wallClock = 12_000;
      return undefined;
    });
    expect(clock.now()).toBe(10_000);
  });

  it('does not ask for stamps without their patch, nor without the held clock', async () => {
    const asked: boolean[] = [];
    wallClock = 10_000;
    await new DecisionClock(true, false).local(stampedActivity(11_000, 12_000, asked));
    await new DecisionClock(false, true).local(stampedActivity(11_000, 12_000, asked));
    expect(asked).toEqual([false, false]);
  });
});

describe('unstamp', () => {
  it('reads a stamped answer and the bare answers of older runs', () => {
    expect(unstamp({ result: 'written', at: 5 })).toEqual({ result: 'written', at: 5 });
    expect(unstamp('off')).toEqual({ result: 'off' });
    expect(unstamp(true)).toEqual({ result: true });
  });
});

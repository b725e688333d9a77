/**
 * The clock a credential run decides by. A local activity's result can reach the workflow in a
 * later workflow task than the one whose completion recorded its marker: the task completed with
 * the marker (a heartbeat, or a query to answer), and the result was applied live in the next
 * task, at that task's later time. Replay applies it from the marker in the first task, at the
 * first task's time. A decision that reads the time after the activity (is a refresh due?) then
 * differs, and the run is wedged by non-determinism (`Timer machine does not handle
 * ActivityTaskScheduled`, found by `npm run chaos`).
 *
 * So after a local activity, decisions are taken at the instant the activity was asked for, live
 * and in replay alike, until the run next wakes from the server (a timer, an activity, a message):
 * that wake comes with a new workflow task whose time both share again. Only durations read the
 * real time (a timer's length is not part of what replay checks).
 *
 * Guarded by `patched(decisionClockPatch)`: runs recorded before it decided by the task's time.
 *
 * The instant a local activity was asked for is not always shared either. When the worker is
 * starved (every thread stopped, as on an overloaded host) after it asked, the workflow task times
 * out before the worker could heartbeat it; the same worker then completes the task's next attempt
 * with what it computed in the first, which history never records. Replay runs the code at the
 * next attempt's time, seconds later, and decides otherwise (the soak's `UpsertWorkflowSearch
 * AttributesMachine does not handle TimerStarted`; test/integration/task-timeout-local-activity.test.ts).
 * So runs with `patched(stampedClockPatch)` ask each local activity for the instant it answered
 * (`Stamped`), recorded in its marker, and decide by that instant after it: the same value live
 * and in replay, whichever task carried it. A local activity that failed has no stamp; the instant
 * it was asked for stays.
 */
import type { Stamped } from '../activities/contracts';

/** The patch marking runs that decide by the decision clock. */
export const decisionClockPatch = 'halflife-decision-clock';

/** The patch marking runs that decide, after a local activity, by the instant it answered. */
export const stampedClockPatch = 'halflife-stamped-clock';

/** A local activity's answer and its stamp, from a stamped or a bare (older run's) answer. */
export function unstamp<T>(answer: T | Stamped<T>): { result: T; at?: number } {
  if (typeof answer === 'object' && answer !== null && 'at' in answer && 'result' in answer) return { result: answer.result, at: answer.at };
  return { result: answer as T };
}

/** The time decisions use, held across local activities (see the module comment). */
export class DecisionClock {
  private held: number | undefined;

  /**
   * `holds`: whether this run holds the time across local activities; `stamped`: whether it asks
   * them for the instant they answered (their patch markers).
   */
  constructor(
    private readonly holds: boolean,
    private readonly stamped = false,
  ) {}

  /** The instant to decide by. */
  now(): number {
    return this.held ?? Date.now();
  }

  /**
   * Runs a local activity: `run` gets whether to ask for a stamp, and returns the stamp it got.
   * Decisions from now on take that stamp, or else the instant the activity was asked for.
   */
  async local(run: (stamp: boolean) => Promise<number | undefined>): Promise<void> {
    if (this.holds) this.held = this.now();
    const at = await run(this.holds && this.stamped);
    if (this.holds && this.stamped && at !== undefined) this.held = at;
  }

  /**
   * Waits on the server (a timer, an activity, a signal's delivery, a message to a handler). A
   * wait that ended in a later workflow task releases the held instant; one that ended at once (a
   * condition already true) keeps it: in both executions the time did not move.
   */
  async server<T>(run: () => Promise<T>): Promise<T> {
    const before = Date.now();
    try {
      return await run();
    } finally {
      if (Date.now() !== before) this.held = undefined;
    }
  }
}

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
 */

/** The patch marking runs that decide by the decision clock. */
export const decisionClockPatch = 'halflife-decision-clock';

/** The time decisions use, held across local activities (see the module comment). */
export class DecisionClock {
  private held: number | undefined;

  /** `holds`: whether this run holds the time across local activities (its patch marker). */
  constructor(private readonly holds: boolean) {}

  /** The instant to decide by. */
  now(): number {
    return this.held ?? Date.now();
  }

  /** Runs a local activity; decisions from now on keep the instant it was asked for. */
  async local<T>(run: () => Promise<T>): Promise<T> {
    if (this.holds) this.held = this.now();
    return run();
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

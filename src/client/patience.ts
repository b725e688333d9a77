/**
 * Waiting out the moments a credential cannot answer. After a worker dies, its workflow task
 * belongs to nobody until it times out and the next worker takes it over (about 10 s); while
 * Temporal restarts, nobody can be asked. The answer comes back on its own. A caller that needs a
 * token would retry a 503 anyway, so a token read waits through those moments until its deadline:
 * it comes back late with a valid token instead of failing (the chaos suite counted 96 such 503s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodes } from '../error-codes';
import { errorOutcomeOf } from '../error-outcomes';

/** True for an error that goes away without anyone acting: no worker holds the task yet, or Temporal does not answer. */
export function isPassing(err: unknown): boolean {
  const { code } = errorOutcomeOf(err);
  return code === errorCodes.noWorker || code === errorCodes.temporalUnavailable;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or `deadline` (epoch ms) leaves no time for
 * another try; passing failures (`isPassing`) are retried with backoff (250 ms doubling to 2 s).
 * `attempt` gets the deadline, to bound its own waits by it.
 */
export async function patiently<T>(deadline: number, attempt: (deadline: number) => Promise<T>): Promise<T> {
  for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await attempt(deadline);
    } catch (err) {
      if (!isPassing(err) || Date.now() + delay >= deadline) throw err;
      await sleep(delay);
    }
  }
}

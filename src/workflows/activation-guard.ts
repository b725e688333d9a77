/**
 * A guard against a replay hazard of the SDK: when a worker has a credential's run cached (from
 * answering a query) while the run's next workflow task waits elsewhere (the sticky queue of a
 * worker that died), a query makes the SDK apply that task's new history events (a timer fired, an
 * activity completed) in an activation of their own, live, with the previous task's timestamp.
 * The workflow then acts on stale time, and the commands it issues are sent with the next real
 * task; replaying that history later, at the task's real time, decides differently and the run is
 * wedged by non-determinism. Seen in this project's own test (test/integration/update-timer-task.test.ts)
 * and likely the wedges measured after worker restarts.
 *
 * A timer firing or an activity (not a local one) resolving always comes with a new workflow task,
 * so with a newer timestamp than the activation before. An activation that carries one live with
 * the same timestamp is refused: its failure evicts the cached run, and the real task replays the
 * run from history, at its real time.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

type Job = { variant?: string; resolveActivity?: { isLocal?: boolean | null } | null };
type Stamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

function millisOf(stamp: Stamp): number | undefined {
  if (!stamp || stamp.seconds === undefined || stamp.seconds === null) return undefined;
  return Number(stamp.seconds) * 1000 + (stamp.nanos ?? 0) / 1e6;
}

/** True for a job that only history of a new workflow task can bring. */
function needsNewTask(job: Job): boolean {
  return job.variant === 'fireTimer' || (job.variant === 'resolveActivity' && job.resolveActivity?.isLocal !== true);
}

/** Thrown for a refused activation (the SDK fails it and evicts the run). */
export class StaleActivationError extends Error {
  override readonly name = 'StaleActivationError';
}

/** The workflow interceptors Halflife registers (bundled with the workflows). */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let last: number | undefined;
  let sameTimeAsBefore = false;
  return {
    internals: [
      {
        activate(input, next) {
          const a = input.activation;
          if (input.batchIndex === 0) {
            // One activation may come in several batches; they share its timestamp.
            const at = millisOf(a.timestamp as Stamp);
            sameTimeAsBefore = !a.isReplaying && at !== undefined && last !== undefined && at <= last;
            if (at !== undefined && (last === undefined || at > last)) last = at;
          }
          if (sameTimeAsBefore && (a.jobs ?? []).some((j) => needsNewTask(j as Job))) {
            throw new StaleActivationError('refusing history applied without a new workflow task (stale time); the run will be replayed');
          }
          return next(input);
        },
      },
    ],
  };
};

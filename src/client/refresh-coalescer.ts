/**
 * One refresh update in flight per credential per process, across rounds. A caller joins the
 * update in flight; when that update's answer does not cover it (the update asked for less than
 * this caller reports), the first such caller to resume sends the next update and the others join
 * that one, so hundreds of callers never turn into hundreds of updates.
 */
import type { RefreshOutcome } from '../credential';

interface Pending {
  /** The stale version the update in flight reports (undefined: a plain "refresh"). */
  staleVersion?: number;
  promise: Promise<RefreshOutcome>;
}

/** True when an update that reported `sent` answers a caller that reports `wanted` whatever the outcome. */
function covers(sent: number | undefined, wanted: number | undefined): boolean {
  return wanted === undefined || (sent !== undefined && sent >= wanted);
}

/** Coalesces refresh updates per credential. */
export class RefreshCoalescer {
  private readonly pending = new Map<string, Pending>();

  /** Joins or sends the refresh of `id` for a caller whose token of version `staleVersion` failed. */
  async refresh(id: string, staleVersion: number | undefined, send: (staleVersion: number | undefined) => Promise<RefreshOutcome>): Promise<RefreshOutcome> {
    for (;;) {
      const current = this.pending.get(id);
      if (!current) return this.start(id, staleVersion, send);
      if (covers(current.staleVersion, staleVersion)) return current.promise;
      const outcome = await current.promise.catch(() => undefined);
      if (outcome && staleVersion !== undefined && outcome.token.version > staleVersion) return outcome;
      // The answer did not cover this caller: the first one here sends the next update, the rest join it.
    }
  }

  private start(id: string, staleVersion: number | undefined, send: (staleVersion: number | undefined) => Promise<RefreshOutcome>): Promise<RefreshOutcome> {
    const promise = send(staleVersion).finally(() => {
      if (this.pending.get(id)?.promise === promise) this.pending.delete(id);
    });
    this.pending.set(id, { staleVersion, promise });
    return promise;
  }
}

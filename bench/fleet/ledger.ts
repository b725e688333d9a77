/**
 * The fleet benchmark's bookkeeping of every credential at its token endpoint: when its next
 * refresh is due (the instant the workflow computes: `issuedAt + lifetime × refreshRatio`, jitter
 * off, where `issuedAt` is when the worker sent the request that got the token; the endpoint sees
 * that request a fraction of a millisecond later, and uses its arrival), when its token expires,
 * and how late each refresh came. Pure bookkeeping, no I/O.
 */

/** One credential's state at the endpoint. */
interface Entry {
  /** The refresh token the endpoint accepts next (rotated on every use). */
  refreshToken: string;
  dueAt: number;
  expiresAt: number;
  calls: number;
  /** Whether the current token's expiry without a refresh was already counted. */
  missedCounted: boolean;
}

/** A refresh as the endpoint saw it: the instant it was due and the instant it arrived. */
export interface RefreshSample {
  dueAt: number;
  at: number;
}

/** What the ledger says about a window of time. */
export interface WindowFigures {
  /** Lateness (arrival − due, ms, ≥ 0 counted as is, early ones as 0) of every refresh due in the window. */
  lateness: number[];
  /** Refreshes due in the window that had not arrived when it was read (their lateness counts as now − due). */
  unfinished: number;
  /** Refreshes that arrived in the window. */
  arrived: number;
  /** Tokens that expired unrefreshed in the window. */
  missed: number;
}

/** Per-credential bookkeeping of refreshes at the endpoint. */
export class RefreshLedger {
  private readonly entries = new Map<string, Entry>();
  private readonly samples: RefreshSample[] = [];
  /** Refreshes that presented a refresh token already used (two refreshes of one token: nothing may ever do that). */
  replays = 0;
  /** Expiry instants of the tokens that expired before their credential refreshed them. */
  private readonly missedAt: number[] = [];

  constructor(
    private readonly lifetimeMs: number,
    private readonly refreshRatio: number,
  ) {}

  /** A credential registered with a supplied token issued at `issuedAt` (as its registration computed it) and expiring at `expiresAt`. */
  expect(clientId: string, refreshToken: string, issuedAt: number, expiresAt: number): void {
    const dueAt = Math.round(issuedAt + (expiresAt - issuedAt) * this.refreshRatio);
    this.entries.set(clientId, { refreshToken, dueAt, expiresAt, calls: 0, missedCounted: false });
  }

  /** True when the endpoint knows `clientId`. */
  has(clientId: string): boolean {
    return this.entries.has(clientId);
  }

  /**
   * A refresh of `clientId` with `refreshToken` arrived at `at`. Returns the new expiry and the
   * refresh token to hand out, or `replay` when the refresh token was already used.
   */
  refresh(clientId: string, refreshToken: string, at: number, nextRefreshToken: string): { expiresAt: number } | 'replay' | 'unknown' {
    const entry = this.entries.get(clientId);
    if (!entry) return 'unknown';
    if (entry.refreshToken !== refreshToken) {
      this.replays++;
      return 'replay';
    }
    if (at > entry.expiresAt && !entry.missedCounted) this.missedAt.push(entry.expiresAt);
    this.samples.push({ dueAt: entry.dueAt, at });
    entry.calls++;
    entry.refreshToken = nextRefreshToken;
    entry.expiresAt = at + this.lifetimeMs;
    entry.dueAt = Math.round(at + this.lifetimeMs * this.refreshRatio);
    entry.missedCounted = false;
    return { expiresAt: entry.expiresAt };
  }

  /** Counts the tokens that have expired unrefreshed by `now` (each once); returns the total so far. */
  sweep(now: number): number {
    for (const entry of this.entries.values()) {
      if (!entry.missedCounted && entry.expiresAt < now) {
        entry.missedCounted = true;
        this.missedAt.push(entry.expiresAt);
      }
    }
    return this.missed;
  }

  /** Tokens that expired before their credential refreshed them, so far. */
  get missed(): number {
    return this.missedAt.length;
  }

  /** The instant the refresh of `clientId` is due next (for the cross-check with the workflow's own `nextRefreshAt`). */
  dueAt(clientId: string): number | undefined {
    return this.entries.get(clientId)?.dueAt;
  }

  /** Upstream calls per credential: min, max and total. */
  calls(): { min: number; max: number; total: number } {
    let [min, max, total] = [Number.POSITIVE_INFINITY, 0, 0];
    for (const e of this.entries.values()) [min, max, total] = [Math.min(min, e.calls), Math.max(max, e.calls), total + e.calls];
    return { min: Number.isFinite(min) ? min : 0, max, total };
  }

  /** Lateness of the refreshes due in [from, to], with the ones still outstanding at `now` (≥ to) counted as `now − due`. */
  window(from: number, to: number, now: number = to): WindowFigures {
    const lateness: number[] = [];
    let arrived = 0;
    for (const s of this.samples) {
      if (s.at >= from && s.at <= to) arrived++;
      if (s.dueAt >= from && s.dueAt <= to) lateness.push(Math.max(0, s.at - s.dueAt));
    }
    let unfinished = 0;
    for (const e of this.entries.values()) {
      if (e.dueAt >= from && e.dueAt <= to) {
        unfinished++;
        lateness.push(Math.max(0, now - e.dueAt));
      }
    }
    const missed = this.missedAt.filter((t) => t >= from && t <= to).length;
    return { lateness, unfinished, arrived, missed };
  }

  /** Refreshes seen so far (all credentials). */
  get count(): number {
    return this.samples.length;
  }
}

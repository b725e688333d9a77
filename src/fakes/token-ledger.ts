/**
 * Issued tokens of the platform fakes (component, authorizer, suite and corp tokens; pushed
 * tickets): each has an owner, an expiry and, once a newer one of the same owner is issued, the
 * end of its overlap. `status` says whether one works now, and why not.
 */

/** Why a token does not work (or `ok` with its owner). */
export type LedgerStatus = { ok: true; owner: string } | { ok: false; reason: 'unknown' | 'superseded' | 'expired' };

interface Entry {
  owner: string;
  expiresAt: number;
  invalidAfter?: number;
}

/** Tokens issued by one fake endpoint. */
export class TokenLedger {
  private readonly entries = new Map<string, Entry>();
  private readonly latest = new Map<string, string>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Records `token` for `owner`, living `lifetimeMs`; the owner's previous token dies `overlapMs` later (Infinity: only at its expiry). */
  add(token: string, owner: string, lifetimeMs: number, overlapMs: number): string {
    const now = this.clock();
    const previous = this.latest.get(owner);
    const old = previous !== undefined ? this.entries.get(previous) : undefined;
    if (old && old.invalidAfter === undefined && Number.isFinite(overlapMs)) old.invalidAfter = now + overlapMs;
    this.entries.set(token, { owner, expiresAt: now + lifetimeMs });
    this.latest.set(owner, token);
    return token;
  }
  /** The owner's newest token. */
  current(owner: string): string | undefined {
    return this.latest.get(owner);
  }
  /** Whether `token` works now. */
  status(token: string): LedgerStatus {
    const entry = this.entries.get(token);
    const now = this.clock();
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.invalidAfter !== undefined && now >= entry.invalidAfter) return { ok: false, reason: 'superseded' };
    if (now >= entry.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, owner: entry.owner };
  }
  /** Expiry of a live token. */
  expiresAt(token: string): number | undefined {
    return this.entries.get(token)?.expiresAt;
  }
  /** Kills every token of `owner` at once. */
  revokeOwner(owner: string): void {
    const now = this.clock();
    for (const entry of this.entries.values()) if (entry.owner === owner) entry.invalidAfter = now;
  }
}

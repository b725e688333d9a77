/**
 * Pure timing arithmetic of the credential workflow: when to refresh, how long to back off.
 * All instants are epoch milliseconds. No Temporal or Node imports: unit-tested directly.
 */
import type { RefreshPolicy, TokenSet } from '../credential';

/** A deterministic number in [-1, 1) derived from `seed` (FNV-1a), so jitter replays identically. */
export function jitterUnit(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash / 0x100000000) * 2 - 1;
}

/**
 * When the token should be refreshed.
 *
 * A fresh token is refreshed at `issuedAt + lifetime × refreshRatio ± jitter`. A provider that handed
 * back the same token again (the last call started after the token was issued) is anchored at that
 * call instead, so each repeat waits a fraction of what remains: a bounded number of calls per
 * lifetime, never a storm. A declared `renewableAt` moves the instant to when a new token can be had,
 * and the cooldown since the last call always applies.
 */
export function refreshDueAt(
  token: TokenSet,
  policy: Pick<RefreshPolicy, 'refreshRatio' | 'jitterRatio' | 'minRefreshIntervalMs'>,
  jitterSeed: string,
  lastCallAt?: number,
): number {
  const repeated = lastCallAt !== undefined && lastCallAt > token.issuedAt;
  const anchor = repeated ? lastCallAt : token.issuedAt;
  const span = Math.max(0, token.expiresAt - anchor);
  let due = anchor + span * policy.refreshRatio + jitterUnit(jitterSeed) * policy.jitterRatio * span;
  if (lastCallAt !== undefined) due = Math.max(due, lastCallAt + policy.minRefreshIntervalMs);
  // Whatever the policy (ratio 0.95 with jitter 0.2, a cooldown longer than the lifetime), a fresh
  // token is refreshed before it expires, with a margin for the call itself. (A repeated token is
  // not: asking again sooner would only bring the same token back, so the cooldown stands.)
  if (!repeated) due = Math.min(due, token.expiresAt - expiryMarginMs(span));
  // A provider that can only issue a new token from `renewableAt` on is asked no earlier.
  if (token.renewableAt !== undefined) due = Math.max(due, token.renewableAt);
  return Math.round(due);
}

/** How long before expiry a refresh is due at the latest: 10 % of the lifetime, at most 5 min. */
export function expiryMarginMs(spanMs: number): number {
  return Math.min(300_000, spanMs * 0.1);
}

/** The first re-probe of a credential parked for a configuration failure waits this long. */
export const reprobeInitialMs = 3_600_000;

/** Re-probes wait at most this long. */
export const reprobeMaxMs = 86_400_000;

/**
 * Whether a configuration failure is looked at again later (a CDN's 403, a wrong URL may be fixed
 * without anyone telling Halflife). Never for a refused client, a refused refresh token or a grant
 * without one: those need a person. A refused JWT-bearer assertion (`invalid_grant`) is re-probed:
 * an administrator may still consent to the account or fix the server's settings.
 */
export function isReprobed(provider: string, error: { kind: string; code: string }): boolean {
  if (error.kind !== 'configuration') return false;
  if (error.code === 'invalid_grant') return provider === 'jwt_bearer';
  return error.code !== 'invalid_client' && error.code !== 'missing_refresh_token';
}

/** How long to wait before re-probe number `count` (0-based): 1 h, doubling, at most 24 h. */
export function reprobeDelayMs(count: number): number {
  return Math.min(reprobeMaxMs, reprobeInitialMs * 2 ** Math.max(0, count));
}

/**
 * How long to wait before retry number `attempt` (1-based) after a transient failure.
 *
 * Exponential from `retryInitialMs`, capped by `retryMaxMs`, and, while the token is still valid,
 * by half the time left before it expires (so several attempts fit before expiry). With a
 * `jitterSeed`, spread by a deterministic ±20 %. A provider's `Retry-After` (or quota reset) is
 * always honoured, even past expiry.
 */
export function retryDelayMs(
  attempt: number,
  policy: Pick<RefreshPolicy, 'retryInitialMs' | 'retryMaxMs'>,
  now: number,
  expiresAt: number | undefined,
  retryAfterMs?: number,
  jitterSeed?: string,
): number {
  let delay = Math.min(policy.retryMaxMs, policy.retryInitialMs * 2 ** Math.max(0, attempt - 1));
  // ±20 %, deterministic per credential and attempt: credentials that failed together spread out.
  if (jitterSeed !== undefined) delay = Math.min(policy.retryMaxMs, delay * (1 + 0.2 * jitterUnit(jitterSeed)));
  if (expiresAt !== undefined && expiresAt > now) {
    delay = Math.min(delay, Math.max(policy.retryInitialMs, (expiresAt - now) / 2));
  }
  if (retryAfterMs !== undefined && retryAfterMs > delay) delay = retryAfterMs;
  return Math.max(1, Math.round(delay));
}

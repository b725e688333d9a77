/**
 * FROZEN (release v0.1.0, see ./credential-workflow.ts): do not change.
 *
 * The budget of a provider's force mode (WeChat `stable_token` with `force_refresh: true`): how many
 * forced calls a credential may make in any rolling 24 hours and how far apart. Pure: the workflow
 * imports it, so it must not import Node, network or provider code.
 */
import type { ProviderName } from './credential';

/** How often a credential may use its provider's force mode. */
export interface ForceBudget {
  /** Forced calls allowed in any rolling 24 hours (0: never force). */
  perDay: number;
  /** Minimum time between two forced calls. */
  minIntervalMs: number;
}

/**
 * The default budget: half of WeChat's own `force_refresh` allowance (20 a day, 30 s apart), so a
 * person or another tool sharing the app still has some, and twice its spacing.
 */
export const defaultForceBudget: Readonly<ForceBudget> = Object.freeze({ perDay: 10, minIntervalMs: 60_000 });

/** Upper bound of `forceRefreshPerDay`: WeChat refuses more than 20 forced calls a day anyway. */
export const maxForceRefreshPerDay = 20;

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/**
 * The force budget of a credential, or undefined when its provider has no force mode (a forced
 * refresh is then an ordinary refresh, guarded by the quota policy only). Only `wechat` with
 * `stable: true` has one, set by `forceRefreshPerDay` and `forceRefreshMinIntervalMs`.
 */
export function forceBudgetOf(provider: ProviderName, config: Readonly<Record<string, unknown>>): ForceBudget | undefined {
  if (provider !== 'wechat' || config.stable !== true) return undefined;
  return {
    perDay: Math.min(maxForceRefreshPerDay, count(config.forceRefreshPerDay, defaultForceBudget.perDay)),
    minIntervalMs: count(config.forceRefreshMinIntervalMs, defaultForceBudget.minIntervalMs),
  };
}

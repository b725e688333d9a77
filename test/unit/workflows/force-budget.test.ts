/**
 * The force budget of WeChat stable_token's `force_refresh`: which credentials have one, its
 * defaults and bounds, the verdict over the log of forced calls, and how the log is kept.
 */
import type { CredentialState } from '../../../src/workflows/state';
import { defaultForceBudget, forceBudgetOf, maxForceRefreshPerDay } from '../../../src/workflows/force-budget';
import { parseProviderConfig } from '../../../src/providers/registry';
import { recordCall } from '../../../src/workflows/credential-state';
import { initialState } from '../../../src/workflows/input';
import { forceVerdict, quotaWindowMs } from '../../../src/workflows/quota';

const wechat = { appid: 'wx123', secret: 'app-secret-1234' };

describe('forceBudgetOf', () => {
  it('gives only WeChat in stable mode a budget, with the defaults when none is configured', () => {
    expect(forceBudgetOf('wechat', parseProviderConfig('wechat', { ...wechat, stable: true }))).toEqual(defaultForceBudget);
    expect(defaultForceBudget).toEqual({ perDay: 10, minIntervalMs: 60_000 });
    expect(forceBudgetOf('wechat', parseProviderConfig('wechat', wechat))).toBeUndefined();
    expect(forceBudgetOf('wecom', { corpid: 'c', corpsecret: 's' })).toBeUndefined();
    expect(forceBudgetOf('oauth2', { stable: true })).toBeUndefined();
  });

  it('reads the configured budget', () => {
    const config = parseProviderConfig('wechat', { ...wechat, stable: true, forceRefreshPerDay: 2, forceRefreshMinIntervalMs: 1500 });
    expect(forceBudgetOf('wechat', config)).toEqual({ perDay: 2, minIntervalMs: 1500 });
    expect(forceBudgetOf('wechat', { ...config, forceRefreshPerDay: 0 })).toEqual({ perDay: 0, minIntervalMs: 1500 });
  });

  it('never exceeds WeChat’s own allowance, and ignores junk in an old state', () => {
    expect(forceBudgetOf('wechat', { stable: true, forceRefreshPerDay: 500 })?.perDay).toBe(maxForceRefreshPerDay);
    expect(forceBudgetOf('wechat', { stable: true, forceRefreshPerDay: -1, forceRefreshMinIntervalMs: 'x' })).toEqual(defaultForceBudget);
  });

  it('validates the fields at registration, naming them', () => {
    expect(() => parseProviderConfig('wechat', { ...wechat, forceRefreshPerDay: 21 })).toThrow('config.forceRefreshPerDay: must be at most 20');
    expect(() => parseProviderConfig('wechat', { ...wechat, forceRefreshPerDay: 1.5 })).toThrow('config.forceRefreshPerDay: must be an integer');
    expect(() => parseProviderConfig('wechat', { ...wechat, forceRefreshMinIntervalMs: -1 })).toThrow('config.forceRefreshMinIntervalMs: must be at least 0');
  });
});

describe('forceVerdict', () => {
  const budget = { perDay: 2, minIntervalMs: 30_000 };

  it('allows the first forced call', () => {
    expect(forceVerdict([], budget, 1000)).toEqual({ allowed: true, nextAllowedAt: 1000 });
  });

  it('keeps forced calls apart', () => {
    expect(forceVerdict([1000], budget, 20_000)).toEqual({ allowed: false, reason: 'force_budget', nextAllowedAt: 31_000 });
    expect(forceVerdict([1000], budget, 31_000).allowed).toBe(true);
  });

  it('caps forced calls in any rolling day', () => {
    expect(forceVerdict([0, 100_000], budget, 200_000)).toEqual({ allowed: false, reason: 'force_budget', nextAllowedAt: quotaWindowMs });
    expect(forceVerdict([0, 100_000], budget, quotaWindowMs + 1).allowed).toBe(true);
  });

  it('never allows a forced call with a budget of 0', () => {
    expect(forceVerdict([], { perDay: 0, minIntervalMs: 0 }, 5)).toEqual({ allowed: false, reason: 'force_budget', nextAllowedAt: Number.POSITIVE_INFINITY });
  });
});

describe('the forced call log', () => {
  function state(): CredentialState {
    return initialState({ id: 'c', provider: 'wechat', config: { stable: true }, grant: {} }, 0);
  }
  const forced = (s: CredentialState, at: number, perDay: number) => recordCall(s, at, { forced: true, forcePerDay: perDay });

  it('starts empty, and keeps forced calls in a log of their own (every call is also in the quota log)', () => {
    const s = state();
    expect(s.forcedCalls).toEqual([]);
    forced(s, 1000, 3);
    recordCall(s, 1500);
    forced(s, 2000, 3);
    expect(s.forcedCalls).toEqual([1000, 2000]);
    expect(s.recentCalls).toEqual([1000, 1500, 2000]);
  });

  it('keeps at most a day of calls, and no more than the budget needs', () => {
    const s = state();
    for (const at of [1, 2, 3, 4]) forced(s, at, 2);
    expect(s.forcedCalls).toEqual([3, 4]);
    forced(s, quotaWindowMs + 3.5, 5);
    expect(s.forcedCalls).toEqual([4, quotaWindowMs + 3.5]);
    forced(s, 10 * quotaWindowMs, 1);
    expect(s.forcedCalls).toEqual([10 * quotaWindowMs]);
  });

  it('survives a JSON round trip (continue-as-new carries it)', () => {
    const s = state();
    forced(s, 1000, 3);
    expect((JSON.parse(JSON.stringify(s)) as CredentialState).forcedCalls).toEqual([1000]);
  });
});

import { quotaVerdict, quotaWindowMs, pruneCalls } from '../../../src/workflows/quota';

describe('quotaVerdict', () => {
  const policy = { minRefreshIntervalMs: 10_000, maxRefreshesPerDay: 3 };

  it('allows the first call', () => {
    expect(quotaVerdict([], policy, 1000)).toEqual({ allowed: true, nextAllowedAt: 1000 });
  });

  it('enforces the cooldown for new refreshes but not for retries', () => {
    expect(quotaVerdict([1000], policy, 5000)).toEqual({ allowed: false, reason: 'cooldown', nextAllowedAt: 11_000 });
    expect(quotaVerdict([1000], policy, 5000, false).allowed).toBe(true);
    expect(quotaVerdict([1000], policy, 11_000).allowed).toBe(true);
  });

  it('caps calls in any rolling day', () => {
    const calls = [0, 100_000, 200_000];
    expect(quotaVerdict(calls, policy, 300_000)).toEqual({
      allowed: false,
      reason: 'daily_quota',
      nextAllowedAt: quotaWindowMs,
    });
    expect(quotaVerdict(calls, policy, quotaWindowMs + 1).allowed).toBe(true);
  });

  it('prunes calls older than the window', () => {
    expect(pruneCalls([0, 5, quotaWindowMs], quotaWindowMs + 1)).toEqual([5, quotaWindowMs]);
  });
});

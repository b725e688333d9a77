import { defaultPolicy, type TokenSet } from '../../../src/credential';
import { isReprobed, jitterUnit, refreshDueAt, retryDelayMs } from '../../../src/workflows/schedule';

const token = (issuedAt: number, lifetimeMs: number, extra: Partial<TokenSet> = {}): TokenSet => ({
  accessToken: 'a',
  tokenType: 'Bearer',
  issuedAt,
  expiresAt: issuedAt + lifetimeMs,
  ...extra,
});

describe('jitterUnit', () => {
  it('is deterministic and within [-1, 1)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => jitterUnit(`cred-${i}:1`));
    expect(values.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(jitterUnit('x:1')).toBe(jitterUnit('x:1'));
    // spread: credentials registered together do not refresh together
    expect(new Set(values.map((v) => v.toFixed(2))).size).toBeGreaterThan(100);
  });
});

describe('refreshDueAt', () => {
  const policy = { ...defaultPolicy, jitterRatio: 0 };

  it('refreshes at half of the lifetime by default', () => {
    expect(refreshDueAt(token(1_000, 7_200_000), policy, 's')).toBe(1_000 + 3_600_000);
  });

  it('honours the refresh ratio', () => {
    expect(refreshDueAt(token(0, 1000), { ...policy, refreshRatio: 0.8 }, 's')).toBe(800);
  });

  it('keeps jitter within jitterRatio of the lifetime', () => {
    for (let i = 0; i < 200; i++) {
      const due = refreshDueAt(token(0, 100_000), { ...defaultPolicy, jitterRatio: 0.04 }, `c${i}:3`);
      expect(due).toBeGreaterThanOrEqual(46_000);
      expect(due).toBeLessThanOrEqual(54_000);
    }
  });

  it('waits for the declared renewal window', () => {
    const t = token(0, 7_200_000, { renewableAt: 6_900_000 });
    expect(refreshDueAt(t, policy, 's')).toBe(6_900_000);
  });

  it('never schedules before the cooldown since the last call, when the cooldown ends before expiry', () => {
    expect(refreshDueAt(token(0, 10_000), { ...policy, minRefreshIntervalMs: 7000 }, 's', 0)).toBe(7000);
  });

  it('refreshes a fresh token before it expires whatever the policy (cooldown past expiry, ratio 0.95 + jitter 0.2)', () => {
    expect(refreshDueAt(token(0, 1000), { ...policy, minRefreshIntervalMs: 5000 }, 's', 0)).toBe(900);
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(refreshDueAt(token(0, 100_000), { ...policy, refreshRatio: 0.95, jitterRatio: 0.2 }, seed)).toBeLessThanOrEqual(90_000);
    }
  });

  it('anchors a repeated token at the last call, so repeats stay bounded per lifetime', () => {
    // A provider that always hands back the same token: count the calls until expiry.
    const t = token(0, 7_200_000);
    let now = refreshDueAt(t, { ...policy, minRefreshIntervalMs: 60_000 }, 's');
    let calls = 0;
    while (now < t.expiresAt && calls < 1000) {
      calls++;
      now = refreshDueAt(t, { ...policy, minRefreshIntervalMs: 60_000 }, 's', now);
    }
    // half-life, then halving the remainder down to the 60 s cooldown: about log2(3600 / 60) + a few
    expect(calls).toBeLessThanOrEqual(12);
  });
});

describe('retryDelayMs', () => {
  const policy = { retryInitialMs: 1000, retryMaxMs: 60_000 };

  it('backs off exponentially up to the maximum', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, 0, undefined))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(20, policy, 0, undefined)).toBe(60_000);
  });

  it('is bounded by half the time left before expiry', () => {
    expect(retryDelayMs(10, policy, 0, 10_000)).toBe(5000);
    expect(retryDelayMs(10, policy, 0, 500)).toBe(1000); // never below the initial delay
  });

  it('honours Retry-After even past expiry', () => {
    expect(retryDelayMs(1, policy, 0, 10_000, 30_000)).toBe(30_000);
    expect(retryDelayMs(1, policy, 20_000, 10_000, 120_000)).toBe(120_000);
  });
});

describe('isReprobed', () => {
  it.each([
    ['oauth2', 'configuration', 'http_404', true],
    ['oauth2', 'configuration', 'invalid_scope', true],
    ['oauth2', 'configuration', 'invalid_client', false],
    ['oauth2', 'reauth', 'invalid_grant', false],
    ['oauth2', 'configuration', 'missing_refresh_token', false],
    ['oauth2_client_credentials', 'configuration', 'invalid_grant', false],
    ['jwt_bearer', 'configuration', 'invalid_grant', true],
    ['jwt_bearer', 'configuration', 'invalid_client', false],
    ['oauth2', 'transient', 'http_503', false],
  ])('%s %s %s → %s', (provider, kind, code, expected) => {
    expect(isReprobed(provider, { kind, code })).toBe(expected);
  });
});

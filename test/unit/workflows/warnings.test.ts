import { initialState } from '../../../src/workflows/input';
import { takeWarnings } from '../../../src/workflows/warnings';

const spec = (provider: 'oauth2' | 'wechat', config: Record<string, unknown>) => ({
  id: 'c1',
  provider,
  config,
  settings: {},
  grant: provider === 'oauth2' ? { refreshToken: 'refresh-token-value' } : {},
  policy: { maxRefreshesPerDay: 10 },
});

describe('takeWarnings', () => {
  it('warns once when 80 % of the daily refresh quota is used, again only after use fell below the mark', () => {
    const state = initialState(spec('oauth2', { tokenEndpoint: 'http://127.0.0.1/token', clientId: 'id', clientSecret: 's' }) as never, 0);
    const hour = 3_600_000;
    state.recentCalls = Array.from({ length: 7 }, (_, i) => i * hour);
    expect(takeWarnings(state, 7 * hour)).toEqual([]);
    state.recentCalls.push(7 * hour);
    const [warning, ...more] = takeWarnings(state, 7 * hour);
    expect(more).toEqual([]);
    expect(warning).toMatchObject({ type: 'credential.quota_low', credentialId: 'c1', data: { quota: 'refreshes', used: 8, limit: 10 } });
    state.recentCalls.push(8 * hour);
    expect(takeWarnings(state, 8 * hour)).toEqual([]); // still over the mark: not repeated
    // A day later the oldest calls left the window: below the mark, then over it again.
    expect(takeWarnings(state, 32 * hour + 1)).toEqual([]);
    expect(state.warned?.quotaLow).toEqual([]);
    state.recentCalls.push(...Array.from({ length: 8 }, (_, i) => 33 * hour + i));
    expect(takeWarnings(state, 34 * hour).map((e) => e.data)).toEqual([{ quota: 'refreshes', used: 8, limit: 10 }]);
  });

  it("warns about WeChat's force budget on its own", () => {
    const state = initialState(spec('wechat', { appid: 'wx1', secret: 's', stable: true, forceRefreshPerDay: 5 }) as never, 0);
    state.forcedCalls = [1, 2, 3, 4];
    expect(takeWarnings(state, 10).map((e) => e.data)).toEqual([{ quota: 'force_refresh', used: 4, limit: 5 }]);
  });
});

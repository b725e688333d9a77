/**
 * Every provider sends exactly one upstream request per refresh, through `ctx.fetch` (never the
 * global fetch), whether it succeeds or fails; and the token's lifetime counts from the instant
 * the request was sent, not when the answer arrived (issue 19.3).
 */
import type { ProviderName } from '../../../src/credential';
import { providerNames } from '../../../src/providers/names';
import { context, countingFetch, manualClock, providerFailure, refreshWith } from './kit';
import { startFakes, targetFor, type Fakes } from './targets';

describe('one request through ctx.fetch', () => {
  let fakes: Fakes;
  let globalFetch: jest.SpyInstance;
  beforeAll(async () => {
    fakes = await startFakes();
  });
  afterAll(async () => {
    await fakes.close();
  });
  beforeEach(() => {
    globalFetch = jest.spyOn(globalThis, 'fetch');
  });
  afterEach(() => {
    globalFetch.mockRestore();
  });

  const names = providerNames.map((name) => [name] as [ProviderName]);

  test.each(names)('%s: a success is one request, and issuedAt is the instant it was sent', async (name) => {
    const target = targetFor(name, fakes);
    const parent = await target.context?.();
    globalFetch.mockClear(); // a derived provider's parent token was fetched from the fake, as its credential would
    // Real time: the JWT fakes check the assertion's iat and exp against their own clock.
    const clock = manualClock(Date.now());
    const sentAt = clock.now();
    // The answer "takes" 2 s: the clock moves while the request is under way.
    const upstream = countingFetch({ beforeSend: () => clock.advance(2_000) });
    const before = target.calls();
    const result = await refreshWith(name, target.config(), target.grant(), context({ now: clock.now, fetch: upstream.fetch, ...parent }));
    expect(upstream.urls).toHaveLength(1);
    expect(target.calls() - before).toBe(1);
    expect(globalFetch).toHaveBeenCalledTimes(1); // cappedFetch inside countingFetch, nothing else
    expect(result.token.issuedAt).toBe(sentAt);
    expect(result.token.expiresAt).toBeLessThanOrEqual(sentAt + (name.startsWith('oauth2') || name === 'jwt_bearer' || name === 'github_app' ? 3_600_000 : 7_200_000));
  });

  test.each(names)('%s: a failure is one request too', async (name) => {
    const target = targetFor(name, fakes);
    const parent = await target.context?.();
    globalFetch.mockClear();
    target.http(503);
    const upstream = countingFetch();
    await providerFailure(refreshWith(name, target.config(), target.grant(), context({ fetch: upstream.fetch, ...parent })));
    expect(upstream.urls).toHaveLength(1);
    expect(globalFetch).toHaveBeenCalledTimes(1);
  });

  test('the Response ctx.fetch returns is what the provider reads (a saved answer needs no network)', async () => {
    const target = targetFor('oauth2', fakes);
    const before = target.calls();
    const saved = JSON.stringify({ access_token: 'at-from-the-saved-answer', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt-saved-0123456789' });
    const replay = async () => new Response(saved, { status: 200, headers: { 'content-type': 'application/json' } });
    const result = await refreshWith('oauth2', target.config(), target.grant(), context({ fetch: replay }));
    expect(result).toMatchObject({ token: { accessToken: 'at-from-the-saved-answer' }, refreshToken: 'rt-saved-0123456789' });
    expect(target.calls()).toBe(before);
    expect(globalFetch).not.toHaveBeenCalled();
  });
});

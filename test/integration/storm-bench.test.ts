/**
 * The storm benchmark's fast mode as a test (`npm run bench:storm -- --fast` runs the same storms
 * on servers of its own): a small storm for Halflife (TokenClient and HTTP API) and the three
 * hand-written baselines, against oidc-provider with strict rotation and against the fake. It fails
 * when Halflife makes more than one upstream call for a storm, calls the provider within the
 * cooldown, or serves fewer callers than the Redis lock.
 */
import { fakeStormProvider } from '../../bench/storm/providers';
import { fastStorm, runProviderStorms, stormProblems, type ProviderStormResult } from '../../bench/storm/run';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { useStormStack } from '../helpers/storm-stack';

describe('storm benchmark, fast mode', () => {
  const stack = useStormStack({ processes: fastStorm.processes });
  let fake: FakeOAuth2Server;
  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
  });
  afterAll(async () => {
    await fake?.close();
  });

  const check = (result: ProviderStormResult) => {
    process.stderr.write(`${JSON.stringify(result)}\n`);
    expect(stormProblems(result)).toEqual([]);
    expect(result.halflife_upstream_calls).toBe(1);
    expect(result.halflife_callers_ok).toBe(fastStorm.callers);
    expect(result.baselines.redis_lock.upstream_calls).toBe(1); // the harness works: the lock coordinates
    expect(result.baselines.none.upstream_calls).toBe(fastStorm.callers); // and nothing coordinates the first baseline
  };

  it(`${fastStorm.callers} callers over ${fastStorm.processes} processes against oidc-provider (strict rotation): Halflife one call and every caller served, like the Redis lock`, async () => {
    const result = await runProviderStorms(stack.ctx, { callers: fastStorm.callers });
    check(result);
    expect(result.baselines.none.credential_lost).toBe(true); // a replay revokes the grant at this provider
  });

  it(`the same against the project's fake`, async () => {
    const result = await runProviderStorms({ ...stack.ctx, provider: fakeStormProvider(fake) }, { callers: fastStorm.callers });
    check(result);
    // The check can fail: the same figures with a second upstream call, or one caller fewer than the lock, are refused.
    expect(stormProblems({ ...result, halflife: { ...result.halflife, upstream_calls: 2 } })).toHaveLength(1);
    expect(stormProblems({ ...result, halflife_http: { ...result.halflife_http, callers_ok: result.baselines.redis_lock.callers_ok - 1 } })).toHaveLength(1);
  });
});

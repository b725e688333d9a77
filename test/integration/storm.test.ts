/**
 * Storms under the default policy (issue 9), against panva's oidc-provider with strict rotation
 * (a replayed refresh token revokes the whole grant): ≥ 1,000 callers over 4 processes report the
 * current version at one instant, through the TokenClient and through the real HTTP API process;
 * duplicate PUTs, DELETEs and reauthorizes; an upstream outage with callers on 1 s deadlines.
 */
import { halflifeStorm, registerWithClient, singleRefreshMs } from '../../bench/storm/scenarios';
import { useStormStack } from '../helpers/storm-stack';

const processes = 4;
const callers = 1000;

describe('storms under the default policy against a strictly rotating OpenID provider', () => {
  const stack = useStormStack({ processes });

  it(`${callers} TokenClient callers over ${processes} processes reporting the current version right after registration: one refresh, everyone served the new version; again within the cooldown: everyone served at once, no call`, async () => {
    const { ctx } = stack;
    const single = await singleRefreshMs(ctx, 'client');
    const grant = await ctx.provider.newGrant();
    const cred = await registerWithClient(ctx, grant);

    const first = await halflifeStorm(ctx, cred, { via: 'client', callers });
    const f = first.figures;
    process.stderr.write(`storm 1: single refresh ${single.toFixed(0)} ms; ${JSON.stringify(f)}\n`);
    expect(f.provider).toMatchObject({ tokenRequests: 1, refreshGrants: 1, invalidGrant: 0, replays: 0 });
    expect(f.byStatus).toEqual({ 200: callers });
    expect(f.versions).toEqual([cred.version + 1]);
    expect(f.callersOk).toBe(callers);
    expect(f.credentialLost).toBe(false);
    expect(f.allServedMs).toBeLessThanOrEqual(2 * single + 100);

    const second = await halflifeStorm(ctx, cred, { via: 'client', callers, staleVersion: cred.version + 1 });
    const s = second.figures;
    process.stderr.write(`storm 2 (cooldown): ${JSON.stringify(s)}\n`);
    expect(s.upstreamCalls).toBe(0);
    expect(s.byStatus).toEqual({ 200: callers });
    expect(s.versions).toEqual([cred.version + 1]);
    expect(s.byCode).toEqual({ 'not_refreshed:cooldown': callers });
    expect(s.callersOk).toBe(callers);
    expect(s.allServedMs).toBeLessThanOrEqual(single + 100);
    await ctx.owner.revoke(cred.id);
  });
});

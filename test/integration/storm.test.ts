/**
 * Storms under the default policy (issue 9), against panva's oidc-provider with strict rotation
 * (a replayed refresh token revokes the whole grant): ≥ 1,000 callers over 4 processes report the
 * current version at one instant, through the TokenClient and through the real HTTP API process;
 * duplicate PUTs, DELETEs and reauthorizes; an upstream outage with callers on 1 s deadlines.
 */
import { StormFleet } from '../../bench/storm/fleet';
import { countersSince } from '../../bench/storm/providers';
import { api, halflifeStorm, putBody, registerWithApi, registerWithClient, singleRefreshMs } from '../../bench/storm/scenarios';
import { startFakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { useStormStack } from '../helpers/storm-stack';
import { uniqueId } from '../helpers/test-env';

const processes = 4;
const callers = 1000;

describe('storms under the default policy against a strictly rotating OpenID provider', () => {
  const stack = useStormStack({ processes });

  /** One storm within the cooldown of a credential: every caller process's code and connections are warm before anything is timed (no upstream call). */
  async function warmUp(via: 'client' | 'http'): Promise<void> {
    const { ctx } = stack;
    const cred = await registerWithClient(ctx, await ctx.provider.newGrant());
    await halflifeStorm(ctx, cred, { via: 'client', callers: 1, processes: 1 });
    await halflifeStorm(ctx, cred, { via, callers, staleVersion: cred.version + 1 });
    await ctx.owner.revoke(cred.id);
  }

  it(`${callers} TokenClient callers over ${processes} processes reporting the current version right after registration: one refresh, everyone served the new version; again within the cooldown: everyone served at once, no call`, async () => {
    const { ctx } = stack;
    await warmUp('client');
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

  it(`the same over the HTTP API process: ${callers} callers over ${processes} processes POST /refresh with the current version`, async () => {
    const { ctx } = stack;
    await warmUp('http');
    const single = await singleRefreshMs(ctx, 'http');
    const cred = await registerWithApi(ctx, await ctx.provider.newGrant());

    const first = await halflifeStorm(ctx, cred, { via: 'http', callers });
    const f = first.figures;
    process.stderr.write(`HTTP storm 1: single refresh ${single.toFixed(0)} ms; ${JSON.stringify(f)}\n`);
    expect(f.provider).toMatchObject({ tokenRequests: 1, refreshGrants: 1, invalidGrant: 0, replays: 0 });
    expect(f.byStatus).toEqual({ 200: callers });
    expect(f.versions).toEqual([cred.version + 1]);
    expect(f.callersOk).toBe(callers);
    // Over HTTP, 1,000 requests through one API process are CPU-bound on this 2-core machine (the
    // callers share the cores): the bound allows the measured ~0.3 ms of API work per request on
    // top of the TokenClient path's bound. BENCHMARKS.md has the figures.
    const httpAllowance = 0.3 * callers;
    expect(f.allServedMs).toBeLessThanOrEqual(2 * single + 100 + httpAllowance);

    const second = await halflifeStorm(ctx, cred, { via: 'http', callers, staleVersion: cred.version + 1 });
    const s = second.figures;
    process.stderr.write(`HTTP storm 2 (cooldown): ${JSON.stringify(s)}\n`);
    expect(s.upstreamCalls).toBe(0);
    expect(s.byStatus).toEqual({ 200: callers });
    expect(s.byCode).toEqual({ 'not_refreshed:cooldown': callers });
    expect(s.versions).toEqual([cred.version + 1]);
    expect(s.allServedMs).toBeLessThanOrEqual(single + 100 + httpAllowance);
    await ctx.owner.revoke(cred.id);
  });

  it('50 concurrent identical PUTs with a fresh refresh token (a retried PUT): no 5xx, one 201, the rest 200, the credential healthy, no replay', async () => {
    const { ctx } = stack;
    const id = uniqueId('storm-put');
    const grant = await ctx.provider.newGrant();
    const route = `/v1/credentials/${id}`;
    const puts = await Promise.all(Array.from({ length: 50 }, () => api(ctx, 'PUT', route, putBody(ctx, grant))));
    const counters = await ctx.provider.counters(grant);
    process.stderr.write(`identical PUTs: ${JSON.stringify(tally(puts.map((p) => p.status)))}; provider ${JSON.stringify(counters)}\n`);
    expect(puts.filter((p) => p.status >= 500)).toEqual([]);
    expect(new Set(puts.map((p) => (p.body.token as { version?: number } | undefined)?.version)).size).toBe(1);
    expect(counters).toMatchObject({ tokenRequests: 1, refreshGrants: 1, replays: 0, invalidGrant: 0 });
    expect((await api(ctx, 'GET', route)).body).toMatchObject({ status: 'active' });
    const token = await api(ctx, 'GET', `${route}/token`);
    expect(await ctx.provider.isAccessTokenValid(token.body.access_token as string)).toBe(true);
    await ctx.owner.revoke(id);
    expect(tally(puts.map((p) => p.status))).toEqual({ 200: 49, 201: 1 });
  });

  it('50 concurrent PUTs with another grant: all 200, replaced once (one refresh with the new grant), no replay, healthy', async () => {
    const { ctx } = stack;
    const cred = await registerWithApi(ctx, await ctx.provider.newGrant());
    const route = `/v1/credentials/${cred.id}`;
    const other = await ctx.provider.newGrant(cred.grant);
    const before = await ctx.provider.counters(cred.grant);
    const replaces = await Promise.all(Array.from({ length: 50 }, () => api(ctx, 'PUT', route, putBody(ctx, other))));
    const counters = countersSince(before, await ctx.provider.counters(cred.grant));
    process.stderr.write(`replacing PUTs: ${JSON.stringify(tally(replaces.map((p) => p.status)))}; provider ${JSON.stringify(counters)}\n`);
    expect(tally(replaces.map((p) => p.status))).toEqual({ 200: 50 });
    expect([...new Set(replaces.map((p) => (p.body.token as { version: number }).version))]).toEqual([cred.version + 1]);
    expect(counters).toMatchObject({ tokenRequests: 1, refreshGrants: 1, replays: 0, invalidGrant: 0 });
    expect(await ctx.provider.grantRevoked(other)).toBe(false);
    expect((await api(ctx, 'GET', route)).body).toMatchObject({ status: 'active', version: cred.version + 1 });
    await ctx.owner.revoke(cred.id);
  });

  it('50 concurrent DELETEs: all 200 (or 404 after the end), never 503; the credential ends revoked', async () => {
    const { ctx } = stack;
    const cred = await registerWithApi(ctx, await ctx.provider.newGrant());
    const route = `/v1/credentials/${cred.id}`;
    const deletes = await Promise.all(Array.from({ length: 50 }, () => api(ctx, 'DELETE', route)));
    process.stderr.write(`DELETEs: ${JSON.stringify(tally(deletes.map((d) => d.status)))} ${JSON.stringify(deletes.find((d) => d.status >= 500)?.body ?? {})}\n`);
    expect(deletes.filter((d) => d.status !== 200 && d.status !== 404)).toEqual([]);
    expect(deletes.filter((d) => d.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(deletes.filter((d) => d.status === 200).every((d) => d.body.status === 'revoked')).toBe(true);
    expect((await api(ctx, 'GET', `${route}/token`)).status).toBe(404);
  });

  it('50 concurrent reauthorizes with one new grant: no 5xx', async () => {
    const { ctx } = stack;
    const cred = await registerWithApi(ctx, await ctx.provider.newGrant());
    const other = await ctx.provider.newGrant(cred.grant);
    const route = `/v1/credentials/${cred.id}/reauthorize`;
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => ({ ...(await api(ctx, 'POST', route, { refresh_token: other.refreshToken })), ms: Date.now() - started })),
    );
    const counters = await ctx.provider.counters(cred.grant);
    const described = await api(ctx, 'GET', `/v1/credentials/${cred.id}`);
    process.stderr.write(
      `reauthorizes: ${JSON.stringify(tally(answers.map((a) => a.status)))} codes ${JSON.stringify(tally(answers.map((a) => String((a.body.error as { code?: string } | undefined)?.code ?? 'ok'))))}; provider ${JSON.stringify(counters)}; status ${String(described.body.status)}; slowest answer ${Math.max(...answers.map((a) => a.ms))} ms\n`,
    );
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    await ctx.owner.revoke(cred.id);
  });

  it('upstream down for 60 s while 50 callers with 1 s deadlines keep asking: no 5xx while the token is valid; then revoke within 1 s, and reauthorize with a working endpoint within 2 s', async () => {
    const { ctx, peer } = stack;
    const fake = await startFakeOAuth2Server();
    // TokenClient callers whose deadline is 1 s (refreshTimeoutMs), beside the HTTP callers that abort after 1 s.
    const deadlineFleet = await StormFleet.start(ctx.env, 2, { refreshTimeoutMs: 1000 });
    try {
      const a = await registerWithApi(ctx, await ctx.provider.newGrant());
      const b = await registerWithApi(ctx, await ctx.provider.newGrant());
      await peer.setDown(true);
      const job = { callers: 25, credentialIds: [a.id, b.id], staleVersions: [a.version, b.version], durationMs: 60_000, deadlineMs: 1000, paceMs: 1000 };
      const [http, client] = await Promise.all([ctx.fleet.loop({ ...job, kind: 'halflife-http' }), deadlineFleet.loop({ ...job, kind: 'halflife-client' })]);
      process.stderr.write(`outage, HTTP callers: ${JSON.stringify(http)}\noutage, TokenClient callers: ${JSON.stringify(client)}\n`);
      for (const row of [...http, ...client]) {
        expect(Object.keys(row.byStatus).filter((status) => Number(status) >= 500)).toEqual([]);
        expect(row.byStatus['0'] ?? 0).toBe(0); // every caller was answered within its 1 s deadline
        expect(row.requests).toBeGreaterThanOrEqual(25 * 50); // ~1 request per caller per second for 60 s
      }

      const revokeStart = Date.now();
      const revoked = await api(ctx, 'DELETE', `/v1/credentials/${a.id}`, undefined, { timeoutMs: 5000 });
      const revokeMs = Date.now() - revokeStart;
      expect({ status: revoked.status, state: revoked.body.status }).toEqual({ status: 200, state: 'revoked' });
      expect(revokeMs).toBeLessThanOrEqual(1000);

      const fakeClient = { clientId: uniqueId('client'), clientSecret: `secret-${uniqueId('s')}-${uniqueId('s')}` };
      fake.addClient(fakeClient.clientId, fakeClient.clientSecret);
      const working = { ...fakeClient, refreshToken: fake.issueRefreshToken(fakeClient.clientId) };
      const reauthStart = Date.now();
      const reauthorized = await api(ctx, 'POST', `/v1/credentials/${b.id}/reauthorize`, putBody(ctx, working, fake.tokenEndpoint), { timeoutMs: 5000 });
      const reauthMs = Date.now() - reauthStart;
      process.stderr.write(`revoke ${revokeMs} ms; reauthorize ${reauthMs} ms: ${reauthorized.status} ${JSON.stringify(reauthorized.body).slice(0, 300)}\n`);
      expect(reauthorized.status).toBe(200);
      expect(fake.isValidAccessToken(reauthorized.body.access_token as string)).toBe(true);
      expect(reauthMs).toBeLessThanOrEqual(2000);
      await ctx.owner.revoke(b.id);
    } finally {
      await peer.setDown(false);
      await deadlineFleet.close();
      await fake.close();
    }
  }, 150_000);
});

/** Counts of each value. */
function tally(values: readonly (string | number)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

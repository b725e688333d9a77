/**
 * The storms themselves, shared by `npm run bench:storm` and the integration tests: register a
 * credential (through the TokenClient or `PUT` on the HTTP API, default policy), let N callers
 * over P processes report its current version at one instant, and measure each caller and the
 * provider. The baselines get the same storm against the same provider.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TokenClient } from '../../src/client/token-client';
import { refreshTokenGrant } from '../baselines/token-request';
import type { StormFleet, StormOutcome } from './fleet';
import type { BaselineKind, StormEnvironment } from './protocol';
import { countersSince, type ProviderCounters, type StormGrant, type StormProvider } from './providers';

/** What a storm needs. */
export interface StormContext {
  env: StormEnvironment & { apiUrl: string; apiKey: string };
  fleet: StormFleet;
  provider: StormProvider;
  /** A TokenClient of the coordinating process (registration, describe). */
  owner: TokenClient;
  /** Redis, for seeding the lock baseline. */
  redis: Redis;
}

/** Figures of one storm. */
export interface StormFigures {
  callers: number;
  processes: number;
  /** Token endpoint requests during the storm. */
  upstreamCalls: number;
  provider: ProviderCounters;
  /** Callers answered 200 with an access token that the provider accepts after the storm. */
  callersOk: number;
  /** Callers answered 200 (whatever the token). */
  answered200: number;
  /** Milliseconds from the barrier to the last answer (of any kind). */
  allServedMs: number;
  p50Ms: number;
  /** Distinct versions among 200 answers (Halflife). */
  versions: number[];
  /** Answers by status (0: deadline or network error). */
  byStatus: Record<string, number>;
  /** 200 answers by `refreshed`/`reason`, error answers by code. */
  byCode: Record<string, number>;
  /** The provider revoked the grant (oidc peer: a replayed refresh token revokes it). */
  grantRevoked: boolean;
  /** The grant was revoked, or no usable refresh token is left (baselines), or Halflife asks for reauthorization. */
  credentialLost: boolean;
}

/** A registered Halflife credential. */
export interface StormCredential {
  id: string;
  version: number;
  grant: StormGrant;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : Number.NaN;
};

/** Registers a credential for `grant` through the TokenClient, with the default policy. */
export async function registerWithClient(ctx: StormContext, grant: StormGrant, id = `storm-${randomUUID().slice(0, 8)}`): Promise<StormCredential> {
  const registration = await ctx.owner.register({
    id,
    provider: 'oauth2',
    config: { tokenEndpoint: ctx.provider.tokenEndpoint, clientId: grant.clientId, clientSecret: grant.clientSecret, clientAuth: 'client_secret_basic' },
    grant: { refreshToken: grant.refreshToken },
  });
  return { id, version: registration.token.version, grant };
}

/** The `PUT /v1/credentials/{id}` body for `grant` at the context's provider (default policy). */
export function putBody(ctx: Pick<StormContext, 'provider'>, grant: StormGrant, tokenEndpoint = ctx.provider.tokenEndpoint): Record<string, unknown> {
  return { provider: 'oauth2', token_endpoint: tokenEndpoint, client_id: grant.clientId, client_secret: grant.clientSecret, refresh_token: grant.refreshToken };
}

/** A call to the HTTP API with the admin key; the JSON body (or text) and the status. */
export async function api(ctx: Pick<StormContext, 'env'>, method: string, route: string, body?: unknown, options: { timeoutMs?: number } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${ctx.env.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${ctx.env.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed };
}

/** Registers a credential for `grant` with `PUT` on the HTTP API (default policy). */
export async function registerWithApi(ctx: StormContext, grant: StormGrant, id = `storm-${randomUUID().slice(0, 8)}`): Promise<StormCredential> {
  const put = await api(ctx, 'PUT', `/v1/credentials/${id}`, putBody(ctx, grant));
  if (put.status !== 201) throw new Error(`PUT /v1/credentials/${id} answered ${put.status} ${JSON.stringify(put.body)}`);
  return { id, version: (put.body.token as { version: number }).version, grant };
}

/** Figures of a storm outcome, checking every token handed out at the provider. */
async function figuresOf(ctx: StormContext, outcome: StormOutcome, before: ProviderCounters, grant: StormGrant, processes: number, lost: () => Promise<boolean>): Promise<StormFigures> {
  const provider = countersSince(before, await ctx.provider.counters(grant));
  const valid = new Map<string, boolean>();
  for (const token of new Set(outcome.callers.map((c) => c.accessToken).filter((t): t is string => t !== undefined))) {
    valid.set(token, await ctx.provider.isAccessTokenValid(token));
  }
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  for (const c of outcome.callers) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    const code = c.status === 200 ? (c.refreshed === undefined ? 'ok' : c.refreshed ? 'refreshed' : `not_refreshed:${c.reason ?? 'none'}`) : (c.code ?? `http_${c.status}`);
    byCode[code] = (byCode[code] ?? 0) + 1;
  }
  const ok = outcome.callers.filter((c) => c.status === 200);
  return {
    callers: outcome.callers.length,
    processes,
    upstreamCalls: provider.tokenRequests,
    provider,
    callersOk: ok.filter((c) => c.accessToken !== undefined && valid.get(c.accessToken) === true).length,
    answered200: ok.length,
    allServedMs: Math.max(...outcome.callers.map((c) => c.latencyMs)),
    p50Ms: median(outcome.callers.map((c) => c.latencyMs)),
    versions: [...new Set(ok.map((c) => c.version).filter((v): v is number => v !== undefined))].sort((a, b) => a - b),
    byStatus,
    byCode,
    grantRevoked: await ctx.provider.grantRevoked(grant),
    credentialLost: await lost(),
  };
}

/** True when Halflife lost the credential: the grant was revoked at the provider or the credential waits for reauthorization. */
async function halflifeLost(ctx: StormContext, cred: StormCredential): Promise<boolean> {
  if (await ctx.provider.grantRevoked(cred.grant)) return true;
  const status = (await ctx.owner.describe(cred.id).catch(() => undefined))?.status;
  return status === undefined || status === 'reauth_required' || status === 'expired';
}

/** A storm of `callers` Halflife callers (TokenClient or HTTP) reporting `staleVersion` (default: the version at registration). */
export async function halflifeStorm(
  ctx: StormContext,
  cred: StormCredential,
  options: { via: 'client' | 'http'; callers: number; processes?: number; staleVersion?: number },
): Promise<{ figures: StormFigures; outcome: StormOutcome }> {
  const before = await ctx.provider.counters(cred.grant);
  const outcome = await ctx.fleet.storm(
    { kind: options.via === 'client' ? 'halflife-client' : 'halflife-http', callers: options.callers, credentialId: cred.id, staleVersion: options.staleVersion ?? cred.version },
    { processes: options.processes },
  );
  const processes = Math.min(options.processes ?? ctx.fleet.size, ctx.fleet.size, options.callers);
  return { figures: await figuresOf(ctx, outcome, before, cred.grant, processes, () => halflifeLost(ctx, cred)), outcome };
}

/**
 * One refresh's latency through Halflife: a fresh credential, one caller reporting its version.
 * The median of `samples` such refreshes (each on its own credential, so no cooldown applies).
 */
export async function singleRefreshMs(ctx: StormContext, via: 'client' | 'http', samples = 3): Promise<number> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const grant = await ctx.provider.newGrant();
    const cred = via === 'client' ? await registerWithClient(ctx, grant) : await registerWithApi(ctx, grant);
    const { figures } = await halflifeStorm(ctx, cred, { via, callers: 1, processes: 1 });
    if (figures.answered200 !== 1 || figures.upstreamCalls !== 1) throw new Error(`a single refresh did not work: ${JSON.stringify(figures)}`);
    latencies.push(figures.allServedMs);
    await ctx.owner.revoke(cred.id);
  }
  return median(latencies);
}

/** The direct token request's latency at the provider (median of `samples`), for reference. */
export async function providerRefreshMs(ctx: StormContext, samples = 3): Promise<number> {
  const grant = await ctx.provider.newGrant();
  let refreshToken = grant.refreshToken;
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    const answer = await refreshTokenGrant({ tokenEndpoint: ctx.provider.tokenEndpoint, ...grant }, refreshToken);
    latencies.push(performance.now() - start);
    refreshToken = answer.refresh_token ?? refreshToken;
  }
  return median(latencies);
}

/** The same storm for a hand-written baseline: a new grant, the token set every process starts with, N callers that saw its access token refused. */
export async function baselineStorm(ctx: StormContext, kind: BaselineKind, options: { callers: number }): Promise<StormFigures> {
  const grant = await ctx.provider.newGrant();
  // The token set the service holds when the storm begins: the grant's own, or the first refresh's.
  let accessToken = grant.accessToken;
  let refreshToken = grant.refreshToken;
  if (accessToken === undefined) {
    const first = await refreshTokenGrant({ tokenEndpoint: ctx.provider.tokenEndpoint, ...grant }, refreshToken);
    accessToken = first.access_token;
    refreshToken = first.refresh_token ?? refreshToken;
  }
  const redisKey = `storm-baseline:${randomUUID()}`;
  if (kind === 'redis-lock') await ctx.redis.set(redisKey, JSON.stringify({ accessToken, refreshToken }), 'PX', 3_600_000);
  const before = await ctx.provider.counters(grant);
  const outcome = await ctx.fleet.storm({
    kind,
    callers: options.callers,
    baseline: { tokenEndpoint: ctx.provider.tokenEndpoint, clientId: grant.clientId, clientSecret: grant.clientSecret, accessToken, refreshToken, ...(kind === 'redis-lock' ? { redisKey } : {}) },
  });
  const lost = async () => {
    if (await ctx.provider.grantRevoked(grant)) return true;
    for (const held of new Set(outcome.heldRefreshTokens)) if (!(await ctx.provider.isRefreshTokenUsable(held))) return true;
    return outcome.heldRefreshTokens.length === 0;
  };
  const figures = await figuresOf(ctx, outcome, before, grant, Math.min(ctx.fleet.size, options.callers), lost);
  await ctx.redis.del(redisKey, `${redisKey}:lock`);
  return figures;
}

/**
 * The storm benchmark over a running deployment (its own in `npm run bench:storm`, the test
 * suite's in test/integration/storm-bench.test.ts): for each provider, the latency of one refresh,
 * then the same storm for Halflife through the TokenClient and through the HTTP API (and again
 * within the cooldown), and for the three hand-written baselines.
 */
import type { BaselineKind } from './protocol';
import { baselineStorm, halflifeStorm, providerRefreshMs, registerWithApi, registerWithClient, singleRefreshMs, type StormContext, type StormFigures } from './scenarios';

/** The figures the issue asks for, per path. */
export interface PathFigures {
  upstream_calls: number;
  callers_ok: number;
  all_served_ms: number;
  credential_lost: boolean;
  /** Answers by status and by outcome code, to see what the callers that were not served got. */
  by_status: Record<string, number>;
  by_code: Record<string, number>;
  replays: number;
}

/** One provider's storm figures. */
export interface ProviderStormResult {
  provider: string;
  callers: number;
  processes: number;
  halflife_upstream_calls: number;
  halflife_all_served_ms: number;
  halflife_callers_ok: number;
  halflife: PathFigures;
  halflife_http: PathFigures;
  /** The same storm again right after, within the cooldown. */
  halflife_cooldown: PathFigures;
  halflife_http_cooldown: PathFigures;
  baselines: { none: PathFigures; mutex: PathFigures; redis_lock: PathFigures };
  /** One refresh through the TokenClient (median of 3, each on a fresh credential). */
  single_refresh_ms: number;
  single_refresh_http_ms: number;
  /** One refresh_token request straight to the provider (median of 3). */
  provider_refresh_ms: number;
}

/** The fast mode's size (`npm run bench:storm -- --fast`, and test/integration/storm-bench.test.ts). */
export const fastStorm = { callers: 60, processes: 2 } as const;

/** Options of a run. */
export interface StormRunOptions {
  callers: number;
  /** Called before each step, with its number and the number of steps. */
  progress?: (step: number, steps: number, label: string) => void;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function path(f: StormFigures): PathFigures {
  return {
    upstream_calls: f.upstreamCalls,
    callers_ok: f.callersOk,
    all_served_ms: round(f.allServedMs),
    credential_lost: f.credentialLost,
    by_status: f.byStatus,
    by_code: f.byCode,
    replays: f.provider.replays,
  };
}

const baselineKinds: readonly [BaselineKind, 'none' | 'mutex' | 'redis_lock'][] = [
  ['none', 'none'],
  ['mutex', 'mutex'],
  ['redis-lock', 'redis_lock'],
];

/** Steps of one provider's run (for progress). */
export const stepsPerProvider = 8;

/**
 * Runs every storm against `ctx.provider`; `stepOffset` numbers the progress steps. Before
 * measuring, one storm within the cooldown warms every caller process up (connections, JIT).
 */
export async function runProviderStorms(ctx: StormContext, options: StormRunOptions, stepOffset = 0, totalSteps = stepsPerProvider): Promise<ProviderStormResult> {
  let step = stepOffset;
  const progress = (label: string) => options.progress?.(++step, totalSteps, `${ctx.provider.name}: ${label}`);
  const { callers } = options;

  progress('warm-up and one refresh alone');
  const warm = await registerWithClient(ctx, await ctx.provider.newGrant());
  await halflifeStorm(ctx, warm, { via: 'client', callers });
  await halflifeStorm(ctx, warm, { via: 'http', callers });
  await ctx.owner.revoke(warm.id);
  const single = await singleRefreshMs(ctx, 'client');
  const singleHttp = await singleRefreshMs(ctx, 'http');
  const providerMs = await providerRefreshMs(ctx);

  progress(`Halflife, TokenClient: ${callers} callers`);
  const cred = await registerWithClient(ctx, await ctx.provider.newGrant());
  const halflife = (await halflifeStorm(ctx, cred, { via: 'client', callers })).figures;
  progress('Halflife, TokenClient: again within the cooldown');
  const cooldown = (await halflifeStorm(ctx, cred, { via: 'client', callers, staleVersion: cred.version + 1 })).figures;
  await ctx.owner.revoke(cred.id);

  progress(`Halflife, HTTP API: ${callers} callers`);
  const viaApi = await registerWithApi(ctx, await ctx.provider.newGrant());
  const http = (await halflifeStorm(ctx, viaApi, { via: 'http', callers })).figures;
  progress('Halflife, HTTP API: again within the cooldown');
  const httpCooldown = (await halflifeStorm(ctx, viaApi, { via: 'http', callers, staleVersion: viaApi.version + 1 })).figures;
  await ctx.owner.revoke(viaApi.id);

  const baselines: Partial<ProviderStormResult['baselines']> = {};
  for (const [kind, key] of baselineKinds) {
    progress(`baseline ${kind}: ${callers} callers`);
    baselines[key] = path(await baselineStorm(ctx, kind, { callers }));
  }
  return {
    provider: ctx.provider.name,
    callers,
    processes: Math.min(ctx.fleet.size, callers),
    halflife_upstream_calls: halflife.upstreamCalls,
    halflife_all_served_ms: round(halflife.allServedMs),
    halflife_callers_ok: halflife.callersOk,
    halflife: path(halflife),
    halflife_http: path(http),
    halflife_cooldown: path(cooldown),
    halflife_http_cooldown: path(httpCooldown),
    baselines: baselines as ProviderStormResult['baselines'],
    single_refresh_ms: round(single),
    single_refresh_http_ms: round(singleHttp),
    provider_refresh_ms: round(providerMs),
  };
}

/** What the fast mode (and CI) fails on: more than one upstream call, or fewer callers served than the Redis lock serves. */
export function stormProblems(result: ProviderStormResult): string[] {
  const problems: string[] = [];
  const lock = result.baselines.redis_lock.callers_ok;
  for (const [label, f] of [['TokenClient', result.halflife], ['HTTP API', result.halflife_http]] as const) {
    if (f.upstream_calls > 1) problems.push(`${result.provider}: Halflife (${label}) made ${f.upstream_calls} upstream calls for one storm`);
    if (f.callers_ok < lock) problems.push(`${result.provider}: Halflife (${label}) served ${f.callers_ok} callers, the Redis lock ${lock}`);
  }
  for (const [label, f] of [['TokenClient', result.halflife_cooldown], ['HTTP API', result.halflife_http_cooldown]] as const) {
    if (f.upstream_calls > 0) problems.push(`${result.provider}: Halflife (${label}) called the provider within the cooldown (${f.upstream_calls})`);
  }
  return problems;
}

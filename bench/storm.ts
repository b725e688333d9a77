/**
 * `npm run bench:storm [-- --callers N --processes P --fast --provider oidc|fake|both --no-write]`:
 * N callers (default 1,000) over P processes (default 4) report the same current version at one
 * instant, against oidc-provider with strict rotation and against the project's fake, for Halflife
 * (TokenClient and HTTP API) and the three hand-written baselines. Progress on stderr; the last
 * line on stdout is one JSON object. A full run rewrites its section of BENCHMARKS.md. Exits 1 when
 * Halflife made more than one upstream call for a storm, or served fewer callers than the Redis lock.
 * `--fast` (60 callers over 2 processes, no BENCHMARKS.md) is what CI runs.
 */
import { parseArgs } from 'node:util';
import { startOidcPeer } from '../test/peers/oidc-peer';
import { markdownTable } from './measure';
import { machineLines, progress, writeSection } from './report';
import { startStack } from './stack';
import { startApiService } from './storm/api-service';
import { StormFleet } from './storm/fleet';
import { fakeStormProvider, oidcStormProvider, type StormProvider } from './storm/providers';
import { fastStorm, runProviderStorms, stepsPerProvider, stormProblems, type PathFigures, type ProviderStormResult } from './storm/run';

const { values } = parseArgs({
  options: {
    callers: { type: 'string' },
    processes: { type: 'string' },
    fast: { type: 'boolean', default: false },
    provider: { type: 'string', default: 'both' },
    'no-write': { type: 'boolean', default: false },
  },
});

const fast = values.fast === true;
const callers = Number(values.callers ?? (fast ? fastStorm.callers : 1000));
const processes = Number(values.processes ?? (fast ? fastStorm.processes : 4));
const which = values.provider ?? 'both';
if (!Number.isInteger(callers) || callers < 1) throw new Error('--callers: must be a positive integer');
if (!Number.isInteger(processes) || processes < 1) throw new Error('--processes: must be a positive integer');
if (!['oidc', 'fake', 'both'].includes(which)) throw new Error('--provider: must be oidc, fake or both');

/** The JSON line: the issue's keys for the first provider (oidc-provider unless only the fake ran), the other one nested under its name. */
function summary(results: ProviderStormResult[], problems: string[]): Record<string, unknown> {
  const [first, ...others] = results;
  const pick = (r: ProviderStormResult) => ({
    provider: r.provider,
    halflife_upstream_calls: r.halflife_upstream_calls,
    halflife_all_served_ms: r.halflife_all_served_ms,
    halflife_callers_ok: r.halflife_callers_ok,
    halflife_http: r.halflife_http,
    halflife_cooldown: r.halflife_cooldown,
    halflife_http_cooldown: r.halflife_http_cooldown,
    baselines: r.baselines,
    single_refresh_ms: r.single_refresh_ms,
    single_refresh_http_ms: r.single_refresh_http_ms,
    provider_refresh_ms: r.provider_refresh_ms,
  });
  return {
    bench: 'storm',
    callers,
    processes,
    fast,
    ...(first ? pick(first) : {}),
    ...Object.fromEntries(others.map((r) => [r.provider === 'fake' ? 'fake' : r.provider, pick(r)])),
    ok: problems.length === 0,
    problems,
  };
}

function markdown(results: ProviderStormResult[], machine: string[], startedAt: Date, seconds: number): string {
  const cell = (f: PathFigures) => [String(f.upstream_calls), `${f.callers_ok}/${callers}`, `${f.all_served_ms.toFixed(0)} ms`, f.credential_lost ? '**lost**' : 'kept'];
  const rows = (r: ProviderStormResult) => [
    ['Halflife, TokenClient', ...cell(r.halflife)],
    ['Halflife, HTTP API (one API process)', ...cell(r.halflife_http)],
    ['Halflife, TokenClient, again within the cooldown', ...cell(r.halflife_cooldown)],
    ['Halflife, HTTP API, again within the cooldown', ...cell(r.halflife_http_cooldown)],
    ['no coordination', ...cell(r.baselines.none)],
    ['per-process mutex', ...cell(r.baselines.mutex)],
    ['Redis lock + cached token', ...cell(r.baselines.redis_lock)],
  ];
  const outcomes = (r: ProviderStormResult) =>
    [
      ['Halflife, TokenClient', r.halflife],
      ['Halflife, HTTP API', r.halflife_http],
      ['no coordination', r.baselines.none],
      ['per-process mutex', r.baselines.mutex],
      ['Redis lock', r.baselines.redis_lock],
    ].map(([label, f]) => `${label as string}: ${Object.entries((f as PathFigures).by_code).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return [
    '## Storm: every caller reports the current version at once',
    '',
    `Measured ${startedAt.toISOString()} by \`npm run bench:storm\` (${seconds.toFixed(0)} s): ${callers} callers over ${processes} processes, all starting at one`,
    'instant (a barrier), each reporting the version (or, for the baselines, the access token) it was just refused. Every path gets a',
    'new grant at the same provider in the same run. "callers ok" counts callers answered with an access token that the provider',
    'still accepts after the storm; "all served" is the time from the barrier to the last answer, whatever it was; "lost" means',
    'the provider revoked the grant (a replayed refresh token) or no usable refresh token is left.',
    '',
    ...machine,
    '',
    ...results.flatMap((r) => [
      `### Against ${r.provider === 'fake' ? 'the project\'s fake (rotating, refuses replays, revokes nothing)' : 'oidc-provider with strict rotation (a replay revokes the grant)'}`,
      '',
      `One refresh alone: ${r.single_refresh_ms} ms through the TokenClient, ${r.single_refresh_http_ms} ms through the HTTP API; the provider itself answers a refresh in ${r.provider_refresh_ms} ms.`,
      '',
      markdownTable(['path', 'upstream calls', 'callers ok', 'all served', 'credential'], rows(r)),
      '',
      'What the callers got:',
      '',
      ...outcomes(r).map((line) => `- ${line}`),
      '',
    ]),
    'The baselines are in `bench/baselines/` (each written as people write it, about 40 lines). The Redis lock polls the cached',
    'token every 50 ms while another process holds the lock (`SET NX PX 10000`, Lua compare-and-delete unlock).',
    '',
    '```sh',
    'npm run bench:storm                         # 1,000 callers over 4 processes, both providers',
    'npm run bench:storm -- --callers 200 --processes 2 --provider oidc --no-write',
    'npm run bench:storm -- --fast               # what CI runs: 60 callers over 2 processes, all baselines',
    '```',
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const ui = progress('storm');
  ui.log(`${callers} callers over ${processes} processes; starting the dev server, Redis, a worker, the providers and the HTTP API`);
  const stack = await startStack((msg) => ui.log(msg));
  const stops: (() => Promise<void>)[] = [() => stack.stop()];
  try {
    const peer = await startOidcPeer({ rotation: 'strict' });
    stops.push(() => peer.close());
    const base = { temporalAddress: stack.temporalAddress, namespace: stack.namespace, taskQueue: stack.taskQueue, redisUrl: stack.redisUrl, encryptionKeys: stack.encryptionKeys };
    const apiService = await startApiService(base);
    stops.push(() => apiService.stop());
    const env = { ...base, apiUrl: apiService.url, apiKey: apiService.key };
    const fleet = await StormFleet.start(env, processes);
    stops.push(() => fleet.close());
    const owner = await stack.openClient();
    stops.push(() => owner.shutdown());
    const redis = stack.openRedis();
    stops.push(async () => redis.disconnect());
    const providers: StormProvider[] = [...(which !== 'fake' ? [oidcStormProvider(peer)] : []), ...(which !== 'oidc' ? [fakeStormProvider(stack.fake)] : [])];
    const results: ProviderStormResult[] = [];
    const total = providers.length * stepsPerProvider;
    for (const [i, provider] of providers.entries()) {
      const ctx = { env, fleet, provider, owner, redis };
      results.push(await runProviderStorms(ctx, { callers, progress: (step, steps, label) => ui.step(step, steps, label) }, i * stepsPerProvider, total));
    }
    ui.done();
    const problems = results.flatMap(stormProblems);
    for (const problem of problems) ui.log(`PROBLEM: ${problem}`);
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    if (!fast && values['no-write'] !== true) {
      writeSection('storm', markdown(results, machineLines(stack.versions), startedAt, seconds));
      ui.log('wrote its section of BENCHMARKS.md');
    }
    process.stdout.write(`${JSON.stringify(summary(results, problems))}\n`);
    if (problems.length) process.exitCode = 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`[storm] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

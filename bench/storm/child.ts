/**
 * A storm caller process (started by ./fleet.ts, over IPC). On `setup` it opens what a consumer
 * process opens (a TokenClient built as the product builds one, Redis for the lock baseline) and
 * answers `ready`; a job's callers all start at the job's `startAt` instant (the barrier), and
 * the child answers with one result per caller.
 */
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { TokenClient } from '../../src/client/token-client';
import { loadConfig } from '../../src/config';
import { errorOutcomeOf } from '../../src/error-outcomes';
import { openTokenClient } from '../../src/service/connections';
import { noCoordination } from '../baselines/none';
import { perProcessMutex } from '../baselines/mutex';
import { redisLock } from '../baselines/redis-lock';
import { TokenRequestError } from '../baselines/token-request';
import type { CallerResult, FromChild, LoopJob, LoopReport, StormEnvironment, StormJob, StormReport, ToChild } from './protocol';

/** Epoch ms with sub-millisecond precision. */
const now = () => performance.timeOrigin + performance.now();

interface Opened {
  env: StormEnvironment;
  client: TokenClient;
  closers: (() => Promise<void> | void)[];
  redis?: Redis;
}

let opened: Opened | undefined;

function send(message: FromChild): void {
  process.send?.(message);
}

/** Opens a TokenClient as a consumer process of the product does (`openTokenClient`), with an optional deadline. */
async function setup(env: StormEnvironment, refreshTimeoutMs: number | undefined): Promise<Opened> {
  const config = loadConfig({
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.namespace,
    HALFLIFE_TASK_QUEUE: env.taskQueue,
    REDIS_URL: env.redisUrl,
    HALFLIFE_ENCRYPTION_KEYS: env.encryptionKeys,
  });
  const client = await openTokenClient(config, refreshTimeoutMs !== undefined ? { refreshTimeoutMs } : {});
  await client.connection.workflowService.getSystemInfo({}); // the connection is up before the barrier
  return { env, client, closers: [() => client.shutdown()] };
}

/** The shared Redis connection of this process's lock baseline (one per process, as services have). */
function baselineRedis(state: Opened): Redis {
  if (!state.redis) {
    const redis = new Redis(state.env.redisUrl);
    state.redis = redis;
    state.closers.push(() => redis.disconnect());
  }
  return state.redis;
}

/** Resolves at epoch ms `at` (at once if past). */
function at(instant: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, instant - Date.now())));
}

type Answer = Omit<CallerResult, 'startedAt' | 'endedAt' | 'token'> & { accessToken?: string };

/** Keep-alive connections to the API, as many as there are callers in flight (undici's default). */
const http = new Agent({ keepAliveTimeout: 60_000 });

/** One HTTP refresh call (undici's `request`, the leanest Node client): status, version and token of the answer. */
async function httpRefresh(env: StormEnvironment, id: string, staleVersion: number | undefined, deadlineMs: number | undefined): Promise<Answer> {
  try {
    const response = await request(`${env.apiUrl}/v1/credentials/${encodeURIComponent(id)}/refresh`, {
      method: 'POST',
      dispatcher: http,
      headers: { authorization: `Bearer ${env.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(staleVersion === undefined ? {} : { stale_version: staleVersion }),
      ...(deadlineMs !== undefined ? { signal: AbortSignal.timeout(deadlineMs) } : {}),
    });
    const body = (await response.body.json()) as { version?: number; access_token?: string; refreshed?: boolean; reason?: string; error?: { code?: string } };
    if (response.statusCode !== 200) return { status: response.statusCode, code: body.error?.code };
    return { status: response.statusCode, version: body.version, refreshed: body.refreshed, reason: body.reason, accessToken: body.access_token };
  } catch (err) {
    const name = (err as Error).name;
    return { status: 0, code: name === 'TimeoutError' || name === 'AbortError' || (err as { code?: string }).code === 'UND_ERR_ABORTED' ? 'deadline' : 'network' };
  }
}

/** One TokenClient refresh call. */
async function clientRefresh(client: TokenClient, id: string, staleVersion: number | undefined): Promise<Answer> {
  try {
    const outcome = await client.refresh(id, staleVersion === undefined ? {} : { staleVersion });
    return { status: 200, version: outcome.token.version, refreshed: outcome.refreshed, reason: outcome.reason, accessToken: outcome.token.accessToken };
  } catch (err) {
    const { status, code } = errorOutcomeOf(err);
    return { status, code };
  }
}

/** A baseline caller's answer. */
async function baselineAnswer(call: Promise<string>): Promise<Answer> {
  try {
    return { status: 200, accessToken: await call };
  } catch (err) {
    return { status: 502, code: err instanceof TokenRequestError ? err.code : (err as Error).message };
  }
}

async function runStorm(state: Opened, job: StormJob): Promise<StormReport> {
  const { env, client } = state;
  const id = job.credentialId ?? '';
  const b = job.baseline;
  const baseline =
    job.kind === 'none' && b ? noCoordination(b, b)
    : job.kind === 'mutex' && b ? perProcessMutex(b, b)
    : job.kind === 'redis-lock' && b?.redisKey ? redisLock(b, baselineRedis(state), b.redisKey)
    : undefined;
  if (job.kind !== 'halflife-client' && job.kind !== 'halflife-http' && !baseline) throw new Error(`job ${job.kind} lacks its baseline credential`);
  const ask = (): Promise<Answer> => {
    if (job.kind === 'halflife-client') return clientRefresh(client, id, job.staleVersion);
    if (job.kind === 'halflife-http') return httpRefresh(env, id, job.staleVersion, job.deadlineMs);
    return baselineAnswer(baseline!.refresh(b!.accessToken));
  };
  await at(job.startAt);
  const tokens = new Map<string, number>();
  const results = await Promise.all(
    Array.from({ length: job.callers }, async (): Promise<CallerResult> => {
      const startedAt = now();
      const { accessToken, ...answer } = await ask();
      const endedAt = now();
      let token: number | undefined;
      if (accessToken !== undefined) {
        token = tokens.get(accessToken) ?? tokens.size;
        tokens.set(accessToken, token);
      }
      return { ...answer, ...(token !== undefined ? { token } : {}), startedAt, endedAt };
    }),
  );
  return { type: 'storm', results, accessTokens: [...tokens.keys()], heldRefreshTokens: baseline ? await baseline.held() : [] };
}

async function runLoop(state: Opened, job: LoopJob): Promise<LoopReport> {
  await at(job.startAt);
  const end = job.startAt + job.durationMs;
  const perCredential = job.credentialIds.map((credentialId, i) => ({
    credentialId,
    requests: 0,
    byStatus: {} as Record<string, number>,
    byCode: {} as Record<string, number>,
    maxLatencyMs: 0,
    lastVersion: job.staleVersions[i] ?? 0,
  }));
  const loops = perCredential.flatMap((figures) =>
    Array.from({ length: job.callers }, async () => {
      while (Date.now() < end) {
        const startedAt = now();
        const answer =
          job.kind === 'halflife-http'
            ? await httpRefresh(state.env, figures.credentialId, figures.lastVersion, job.deadlineMs)
            : await clientRefresh(state.client, figures.credentialId, figures.lastVersion);
        const latency = now() - startedAt;
        figures.requests++;
        figures.byStatus[answer.status] = (figures.byStatus[answer.status] ?? 0) + 1;
        const code = answer.code ?? answer.reason ?? (answer.refreshed ? 'refreshed' : 'ok');
        figures.byCode[code] = (figures.byCode[code] ?? 0) + 1;
        figures.maxLatencyMs = Math.max(figures.maxLatencyMs, latency);
        if (answer.version !== undefined && answer.version > figures.lastVersion) figures.lastVersion = answer.version;
        await at(Math.min(end, startedAt + job.paceMs)); // a caller asks at most once per pace
      }
    }),
  );
  await Promise.all(loops);
  return { type: 'loop', perCredential };
}

async function onMessage(message: ToChild): Promise<void> {
  if (message.type === 'setup') {
    opened = await setup(message.env, message.refreshTimeoutMs);
    send({ type: 'ready' });
    return;
  }
  if (message.type === 'exit') {
    for (const close of opened?.closers.reverse() ?? []) await Promise.resolve().then(close).catch(() => undefined);
    process.exit(0);
  }
  if (!opened) throw new Error('job before setup');
  send(message.job.type === 'storm' ? await runStorm(opened, message.job) : await runLoop(opened, message.job));
}

process.on('message', (message: ToChild) => {
  onMessage(message).catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
// The coordinator died: nothing left to report to.
process.on('disconnect', () => process.exit(0));

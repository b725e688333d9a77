/**
 * `npm run bench:durability`: the measured crash window of a refresh. A worker with Redis and a
 * worker without refresh credentials with short lifetimes against the fake provider for a while;
 * for every answer the activity reports how long after its last byte (1) its encrypted
 * write-ahead copy was on the Redis socket and (2) the server acknowledged its heartbeat. Prints
 * p50 / p99 / max of both, last line one JSON object.
 *
 * Options: `--credentials N` (default 20), `--seconds S` (default 30), `--lifetime S` (default 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { bundleWorkflows } from '../scripts/bundle-workflows';
import { ensureRedisServerBinary, startRedisServer } from '../scripts/redis-server';
import { connectTemporal } from '../src/client/connect';
import { TokenClient } from '../src/client/token-client';
import { createDataConverter, createWorkerDataConverter } from '../src/codec/data-converter';
import { generateKey, parseKeyring } from '../src/codec/keyring';
import { startDevServer } from '../src/dev/dev-server';
import { freePort } from '../src/dev/net';
import { ensureTemporalCli } from '../src/dev/temporal-cli';
import { startFakeOAuth2Server } from '../src/fakes/oauth2-server';
import { requiredSearchAttributes } from '../src/search-attributes';
import { createCredentialWorker } from '../src/worker';
import { markdownTable, percentile } from './measure';
import { machineLines, versionOf, writeSection } from './report';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function stats(samples: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0), n: sorted.length };
}

async function main(): Promise<void> {
  const credentials = option('credentials', 20);
  const seconds = option('seconds', 30);
  const lifetime = option('lifetime', 2);
  const log = (msg: string) => process.stderr.write(`[durability] ${msg}\n`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-durability-'));
  const startedAt = new Date();
  const temporalCli = await ensureTemporalCli({ log });
  const redisBinary = await ensureRedisServerBinary({ log });
  const server = await startDevServer({ port: await freePort(), uiPort: null, searchAttributes: { ...requiredSearchAttributes }, log: () => undefined });
  const redisServer = await startRedisServer({ port: await freePort(), dir, log: () => undefined });
  const bundle = await bundleWorkflows(path.join(dir, 'bundle.js'));
  const fake = await startFakeOAuth2Server({ expiresIn: lifetime });
  const keys = generateKey('bench');
  const results: Record<string, { writeAheadUs?: ReturnType<typeof stats>; durableMs: ReturnType<typeof stats> }> = {};
  for (const withRedis of [true, false]) {
    const label = withRedis ? 'with_redis' : 'without_redis';
    const taskQueue = `durability-${label}`;
    const writeAhead: number[] = [];
    const durable: number[] = [];
    const connection = await NativeConnection.connect({ address: server.address });
    const redis = withRedis ? new Redis(redisServer.url, { enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 1 }) : undefined;
    await redis?.connect();
    const worker: Worker = await createCredentialWorker({
      connection,
      namespace: server.namespace,
      taskQueue,
      redis,
      workflowBundlePath: bundle,
      dataConverter: createWorkerDataConverter(parseKeyring(keys)),
      hooks: {
        timings: (t) => {
          if (t.writeAheadUs !== undefined) writeAhead.push(t.writeAheadUs);
          durable.push(t.durableMs);
        },
      },
    });
    const client = new TokenClient({ connection: await connectTemporal({ address: server.address }), namespace: server.namespace, taskQueue, dataConverter: createDataConverter(parseKeyring(keys)) });
    await worker.runUntil(async () => {
      const ids: string[] = [];
      for (let i = 0; i < credentials; i++) {
        const clientId = `client-${label}-${i}`;
        fake.addClient(clientId, `secret-${clientId}-0123456789`);
        const id = `cred-${label}-${i}`;
        await client.register({ id, provider: 'oauth2', config: { tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret: `secret-${clientId}-0123456789` }, grant: { refreshToken: fake.issueRefreshToken(clientId) } });
        ids.push(id);
      }
      log(`${label}: ${credentials} credentials refreshing every ~${lifetime / 2} s for ${seconds} s`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      await Promise.all(ids.map((id) => client.revoke(id)));
    });
    results[label] = { ...(withRedis ? { writeAheadUs: stats(writeAhead) } : {}), durableMs: stats(durable) };
    log(`${label}: ${JSON.stringify(results[label])}`);
    redis?.disconnect();
    await connection.close();
  }
  await fake.close();
  await redisServer.stop();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  if (!process.argv.includes('--no-write')) {
    writeDurabilitySection({ startedAt, credentials, seconds, lifetime, results, versions: { temporalCli: versionOf(temporalCli), redisServer: versionOf(redisBinary) } });
  }
  process.stdout.write(`${JSON.stringify({ bench: 'durability', credentials, seconds, lifetime_s: lifetime, cpus: os.cpus().length, ...results })}\n`);
}

type Stats = ReturnType<typeof stats>;

/** The "Crash window" section of BENCHMARKS.md. */
function writeDurabilitySection(run: {
  startedAt: Date;
  credentials: number;
  seconds: number;
  lifetime: number;
  results: Record<string, { writeAheadUs?: Stats; durableMs: Stats }>;
  versions: { temporalCli: string; redisServer: string };
}): void {
  const row = (label: string, s: Stats | undefined, unit: string) => [label, String(s?.n ?? 0), `${s?.p50 ?? '–'} ${unit}`, `${s?.p99 ?? '–'} ${unit}`, `${s?.max ?? '–'} ${unit}`];
  const table = markdownTable(
    ["from the answer's last byte to", 'n', 'p50', 'p99', 'max'],
    [
      row('its encrypted copy on the Redis socket (with Redis)', run.results.with_redis?.writeAheadUs, 'µs'),
      row("the server's acknowledgement of its heartbeat (with Redis)", run.results.with_redis?.durableMs, 'ms'),
      row("the server's acknowledgement of its heartbeat (without Redis)", run.results.without_redis?.durableMs, 'ms'),
    ],
  );
  writeSection(
    'durability',
    [
      '## Crash window: how long a provider\'s answer is exposed to a SIGKILL',
      '',
      `Measured ${run.startedAt.toISOString()} by \`npm run bench:durability\`: ${run.credentials} credentials whose tokens live ${run.lifetime} s`,
      `(refreshed about every ${run.lifetime / 2} s) for ${run.seconds} s against the fake provider, once with Redis and once without, dev server`,
      'with its in-memory store. A kill inside the first interval loses the answer when Redis is configured; without Redis, a kill',
      'inside the last one does (docs/durability.md). A kill while the request is still at a strict provider loses the grant whatever',
      'these figures are: that is the residual risk the README states.',
      '',
      ...machineLines(run.versions),
      '',
      table,
      '',
      '```sh',
      'npm run bench:durability -- --credentials 20 --seconds 30 --lifetime 2',
      '```',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`durability bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

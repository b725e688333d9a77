/**
 * `npm run bench:fleet -- --credentials 10000 --lifetime 600 [--ladder 1000,2000,5000,10000]
 * [--workers 1] [--api 0] [worker tuning flags]`: how many credentials one machine keeps fresh.
 * Each ladder step deploys its own dev server (SQLite file), workers and API processes, registers
 * the fleet with supplied tokens, and watches one full lifetime: refresh lateness, missed
 * refreshes, task failures, CPU and memory per process, events and persistence writes per refresh,
 * `getToken` latency under a 50/s reader. The ladder stops after the first step that breaks
 * (lateness p99 > 1 s, a missed or doubled refresh). Progress on stderr; the last stdout line is one
 * JSON object; BENCHMARKS.md gets its `fleet` section (unless `--no-write`). Long: not part of
 * `npm run bench` unless it is given `--with-fleet`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflows } from '../scripts/bundle-workflows';
import { ensureRedisServerBinary, startRedisServer } from '../scripts/redis-server';
import { generateKey } from '../src/codec/keyring';
import { devServerDynamicConfig, mergeDynamicConfig } from '../src/dev/dev-server';
import { freePort } from '../src/dev/net';
import { ensureTemporalCli } from '../src/dev/temporal-cli';
import { Redis } from 'ioredis';
import { fleetMarkdown } from './fleet/markdown';
import { FleetUsageError, parseFleetOptions, usage } from './fleet/options';
import type { StepFigures } from './fleet/figures';
import { runStep } from './fleet/step';
import { limitOf } from './fleet/limit';
import { machineLines, progress, versionOf, writeSection } from './report';

/**
 * A step closes its Temporal connection when it ends. A call that gave up on an overloaded server
 * can still have a retry timer pending in the client's gRPC retry interceptor, which then throws
 * `Channel has been shut down` from the timer, an uncaught exception that ended a 5,000-credential
 * ladder after its step had been measured. That error, and only it, is ignored here.
 */
function ignoreRetriesAfterShutdown(log: (msg: string) => void): void {
  let seen = 0;
  process.on('uncaughtException', (err) => {
    if (err instanceof Error && err.message === 'Channel has been shut down') {
      if (seen++ === 0) log('ignored a gRPC retry after its connection was closed (the step had given up on that call)');
      return;
    }
    process.stderr.write(`[fleet] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const options = parseFleetOptions(process.argv.slice(2));
  const startedAt = new Date();
  const ui = progress('fleet');
  const log = (msg: string) => ui.log(msg);
  ignoreRetriesAfterShutdown(log);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-fleet-'));
  const temporalCli = await ensureTemporalCli({ log });
  const redisBinary = await ensureRedisServerBinary({ log });
  const redisServer = await startRedisServer({ port: await freePort(), dir, log, redisServer: redisBinary });
  const bundlePath = await bundleWorkflows(path.join(dir, 'workflow-bundle.js'), { log });
  const base = { dir, temporalCli, redisUrl: redisServer.url, encryptionKeys: generateKey('fleet'), bundlePath, log, redisPid: redisServer.pid };
  const steps: StepFigures[] = [];
  const versions = { temporalCli: versionOf(temporalCli), redisServer: versionOf(redisBinary) };
  const writeFigures = () => {
    if (!options.write || steps.length === 0) return;
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    writeSection('fleet', fleetMarkdown({ options, steps, startedAt, seconds, machine: machineLines(versions), argv: process.argv.slice(2).filter((a) => a !== '--keep' && a !== '--no-write') }));
  };
  const phases = options.ladder.length * 2;
  try {
    for (const [index, n] of options.ladder.entries()) {
      ui.log(`step ${index + 1}/${options.ladder.length}: ${n} credentials, tokens living ${options.lifetimeS} s, ${options.workers} worker(s), ${options.apis} API process(es)`);
      const figures = await runStep(base, options, n, index, (phase, status) => {
        const k = index * 2 + (phase === 'register' ? 1 : 2);
        ui.step(k, phases, `${n} credentials: ${status}`);
      });
      steps.push(figures);
      writeFigures(); // after every step: a ladder stopped later keeps the steps it finished
      ui.log(`step ${index + 1}: ${figures.ok ? 'kept up' : `broke (${figures.broke.join('; ')})`}; lateness p99 ${figures.lateness_ms.p99} ms, max ${figures.lateness_ms.max} ms, ${figures.refreshes_per_s} refreshes/s; ${limitOf(figures).join('; ')}`);
      const redis = new Redis(redisServer.url);
      await redis.flushall().finally(() => redis.disconnect());
      if (!figures.ok) break;
    }
  } finally {
    ui.done();
    await redisServer.stop();
  }
  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  const kept = steps.filter((s) => s.ok).map((s) => s.credentials);
  const broken = steps.find((s) => !s.ok);
  const summary = {
    bench: 'fleet',
    lifetime_s: options.lifetimeS,
    ladder: options.ladder,
    workers: options.workers,
    api: options.apis,
    tuning: options.tuning,
    sqlite_pragmas: options.sqlitePragmas,
    dynamic_config: mergeDynamicConfig(devServerDynamicConfig, options.dynamicConfig),
    cpus: os.cpus().length,
    load_average: os.loadavg().map((l) => Math.round(l * 100) / 100),
    seconds: Math.round(seconds),
    max_kept_up: kept.length ? Math.max(...kept) : 0,
    broke_at: broken?.credentials ?? null,
    limit: broken ? limitOf(broken) : [],
    steps,
  };
  writeFigures();
  if (options.keep) ui.log(`state folder kept: ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const usageError = err instanceof FleetUsageError;
    process.stderr.write(usageError ? `[fleet] ${err.message}\n${usage}\n` : `[fleet] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

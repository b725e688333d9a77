/**
 * A fleet benchmark worker process: `halflife worker` as the product runs it (`startService` with
 * the worker part only, configured by `loadConfig` from the environment: Redis, the key ring, the
 * SDK logging through the redacting logger, the `HALFLIFE_WORKER_*` capacity settings and the
 * worker metrics endpoint), with the benchmark's prebuilt workflow bundle
 * (`HALFLIFE_BENCH_BUNDLE`) so start-up does not bundle again. Prints `WORKER READY` once polling.
 */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startService } from '../../src/service/start';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, process.stderr as never);
  const service = await startService(config, logger, {
    api: false,
    workerSeams: {
      ...(process.env.HALFLIFE_BENCH_BUNDLE ? { workflowBundlePath: process.env.HALFLIFE_BENCH_BUNDLE } : {}),
      identity: `fleet-worker-${process.pid}`,
      shutdownGraceTimeMs: 2_000,
    },
  });
  process.stdout.write('WORKER READY\n');
  await service.done;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`fleet worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * Global setup of the integration tests: a real Temporal dev server (in memory, its own ports),
 * a real Redis, and the workflow bundle built once for every worker process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../../scripts/bundle-workflows';
import { ensureRedisServerBinary, startRedisServer } from '../../scripts/redis-server';
import { startDevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/net';
import { ensureTemporalCli } from '../../src/dev/temporal-cli';
import { generateKey } from '../../src/codec/keyring';
import { requiredSearchAttributes } from '../../src/search-attributes';
import { testStateDir, type TestEnv } from './test-env';

const log = (msg: string) => process.stderr.write(`[test setup] ${msg}\n`);

export default async function globalSetup(): Promise<void> {
  const dir = path.join(testStateDir, `test-run-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  await ensureTemporalCli({ log });
  await ensureRedisServerBinary({ log });
  const [temporalPort, redisPort] = [await freePort(), await freePort()];
  const [server, redis, workflowBundlePath] = await Promise.all([
    startDevServer({
      port: temporalPort,
      uiPort: null,
      searchAttributes: { ...requiredSearchAttributes },
      logFile: path.join(dir, 'test-temporal.log'),
      log,
    }),
    startRedisServer({ port: redisPort, dir, log }),
    bundleWorkflows(path.join(dir, 'test-workflow-bundle.js')),
  ]);
  (globalThis as Record<string, unknown>).__halflifeStop = async () => {
    await Promise.all([server.stop(), redis.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const env: TestEnv = {
    temporalAddress: server.address,
    namespace: server.namespace,
    redisUrl: redis.url,
    workflowBundlePath,
    encryptionKeys: generateKey('test1'),
  };
  const file = path.join(dir, 'test-env.json');
  fs.writeFileSync(file, JSON.stringify(env, null, 2));
  process.env.HALFLIFE_TEST_ENV = file;
  log(`Temporal ${env.temporalAddress}, Redis ${env.redisUrl}`);
}

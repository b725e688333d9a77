/**
 * A credential worker as its own process, for tests that kill or replace workers.
 * Environment: HALFLIFE_TEST_ENV (path of the test env JSON), HALFLIFE_TEST_TASK_QUEUE,
 * HALFLIFE_TEST_HANG_AFTER_HEARTBEAT (a credential id whose refresh stops right after its
 * heartbeat, so the test can kill the process in the crash window), HALFLIFE_TEST_ENCRYPTION_KEYS
 * (a key ring other than the shared test one, for rotation tests).
 */
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { createWorkerDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { createCredentialWorker } from '../../src/worker';
import { testEnv } from './test-env';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = testEnv();
  const taskQueue = process.env.HALFLIFE_TEST_TASK_QUEUE ?? 'halflife-test';
  const hangFor = process.env.HALFLIFE_TEST_HANG_AFTER_HEARTBEAT;
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const redis = new Redis(process.env.HALFLIFE_TEST_REDIS_URL ?? env.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
  const worker = await createCredentialWorker({
    connection,
    namespace: env.namespace,
    taskQueue,
    redis,
    workflowBundlePath: env.workflowBundlePath,
    dataConverter: createWorkerDataConverter(parseKeyring(process.env.HALFLIFE_TEST_ENCRYPTION_KEYS ?? env.encryptionKeys)),
    identity: `test-worker-${process.pid}`,
    hooks: {
      afterHeartbeat: async (input) => {
        if (input.credentialId !== hangFor || !input.current) return; // the first token passes
        process.stdout.write(`HEARTBEATED ${input.credentialId}\n`);
        await new Promise(() => undefined); // the test kills this process here
      },
    },
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write('WORKER READY\n');
  await worker.run();
  redis.disconnect();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

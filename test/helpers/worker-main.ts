/**
 * A credential worker as its own process, for tests that kill or replace workers. It is wired as
 * the product wires it: the production Redis options (`openRedis`), the production SDK logging
 * through the redacting logger, the prebuilt bundle, the encrypting data converter.
 *
 * Environment: HALFLIFE_TEST_ENV (the test env JSON), HALFLIFE_TEST_TASK_QUEUE,
 * HALFLIFE_TEST_ENCRYPTION_KEYS (a key ring other than the shared one), HALFLIFE_TEST_REDIS_URL,
 * and a crash seam: HALFLIFE_TEST_AT = before_request | after_answer | after_save (the refresh
 * instant), HALFLIFE_TEST_FOR = a credential id or `*`, HALFLIFE_TEST_DO = kill (SIGKILL inside
 * the seam, in its first microseconds) | hang (print `AT <instant> <id>` and wait to be killed).
 * The first token of a credential (registration) always passes. HALFLIFE_TEST_BUNDLE runs another
 * workflow bundle (a recorded release, for upgrade tests).
 */
import { NativeConnection } from '@temporalio/worker';
import type { RefreshCredentialInput } from '../../src/activities/contracts';
import type { RefreshHooks } from '../../src/activities/refresh-credential';
import { createWorkerDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { openRedis } from '../../src/service/connections';
import { installTemporalLogging } from '../../src/service/temporal-logging';
import { createCredentialWorker } from '../../src/worker';
import { testEnv } from './test-env';

function seam(): RefreshHooks {
  const at = process.env.HALFLIFE_TEST_AT;
  const target = process.env.HALFLIFE_TEST_FOR;
  if (!at || !target) return {};
  const action = process.env.HALFLIFE_TEST_DO ?? 'hang';
  const hook = async (input: RefreshCredentialInput) => {
    if ((target !== '*' && input.credentialId !== target) || !input.current) return;
    if (action === 'kill') process.kill(process.pid, 'SIGKILL');
    process.stdout.write(`AT ${at} ${input.credentialId}\n`);
    await new Promise(() => undefined); // the test kills this process here
  };
  const names: Record<string, keyof RefreshHooks> = { before_request: 'beforeRequest', after_answer: 'afterAnswer', after_save: 'afterSave' };
  const name = names[at];
  if (!name) throw new Error(`HALFLIFE_TEST_AT must be one of ${Object.keys(names).join(', ')}`);
  return { [name]: hook };
}

async function main(): Promise<void> {
  const env = testEnv();
  const config = loadConfig({ ...process.env, REDIS_URL: process.env.HALFLIFE_TEST_REDIS_URL ?? env.redisUrl, TEMPORAL_ADDRESS: env.temporalAddress });
  installTemporalLogging(createLogger(process.env.HALFLIFE_TEST_LOG_LEVEL ?? 'warn', process.stderr as never), 'WARN');
  const connection = await NativeConnection.connect({ address: env.temporalAddress });
  const redis = await openRedis(config, { probeLocal: false });
  const worker = await createCredentialWorker({
    connection,
    namespace: env.namespace,
    taskQueue: process.env.HALFLIFE_TEST_TASK_QUEUE ?? 'halflife-test',
    redis,
    workflowBundlePath: process.env.HALFLIFE_TEST_BUNDLE ?? env.workflowBundlePath,
    dataConverter: createWorkerDataConverter(parseKeyring(process.env.HALFLIFE_TEST_ENCRYPTION_KEYS ?? env.encryptionKeys)),
    identity: `test-worker-${process.pid}`,
    ...(process.env.HALFLIFE_TEST_SHUTDOWN_GRACE_MS ? { shutdownGraceTimeMs: Number(process.env.HALFLIFE_TEST_SHUTDOWN_GRACE_MS) } : {}),
    hooks: seam(),
  });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write('WORKER READY\n');
  await worker.run();
  redis?.disconnect();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

/**
 * A credential worker as its own process, for tests that kill or replace workers. It is the
 * product's worker: `startService` with the worker part only, as `halflife worker` runs it (the
 * production Redis options, the production SDK logging through the redacting logger, the
 * encrypting data converter from the key ring), configured by `loadConfig` from the environment.
 * Test seams only: the prebuilt test bundle, the identity, the shutdown grace time and the hooks.
 *
 * Environment: HALFLIFE_TEST_ENV (the test env JSON), HALFLIFE_TEST_TASK_QUEUE,
 * HALFLIFE_TEST_ENCRYPTION_KEYS (a key ring other than the shared one), HALFLIFE_TEST_REDIS_URL,
 * HALFLIFE_TEST_TEMPORAL_ADDRESS (a dev server of the test's own), HALFLIFE_TEST_LOG_LEVEL,
 * HALFLIFE_TEST_SHUTDOWN_GRACE_MS,
 * and a crash seam: HALFLIFE_TEST_AT = before_request | after_answer | after_save (the refresh
 * instant), HALFLIFE_TEST_FOR = a credential id or `*`, HALFLIFE_TEST_DO = kill (SIGKILL inside
 * the seam, in its first microseconds) | hang (print `AT <instant> <id>` and wait to be killed).
 * HALFLIFE_TEST_AT=before_publish with HALFLIFE_TEST_DO=stall keeps the JavaScript thread busy
 * for HALFLIFE_TEST_STALL_MS (default 12 s) inside the `publishCredential` local activity of the
 * credential's versions in HALFLIFE_TEST_STALL_VERSIONS (default 2), printing
 * `STALL before_publish <id> v<version> <ms>` first.
 * The first token of a credential (registration) always passes. HALFLIFE_TEST_ACTIVITIES_ONLY=1 polls
 * activity tasks only (workflow tasks wait meanwhile). HALFLIFE_TEST_BUNDLE runs another
 * workflow bundle (a recorded release, for upgrade tests).
 */
import type { RefreshCredentialInput } from '../../src/activities/contracts';
import type { RefreshHooks } from '../../src/activities/refresh-credential';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startService } from '../../src/service/start';
import { serviceEnv, testEnv } from './test-env';

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
  if (at === 'before_publish') {
    // Only the starving is offered here: the first publication of each of the credential's
    // versions in HALFLIFE_TEST_STALL_VERSIONS (default: 2, its first refresh).
    const versions = new Set((process.env.HALFLIFE_TEST_STALL_VERSIONS ?? '2').split(',').map(Number));
    return {
      beforePublish: (input) => {
        if ((target !== '*' && input.credentialId !== target) || action !== 'stall' || !versions.delete(input.record.version)) return;
        const ms = Number(process.env.HALFLIFE_TEST_STALL_MS ?? 12_000);
        process.stdout.write(`STALL ${at} ${input.credentialId} v${input.record.version} ${ms}\n`);
        for (const end = Date.now() + ms; Date.now() < end; ); // busy, as a starved event loop is
      },
    };
  }
  const names: Record<string, keyof RefreshHooks> = { before_request: 'beforeRequest', after_answer: 'afterAnswer', after_save: 'afterSave' };
  const name = names[at];
  if (!name) throw new Error(`HALFLIFE_TEST_AT must be one of ${Object.keys(names).join(', ')}`);
  return { [name]: hook };
}

/** The environment `halflife worker` would see in this test (see `serviceEnv`), plus the parent's. */
function workerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...serviceEnv({
      taskQueue: process.env.HALFLIFE_TEST_TASK_QUEUE ?? 'halflife-test',
      redisUrl: process.env.HALFLIFE_TEST_REDIS_URL,
      encryptionKeys: process.env.HALFLIFE_TEST_ENCRYPTION_KEYS,
      temporalAddress: process.env.HALFLIFE_TEST_TEMPORAL_ADDRESS,
    }),
    HALFLIFE_LOG_LEVEL: process.env.HALFLIFE_TEST_LOG_LEVEL ?? 'warn',
  };
}

async function main(): Promise<void> {
  const config = loadConfig(workerEnv());
  const logger = createLogger(config.logLevel, process.stderr as never);
  const service = await startService(config, logger, {
    api: false,
    workerSeams: {
      workflowBundlePath: process.env.HALFLIFE_TEST_BUNDLE ?? testEnv().workflowBundlePath,
      identity: `test-worker-${process.pid}`,
      ...(process.env.HALFLIFE_TEST_SHUTDOWN_GRACE_MS ? { shutdownGraceTimeMs: Number(process.env.HALFLIFE_TEST_SHUTDOWN_GRACE_MS) } : {}),
      hooks: seam(),
      ...(process.env.HALFLIFE_TEST_ACTIVITIES_ONLY === '1' ? { activitiesOnly: true } : {}),
    },
  });
  process.stdout.write('WORKER READY\n');
  await service.done;
}

// Exit explicitly once stopped, as the CLI does.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

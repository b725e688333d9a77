/**
 * The credential worker: runs credential workflows and their activities on one task queue.
 * Run as many as needed; Temporal hands each credential to exactly one of them at a time.
 */
import { NativeConnection, Worker, type DataConverter } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import { createActivities } from './activities';
import type { RefreshHooks } from './activities/refresh-credential';
import { defaultTaskQueue } from './messages';
import { getProvider } from './providers/registry';
import { TokenCache } from './redis/token-cache';

/** Options of a credential worker. */
export interface CredentialWorkerOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** @default 'halflife' */
  taskQueue?: string;
  /** Redis to mirror tokens into; without it the publication activity does nothing. */
  redis?: Redis;
  /** Prefix of Redis keys. @default 'halflife' */
  redisPrefix?: string;
  /** Payload codec and failure converter path (encryption). */
  dataConverter?: DataConverter;
  /** A prebuilt workflow bundle; without it the workflows are bundled from source at start-up. */
  workflowBundlePath?: string;
  /** Test seams of the refresh activity. */
  hooks?: RefreshHooks;
  /** Worker identity shown in the Web UI. */
  identity?: string;
}

/** Creates (but does not run) a credential worker. */
export async function createCredentialWorker(options: CredentialWorkerOptions): Promise<Worker> {
  const namespace = options.namespace ?? 'default';
  const cache = options.redis ? new TokenCache(options.redis, { prefix: options.redisPrefix ?? 'halflife', namespace }) : undefined;
  return Worker.create({
    connection: options.connection,
    namespace,
    taskQueue: options.taskQueue ?? defaultTaskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({ provider: getProvider, cache, hooks: options.hooks }),
    dataConverter: options.dataConverter,
    ...(options.identity ? { identity: options.identity } : {}),
  });
}

/**
 * The credential worker: runs credential workflows and their activities on one task queue.
 * Run as many as needed; Temporal hands each credential to exactly one of them at a time.
 *
 * On shutdown (SIGTERM) the worker stops polling and lets refreshes in flight finish for
 * `shutdownGraceTimeMs`, longer than any upstream call: a deploy never aborts a request that
 * already reached the provider (which would have rotated the refresh token in an answer nobody
 * reads).
 */
import type { Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type DataConverter } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import { createActivities } from './activities';
import { createDurableHeartbeat } from './activities/durable-heartbeat';
import { TokenClient } from './client/token-client';
import { ConnectClient } from './connect/connect-client';
import type { RefreshHooks } from './activities/refresh-credential';
import { createEgressFetch, egressPolicyFromEnv, type EgressLookup, type EgressPolicy } from './egress';
import { temporal } from '@temporalio/proto';
import { defaultTaskQueue } from './messages';
import { requiredSearchAttributes } from './search-attributes';
import { getProvider } from './providers/registry';
import { AnswerLog } from './redis/answer-log';
import { TokenCache } from './redis/token-cache';
import { WebhookDirectory } from './webhooks/directory';
import { webhookMetrics } from './webhooks/metrics';
import { createNotifier } from './webhooks/notifier';
import { webhookSettingsFromEnv, withWebhookDefaults, type WebhookSettings } from './webhooks/settings';
import type { WorkerMetrics } from './metrics/worker-metrics';

/** Options of a credential worker. */
export interface CredentialWorkerOptions {
  connection: NativeConnection;
  /** @default 'default' */
  namespace?: string;
  /** @default 'halflife' */
  taskQueue?: string;
  /** Redis to mirror tokens into (and to log answers ahead of their heartbeat); without it publication does nothing. */
  redis?: Redis;
  /** Prefix of Redis keys. @default 'halflife' */
  redisPrefix?: string;
  /** Payload codec and failure converter path (encryption). */
  dataConverter?: DataConverter;
  /** A prebuilt workflow bundle; without it the workflows are bundled from source at start-up. */
  workflowBundlePath?: string;
  /** Which addresses upstream requests may reach. @default from HALFLIFE_EGRESS_ALLOW/DENY, loopback allowed unless NODE_ENV=production */
  egressPolicy?: EgressPolicy;
  /** DNS resolution of upstream hosts (tests inject one). @default the system resolver */
  egressLookup?: EgressLookup;
  /** How long in-flight refreshes may finish after shutdown was requested. @default 45_000 */
  shutdownGraceTimeMs?: number;
  /** Test seams of the refresh activity. */
  hooks?: RefreshHooks;
  /** Poll activity tasks only (tests use it to hold workflow tasks back). @default false */
  activitiesOnly?: boolean;
  /** Worker identity shown in the Web UI. @default the SDK's (pid@host) */
  identity?: string;
  /** `HALFLIFE_PUBLIC_URL`: lets the worker make fresh connect links (`createConnectLink`). @default none: it cannot */
  publicUrl?: string;
  /**
   * Webhooks (docs/webhooks.md): the configured subscriptions and the retry policy; `false`: this
   * worker neither notifies nor delivers. The registry's subscriptions (made through the API) are
   * always looked up. @default from HALFLIFE_WEBHOOKS(_FILE) and HALFLIFE_WEBHOOK_*
   */
  webhooks?: Partial<WebhookSettings> | false;
  /** Where the activities record refreshes, upstream calls and publications. @default none: nothing is recorded */
  metrics?: WorkerMetrics;
}

/** `CredentialWorkerOptions` with every default filled in. */
export function withDefaults(options: CredentialWorkerOptions) {
  return {
    namespace: 'default',
    taskQueue: defaultTaskQueue,
    redisPrefix: 'halflife',
    shutdownGraceTimeMs: 45_000,
    identity: `${process.pid}@halflife-worker`,
    ...options,
    egressPolicy: options.egressPolicy ?? egressPolicyFromEnv(process.env, { development: process.env.NODE_ENV !== 'production' }),
  };
}

const indexedTypes = { Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME };

/**
 * Registers the search attributes credential workflows upsert when the namespace lacks them: a
 * workflow upserting an unknown attribute fails its task, so a worker refuses to start without them.
 */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const known = { ...listed.customAttributes, ...listed.systemAttributes };
  const missing = Object.entries(requiredSearchAttributes).filter(([name]) => !(name in known));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, indexedTypes[type]])) });
  } catch (err) {
    const names = missing.map(([name, type]) => `${name} (${type})`).join(', ');
    throw new Error(`namespace ${namespace} lacks the search attributes ${names} and this worker may not add them; register them (temporal operator search-attribute create --name … --type …) and start again`, { cause: err });
  }
}

/** Creates (but does not run) a credential worker. */
export async function createCredentialWorker(input: CredentialWorkerOptions): Promise<Worker> {
  const options = withDefaults(input);
  const webhooks = options.webhooks === false ? undefined : withWebhookDefaults(options.webhooks ?? webhookSettingsFromEnv(process.env, options.egressPolicy));
  await ensureSearchAttributes(options.connection, options.namespace);
  const { namespace, redis } = options;
  const space = { prefix: options.redisPrefix, namespace };
  const codecs: PayloadCodec[] = [...(options.dataConverter?.payloadCodecs ?? [])];
  const send = createEgressFetch(options.egressPolicy, options.egressLookup ? { lookup: options.egressLookup } : {});
  // Connect sessions hand their grants to credentials through a TokenClient on the worker's own
  // connection (a Client accepts a NativeConnection; TokenClient's option is typed for the other kind).
  let handOverClient: TokenClient | undefined;
  const tokenClient = (): TokenClient =>
    (handOverClient ??= new TokenClient({ connection: options.connection as unknown as Connection, namespace, taskQueue: options.taskQueue, dataConverter: options.dataConverter }));
  const { publicUrl } = options;
  let linkClient: ConnectClient | undefined;
  const connectClient = publicUrl ? () => (linkClient ??= new ConnectClient({ temporal: tokenClient().temporal, taskQueue: options.taskQueue, publicUrl })) : undefined;
  // Webhooks: the notifier queues events in the delivery workflows; the delivery activity looks subscriptions up on every attempt.
  const temporal = () => tokenClient().temporal;
  const directory = webhooks && new WebhookDirectory(temporal, options.taskQueue, webhooks.subscriptions);
  const worker = await Worker.create({
    connection: options.connection,
    namespace,
    taskQueue: options.taskQueue,
    ...(options.activitiesOnly
      ? {}
      : options.workflowBundlePath
        ? { workflowBundle: { codePath: options.workflowBundlePath } }
        : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({
      provider: getProvider,
      send: (url, init) => send(url, init),
      heartbeat: createDurableHeartbeat({ connection: options.connection, namespace, identity: options.identity, codecs }),
      codecs,
      ...(redis ? { cache: new TokenCache(redis, space), answers: new AnswerLog(redis, space) } : {}),
      hooks: options.hooks,
      metrics: options.metrics,
      tokenClient,
      connectClient,
      ...(webhooks && directory
        ? {
            notify: createNotifier({ temporal, directory, policy: webhooks.policy }),
            webhooks: { directory, send: (url: string, init: RequestInit) => send(url, init), metrics: webhookMetrics },
          }
        : {}),
    }),
    dataConverter: options.dataConverter,
    identity: options.identity,
    shutdownGraceTime: options.shutdownGraceTimeMs,
  });
  return worker;
}

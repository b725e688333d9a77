/**
 * Service configuration, parsed once from the environment with a schema. A bad value fails at
 * start-up with an `InvalidConfigError` naming the variable and the reason. Every default lives in
 * `withConfigDefaults`, which also builds a configuration from code (tests, embedding).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { defaultNamespace, defaultRedisPrefix } from './defaults';
import { InvalidConfigError } from './errors';
import { defaultTaskQueue } from './messages';
import { egressPolicyFromEnv } from './egress';
import { webhookSettingsFromEnv, webhookVariables, type WebhookSettings } from './webhooks/settings';

/** Log levels of `HALFLIFE_LOG_LEVEL`. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The service's settings. */
export interface HalflifeConfig {
  /** Temporal connection (address, TLS, API key) from the standard `TEMPORAL_*` variables and profiles. @default address `localhost:<devServer.port>` */
  temporal: NativeConnectionOptions & { address: string };
  /** Whether `TEMPORAL_ADDRESS` (or a profile) named a server; if not, `start` runs a dev server. */
  temporalAddressGiven: boolean;
  /** The local dev server `halflife start` runs when no Temporal server is named. */
  devServer: {
    /** `HALFLIFE_TEMPORAL_PORT`: its gRPC frontend on 127.0.0.1. @default 7233 */
    port: number;
    /** `HALFLIFE_UI_PORT`: its Web UI. @default port + 1000 */
    uiPort: number;
  };
  /** `TEMPORAL_NAMESPACE` (or a profile's). @default 'default' */
  namespace: string;
  /** `HALFLIFE_TASK_QUEUE`. @default 'halflife' */
  taskQueue: string;
  /** `REDIS_URL`; undefined means: use a local Redis if one answers, else none. */
  redisUrl?: string;
  /** `HALFLIFE_REDIS_PREFIX`. @default 'halflife' */
  redisPrefix: string;
  /** `HALFLIFE_STATE_DIR`, absolute (created 0700 when first used). @default '<cwd>/.halflife' */
  stateDir: string;
  /** `HALFLIFE_ENCRYPTION_KEYS` (`id:base64,...`); absent in development means a generated key. */
  encryptionKeys?: string;
  /** `HALFLIFE_API_HOST`. @default '127.0.0.1' */
  apiHost: string;
  /** `HALFLIFE_API_PORT`. @default 7380 */
  apiPort: number;
  /** `HALFLIFE_API_KEYS` (JSON) or the contents of `HALFLIFE_API_KEYS_FILE`. */
  apiKeysJson?: string;
  /**
   * `HALFLIFE_PUBLIC_URL`: the externally reachable base URL of the HTTP API (scheme, host, port,
   * optional path prefix; no trailing slash). Connect links and the OAuth redirect URI
   * (`<publicUrl>/connect/callback`) are built from it. @default `http://127.0.0.1:<apiPort>`
   */
  publicUrl: string;
  /** `HALFLIFE_UI_ORIGINS`: comma-separated origins allowed to call the codec endpoint. @default the dev server's UI on localhost and 127.0.0.1 */
  uiOrigins: string[];
  /**
   * The worker's Prometheus endpoint (`GET /metrics`, with the Temporal SDK's metrics appended):
   * `HALFLIFE_WORKER_METRICS_PORT` turns it on, on `HALFLIFE_WORKER_METRICS_HOST`;
   * `HALFLIFE_SDK_METRICS_PORT` is the loopback port of the SDK's own exporter, which only the
   * worker reads (a free port when not set). @default off
   */
  workerMetrics?: { host: string; port: number; sdkPort?: number };
  /** `HALFLIFE_LOG_LEVEL`. @default 'info' */
  logLevel: (typeof logLevels)[number];
  /** `NODE_ENV === 'production'`: encryption keys and API keys are then required. @default false */
  production: boolean;
  /**
   * `HALFLIFE_WEBHOOKS` (or `HALFLIFE_WEBHOOKS_FILE`) and `HALFLIFE_WEBHOOK_*`: configured webhook
   * subscriptions and the retry policy (docs/webhooks.md). @default undefined: none configured, the default policy
   */
  webhooks?: WebhookSettings;
}

/** A configuration as given, before `withConfigDefaults`: every field optional. */
export type HalflifeConfigInput = Partial<Omit<HalflifeConfig, 'temporal' | 'devServer'>> & {
  temporal?: NativeConnectionOptions;
  devServer?: Partial<HalflifeConfig['devServer']>;
};

/** The Temporal CLI's distance between the frontend port and the Web UI port. */
const uiPortOffset = 1000;

/** Fills in every default (see the `@default` tags of `HalflifeConfig`); `cwd` anchors the state folder. */
export function withConfigDefaults(input: HalflifeConfigInput = {}, cwd: string = process.cwd()): HalflifeConfig {
  const port = input.devServer?.port ?? 7233;
  const uiPort = input.devServer?.uiPort ?? port + uiPortOffset;
  const address = input.temporal?.address;
  return {
    temporal: { ...input.temporal, address: address ?? `localhost:${port}` },
    temporalAddressGiven: input.temporalAddressGiven ?? address !== undefined,
    devServer: { port, uiPort },
    namespace: input.namespace ?? defaultNamespace,
    taskQueue: input.taskQueue ?? defaultTaskQueue,
    redisUrl: input.redisUrl,
    redisPrefix: input.redisPrefix ?? defaultRedisPrefix,
    stateDir: path.resolve(cwd, input.stateDir ?? '.halflife'),
    encryptionKeys: input.encryptionKeys,
    apiHost: input.apiHost ?? '127.0.0.1',
    apiPort: input.apiPort ?? 7380,
    apiKeysJson: input.apiKeysJson,
    publicUrl: (input.publicUrl ?? `http://127.0.0.1:${input.apiPort ?? 7380}`).replace(/\/+$/, ''),
    uiOrigins: input.uiOrigins ?? [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
    ...(input.workerMetrics ? { workerMetrics: input.workerMetrics } : {}),
    logLevel: input.logLevel ?? 'info',
    production: input.production ?? false,
    webhooks: input.webhooks,
  };
}

const port = z.coerce.number().int('must be a whole number').min(1, 'must be a port number (1-65535)').max(65535, 'must be a port number (1-65535)');

/** The rule a `HALFLIFE_PUBLIC_URL` value breaks, or undefined: an http(s) URL without credentials, query or fragment. */
export function publicUrlProblem(value: string, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL such as https://halflife.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.username !== '' || url.password !== '') return 'must not contain a username or password';
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(value)) return 'must not contain a query or fragment';
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(url.hostname);
  if (production && url.protocol === 'http:' && !loopback) return 'must use https when NODE_ENV=production (providers refuse plain-http redirect URIs)';
  return undefined;
}

/** True for an `http(s)://host[:port]` origin as browsers send it (no path, no trailing slash). */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

const schema = z.object({
  // The SDK's envconfig reads the TEMPORAL_* variables; these two are checked here first because it accepts any value.
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):\d{1,5}$/, 'must be host:port, e.g. temporal.example.com:7233')
    .optional(),
  TEMPORAL_TLS: z.enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' }).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  HALFLIFE_TEMPORAL_PORT: port.optional(),
  HALFLIFE_UI_PORT: port.optional(),
  HALFLIFE_TASK_QUEUE: z.string().min(1).max(200).optional(),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://')
    .optional(),
  HALFLIFE_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"').optional(),
  HALFLIFE_STATE_DIR: z.string().min(1).optional(),
  HALFLIFE_ENCRYPTION_KEYS: z.string().min(1).optional(),
  HALFLIFE_API_HOST: z.string().min(1).optional(),
  HALFLIFE_API_PORT: port.optional(),
  HALFLIFE_API_KEYS: z.string().min(1).optional(),
  HALFLIFE_API_KEYS_FILE: z.string().min(1).optional(),
  HALFLIFE_PUBLIC_URL: z.string().min(1).max(2048).optional(),
  HALFLIFE_UI_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .refine((origins) => origins.every(isOrigin), 'must be comma-separated origins such as http://localhost:8233 (no path, no "*")')
    .optional(),
  HALFLIFE_WORKER_METRICS_PORT: port.optional(),
  HALFLIFE_WORKER_METRICS_HOST: z.string().min(1).optional(),
  HALFLIFE_SDK_METRICS_PORT: port.optional(),
  HALFLIFE_LOG_LEVEL: z.enum(logLevels).optional(),
  NODE_ENV: z.string().optional(),
});

/** Parses the environment; throws InvalidConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, readFile: (path: string) => string = readText): HalflifeConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'is invalid');
  }
  const e = parsed.data;
  const publicProblem = e.HALFLIFE_PUBLIC_URL === undefined ? undefined : publicUrlProblem(e.HALFLIFE_PUBLIC_URL, e.NODE_ENV === 'production');
  if (publicProblem) throw new InvalidConfigError('HALFLIFE_PUBLIC_URL', publicProblem);
  if (e.HALFLIFE_API_KEYS && e.HALFLIFE_API_KEYS_FILE) {
    throw new InvalidConfigError('HALFLIFE_API_KEYS_FILE', 'set either HALFLIFE_API_KEYS or HALFLIFE_API_KEYS_FILE, not both');
  }
  let temporal: NativeConnectionOptions;
  let namespace: string | undefined;
  try {
    const loaded = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
    temporal = loaded.connectionOptions;
    namespace = loaded.namespace;
  } catch (err) {
    throw new InvalidConfigError('TEMPORAL_*', err instanceof Error ? err.message : 'could not be read');
  }
  const config = withConfigDefaults({
    temporal,
    temporalAddressGiven: Boolean(env.TEMPORAL_ADDRESS ?? temporal.address),
    devServer: { port: e.HALFLIFE_TEMPORAL_PORT, uiPort: e.HALFLIFE_UI_PORT },
    namespace: e.TEMPORAL_NAMESPACE ?? namespace,
    taskQueue: e.HALFLIFE_TASK_QUEUE,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.HALFLIFE_REDIS_PREFIX,
    stateDir: e.HALFLIFE_STATE_DIR,
    encryptionKeys: e.HALFLIFE_ENCRYPTION_KEYS,
    apiHost: e.HALFLIFE_API_HOST,
    apiPort: e.HALFLIFE_API_PORT,
    apiKeysJson: e.HALFLIFE_API_KEYS ?? (e.HALFLIFE_API_KEYS_FILE ? readApiKeysFile(e.HALFLIFE_API_KEYS_FILE, readFile) : undefined),
    publicUrl: e.HALFLIFE_PUBLIC_URL,
    uiOrigins: e.HALFLIFE_UI_ORIGINS,
    workerMetrics: workerMetricsOf(e),
    logLevel: e.HALFLIFE_LOG_LEVEL,
    production: e.NODE_ENV === 'production',
    webhooks: loadWebhookSettings(env, e.NODE_ENV === 'production', readFile),
  });
  checkDevServerPorts(config, e.HALFLIFE_UI_PORT !== undefined);
  return config;
}

/** The worker metrics settings: on when `HALFLIFE_WORKER_METRICS_PORT` is set; the two ports must differ. */
function workerMetricsOf(e: { HALFLIFE_WORKER_METRICS_PORT?: number; HALFLIFE_WORKER_METRICS_HOST?: string; HALFLIFE_SDK_METRICS_PORT?: number }): HalflifeConfig['workerMetrics'] {
  const [port, sdkPort] = [e.HALFLIFE_WORKER_METRICS_PORT, e.HALFLIFE_SDK_METRICS_PORT];
  if (port === undefined) return undefined;
  if (sdkPort === port) throw new InvalidConfigError('HALFLIFE_SDK_METRICS_PORT', `must differ from HALFLIFE_WORKER_METRICS_PORT (${port})`);
  return { host: e.HALFLIFE_WORKER_METRICS_HOST ?? '127.0.0.1', port, ...(sdkPort !== undefined ? { sdkPort } : {}) };
}

/** The dev server's ports must be valid and distinct from each other and from the API's (only checked when it would run). */
function checkDevServerPorts(config: HalflifeConfig, uiPortGiven: boolean): void {
  if (config.temporalAddressGiven) return;
  const { port: frontend, uiPort } = config.devServer;
  if (uiPort > 65535) {
    throw new InvalidConfigError('HALFLIFE_UI_PORT', `defaults to HALFLIFE_TEMPORAL_PORT + ${uiPortOffset} = ${uiPort}, which is not a port; set it`);
  }
  if (uiPort === frontend) throw new InvalidConfigError(uiPortGiven ? 'HALFLIFE_UI_PORT' : 'HALFLIFE_TEMPORAL_PORT', `the Web UI and the dev server cannot share port ${uiPort}`);
  if (config.apiPort === frontend || config.apiPort === uiPort) {
    throw new InvalidConfigError('HALFLIFE_API_PORT', `port ${config.apiPort} is taken by the dev server (HALFLIFE_TEMPORAL_PORT ${frontend}, HALFLIFE_UI_PORT ${uiPort})`);
  }
}

/** The webhook settings when a `HALFLIFE_WEBHOOK*` variable is set (URLs checked against the egress policy of the same environment). */
function loadWebhookSettings(env: NodeJS.ProcessEnv, production: boolean, readFile: (path: string) => string): WebhookSettings | undefined {
  if (!Object.values(webhookVariables).some((name) => env[name] !== undefined && env[name] !== '')) return undefined;
  return webhookSettingsFromEnv(env, egressPolicyFromEnv(env, { development: !production }), readFile);
}

/** Reads `HALFLIFE_API_KEYS_FILE`; a file that cannot be read names the variable. */
function readApiKeysFile(file: string, readFile: (path: string) => string): string {
  try {
    return readFile(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new InvalidConfigError('HALFLIFE_API_KEYS_FILE', `cannot read ${file} (${reason})`);
  }
}

function readText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

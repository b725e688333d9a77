/**
 * Service configuration, parsed once from the environment with a schema. A bad value fails at
 * start-up with an `InvalidConfigError` naming the variable and the reason.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';
import { InvalidConfigError } from './errors';
import { defaultTaskQueue } from './messages';

/** The service's settings. */
export interface HalflifeConfig {
  /** Temporal connection (address, TLS, API key) from the standard `TEMPORAL_*` variables and profiles. */
  temporal: NativeConnectionOptions & { address: string };
  /** Whether `TEMPORAL_ADDRESS` (or a profile) named a server; if not, `start` runs a dev server. */
  temporalAddressGiven: boolean;
  /** @default 'default' */
  namespace: string;
  /** @default 'halflife' */
  taskQueue: string;
  /** `REDIS_URL`; undefined means: use a local Redis if one answers, else none. */
  redisUrl?: string;
  /** `HALFLIFE_REDIS_PREFIX`. @default 'halflife' */
  redisPrefix: string;
  /** `HALFLIFE_STATE_DIR`. @default '<cwd>/.halflife' */
  stateDir?: string;
  /** `HALFLIFE_ENCRYPTION_KEYS` (`id:base64,...`); absent in development means a generated key. */
  encryptionKeys?: string;
  /** `HALFLIFE_API_HOST`. @default '127.0.0.1' */
  apiHost: string;
  /** `HALFLIFE_API_PORT`. @default 7380 */
  apiPort: number;
  /** `HALFLIFE_API_KEYS` (JSON) or the contents of `HALFLIFE_API_KEYS_FILE`. */
  apiKeysJson?: string;
  /** `HALFLIFE_UI_ORIGINS`: comma-separated origins allowed to call the codec endpoint. @default the dev UI */
  uiOrigins: string[];
  /** `HALFLIFE_LOG_LEVEL`. @default 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `NODE_ENV === 'production'`. */
  production: boolean;
}

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  HALFLIFE_TASK_QUEUE: z.string().min(1).max(200).default(defaultTaskQueue),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://')
    .optional(),
  HALFLIFE_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"').default('halflife'),
  HALFLIFE_STATE_DIR: z.string().min(1).optional(),
  HALFLIFE_ENCRYPTION_KEYS: z.string().min(1).optional(),
  HALFLIFE_API_HOST: z.string().min(1).default('127.0.0.1'),
  HALFLIFE_API_PORT: port.default(7380),
  HALFLIFE_API_KEYS: z.string().min(1).optional(),
  HALFLIFE_API_KEYS_FILE: z.string().min(1).optional(),
  HALFLIFE_UI_ORIGINS: z.string().default('http://localhost:8233,http://127.0.0.1:8233'),
  HALFLIFE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  return {
    temporal: { ...temporal, address: temporal.address ?? 'localhost:7233' },
    temporalAddressGiven: Boolean(env.TEMPORAL_ADDRESS ?? temporal.address),
    namespace: e.TEMPORAL_NAMESPACE ?? namespace ?? 'default',
    taskQueue: e.HALFLIFE_TASK_QUEUE,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.HALFLIFE_REDIS_PREFIX,
    stateDir: e.HALFLIFE_STATE_DIR,
    encryptionKeys: e.HALFLIFE_ENCRYPTION_KEYS,
    apiHost: e.HALFLIFE_API_HOST,
    apiPort: e.HALFLIFE_API_PORT,
    apiKeysJson: e.HALFLIFE_API_KEYS ?? (e.HALFLIFE_API_KEYS_FILE ? readFile(e.HALFLIFE_API_KEYS_FILE) : undefined),
    uiOrigins: e.HALFLIFE_UI_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    logLevel: e.HALFLIFE_LOG_LEVEL,
    production: e.NODE_ENV === 'production',
  };
}

function readText(path: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:fs') as typeof import('node:fs')).readFileSync(path, 'utf8');
}

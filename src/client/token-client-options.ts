/** Options of a TokenClient, with their defaults in one place. */
import type { Connection, DataConverter } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { EgressPolicy } from '../egress';
import { defaultTaskQueue } from '../messages';

/** Options of a TokenClient. */
export interface TokenClientOptions {
  /** An open Temporal connection (see `connectTemporal`). */
  connection: Connection;
  /** @default 'default' */
  namespace?: string;
  /** @default 'halflife' */
  taskQueue?: string;
  /** Redis for fast reads; without it reads use workflow queries. */
  redis?: Redis;
  /** Prefix of Redis keys. @default 'halflife' */
  redisPrefix?: string;
  /** Payload codec and failure converter (encryption). */
  dataConverter?: DataConverter;
  /** How long a token read is reused in-process. @default 1000 */
  localCacheMs?: number;
  /** How long `getToken`, `refresh`, `register` and `reauthorize` wait before answering with what there is (reads and refreshes keep the last 6 s, at most half, to say why there is nothing). @default 30_000 */
  refreshTimeoutMs?: number;
  /** Where registered URLs may point (and OIDC discovery may go). @default from HALFLIFE_EGRESS_ALLOW/DENY */
  egressPolicy?: EgressPolicy;
}

/** `TokenClientOptions` with every default filled in. */
export function withDefaults(options: TokenClientOptions): Required<Omit<TokenClientOptions, 'redis' | 'dataConverter' | 'egressPolicy'>> & TokenClientOptions {
  return { namespace: 'default', taskQueue: defaultTaskQueue, redisPrefix: 'halflife', localCacheMs: 1000, refreshTimeoutMs: 30_000, ...options };
}


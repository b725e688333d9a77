/** Whether a Redis answers at a URL: one PING with a short deadline, no retries, no reconnects. */
import { Redis } from 'ioredis';

/** True when a Redis at `url` answers PING within `timeoutMs` (no retries). */
export async function isRedisUp(url: string, timeoutMs = 1000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    // ioredis arms a timer of this length on disconnect and never clears it when the connect failed.
    disconnectTimeout: 100,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

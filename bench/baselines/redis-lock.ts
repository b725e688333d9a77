/**
 * Baseline 3, "Redis lock with a cached token": the pattern of WxJava / Redisson deployments. The
 * token set lives in Redis, shared by every process. A caller whose token was refused reads it; if
 * it is still the refused one, it takes the lock (`SET NX PX`), checks again, refreshes, writes the
 * new set back with an expiry, and releases the lock only if it still owns it (Lua
 * compare-and-delete). Callers that did not get the lock poll the cached token.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HeldTokens } from './none';
import { refreshTokenGrant, type TokenClientConfig } from './token-request';

const unlockScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lock lease, poll interval and how long a caller waits before giving up. */
export const redisLockSettings = { lockTtlMs: 10_000, pollMs: 50, waitMs: 30_000 };

/** A refresher coordinated by a Redis lock around the token set stored at `key`. */
export function redisLock(client: TokenClientConfig, redis: Redis, key: string) {
  const lockKey = `${key}:lock`;
  const read = async (): Promise<HeldTokens | null> => JSON.parse((await redis.get(key)) ?? 'null') as HeldTokens | null;
  return {
    /** A new access token for a caller whose `refused` token failed. */
    async refresh(refused: string): Promise<string> {
      const deadline = Date.now() + redisLockSettings.waitMs;
      for (;;) {
        const cached = await read();
        if (cached && cached.accessToken !== refused) return cached.accessToken;
        const owner = randomUUID();
        if (await redis.set(lockKey, owner, 'PX', redisLockSettings.lockTtlMs, 'NX')) {
          try {
            const current = await read();
            if (!current) throw new Error(`no token set at ${key}`);
            if (current.accessToken !== refused) return current.accessToken;
            const answer = await refreshTokenGrant(client, current.refreshToken);
            const next: HeldTokens = { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? current.refreshToken };
            await redis.set(key, JSON.stringify(next), 'PX', (answer.expires_in ?? 3600) * 1000);
            return next.accessToken;
          } finally {
            await redis.eval(unlockScript, 1, lockKey, owner);
          }
        }
        if (Date.now() > deadline) throw new Error('timed out waiting for the token lock');
        await sleep(redisLockSettings.pollMs);
      }
    },
    /** The refresh token in Redis (shared by every process). */
    held: async (): Promise<string[]> => {
      const current = await read();
      return current ? [current.refreshToken] : [];
    },
  };
}

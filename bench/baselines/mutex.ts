/**
 * Baseline 2, "per-process mutex": the usual fix for parallel refreshes inside one service (the
 * seeds' pattern). Callers queue on a mutex; the first one refreshes, the ones after it see that
 * the token changed and take the new one. Each process has its own mutex and its own copy of the
 * token set, loaded once at start.
 */
import type { HeldTokens } from './none';
import { refreshTokenGrant, type TokenClientConfig } from './token-request';

/** A promise-chain mutex (what `async-mutex`'s `runExclusive` does). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** A refresher that lets one caller per process refresh at a time. */
export function perProcessMutex(client: TokenClientConfig, initial: HeldTokens) {
  const store: HeldTokens = { ...initial };
  const mutex = new Mutex();
  return {
    /** A new access token for a caller whose `refused` token failed. */
    refresh(refused: string): Promise<string> {
      return mutex.runExclusive(async () => {
        if (store.accessToken !== refused) return store.accessToken; // someone refreshed while we waited
        const answer = await refreshTokenGrant(client, store.refreshToken);
        store.accessToken = answer.access_token;
        if (answer.refresh_token) store.refreshToken = answer.refresh_token;
        return store.accessToken;
      });
    },
    /** The refresh token this process would use next. */
    held: async (): Promise<string[]> => [store.refreshToken],
  };
}

/**
 * The operator of a chaos run: a credential whose reader is answered `reauth_required` (its grant
 * was lost) is given a fresh grant of its client with `reauthorize`, as a person reconnecting it
 * would, so the run keeps its number of live credentials and the loss stays counted once.
 */
import { reauthorizeWithNewGrant, type ChaosCredential } from './credentials';
import type { Readers } from './readers';
import type { ChaosClient } from './stack';

/** A running medic. */
export interface Medic {
  /** When each credential's reauthorize returned (epoch ms), oldest first. */
  readonly healedAt: ReadonlyMap<string, readonly number[]>;
  /** Stops it; resolves with what it did. */
  stop(): Promise<{ reauthorized: number; failed: number }>;
}

/** Looks every `intervalMs` for credentials whose latest read said `reauth_required`, and reauthorizes them. */
export function startMedic(client: ChaosClient, creds: readonly ChaosCredential[], readers: Readers, intervalMs = 3_000): Medic {
  let stopped = false;
  let reauthorized = 0;
  let failed = 0;
  let wake: (() => void) | undefined;
  const healedAt = new Map<string, number[]>();
  const loop = (async () => {
    while (!stopped) {
      for (const cred of creds) {
        if (stopped) break;
        if (readers.lastRead(cred.id)?.code !== 'reauth_required') continue;
        const status = (await client.describe(cred.id).catch(() => undefined))?.status;
        if (status !== 'reauth_required') continue;
        try {
          await reauthorizeWithNewGrant(client, cred);
          reauthorized += 1;
          healedAt.set(cred.id, [...(healedAt.get(cred.id) ?? []), Date.now()]);
        } catch {
          failed += 1;
        }
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  })();
  return {
    healedAt,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      return { reauthorized, failed };
    },
  };
}

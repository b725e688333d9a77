/**
 * Registers the fleet: `n` oauth2 credentials against the benchmark's endpoint, each with a
 * supplied token (so nothing is refreshed at registration) whose remaining life is spread over
 * 0.2–1.2 lifetimes by a golden-ratio sequence, so the first refreshes (and every later one) are
 * spread evenly over a refresh period whatever order registrations finish in. At most
 * `concurrency` registrations are in flight; a failed one is retried twice.
 */
import type { TokenClient } from '../../src/client/token-client';
import { errorOutcomeOf } from '../../src/error-outcomes';
import { secretOf, type FleetTokenEndpoint } from './token-endpoint';

/** The policy of every fleet credential: the defaults, without jitter (the spread comes from the supplied expiries), so the endpoint knows each due instant. */
export const fleetPolicy = { jitterRatio: 0 } as const;

/** What registration measured. */
export interface RegistrationFigures {
  ids: string[];
  seconds: number;
  latenciesMs: number[];
  /** Registrations that failed even after retries, by error code. */
  failed: Record<string, number>;
  retried: number;
}

/** The fraction of a lifetime credential `i`'s supplied token has left: 0.2 + frac(i × φ) (never so little that a slow registration alone would let it expire). */
export function remainingShare(i: number): number {
  return 0.2 + ((i * 0.6180339887498949) % 1);
}

/** Registers `n` credentials named `<prefix>-<i>`; `onProgress(done)` after each. */
export async function registerFleet(
  client: TokenClient,
  endpoint: FleetTokenEndpoint,
  options: { n: number; prefix: string; lifetimeMs: number; concurrency: number; onProgress: (done: number) => void },
): Promise<RegistrationFigures> {
  const ids: string[] = [];
  const latenciesMs: number[] = [];
  const failed: Record<string, number> = {};
  let retried = 0;
  let next = 0;
  const begin = performance.now();
  const one = async (i: number) => {
    const id = `${options.prefix}-${i}`;
    // A retry sends the same registration (idempotent); should an earlier attempt have started the
    // workflow after all, its token's issuedAt is this one, so the ledger's due instant holds.
    const issuedAt = Date.now();
    const expiresAt = issuedAt + Math.round(remainingShare(i) * options.lifetimeMs);
    const refreshToken = endpoint.enroll(id, issuedAt, expiresAt);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await client.register({
          id,
          provider: 'oauth2',
          config: { tokenEndpoint: endpoint.tokenEndpoint, clientId: id, clientSecret: secretOf(id), clientAuth: 'client_secret_basic' },
          grant: { refreshToken },
          token: { accessToken: `fleet-initial-${id}-${issuedAt}`, expiresAt },
          policy: fleetPolicy,
        });
        latenciesMs.push(performance.now() - started);
        ids.push(id);
        return;
      } catch (err) {
        if (attempt >= 3) {
          const code = errorOutcomeOf(err).code;
          failed[code] = (failed[code] ?? 0) + 1;
          return;
        }
        retried++;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, options.n) }, async () => {
      while (next < options.n) {
        await one(next++);
        options.onProgress(ids.length);
      }
    }),
  );
  return { ids, seconds: (performance.now() - begin) / 1000, latenciesMs, failed, retried };
}

/** The cost of 200 concurrent `refresh()` calls with the same stale version. */
import { elapsedMs } from '../measure';
import type { BenchStack } from '../stack';
import { registerCredential } from './credentials';

/** Figures of one concurrent refresh burst. */
export interface ConcurrentRefreshResult {
  setup: string;
  calls: number;
  wallMs: number;
  /** Token endpoint hits caused by the burst (must be 1). */
  upstreamCalls: number;
  /** Distinct versions handed back (must be 1: the one new token). */
  distinctVersions: number;
}

/** 200 calls from one TokenClient, then 200 calls spread over 20 TokenClients (own connections). */
export async function concurrentRefresh(stack: BenchStack, log: (msg: string) => void): Promise<ConcurrentRefreshResult[]> {
  const results: ConcurrentRefreshResult[] = [];
  const owner = await stack.openClient();
  const clients = await Promise.all(Array.from({ length: 20 }, () => stack.openClient()));
  try {
    for (const setup of ['1 client (1 process)', '20 clients x 10 calls']) {
      log(`concurrent refresh: ${setup}`);
      const cred = await registerCredential(owner, stack.fake);
      const before = stack.fake.callsFor(cred.clientId);
      const stale = cred.token.version;
      const start = process.hrtime.bigint();
      const outcomes = await Promise.all(
        setup.startsWith('1 ')
          ? Array.from({ length: 200 }, () => owner.refresh(cred.id, { staleVersion: stale }))
          : clients.flatMap((c) => Array.from({ length: 10 }, () => c.refresh(cred.id, { staleVersion: stale }))),
      );
      const wallMs = elapsedMs(start);
      results.push({
        setup,
        calls: outcomes.length,
        wallMs,
        upstreamCalls: stack.fake.callsFor(cred.clientId) - before,
        distinctVersions: new Set(outcomes.map((o) => o.token.version)).size,
      });
      await owner.revoke(cred.id);
    }
  } finally {
    await Promise.all([owner.shutdown(), ...clients.map((c) => c.shutdown())]);
  }
  return results;
}

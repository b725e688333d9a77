/**
 * Time from a scheduled refresh to the Redis event reaching a subscriber: a credential with a
 * 2-second token (refreshed at half-life, every ~1 s) and a TokenClient subscribed to it.
 */
import type { CredentialEvent } from '../../src/redis/token-cache';
import { startFakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { summarize, type LatencyStats } from '../measure';
import type { BenchStack } from '../stack';
import { registerCredential } from './credentials';

/** Figures of the rotation-to-event scenario. */
export interface RotationEventResult {
  rotations: number;
  lifetimeS: number;
  /** Upstream call reached the provider → subscriber got the `rotated` event. */
  fromUpstream: LatencyStats;
  /** The refresh was due (the workflow's `nextRefreshAt`) → subscriber got the event. */
  fromDue: LatencyStats;
}

/** Watches `rotations` scheduled refreshes. */
export async function rotationEvent(stack: BenchStack, log: (msg: string) => void, rotations = 20, lifetimeS = 2): Promise<RotationEventResult> {
  log(`rotation → event: ${rotations} scheduled refreshes of a ${lifetimeS} s token`);
  const fake = await startFakeOAuth2Server({ expiresIn: lifetimeS });
  const client = await stack.openClient();
  const received = new Map<number, number>();
  const dueOf = new Map<number, number>();
  try {
    const cred = await registerCredential(client, fake);
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const unsubscribe = await client.subscribe(cred.id, (event: CredentialEvent) => {
      if (event.event !== 'rotated' || received.has(event.version)) return;
      received.set(event.version, Date.now());
      if ([...received.keys()].filter((v) => v > cred.token.version).length >= rotations) finished();
    });
    // The refresh of version v + 1 is due at the `nextRefreshAt` the workflow set after publishing v.
    const poll = setInterval(() => {
      client.describe(cred.id).then(
        (d) => {
          if (d.nextRefreshAt !== undefined && d.lastRefreshAt !== undefined && d.nextRefreshAt > d.lastRefreshAt) dueOf.set(d.version + 1, d.nextRefreshAt);
        },
        () => undefined,
      );
    }, 100);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('rotations did not arrive in time')), rotations * lifetimeS * 1000 + 30_000).unref());
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearInterval(poll);
      await unsubscribe();
    }
    const calls = fake.callTimesFor(cred.clientId); // call k produced version k (no failures)
    const fromUpstream: number[] = [];
    const fromDue: number[] = [];
    for (const [version, at] of received) {
      if (version <= cred.token.version) continue; // registration, not a scheduled refresh
      const call = calls[version - 1];
      if (call !== undefined) fromUpstream.push(at - call);
      const due = dueOf.get(version);
      if (due !== undefined) fromDue.push(at - due);
    }
    await client.revoke(cred.id);
    return { rotations: fromUpstream.length, lifetimeS, fromUpstream: summarize(fromUpstream, 0), fromDue: summarize(fromDue, 0) };
  } finally {
    await client.shutdown();
    await fake.close();
  }
}

/**
 * Scenario 3: the Temporal server stops (the dev server's SQLite file is kept) for 30 s and starts
 * again. Meanwhile readers keep asking the API, which serves from Redis. Afterwards every
 * credential must resume where it was: the same workflow, its version continuing (each refreshes
 * again, to a version above the one it had before the stop), no grant lost, no wedge. Worker or
 * API processes that died meanwhile are counted as crashes (and replaced).
 */
import { startOidcPeer } from '../../peers/oidc-peer';
import { lossesOf, versionsOf, waitRecovered, wedgesOf, type LossFigures, type Wedge } from '../audit';
import { inPool, registerCredentials } from '../credentials';
import { pause, secondsSince } from '../figures';
import { Readers, type ReadFigures } from '../readers';
import type { ScenarioContext } from '../scenario';
import { TokenAudit } from '../token-audit';

/** Sizes of scenario 3. */
export interface TemporalRestartOptions {
  credentials: number;
  downMs: number;
  lifetimeS: number;
  readIntervalMs: number;
}

/** Figures of scenario 3. */
export interface TemporalRestartFigures extends LossFigures {
  scenario: 'temporal_restart';
  credentials: number;
  downMs: number;
  /** Credentials whose version went past the one before the stop, and the time that took after the restart. */
  resumed: number;
  notResumed: { id: string; status: string }[];
  resumedWithinMs: number;
  /** Credentials whose version went backwards (a new workflow instead of the old one). */
  versionsBackwards: number;
  /** Reads while the server was down. */
  readersWhileDown: ReadFigures;
  readers: ReadFigures;
  replaysAtProvider: number;
  wedged: number;
  wedges: Wedge[];
  /** Worker and API processes that exited on their own (replaced). */
  crashes: number;
  durationS: number;
}

/** Runs scenario 3. */
export async function runTemporalRestart(ctx: ScenarioContext, o: TemporalRestartOptions): Promise<TemporalRestartFigures> {
  const { stack } = ctx;
  if (!stack.stopTemporal || !stack.startTemporal) throw new Error('scenario 3 needs a stack that owns its Temporal server (npm run chaos)');
  const started = Date.now();
  const crashesBefore = stack.workers.crashes.length + stack.api.crashes;
  const peer = await startOidcPeer({ accessTokenTtlS: o.lifetimeS, rotation: 'strict' });
  const readers = new Readers({ url: stack.api.url, key: stack.api.keys.read }, new TokenAudit(), { intervalMs: o.readIntervalMs });
  let creds: Awaited<ReturnType<typeof registerCredentials>> = [];
  try {
    if (stack.workers.live.length === 0) await stack.workers.start();
    ctx.step(`registering ${o.credentials} credentials`);
    creds = await registerCredentials(stack.client, peer, o.credentials, `chaos-${ctx.tag}-temporal`);
    for (const c of creds) readers.add(c.id, peer);
    const statsBefore = await peer.stats();
    await pause(3_000); // readers warm up (their token is in Redis)
    const before = await versionsOf(stack.client, creds.map((c) => c.id));
    ctx.step(`Temporal stopped for ${Math.round(o.downMs / 1000)} s`);
    const downAt = Date.now();
    await stack.stopTemporal();
    await pause(o.downMs);
    ctx.step('starting Temporal again');
    await stack.startTemporal();
    const upAt = Date.now();
    ctx.step('waiting for every credential to refresh again');
    const after = new Map(creds.map((c) => [c.id, before.get(c.id)?.version ?? 0]));
    const recovery = await waitRecovered(stack.client, after, o.lifetimeS * 1000 + 60_000);
    const now = await versionsOf(stack.client, creds.map((c) => c.id));
    const versionsBackwards = creds.filter((c) => (now.get(c.id)?.version ?? Number.POSITIVE_INFINITY) < (before.get(c.id)?.version ?? 0)).length;
    await readers.stop();
    ctx.step('auditing');
    const stats = await peer.stats();
    const losses = await lossesOf(peer, stack.client, creds, stack.workers.kills(started));
    const wedges = await wedgesOf(stack.client, creds.map((c) => c.id));
    return {
      scenario: 'temporal_restart',
      credentials: creds.length,
      downMs: upAt - downAt,
      resumed: creds.length - recovery.pending.length,
      notResumed: recovery.pending,
      resumedWithinMs: recovery.ms,
      versionsBackwards,
      readersWhileDown: await readers.figures({ from: downAt, to: upAt }),
      readers: await readers.figures(),
      replaysAtProvider: stats.replays - statsBefore.replays,
      ...losses,
      wedged: wedges.length,
      wedges,
      crashes: stack.workers.crashes.length + stack.api.crashes - crashesBefore,
      durationS: secondsSince(started),
    };
  } finally {
    await readers.stop().catch(() => undefined);
    await inPool(creds, 8, (c) => stack.client.revoke(c.id).catch(() => undefined));
    await peer.close();
  }
}

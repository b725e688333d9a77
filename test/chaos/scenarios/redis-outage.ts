/**
 * Scenario 4: Redis stops for 60 s (the process ends, its memory is lost) while readers run; a few
 * credentials are revoked during the outage. Readers must keep getting valid tokens (the API falls
 * back to workflow queries), with the latency that costs; when an empty Redis comes back, every
 * live credential must be mirrored there again, and no revoked credential's token may come back,
 * from Redis or anywhere else.
 */
import { Redis } from 'ioredis';
import { TokenCache } from '../../../src/redis/token-cache';
import { startOidcPeer } from '../../peers/oidc-peer';
import { lossesOf, wedgesOf, type LossFigures, type Wedge } from '../audit';
import { inPool, registerCredentials } from '../credentials';
import { pause, secondsSince } from '../figures';
import { Readers, type ReadFigures } from '../readers';
import type { ScenarioContext } from '../scenario';
import { TokenAudit } from '../token-audit';

/** Sizes of scenario 4. */
export interface RedisOutageOptions {
  credentials: number;
  downMs: number;
  lifetimeS: number;
  /** Credentials revoked during the outage. */
  revoked: number;
  readIntervalMs: number;
}

/** Figures of scenario 4. */
export interface RedisOutageFigures extends LossFigures {
  scenario: 'redis_outage';
  credentials: number;
  downMs: number;
  /** Reads of live credentials before / during / after the outage. */
  readersBefore: ReadFigures;
  readersDuring: ReadFigures;
  readersAfter: ReadFigures;
  /** Live credentials mirrored in Redis again after it came back, and how long the last one took. */
  repopulated: number;
  repopulatedWithinMs: number;
  revoked: number;
  /** Reads answered with a token of a revoked credential more than 1.5 s after the revocation returned (the API's in-process cache holds a token 1 s). */
  resurrected: number;
  /** Revoked credentials whose Redis record holds a token after the outage. */
  revokedTokensInRedis: number;
  replaysAtProvider: number;
  wedged: number;
  wedges: Wedge[];
  crashes: number;
  durationS: number;
}

/** Runs scenario 4. */
export async function runRedisOutage(ctx: ScenarioContext, o: RedisOutageOptions): Promise<RedisOutageFigures> {
  const { stack } = ctx;
  if (!stack.stopRedis || !stack.startRedis) throw new Error('scenario 4 needs a stack that owns its Redis (npm run chaos)');
  const started = Date.now();
  const crashesBefore = stack.workers.crashes.length + stack.api.crashes;
  const peer = await startOidcPeer({ accessTokenTtlS: o.lifetimeS, rotation: 'strict' });
  const readers = new Readers({ url: stack.api.url, key: stack.api.keys.read }, new TokenAudit(), { intervalMs: o.readIntervalMs });
  let creds: Awaited<ReturnType<typeof registerCredentials>> = [];
  const redis = new Redis(stack.env.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    if (stack.workers.live.length === 0) await stack.workers.start();
    ctx.step(`registering ${o.credentials} credentials`);
    creds = await registerCredentials(stack.client, peer, o.credentials, `chaos-${ctx.tag}-redis`);
    for (const c of creds) readers.add(c.id, peer);
    const statsBefore = await peer.stats();
    const doomed = creds.slice(0, o.revoked);
    const live = creds.slice(o.revoked);
    const liveIds = new Set(live.map((c) => c.id));
    await pause(5_000);
    ctx.step(`Redis stopped for ${Math.round(o.downMs / 1000)} s`);
    const downAt = Date.now();
    await stack.stopRedis();
    await pause(Math.min(10_000, o.downMs / 3));
    const revokedAt = new Map<string, number>();
    await Promise.all(doomed.map(async (c) => {
      await stack.client.revoke(c.id);
      revokedAt.set(c.id, Date.now());
    }));
    await pause(downAt + o.downMs - Date.now());
    ctx.step('starting an empty Redis again');
    await stack.startRedis();
    const upAt = Date.now();
    await redis.connect().catch(() => undefined);
    const cache = new TokenCache(redis, { prefix: 'halflife', namespace: stack.env.namespace });
    ctx.step('waiting for every live credential to be mirrored in Redis again');
    const waitingFor = new Set(liveIds);
    const deadline = upAt + o.lifetimeS * 1000 + 30_000;
    while (waitingFor.size && Date.now() < deadline) {
      for (const id of [...waitingFor]) if ((await cache.readToken(id).catch(() => undefined)) !== undefined) waitingFor.delete(id);
      if (waitingFor.size) await pause(250);
    }
    const repopulatedWithinMs = Date.now() - upAt;
    await pause(5_000); // reads after the outage
    await readers.stop();
    ctx.step('auditing');
    let revokedTokensInRedis = 0;
    for (const c of doomed) if ((await cache.read(c.id).catch(() => undefined))?.accessToken) revokedTokensInRedis += 1;
    const resurrected = readers.reads.filter((r) => r.status === 200 && revokedAt.has(r.id) && r.sentAt > (revokedAt.get(r.id) ?? 0) + 1_500).length;
    const stats = await peer.stats();
    const losses = await lossesOf(peer, stack.client, creds, stack.workers.kills(started));
    const wedges = await wedgesOf(stack.client, live.map((c) => c.id));
    return {
      scenario: 'redis_outage',
      credentials: creds.length,
      downMs: upAt - downAt,
      readersBefore: await readers.figures({ to: downAt, ids: liveIds }),
      readersDuring: await readers.figures({ from: downAt, to: upAt, ids: liveIds }),
      readersAfter: await readers.figures({ from: upAt, ids: liveIds }),
      repopulated: live.length - waitingFor.size,
      repopulatedWithinMs,
      revoked: doomed.length,
      resurrected,
      revokedTokensInRedis,
      replaysAtProvider: stats.replays - statsBefore.replays,
      ...losses,
      wedged: wedges.length,
      wedges,
      crashes: stack.workers.crashes.length + stack.api.crashes - crashesBefore,
      durationS: secondsSince(started),
    };
  } finally {
    await readers.stop().catch(() => undefined);
    redis.disconnect();
    await inPool(creds, 8, (c) => stack.client.revoke(c.id).catch(() => undefined));
    await peer.close();
  }
}

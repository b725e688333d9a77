/**
 * Scenario 9, the soak (`npm run chaos -- --soak 30m`): 100 credentials with 10 s tokens behind
 * the fault proxy, readers on all of them, and one fault from scenarios 1–8 every minute, chosen at
 * random: a SIGKILL, a SIGTERM (with a replacement worker), a Temporal restart (15 s), a Redis
 * outage (20 s), a provider outage (20 s of 503), a grant revoked at the provider (the medic
 * reauthorizes it), a storm, a pass of the bad-input corpus. Worker and API memory is sampled every
 * 30 s. At the end: every figure of the other scenarios over the whole soak.
 */
import { startOidcPeer } from '../../peers/oidc-peer';
import { lossesOf, maxEventsPerRun, versionsOf, waitRecovered, wedgesOf, type LossFigures, type Wedge } from '../audit';
import { revokeCorpusLeftovers, sendCorpus } from '../bad-input';
import { inPool, registerCredentials, type ChaosCredential } from '../credentials';
import { startFaultyProxy } from '../faulty-proxy';
import { between, pause, secondsSince } from '../figures';
import { saveEvidence } from '../evidence';
import { lostInFlightExcuse } from '../excuses';
import { startMedic } from '../medic';
import { Readers, type ReadFigures } from '../readers';
import type { ScenarioContext } from '../scenario';
import { startStormRig } from '../storm';
import { TokenAudit } from '../token-audit';
import { rssKiB } from '../worker-fleet';

/** Sizes of the soak. */
export interface SoakOptions {
  durationMs: number;
  credentials: number;
  lifetimeS: number;
  faultEveryMs: number;
  readIntervalMs: number;
}

/** One memory sample. */
export interface RssSample {
  /** Seconds since the soak began. */
  t: number;
  /** Resident memory of each live worker, MiB. */
  workersMiB: number[];
  apiMiB?: number;
}

/** Figures of the soak. */
export interface SoakFigures extends LossFigures {
  scenario: 'soak';
  credentials: number;
  lifetimeS: number;
  /** Faults injected, by kind. */
  faults: Record<string, number>;
  /** Every fault with its instant (seconds since the start). */
  timeline: { t: number; fault: string; note?: string }[];
  replaysAtProvider: number;
  refreshesAtProvider: number;
  reauthorized: number;
  readers: ReadFigures;
  wedged: number;
  wedges: Wedge[];
  notRecovered: { id: string; status: string }[];
  crashes: number;
  badInput5xx: number;
  stormUpstreamCalls: number[];
  maxEventsPerRun: number;
  rss: { samples: RssSample[]; workerMiB: { first: number; max: number; last: number }; apiMiB: { first: number; max: number; last: number } };
  /** Where the histories of lost, wedged and unrecovered credentials were saved (see evidence.ts). */
  evidence?: string;
  durationS: number;
}

const faultKinds = ['kill', 'sigterm', 'temporal_restart', 'redis_outage', 'provider_outage', 'grant_revoked', 'storm', 'bad_input'] as const;
const mib = (kib: number | undefined) => (kib === undefined ? 0 : Math.round(kib / 102.4) / 10);

/** Runs the soak. */
export async function runSoak(ctx: ScenarioContext, o: SoakOptions): Promise<SoakFigures> {
  const { stack } = ctx;
  const started = Date.now();
  const crashesBefore = stack.workers.crashes.length + stack.api.crashes;
  const peer = await startOidcPeer({ accessTokenTtlS: o.lifetimeS, rotation: 'strict' });
  const proxy = await startFaultyProxy(Number(new URL(peer.tokenEndpoint).port));
  const readers = new Readers({ url: stack.api.url, key: stack.api.keys.read }, new TokenAudit(), { intervalMs: o.readIntervalMs });
  const storm = await startStormRig(stack, 2);
  const all: ChaosCredential[] = [];
  const samples: RssSample[] = [];
  let sampling = true;
  let medic: ReturnType<typeof startMedic> | undefined;
  try {
    if (stack.workers.live.length === 0) await stack.workers.start();
    ctx.step(`registering ${o.credentials} credentials (${o.lifetimeS} s tokens)`);
    const tokenEndpoint = `${proxy.origin}${new URL(peer.tokenEndpoint).pathname}`;
    const creds = await registerCredentials(stack.client, peer, o.credentials, `chaos-${ctx.tag}-soak`, { policy: { upstreamTimeoutMs: 3_000 }, config: { tokenEndpoint } });
    const [corpusTarget] = await registerCredentials(stack.client, peer, 1, `chaos-${ctx.tag}-soakcorpus`);
    all.push(...creds, corpusTarget!);
    for (const c of creds) readers.add(c.id, peer);
    medic = startMedic(stack.client, creds, readers);
    const statsBefore = await peer.stats();
    const soakStart = Date.now();
    const sampler = (async () => {
      while (sampling) {
        samples.push({ t: Math.round((Date.now() - soakStart) / 1000), workersMiB: stack.workers.rss().map((r) => mib(r.rssKiB)), apiMiB: mib(rssKiB(stack.api.child.pid ?? -1)) });
        for (let i = 0; i < 30 && sampling; i++) await pause(1_000);
      }
    })();
    const faults: Record<string, number> = {};
    const timeline: SoakFigures['timeline'] = [];
    const stormUpstreamCalls: number[] = [];
    let badInput5xx = 0;
    const revoked: { id: string; at: number }[] = [];
    let n = 0;
    while (Date.now() - soakStart + o.faultEveryMs <= o.durationMs) {
      await pause(soakStart + (n + 1) * o.faultEveryMs - Date.now() - between(0, o.faultEveryMs / 4));
      n += 1;
      const fault = faultKinds[Math.floor(Math.random() * faultKinds.length)]!;
      faults[fault] = (faults[fault] ?? 0) + 1;
      const t = Math.round((Date.now() - soakStart) / 1000);
      ctx.step(`fault ${n} at ${t} s: ${fault}`);
      let note: string | undefined;
      switch (fault) {
        case 'kill': {
          const victim = stack.workers.live[0];
          if (victim) await stack.workers.kill(victim, 'random');
          await stack.workers.start();
          break;
        }
        case 'sigterm': {
          const victim = stack.workers.live[0];
          await Promise.all([victim ? stack.workers.sigterm(victim) : undefined, stack.workers.start()]);
          break;
        }
        case 'temporal_restart':
          if (stack.stopTemporal && stack.startTemporal) {
            await stack.stopTemporal();
            await pause(15_000);
            await stack.startTemporal();
          }
          break;
        case 'redis_outage':
          if (stack.stopRedis && stack.startRedis) {
            await stack.stopRedis();
            await pause(20_000);
            await stack.startRedis();
          }
          break;
        case 'provider_outage':
          proxy.setMode('http503');
          await pause(20_000);
          proxy.setMode('pass');
          break;
        case 'grant_revoked': {
          const victim = creds[Math.floor(Math.random() * creds.length)]!;
          revoked.push({ id: victim.id, at: Date.now() });
          await peer.revokeGrant(victim.grants.at(-1)!);
          note = victim.id;
          break;
        }
        case 'storm': {
          const { results, credentials } = await storm.run(peer, 60);
          stormUpstreamCalls.push(...results.map((r) => r.upstreamCalls));
          await inPool(credentials, 2, (c) => stack.client.revoke(c.id).catch(() => undefined));
          break;
        }
        case 'bad_input':
          badInput5xx += (await sendCorpus(stack.api, corpusTarget!.id, { width: 4 })).fiveXx;
          await revokeCorpusLeftovers(stack.client);
          break;
      }
      timeline.push({ t, fault, ...(note ? { note } : {}) });
    }
    await pause(soakStart + o.durationMs - Date.now());
    ctx.step('waiting for every credential to refresh once more');
    const now = await versionsOf(stack.client, creds.map((c) => c.id));
    const recovery = await waitRecovered(stack.client, new Map(creds.map((c) => [c.id, now.get(c.id)?.version ?? 0])), 120_000);
    const { reauthorized } = await medic.stop();
    sampling = false;
    await sampler;
    await readers.stop();
    ctx.step('auditing');
    const stats = await peer.stats();
    const losses = await lossesOf(peer, stack.client, all, stack.workers.kills(started));
    const wedges = await wedgesOf(stack.client, all.map((c) => c.id));
    const suspects = new Set([...losses.losses.map((l) => l.credentialId), ...wedges.map((w) => w.credentialId), ...recovery.pending.map((p) => p.id)]);
    const evidence = await saveEvidence(stack.client, stack.env, ctx.tag, [...suspects].slice(0, 20), all, peer);
    if (evidence) ctx.step(`evidence of ${suspects.size} credentials (at most 20 kept) in ${evidence}`);
    const workerSeries = samples.map((x) => Math.max(0, ...x.workersMiB));
    const apiSeries = samples.map((x) => x.apiMiB ?? 0);
    const shape = (series: number[]) => ({ first: series[0] ?? 0, max: Math.max(0, ...series), last: series.at(-1) ?? 0 });
    return {
      scenario: 'soak',
      credentials: creds.length,
      lifetimeS: o.lifetimeS,
      faults,
      timeline,
      ...losses,
      replaysAtProvider: stats.replays - statsBefore.replays,
      refreshesAtProvider: stats.refreshGrants - statsBefore.refreshGrants,
      reauthorized,
      readers: await readers.figures({ from: soakStart, excuse: lostInFlightExcuse(losses.losses, medic.healedAt, revoked) }),
      wedged: wedges.length,
      wedges,
      notRecovered: recovery.pending,
      crashes: stack.workers.crashes.length + stack.api.crashes - crashesBefore,
      badInput5xx,
      stormUpstreamCalls,
      maxEventsPerRun: (await maxEventsPerRun(stack.client).catch(() => ({ maxEvents: -1 }))).maxEvents,
      rss: { samples, workerMiB: shape(workerSeries), apiMiB: shape(apiSeries) },
      ...(evidence ? { evidence } : {}),
      durationS: secondsSince(started),
    };
  } finally {
    sampling = false;
    await medic?.stop();
    await readers.stop().catch(() => undefined);
    await storm.close();
    await inPool(all, 8, (c) => stack.client.revoke(c.id).catch(() => undefined));
    await proxy.close();
    await peer.close();
  }
}

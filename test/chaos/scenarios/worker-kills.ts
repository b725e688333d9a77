/**
 * Scenario 1 (with 7 and 8 running during it): the worker SIGKILLed again and again, against the
 * OpenID peer with strict rotation (a replayed refresh token revokes the whole grant), readers on
 * every credential. Kills are aimed at the instants of a refresh through the worker's crash seam
 * (before the request; right after the answer's bytes arrived, the worker killing itself inside
 * the seam; after the answer was saved), at a request in flight (the provider delays its answer
 * after deciding), or land at random. After each kill a new worker starts (with the seam of the
 * next aimed kill). Meanwhile the storm runs (scenario 7) and the bad-input corpus hits the API
 * (scenario 8). A lost grant is matched to the kill that lost it through the provider's request
 * log: lost in flight (the one loss no client can prevent) or lost after the answer arrived.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startOidcPeer } from '../../peers/oidc-peer';
import { watchAnswers } from '../answer-watch';
import { saveEvidence } from '../evidence';
import { answersBeforeKills, lossesOf, settled, versionsOf, waitRecovered, wedgesOf, type LossFigures, type Wedge } from '../audit';
import { revokeCorpusLeftovers, sendCorpus, type BadInputFigures } from '../bad-input';
import { inPool, registerCredentials, type ChaosCredential } from '../credentials';
import { between, pause, secondsSince } from '../figures';
import { lostInFlightExcuse } from '../excuses';
import { startMedic } from '../medic';
import { Readers, type ReadFigures } from '../readers';
import type { ScenarioContext } from '../scenario';
import { startStormRig, type StormResult } from '../storm';
import { TokenAudit } from '../token-audit';
import type { KillClass, SeamInstant } from '../worker-fleet';

/** Sizes of scenario 1. */
export interface WorkerKillsOptions {
  credentials: number;
  kills: number;
  /** Kills aimed at a request in flight (each loses every grant in flight: strict provider). */
  inFlightKills: number;
  /** Access token lifetime at the provider. */
  lifetimeS: number;
  /** Pause before a random kill, after the previous worker is ready. */
  minGapMs: number;
  maxGapMs: number;
  readIntervalMs: number;
  /** Scenario 7 during it: callers per storm (0: no storm) over `stormProcesses`. */
  stormCallers: number;
  stormProcesses: number;
  /** Scenario 8 during it: passes over the corpus (0: none). */
  corpusRounds: number;
  /** How long to wait for every credential to refresh after the last kill. */
  recoveryTimeoutMs: number;
  /** The kills in order (instead of a random plan of `kills` with `inFlightKills`). */
  plan?: KillClass[];
  /** The storm starts with this kill (0-based). @default a third of the way */
  stormAt?: number;
  /**
   * Before each aimed kill, wait (with a plain worker) until no credential has a refresh due, so
   * that one refresh is never held up by two aimed kills in a row (the short version's setting:
   * its tokens must not expire for want of a worker). @default false
   */
  settleBeforeAimed?: boolean;
}

/** Figures of scenario 1. */
export interface WorkerKillsFigures extends LossFigures {
  scenario: 'worker_kills';
  credentials: number;
  kills: number;
  killsByClass: Record<string, number>;
  /** Seam workers that did not reach their instant in time (then killed at random instead). */
  seamMisses: number;
  /** With `settleBeforeAimed`: waits that ended before every refresh was done. */
  settleTimeouts: number;
  /** Random kills that found at least one request in flight at the provider. */
  randomKillsWithRequestInFlight: number;
  /** Refresh answers the provider wrote shortly before a kill, by how long before, and how many of their grants were lost (the window between the answer leaving the provider and the worker logging it). */
  answersJustBeforeKills: Record<string, { answers: number; lost: number }>;
  replaysAtProvider: number;
  refreshesAtProvider: number;
  reauthorized: number;
  wedged: number;
  wedges: Wedge[];
  readers: ReadFigures;
  recovery: { ms: number; pending: { id: string; status: string }[] };
  crashes: number;
  storms: StormResult[];
  /** Storm registrations refused (and sent again) while workers were being killed, with the error's story. */
  stormRegistrationErrors: string[];
  badInput?: BadInputFigures;
  /** Where the histories and provider log of lost and wedged credentials were saved. */
  evidence?: string;
  durationS: number;
}

const seams: readonly SeamInstant[] = ['before_request', 'after_answer', 'after_save'];
const isSeam = (c: KillClass | undefined): c is SeamInstant => c !== undefined && (seams as readonly string[]).includes(c);

/** The kills in a random order: the in-flight ones, then half of the rest aimed at the three seam instants, the others at random. */
export function killPlan(kills: number, inFlight: number): KillClass[] {
  const plan: KillClass[] = Array.from({ length: Math.min(inFlight, kills) }, () => 'in_flight');
  const aimed = Math.floor((kills - plan.length) / 2);
  for (let i = 0; i < aimed; i++) plan.push(seams[i % seams.length]!);
  while (plan.length < kills) plan.push('random');
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}

/** Runs scenario 1 (with 7 and 8 inside it). */
export async function runWorkerKills(ctx: ScenarioContext, o: WorkerKillsOptions): Promise<WorkerKillsFigures> {
  const { stack } = ctx;
  const started = Date.now();
  const crashesBefore = stack.workers.crashes.length + stack.api.crashes;
  const peer = await startOidcPeer({ accessTokenTtlS: o.lifetimeS, rotation: 'strict' });
  // The corpus's target credential lives an hour, as in the bad-input test (its valid `min_ttl_s` reads then need no refresh).
  const corpusPeer = await startOidcPeer({ accessTokenTtlS: 3600, rotation: 'strict' });
  const readers = new Readers({ url: stack.api.url, key: stack.api.keys.read }, new TokenAudit(), { intervalMs: o.readIntervalMs });
  const storm = o.stormCallers > 0 ? await startStormRig(stack, o.stormProcesses) : undefined;
  const all: ChaosCredential[] = [];
  const background: Promise<unknown>[] = [];
  let medic: ReturnType<typeof startMedic> | undefined;
  const watch = await watchAnswers(stack.env.redisUrl);
  try {
    if (stack.workers.live.length === 0) await stack.workers.start();
    ctx.step(`registering ${o.credentials} credentials (${o.lifetimeS} s tokens, strict rotation)`);
    const statsBefore = await peer.stats();
    // A 3 s upstream timeout (default 15 s): a retry after an in-flight crash first waits out that request.
    const creds = await registerCredentials(stack.client, peer, o.credentials, `chaos-${ctx.tag}-kill`, { policy: { upstreamTimeoutMs: 3_000 } });
    const [corpusTarget] = await registerCredentials(stack.client, corpusPeer, 1, `chaos-${ctx.tag}-corpus`);
    all.push(...creds, corpusTarget!);
    for (const c of creds) readers.add(c.id, peer);
    medic = startMedic(stack.client, creds, readers);

    const plan = o.plan ?? killPlan(o.kills, o.inFlightKills);
    const storms: StormResult[] = [];
    let badInput: BadInputFigures | undefined;
    let seamMisses = 0;
    let settleTimeouts = 0;
    let worker = stack.workers.live[0]!;
    const firstSeam = plan[0];
    if (isSeam(firstSeam)) {
      await stack.workers.stopAll();
      worker = await stack.workers.start(firstSeam, firstSeam === 'after_answer' ? 'kill' : 'hang');
    }
    const seamTimeoutMs = o.lifetimeS * 1000 + 15_000;
    for (const [i, cls] of plan.entries()) {
      ctx.step(`kill ${i + 1}/${plan.length} (${cls})`);
      if (i === 1 && o.corpusRounds > 0) background.push(sendCorpus(stack.api, corpusTarget!.id, { rounds: o.corpusRounds, width: 4 }).then(async (f) => {
          badInput = f;
          await revokeCorpusLeftovers(stack.client);
        }));
      if (i === (o.stormAt ?? Math.floor(plan.length / 3)) && storm) {
        background.push(storm.run(peer, o.stormCallers).then(({ results, credentials }) => {
          storms.push(...results);
          all.push(...credentials);
        }));
      }
      if (cls === 'random') {
        await pause(between(o.minGapMs, o.maxGapMs));
        await stack.workers.kill(worker, 'random');
      } else if (cls === 'in_flight') {
        const from = Date.now();
        await peer.setAnswerDelayMs(1_500);
        const inFlight = await peer.waitForEvent((e) => e.grantType === 'refresh_token' && e.receivedAt >= from && e.decidedAt !== undefined && e.answeredAt === undefined, { timeoutMs: seamTimeoutMs }).catch(() => undefined);
        await stack.workers.kill(worker, inFlight ? 'in_flight' : 'random');
        await peer.setAnswerDelayMs(0);
        if (!inFlight) seamMisses += 1;
      } else if (cls === 'after_answer') {
        if (!(await stack.workers.selfKilled(worker, seamTimeoutMs))) {
          seamMisses += 1;
          await stack.workers.kill(worker, 'random');
        }
      } else if (!(await stack.workers.killAtSeam(worker, cls, seamTimeoutMs))) {
        seamMisses += 1;
        await stack.workers.kill(worker, 'random');
      }
      const next = plan[i + 1];
      if (o.settleBeforeAimed && next !== undefined && next !== 'random') {
        // A plain worker first, until every refresh the kills held up is done; then the aimed one.
        worker = await stack.workers.start();
        ctx.step(`kill ${i + 2}/${plan.length} (${next}): waiting until no refresh is due`);
        if (!(await settled(stack.client, creds.map((c) => c.id), o.lifetimeS * 1000 + 30_000))) settleTimeouts += 1;
        if (isSeam(next)) {
          await stack.workers.sigterm(worker);
          worker = await stack.workers.start(next, next === 'after_answer' ? 'kill' : 'hang');
        }
      } else worker = await stack.workers.start(isSeam(next) ? next : undefined, next === 'after_answer' ? 'kill' : 'hang');
    }
    ctx.step('waiting for the storm and the corpus');
    await Promise.all(background);
    ctx.step('waiting for every credential to refresh after the last kill');
    const atLastKill = await versionsOf(stack.client, creds.map((c) => c.id));
    const after = new Map(creds.map((c) => [c.id, atLastKill.get(c.id)?.version ?? 0]));
    const recovery = await waitRecovered(stack.client, after, o.recoveryTimeoutMs);
    const { reauthorized } = await medic.stop();
    await readers.stop();

    ctx.step('auditing at the provider and in Temporal');
    const kills = stack.workers.kills(started);
    const losses = await lossesOf(peer, stack.client, all.filter((c) => c.peer === peer), kills, watch);
    const wedges = await wedgesOf(stack.client, all.map((c) => c.id));
    const stats = await peer.stats();
    const events = await peer.events();
    const nearKills = answersBeforeKills(events, kills, losses.losses);
    const bucket = (lo: number, hi: number) => {
      const rows = nearKills.filter((a) => a.gapMs >= lo && a.gapMs < hi);
      return { answers: rows.length, lost: rows.filter((a) => a.lost).length };
    };
    const randomKills = kills.filter((k) => k.killClass === 'random');
    const randomKillsWithRequestInFlight = randomKills.filter((k) => events.some((e) => e.receivedAt <= k.at && (e.answeredAt === undefined || e.answeredAt > k.at))).length;
    const evidence = await saveEvidence(stack.client, stack.env, ctx.tag, [...losses.losses.map((l) => l.credentialId), ...wedges.map((w) => w.credentialId)], all, peer);
    if (evidence) {
      fs.writeFileSync(path.join(evidence, 'kills.json'), JSON.stringify(kills, null, 1));
      fs.writeFileSync(path.join(evidence, 'answer-log.json'), JSON.stringify(watch.commands, null, 1));
    }
    const killsByClass: Record<string, number> = {};
    for (const k of kills) killsByClass[k.killClass ?? 'unknown'] = (killsByClass[k.killClass ?? 'unknown'] ?? 0) + 1;
    return {
      scenario: 'worker_kills',
      credentials: creds.length,
      kills: kills.length,
      killsByClass,
      seamMisses,
      settleTimeouts,
      randomKillsWithRequestInFlight,
      answersJustBeforeKills: { '0-10ms': bucket(0, 10), '10-50ms': bucket(10, 50), '50-100ms': bucket(50, 100), '100-250ms': bucket(100, 251) },
      ...losses,
      replaysAtProvider: stats.replays - statsBefore.replays,
      refreshesAtProvider: stats.refreshGrants - statsBefore.refreshGrants,
      reauthorized,
      wedged: wedges.length,
      wedges,
      readers: await readers.figures({ excuse: lostInFlightExcuse(losses.losses, medic.healedAt) }),
      recovery,
      crashes: stack.workers.crashes.length + stack.api.crashes - crashesBefore,
      storms,
      stormRegistrationErrors: storm?.registrationErrors ?? [],
      ...(badInput ? { badInput } : {}),
      ...(evidence ? { evidence } : {}),
      durationS: secondsSince(started),
    };
  } finally {
    await watch.stop();
    await Promise.allSettled(background);
    await medic?.stop();
    await readers.stop().catch(() => undefined);
    await storm?.close();
    await inPool(all, 8, (c) => stack.client.revoke(c.id).catch(() => undefined));
    await peer.close();
    await corpusPeer.close();
  }
}

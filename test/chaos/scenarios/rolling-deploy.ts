/**
 * Scenario 2: a rolling deploy. Two workers are up; each round, consumers report the current
 * version of a few credentials (as after a 401), the strict provider answers them 1.5 s after
 * deciding, and the worker holding the most of those requests gets SIGTERM while they are in
 * flight, as a new worker starts beside it. A graceful shutdown must let every request it sent
 * finish: no aborted answer, no replay, no lost grant, every report answered with a new version.
 */
import { credentialWorkflowId } from '../../../src/messages';
import { startOidcPeer } from '../../peers/oidc-peer';
import { lossesOf, wedgesOf, type LossFigures, type Wedge } from '../audit';
import { inPool, registerCredentials } from '../credentials';
import { secondsSince } from '../figures';
import { Readers, type ReadFigures } from '../readers';
import type { ScenarioContext } from '../scenario';
import { TokenAudit } from '../token-audit';
import { waitFor } from '../../helpers/wait';

/** Sizes of scenario 2. */
export interface RollingDeployOptions {
  credentials: number;
  sigterms: number;
  lifetimeS: number;
  answerDelayMs: number;
  readIntervalMs: number;
}

/** Figures of scenario 2. */
export interface RollingDeployFigures extends LossFigures {
  scenario: 'rolling_deploy';
  credentials: number;
  sigterms: number;
  /** Requests that the stopped worker had in flight at the provider when it got SIGTERM (summed over rounds). */
  inFlightOnStoppedWorker: number;
  /** Answers the provider wrote after the caller had gone (an aborted request). */
  abortedAnswers: number;
  replaysAtProvider: number;
  /** Consumer reports answered with a newer version / otherwise (by reason or error). */
  reportsRefreshed: number;
  reportsOther: Record<string, number>;
  /** Longest SIGTERM-to-exit of a stopped worker. */
  maxDrainMs: number;
  wedged: number;
  wedges: Wedge[];
  readers: ReadFigures;
  crashes: number;
  durationS: number;
}

/** Runs scenario 2. */
export async function runRollingDeploy(ctx: ScenarioContext, o: RollingDeployOptions): Promise<RollingDeployFigures> {
  const { stack } = ctx;
  const started = Date.now();
  const crashesBefore = stack.workers.crashes.length + stack.api.crashes;
  const peer = await startOidcPeer({ accessTokenTtlS: o.lifetimeS, rotation: 'strict' });
  const readers = new Readers({ url: stack.api.url, key: stack.api.keys.read }, new TokenAudit(), { intervalMs: o.readIntervalMs });
  let creds: Awaited<ReturnType<typeof registerCredentials>> = [];
  try {
    while (stack.workers.live.length < 2) await stack.workers.start();
    ctx.step(`registering ${o.credentials} credentials`);
    creds = await registerCredentials(stack.client, peer, o.credentials, `chaos-${ctx.tag}-deploy`);
    for (const c of creds) readers.add(c.id, peer);
    const statsBefore = await peer.stats();
    const outcomes: Promise<string>[] = [];
    let inFlightOnStoppedWorker = 0;
    let maxDrainMs = 0;
    const groups = Math.max(1, Math.floor(creds.length / 5));
    for (let round = 0; round < o.sigterms; round++) {
      ctx.step(`SIGTERM ${round + 1}/${o.sigterms}`);
      const subset = creds.filter((_, i) => i % groups === round % groups);
      const roundStart = Date.now();
      await peer.setAnswerDelayMs(o.answerDelayMs);
      for (const c of subset) {
        const version = (await stack.client.describe(c.id)).version;
        outcomes.push(stack.client.refresh(c.id, { staleVersion: version }).then(
          (r) => (r.refreshed && r.token.version > version ? 'refreshed' : `not_refreshed:${r.reason ?? 'none'}`),
          (err: unknown) => `error:${(err as Error).name}`,
        ));
      }
      // Every report reached the provider and is waiting for its answer.
      await waitFor('the reports in flight at the provider', async () => {
        const events = await peer.events();
        return events.filter((e) => e.grantType === 'refresh_token' && e.receivedAt >= roundStart && e.answeredAt === undefined).length >= subset.length;
      }, { timeoutMs: 30_000, intervalMs: 50 }).catch(() => undefined);
      // The worker holding most of them (its identity is on the pending activity).
      const holders = new Map<string, number>();
      for (const c of subset) {
        const d = await stack.client.temporal.workflow.getHandle(credentialWorkflowId(c.id)).describe().catch(() => undefined);
        for (const a of d?.raw.pendingActivities ?? []) if (a.lastWorkerIdentity) holders.set(a.lastWorkerIdentity, (holders.get(a.lastWorkerIdentity) ?? 0) + 1);
      }
      const live = stack.workers.live;
      const victim = live.find((w) => (holders.get(`test-worker-${w.pid}`) ?? 0) === Math.max(0, ...holders.values())) ?? live[0]!;
      inFlightOnStoppedWorker += holders.get(`test-worker-${victim.pid}`) ?? 0;
      const stopAt = Date.now();
      await Promise.all([stack.workers.sigterm(victim), stack.workers.start()]);
      maxDrainMs = Math.max(maxDrainMs, Date.now() - stopAt);
      await peer.setAnswerDelayMs(0);
    }
    ctx.step('waiting for every report to be answered');
    const answered = await Promise.all(outcomes);
    const reportsOther: Record<string, number> = {};
    for (const a of answered.filter((x) => x !== 'refreshed')) reportsOther[a] = (reportsOther[a] ?? 0) + 1;
    await readers.stop();
    ctx.step('auditing');
    const stats = await peer.stats();
    const losses = await lossesOf(peer, stack.client, creds, stack.workers.stops.filter((s) => s.at >= started));
    const wedges = await wedgesOf(stack.client, creds.map((c) => c.id));
    return {
      scenario: 'rolling_deploy',
      credentials: creds.length,
      sigterms: o.sigterms,
      inFlightOnStoppedWorker,
      abortedAnswers: stats.abortedAnswers - statsBefore.abortedAnswers,
      replaysAtProvider: stats.replays - statsBefore.replays,
      reportsRefreshed: answered.filter((x) => x === 'refreshed').length,
      reportsOther,
      maxDrainMs,
      ...losses,
      wedged: wedges.length,
      wedges,
      readers: await readers.figures(),
      crashes: stack.workers.crashes.length + stack.api.crashes - crashesBefore,
      durationS: secondsSince(started),
    };
  } finally {
    await readers.stop().catch(() => undefined);
    await inPool(creds, 8, (c) => stack.client.revoke(c.id).catch(() => undefined));
    await peer.close();
  }
}

/**
 * Scenario 5: the token endpoint fails for longer than a token's lifetime, in three ways one after
 * the other (a third each): 503 answers, requests that are never answered (the upstream timeout
 * fires), and connections reset. The faults are injected by a proxy in front of the provider, so
 * nothing reaches it and nothing rotates. Under the default policy the credentials must keep
 * serving their last valid token until its real expiry and no longer, go `degraded` then
 * `expired`, call the endpoint at a bounded rate, and recover on their own when it answers again,
 * with every run's history bounded.
 */
import type { CredentialStatus } from '../../../src/credential';
import { credentialWorkflowId } from '../../../src/messages';
import { startOidcPeer } from '../../peers/oidc-peer';
import { lossesOf, versionsOf, waitRecovered, wedgesOf, type LossFigures, type Wedge } from '../audit';
import { inPool, registerCredentials } from '../credentials';
import { startFaultyProxy, type ProxyMode } from '../faulty-proxy';
import { pause, secondsSince } from '../figures';
import { Readers, type ReadFigures } from '../readers';
import type { ScenarioContext } from '../scenario';
import { TokenAudit } from '../token-audit';

/** Sizes of scenario 5. */
export interface ProviderOutageOptions {
  credentials: number;
  lifetimeS: number;
  outageMs: number;
  readIntervalMs: number;
}

/** Figures of scenario 5. */
export interface ProviderOutageFigures extends LossFigures {
  scenario: 'provider_outage';
  credentials: number;
  outageMs: number;
  lifetimeS: number;
  /** Reads during the outage and until recovery. */
  readers: ReadFigures;
  /** Largest gap between a credential's last 200 read and its token's real expiry (ms): the last valid token served until it expired. */
  maxServedGapBeforeExpiryMs: number;
  /** Credentials seen `degraded` and then `expired` during the outage. */
  degradedThenExpired: number;
  /** Statuses seen per credential, in order (first credential). */
  statusSequenceExample: string[];
  /** Requests that reached the proxy during the outage, by fault. */
  callsByFault: Record<string, number>;
  /** Token endpoint calls per credential per minute during the outage (max over credentials, and mean). */
  callsPerMinuteMax: number;
  callsPerMinuteMean: number;
  /** Credentials active on a new version after the outage, without intervention, and how long the last took. */
  recovered: number;
  notRecovered: { id: string; status: string }[];
  recoveredWithinMs: number;
  /** Longest history of a run of these credentials (events). */
  maxEventsPerRun: number;
  replaysAtProvider: number;
  wedged: number;
  wedges: Wedge[];
  durationS: number;
}

/** Runs scenario 5. */
export async function runProviderOutage(ctx: ScenarioContext, o: ProviderOutageOptions): Promise<ProviderOutageFigures> {
  const { stack } = ctx;
  const started = Date.now();
  const peer = await startOidcPeer({ accessTokenTtlS: o.lifetimeS, rotation: 'strict' });
  const proxy = await startFaultyProxy(Number(new URL(peer.tokenEndpoint).port));
  const readers = new Readers({ url: stack.api.url, key: stack.api.keys.read }, new TokenAudit(), { intervalMs: o.readIntervalMs });
  let creds: Awaited<ReturnType<typeof registerCredentials>> = [];
  let polling = true;
  try {
    if (stack.workers.live.length === 0) await stack.workers.start();
    ctx.step(`registering ${o.credentials} credentials behind the fault proxy`);
    const tokenEndpoint = `${proxy.origin}${new URL(peer.tokenEndpoint).pathname}`;
    creds = await registerCredentials(stack.client, peer, o.credentials, `chaos-${ctx.tag}-outage`, { config: { tokenEndpoint } });
    const ids = creds.map((c) => c.id);
    for (const c of creds) readers.add(c.id, peer);
    const statsBefore = await peer.stats();
    const statuses = new Map<string, CredentialStatus[]>(ids.map((id) => [id, []]));
    const poller = (async () => {
      while (polling) {
        const now = await versionsOf(stack.client, ids);
        for (const [id, d] of now) {
          const seen = statuses.get(id)!;
          if (d && seen.at(-1) !== d.status) seen.push(d.status);
        }
        await pause(1_000);
      }
    })();
    // One refresh each first (the token that expires in the outage is then one Halflife obtained and
    // dated itself), and the outage begins 3 s before the next scheduled refresh, so every fault meets attempts.
    ctx.step('normal operation: one refresh each');
    const first = await waitRecovered(stack.client, new Map(ids.map((id) => [id, 1])), o.lifetimeS * 1000 + 30_000);
    if (first.pending.length) throw new Error(`scenario 5: ${first.pending.length} credentials did not refresh before the outage`);
    const scheduled = await versionsOf(stack.client, ids);
    const nextRefresh = Math.min(...[...scheduled.values()].map((d) => d?.nextRefreshAt ?? Date.now()));
    await pause(nextRefresh - 3_000 - Date.now());
    const before = await versionsOf(stack.client, ids);
    const phases: ProxyMode[] = ['http503', 'hang', 'reset'];
    const outageStart = Date.now();
    for (const [i, mode] of phases.entries()) {
      ctx.step(`provider outage: ${mode} (${i + 1}/3)`);
      proxy.setMode(mode);
      await pause(outageStart + ((i + 1) * o.outageMs) / 3 - Date.now());
    }
    proxy.setMode('pass');
    const outageEnd = Date.now();
    ctx.step('waiting for every credential to recover on its own');
    const recovery = await waitRecovered(stack.client, new Map(ids.map((id) => [id, before.get(id)?.version ?? 0])), 240_000);
    polling = false;
    await poller;
    await readers.stop();

    ctx.step('auditing');
    const during = proxy.requests.filter((r) => r.at >= outageStart && r.at < outageEnd);
    const callsByFault: Record<string, number> = {};
    for (const r of during) callsByFault[r.mode] = (callsByFault[r.mode] ?? 0) + 1;
    const minutes = (outageEnd - outageStart) / 60_000;
    const perCredential = creds.map((c) => during.filter((r) => r.clientId === c.client.clientId).length / minutes);
    // The last valid token served until it expired: per credential, its last 200 before recovery vs that token's expiry.
    let maxServedGapBeforeExpiryMs = 0;
    for (const c of creds) {
      const ok = readers.reads.filter((r) => r.id === c.id && r.status === 200 && r.sentAt >= outageStart && r.version === before.get(c.id)?.version);
      const last = ok.at(-1);
      const expiry = before.get(c.id)?.expiresAt;
      if (last && expiry !== undefined && expiry < outageEnd) maxServedGapBeforeExpiryMs = Math.max(maxServedGapBeforeExpiryMs, expiry - last.sentAt);
    }
    const degradedThenExpired = ids.filter((id) => {
      const seen = statuses.get(id)!;
      const d = seen.indexOf('degraded');
      return d >= 0 && seen.indexOf('expired', d) > d;
    }).length;
    let maxEventsPerRun = 0;
    for (const id of ids) {
      const d = await stack.client.temporal.workflow.getHandle(credentialWorkflowId(id)).describe().catch(() => undefined);
      maxEventsPerRun = Math.max(maxEventsPerRun, d?.historyLength ?? 0);
    }
    const stats = await peer.stats();
    const losses = await lossesOf(peer, stack.client, creds, stack.workers.kills(started));
    const wedges = await wedgesOf(stack.client, ids);
    return {
      scenario: 'provider_outage',
      credentials: creds.length,
      outageMs: outageEnd - outageStart,
      lifetimeS: o.lifetimeS,
      readers: await readers.figures({ from: outageStart }),
      maxServedGapBeforeExpiryMs,
      degradedThenExpired,
      statusSequenceExample: statuses.get(ids[0]!) ?? [],
      callsByFault,
      callsPerMinuteMax: Math.round(Math.max(0, ...perCredential) * 10) / 10,
      callsPerMinuteMean: Math.round((perCredential.reduce((a, b) => a + b, 0) / Math.max(1, perCredential.length)) * 10) / 10,
      recovered: ids.length - recovery.pending.length,
      notRecovered: recovery.pending,
      recoveredWithinMs: recovery.ms,
      maxEventsPerRun,
      replaysAtProvider: stats.replays - statsBefore.replays,
      ...losses,
      wedged: wedges.length,
      wedges,
      durationS: secondsSince(started),
    };
  } finally {
    polling = false;
    await readers.stop().catch(() => undefined);
    await inPool(creds, 8, (c) => stack.client.revoke(c.id).catch(() => undefined));
    await proxy.close();
    await peer.close();
  }
}

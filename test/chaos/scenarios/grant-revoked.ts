/**
 * Scenario 6: the grant is revoked at the provider (a user disconnected the app). The consumer's
 * next call is refused, it reports the version (as after a 401); the refresh is answered
 * `invalid_grant` and the credential must move to `reauth_required` after that one attempt (no
 * retry loop against the provider), then resume when it is given a new grant (`reauthorize`).
 * A webhook subscription (a receiver on loopback) must get one signed `credential.reauth_required`
 * per credential, which verifies with its secret.
 */
import { startOidcPeer } from '../../peers/oidc-peer';
import { wedgesOf, type Wedge } from '../audit';
import { inPool, reauthorizeWithNewGrant, registerCredentials } from '../credentials';
import { pause, secondsSince } from '../figures';
import { verifyWebhook } from '../../../src/webhooks/verify';
import { WebhookClient } from '../../../src/webhooks/webhook-client';
import { startWebhookReceiver } from '../../helpers/webhook-receiver';
import { Readers, type ReadFigures } from '../readers';
import type { ScenarioContext } from '../scenario';
import { TokenAudit } from '../token-audit';
import { waitFor } from '../../helpers/wait';

/** Sizes of scenario 6. */
export interface GrantRevokedOptions {
  credentials: number;
  lifetimeS: number;
  readIntervalMs: number;
}

/** Figures of scenario 6. */
export interface GrantRevokedFigures {
  scenario: 'grant_revoked';
  credentials: number;
  /** Credentials in `reauth_required` after their grant was revoked. */
  reauthRequired: number;
  /** Token requests for a revoked grant, most for one credential (target 1). */
  maxAttemptsAfterRevocation: number;
  /** Slowest revocation-to-`reauth_required` (ms). */
  maxMsToReauthRequired: number;
  /** Last error codes seen. */
  lastErrorCodes: Record<string, number>;
  /** What the consumer's report was answered. */
  reportOutcomes: Record<string, number>;
  /** Credentials active on a newer version after `reauthorize`. */
  resumed: number;
  /** Credentials whose `credential.reauth_required` webhook arrived and verified, and the slowest revocation-to-delivery (ms). */
  notified: number;
  maxMsToNotification: number;
  /** Readers on every credential throughout: `reauth_required` (409) is the expected answer once a grant is revoked; any 5xx is not. */
  readers: ReadFigures;
  wedged: number;
  wedges: Wedge[];
  durationS: number;
}

/** Runs scenario 6. */
export async function runGrantRevoked(ctx: ScenarioContext, o: GrantRevokedOptions): Promise<GrantRevokedFigures> {
  const { stack } = ctx;
  const started = Date.now();
  const peer = await startOidcPeer({ accessTokenTtlS: o.lifetimeS, rotation: 'strict' });
  let creds: Awaited<ReturnType<typeof registerCredentials>> = [];
  const receiver = await startWebhookReceiver();
  const webhooks = new WebhookClient({ temporal: stack.client.temporal, taskQueue: stack.taskQueue });
  let subscription: string | undefined;
  const readers = new Readers({ url: stack.api.url, key: stack.api.keys.read }, new TokenAudit(), { intervalMs: o.readIntervalMs });
  try {
    if (stack.workers.live.length === 0) await stack.workers.start();
    ctx.step(`registering ${o.credentials} credentials`);
    creds = await registerCredentials(stack.client, peer, o.credentials, `chaos-${ctx.tag}-revoked`);
    for (const c of creds) readers.add(c.id, peer);
    const created = await webhooks.create({ url: receiver.url, events: ['credential.reauth_required'], credentials: `chaos-${ctx.tag}-revoked-*` });
    subscription = created.view.id;
    await pause(2_000);
    ctx.step('revoking their grants at the provider');
    const lastErrorCodes: Record<string, number> = {};
    const reportOutcomes: Record<string, number> = {};
    const results = await Promise.all(creds.map(async (c) => {
      const version = (await stack.client.describe(c.id)).version;
      await peer.revokeGrant(c.grants.at(-1)!);
      const revokedAt = Date.now();
      const outcome = await stack.client.refresh(c.id, { staleVersion: version }).then(
        (r) => `${r.refreshed ? 'refreshed' : `not_refreshed:${r.reason ?? 'none'}`}`,
        (err: unknown) => `error:${(err as Error).name}`,
      );
      reportOutcomes[outcome] = (reportOutcomes[outcome] ?? 0) + 1;
      const d = await waitFor(`${c.id} in reauth_required`, async () => {
        const now = await stack.client.describe(c.id);
        return now.status === 'reauth_required' ? now : undefined;
      }, { timeoutMs: 60_000, intervalMs: 200 }).catch(() => undefined);
      const ms = Date.now() - revokedAt;
      if (d?.lastError) lastErrorCodes[d.lastError.code] = (lastErrorCodes[d.lastError.code] ?? 0) + 1;
      return { reauth: d !== undefined, ms, clientId: c.client.clientId, revokedAt, version: d?.version ?? version };
    }));
    // Any retry against the revoked grant would show up in the provider's log within seconds; the webhooks arrive meanwhile.
    await pause(5_000);
    ctx.step('waiting for the reauth_required webhooks');
    const notified: number[] = [];
    for (const [i, c] of creds.entries()) {
      const request = await receiver.waitFor(`${c.id}'s reauth_required webhook`, (rs) => rs.find((r) => r.body.includes(`"id":"${c.id}"`)), 15_000).catch(() => undefined);
      if (!request) continue;
      try {
        verifyWebhook(request.body, request.headers, created.secret);
        notified.push(request.receivedAt - results[i]!.revokedAt);
      } catch {
        // counted as not notified
      }
    }
    const events = await peer.events();
    // By client (one per credential): the provider no longer knows the grant of a revoked token.
    const attempts = results.map((r) => events.filter((e) => e.clientId === r.clientId && e.receivedAt >= r.revokedAt).length);
    ctx.step('giving each a new grant (reauthorize)');
    const resumed = await inPool(creds, 4, async (c, i) => {
      const before = results[i]!.version;
      const version = await reauthorizeWithNewGrant(stack.client, c).catch(() => 0);
      const d = await stack.client.describe(c.id).catch(() => undefined);
      return version > before && d?.status === 'active';
    });
    await pause(3_000); // reads after the reauthorize
    await readers.stop();
    const wedges = await wedgesOf(stack.client, creds.map((c) => c.id));
    return {
      scenario: 'grant_revoked',
      credentials: creds.length,
      reauthRequired: results.filter((r) => r.reauth).length,
      maxAttemptsAfterRevocation: Math.max(0, ...attempts),
      maxMsToReauthRequired: Math.max(0, ...results.map((r) => r.ms)),
      lastErrorCodes,
      reportOutcomes,
      resumed: resumed.filter(Boolean).length,
      readers: await readers.figures(),
      notified: notified.length,
      maxMsToNotification: Math.max(0, ...notified),
      wedged: wedges.length,
      wedges,
      durationS: secondsSince(started),
    };
  } finally {
    await readers.stop().catch(() => undefined);
    if (subscription) await webhooks.remove(subscription).catch(() => undefined);
    await receiver.close();
    await inPool(creds, 8, (c) => stack.client.revoke(c.id).catch(() => undefined));
    await peer.close();
  }
}

/**
 * Kill -9 at chosen instants of a refresh, against the real OpenID peer with strict rotation (a
 * replayed refresh token revokes the whole grant): before the request, while the provider is
 * answering, in the first microseconds after the answer's bytes arrived (the write-ahead is on the
 * socket, the heartbeat is not yet acknowledged), and after the answer is durable. After each
 * kill a clean worker takes over; a credential counts as lost when its grant was revoked at the
 * provider. Only the kill while the request is in flight to a provider without any grace can lose
 * a credential: no client can prevent that one, and the credential then says why it was lost.
 * With a reuse grace window, that case loses nothing either. The full run (more kills, random
 * instants) is `npm run chaos`.
 */
import type { CredentialDescription } from '../../src/credential';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-peer';
import { registerAtPeer, type OidcCredential } from '../helpers/oidc-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { exited, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

type Client = Awaited<ReturnType<typeof openTokenClient>>;

// A 3 s upstream timeout (instead of 15 s) keeps the wait of a retry after an in-flight crash short.
const policy = { upstreamTimeoutMs: 3_000 };
const lifetimeS = 4;

describe('kill -9 at any instant of a refresh (strict-rotation OpenID peer)', () => {
  let peer: OidcPeer;
  const clients: Client[] = [];
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    peer = await startOidcPeer({ accessTokenTtlS: lifetimeS, rotation: 'strict' });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await Promise.all(clients.map((c) => c.shutdown()));
    await peer?.close();
  });

  async function stack(taskQueue: string): Promise<Client> {
    const client = await openTokenClient(taskQueue);
    clients.push(client);
    return client;
  }

  async function worker(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const w = await startWorkerProcess(taskQueue, env);
    workers.push(w);
    return w;
  }

  /** Waits until every credential refreshed twice after `from` and is active; returns their descriptions. */
  async function survived(client: Client, creds: OidcCredential[]): Promise<CredentialDescription[]> {
    return Promise.all(
      creds.map((c) =>
        waitFor(`${c.id} to refresh twice more`, async () => {
          const d = await client.describe(c.id);
          if (d.status === 'reauth_required') throw new Error(`${c.id} was lost: ${d.lastError?.code}: ${d.lastError?.message}`);
          return d.version >= c.token.version + 2 && d.status === 'active' ? d : undefined;
        }, { timeoutMs: 90_000, intervalMs: 200 }),
      ),
    );
  }

  it.each([['before_request'], ['after_answer'], ['after_save']])('a kill at %s loses nothing and replays nothing', async (instant) => {
    const taskQueue = uniqueId(`tq-kill-${instant}`);
    const client = await stack(taskQueue);
    const statsBefore = await peer.stats();
    // Registration (with the grant's own token) needs no provider call, so the seam first fires at a
    // scheduled refresh. One credential: a kill also ends every other request in flight at that
    // instant, which is the in-flight case tested below, not this one.
    const doomed = await worker(taskQueue, { HALFLIFE_TEST_AT: instant, HALFLIFE_TEST_FOR: '*', HALFLIFE_TEST_DO: 'kill' });
    const creds = [await registerAtPeer(client, peer, { policy })];
    await exited(doomed.child);
    expect(doomed.child.signalCode).toBe('SIGKILL'); // the seam killed it, at that instant
    const killedAt = Date.now();
    await worker(taskQueue);
    if (instant !== 'before_request') {
      // The recovered answer's token lives from its request, not from the recovery seconds later.
      const c = creds[0]!;
      const next = await waitFor('the recovered version', async () => {
        const d = await client.describe(c.id);
        return d.version > c.token.version ? d : undefined;
      }, { timeoutMs: 60_000, intervalMs: 100 });
      const decided = (await peer.events()).filter((e) => e.grantId === c.grantId && e.grantType === 'refresh_token' && e.decidedAt !== undefined && e.decidedAt <= killedAt);
      const providerExpiry = Math.max(...decided.map((e) => e.decidedAt!)) + lifetimeS * 1000;
      if (next.version === c.token.version + 1) expect(next.expiresAt!).toBeLessThanOrEqual(providerExpiry);
    }
    await survived(client, creds);
    for (const c of creds) expect(await peer.grant(c.grantId)).toMatchObject({ revoked: false, replays: 0 });
    const statsAfter = await peer.stats();
    expect(statsAfter.replays - statsBefore.replays).toBe(0);
    // After the answer arrived, the retry used the saved answer instead of calling again.
    if (instant !== 'before_request') {
      const recovered = await Promise.all(creds.map((c) => client.describe(c.id)));
      expect(recovered.map((d) => d.status)).toEqual(['active']);
    }
  });

  it('a kill while a strict provider is answering loses the grant, and the credential says it was lost to a crash', async () => {
    const taskQueue = uniqueId('tq-kill-inflight');
    const client = await stack(taskQueue);
    const slow = await startOidcPeer({ accessTokenTtlS: lifetimeS, rotation: 'strict', answerDelayMs: 2_000 });
    try {
      const w = await worker(taskQueue);
      const cred = await registerAtPeer(client, slow, { policy });
      // The provider has committed the rotation and is still answering: kill now.
      await slow.waitForEvent((e) => e.grantId === cred.grantId && e.grantType === 'refresh_token' && e.decidedAt !== undefined && e.answeredAt === undefined, { timeoutMs: 30_000 });
      await w.kill();
      await worker(taskQueue);
      const lost = await waitFor('the replay to be refused', async () => {
        const d = await client.describe(cred.id);
        return d.status === 'reauth_required' ? d : undefined;
      }, { timeoutMs: 90_000, intervalMs: 200 });
      expect(lost.lastError?.code).toMatch(/^invalid_grant_after_crash$/);
      expect(lost.lastError?.message).toMatch(/worker crash/);
      expect(await slow.grant(cred.grantId)).toMatchObject({ revoked: true });
    } finally {
      await slow.close();
    }
  });

  it('with a reuse grace window, a kill while the provider is answering loses nothing', async () => {
    const taskQueue = uniqueId('tq-kill-grace');
    const client = await stack(taskQueue);
    const grace = await startOidcPeer({ accessTokenTtlS: lifetimeS, rotation: { graceMs: 30_000 }, answerDelayMs: 2_000 });
    try {
      const w = await worker(taskQueue);
      const cred = await registerAtPeer(client, grace, { policy, config: { reuseGraceMs: 30_000 } });
      await grace.waitForEvent((e) => e.grantId === cred.grantId && e.grantType === 'refresh_token' && e.decidedAt !== undefined && e.answeredAt === undefined, { timeoutMs: 30_000 });
      await w.kill();
      await grace.setAnswerDelayMs(0);
      await worker(taskQueue);
      await survived(client, [cred]);
      expect(await grace.grant(cred.grantId)).toMatchObject({ revoked: false });
      expect((await grace.grant(cred.grantId))?.graceReplays ?? 0).toBeGreaterThanOrEqual(1);
    } finally {
      await grace.close();
    }
  });
});

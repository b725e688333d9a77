/**
 * Failure handling: a rejected grant stops retries and waits for re-authorization; transient
 * failures degrade the credential while its token stays serviceable, and it recovers.
 */
import { isHalflifeError } from '../../src/errors';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('failures', () => {
  const taskQueue = uniqueId('tq-failures');
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;

  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
    worker = await startWorkerProcess(taskQueue);
    client = await openTokenClient(taskQueue);
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await fake?.close();
  });

  it('invalid_grant leads to reauth_required after exactly one attempt; reauthorize brings it back', async () => {
    fake.setExpiresIn(3600);
    const cred = await registerOAuth2(client, fake);
    const calls = fake.callsFor(cred.clientId);
    fake.rejectNextWith(1, 'invalid_grant');
    const error = await client.refresh(cred.id, { staleVersion: cred.token.version }).catch((e: unknown) => e);
    expect(isHalflifeError(error, 'ReauthRequiredError')).toBe(true);
    expect(fake.callsFor(cred.clientId) - calls).toBe(1);
    const described = await client.describe(cred.id);
    expect(described.status).toBe('reauth_required');
    expect(described.lastError).toMatchObject({ kind: 'reauth', code: 'invalid_grant' });
    // no retry happens on its own
    expect(fake.callsFor(cred.clientId) - calls).toBe(1);

    const token = await client.reauthorize(cred.id, { grant: { refreshToken: fake.issueRefreshToken(cred.clientId) } });
    expect(token.version).toBe(cred.token.version + 1);
    expect(token.status).toBe('active');
    expect((await client.describe(cred.id)).status).toBe('active');
    expect(fake.replays).toBe(0);
    await client.revoke(cred.id);
  });

  it('three 5xx answers then success: degraded while the token stays valid, then active again', async () => {
    fake.setExpiresIn(30);
    const cred = await registerOAuth2(client, fake, { retryInitialMs: 500 });
    fake.failNext(3, { status: 503 });
    const calls = fake.callsFor(cred.clientId);
    const refreshing = client.refresh(cred.id, { staleVersion: cred.token.version });
    const degraded = await waitFor('degraded status', async () => {
      const d = await client.describe(cred.id);
      return d.status === 'degraded' ? d : undefined;
    });
    expect(degraded.lastError).toMatchObject({ kind: 'transient', code: 'http_503' });
    // the token served meanwhile is still the last valid one
    const served = await client.getToken(cred.id);
    expect(served.accessToken).toBe(cred.token.accessToken);
    expect(served.expiresAt).toBeGreaterThan(Date.now());
    const outcome = await refreshing;
    expect(outcome.refreshed).toBe(true);
    expect(fake.callsFor(cred.clientId) - calls).toBe(4);
    const recovered = await client.describe(cred.id);
    expect(recovered.status).toBe('active');
    expect(recovered.counts.failures).toBe(3);
    expect(recovered.lastError).toBeUndefined();
    await client.revoke(cred.id);
  });
});

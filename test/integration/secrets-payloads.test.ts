/**
 * Secrets where they are most exposed, read without the codec: the heartbeat details of a refresh
 * whose answer (new access token, rotated refresh token) is saved but not yet applied, as the raw
 * describe answer shows them, together with the Redis write-ahead log of that answer; and the
 * payloads of `reauthorize` (a new refresh token) and `reconfigure` (a new client secret) updates
 * in raw history. Controls: decoded with the key ring, the same payloads do hold those secrets, so
 * the raw search would find them if they were not encrypted.
 */
import { Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { AesGcmCodec, isEncrypted } from '../../src/codec/aes-gcm-codec';
import { parseKeyring } from '../../src/codec/keyring';
import { parseRegistration } from '../../src/client/registration';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { describeHaystacks, dumpRedis, findSecrets, historyHaystacks, payloadsIn, rawHistories, redisHaystacks } from '../helpers/secrets-scan';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openRedis, openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('no secret in pending heartbeat details, the answer log, or reauthorize/reconfigure payloads', () => {
  const env = testEnv();
  const taskQueue = uniqueId('tq-secret-payloads');
  const codec = new AesGcmCodec(parseKeyring(env.encryptionKeys));
  const redis = openRedis();
  let fake: FakeOAuth2Server;
  let raw: Connection;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    [fake, raw, client] = await Promise.all([startFakeOAuth2Server({ expiresIn: 3600 }), Connection.connect({ address: env.temporalAddress }), openTokenClient(taskQueue)]);
  });
  afterAll(async () => {
    await client?.shutdown();
    for (const w of workers) await w.kill();
    await raw?.close();
    await fake?.close();
    redis.disconnect();
  });

  /** The decoded text of every encrypted payload among `payloads`. */
  async function decodedText(payloads: Payload[]): Promise<string> {
    const decoded = await codec.decode(payloads.filter(isEncrypted));
    return decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8')).join('\n');
  }

  it('a saved answer waiting in the heartbeat details: encrypted in the raw describe answer, and in the Redis write-ahead log', async () => {
    const id = uniqueId('hb');
    const hanging = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_AT: 'after_save', HALFLIFE_TEST_FOR: id, HALFLIFE_TEST_DO: 'hang' });
    workers.push(hanging);
    const cred = await registerOAuth2(client, fake, {}, id);
    const firstRefreshToken = fake.lastRefreshToken as string;
    void client.refresh(id, { staleVersion: cred.token.version }).catch(() => undefined);
    await hanging.waitForOutput(`AT after_save ${id}`);
    const secrets = new Map([
      ['new access token', fake.lastAccessToken as string],
      ['rotated refresh token', fake.lastRefreshToken as string],
      ['first refresh token', firstRefreshToken],
      ['client secret', cred.clientSecret],
    ]);
    expect(secrets.get('rotated refresh token')).not.toBe(firstRefreshToken);

    // The answer is in the pending activity's heartbeat details (control: decoded, it holds the new tokens).
    const details = await waitFor('the answer in the heartbeat details', async () => {
      const d = await raw.workflowService.describeWorkflowExecution({ namespace: env.namespace, execution: { workflowId: credentialWorkflowId(id) } });
      const payloads = (d.pendingActivities?.[0]?.heartbeatDetails?.payloads ?? []) as Payload[];
      const text = await decodedText(payloads);
      return findSecrets([{ name: 'decoded', text }], new Map([['rotated refresh token', secrets.get('rotated refresh token') as string]])).length > 0 ? payloads : undefined;
    });
    expect(details.every(isEncrypted)).toBe(true);
    expect(findSecrets(await describeHaystacks(raw, env.namespace, credentialWorkflowId(id)), secrets)).toEqual([]);

    // The write-ahead log of the same answer is in Redis, encrypted too; the cache still holds v1's token only.
    const entries = await dumpRedis(redis);
    expect(entries.some((e) => e.key.includes(id) && e.key.includes('answer'))).toBe(true);
    expect(findSecrets(redisHaystacks(entries), secrets)).toEqual([]);
    expect(findSecrets(redisHaystacks(entries), new Map([['v1 access token', cred.token.accessToken]]))).not.toEqual([]);

    // A worker without the seam applies the saved answer: nothing was lost while it waited.
    await hanging.kill();
    workers.push(await startWorkerProcess(taskQueue));
    const applied = await waitFor('the saved answer applied', async () => {
      const t = await client.getToken(id);
      return t.version === cred.token.version + 1 ? t : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(applied.accessToken).toBe(secrets.get('new access token'));
    expect(fake.replays).toBe(0);
    await client.revoke(id);
  });

  it('reauthorize and reconfigure payloads: encrypted in raw history, and they are there (decoded)', async () => {
    const ownQueue = uniqueId('tq-secret-updates');
    workers.push(await startWorkerProcess(ownQueue));
    const client = await openTokenClient(ownQueue);
    try {
      await reauthorizeAndReconfigure(client);
    } finally {
      await client.shutdown();
    }
  });

  async function reauthorizeAndReconfigure(client: Awaited<ReturnType<typeof openTokenClient>>): Promise<void> {
    // No cooldown: the refresh after `reconfigure` proves the new secret is in use, and the default
    // cooldown would answer it from the current token (the report before the reauthorize was recent).
    const cred = await registerOAuth2(client, fake, { minRefreshIntervalMs: 0 });
    fake.rejectNextWith(1, 'invalid_grant');
    await expect(client.refresh(cred.id, { staleVersion: cred.token.version })).rejects.toMatchObject({ name: 'ReauthRequiredError' });
    const newRefreshToken = fake.issueRefreshToken(cred.clientId);
    const reauthorized = await client.reauthorize(cred.id, { grant: { refreshToken: newRefreshToken } });
    expect(reauthorized.status).toBe('active');

    // A new client secret, given to the running credential (and to the fake).
    const newSecret = `rotated-secret-${uniqueId('s')}-${uniqueId('s')}`;
    fake.addClient(cred.clientId, newSecret);
    const config = parseRegistration({
      id: cred.id,
      provider: 'oauth2',
      config: { tokenEndpoint: fake.tokenEndpoint, clientId: cred.clientId, clientSecret: newSecret, clientAuth: 'client_secret_basic' },
      grant: { refreshToken: 'rt-unused-0123456789' },
    }).config;
    await client.reconfigure(cred.id, { config });
    const after = await client.refresh(cred.id, { staleVersion: reauthorized.version });
    expect(after.refreshed).toBe(true); // the new secret is the one in use

    const secrets = new Map([
      ['reauthorize refresh token', newRefreshToken],
      ['reconfigure client secret', newSecret],
      ['first client secret', cred.clientSecret],
      ['current refresh token', fake.lastRefreshToken as string],
    ]);
    const runs = await rawHistories(raw, env.namespace, credentialWorkflowId(cred.id));
    const events = runs.flatMap((r) => r.events);
    const updates = events.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name).filter(Boolean);
    expect(updates).toEqual(expect.arrayContaining(['reauthorize', 'reconfigure']));
    expect(findSecrets(runs.flatMap((r) => historyHaystacks(r.runId, r.events)), secrets)).toEqual([]);
    // Control: decoded, the history holds both new secrets (the updates' arguments).
    const decoded = await decodedText(payloadsIn(events));
    const found = new Set(findSecrets([{ name: 'decoded history', text: decoded }], secrets).map((f) => f.secret));
    expect([...found]).toEqual(expect.arrayContaining(['reauthorize refresh token', 'reconfigure client secret']));
    await client.revoke(cred.id);
  }
});

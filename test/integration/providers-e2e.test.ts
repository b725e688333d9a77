/**
 * One end-to-end test per provider on the dev server with real Redis: register, at least two
 * scheduled refreshes (short token lifetimes), the token served from the Redis mirror, rotation
 * events through `subscribe`, and revoke clearing the Redis key.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { TokenView } from '../../src/credential';
import { startFakeGithubServer, type FakeGithubServer } from '../../src/fakes/github-app-server';
import { startFakeJwtBearerServer, type FakeJwtBearerServer } from '../../src/fakes/jwt-bearer-server';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { startFakeWechatServer, type FakeWechatServer } from '../../src/fakes/wechat-server';
import { startFakeWecomServer, type FakeWecomServer } from '../../src/fakes/wecom-server';
import { credentialKey } from '../../src/redis/keys';
import { TokenCache, type CredentialEvent } from '../../src/redis/token-cache';
import { fastPolicy } from '../helpers/oauth2-credential';
import { openRedis, openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

type Case =
  | 'oauth2'
  | 'oauth2_client_credentials'
  | 'oauth2_client_credentials, private_key_jwt'
  | 'jwt_bearer (ES256, metadata)'
  | 'jwt_bearer (service account, RS256)'
  | 'github_app (Enterprise base URL)'
  | 'wechat /cgi-bin/token'
  | 'wechat /cgi-bin/stable_token'
  | 'wecom';

/** Keys made once (a 2048-bit RSA key takes a while). */
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('every provider end to end (dev server, real Redis)', () => {
  const taskQueue = uniqueId('tq-e2e');
  const space = { prefix: 'halflife', namespace: testEnv().namespace };
  const redis = openRedis();
  const cache = new TokenCache(redis, space);
  let oauth: FakeOAuth2Server;
  let wechat: FakeWechatServer;
  let wecom: FakeWecomServer;
  let jwt: FakeJwtBearerServer;
  let github: FakeGithubServer;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;

  beforeAll(async () => {
    [oauth, wechat, wecom, jwt, github, worker, client] = await Promise.all([
      startFakeOAuth2Server({ expiresIn: 3 }),
      // stable_token renews in the last second of a 3 s token
      startFakeWechatServer({ expiresIn: 3, renewWindowMs: 1000 }),
      startFakeWecomServer({ expiresIn: 3 }),
      startFakeJwtBearerServer({ expiresIn: 3 }),
      startFakeGithubServer({ expiresIn: 3, pathPrefix: '/api/v3' }),
      startWorkerProcess(taskQueue),
      openTokenClient(taskQueue),
    ]);
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await Promise.all([oauth?.close(), wechat?.close(), wecom?.close(), jwt?.close(), github?.close()]);
    redis.disconnect();
  });

  /** Registers a credential of `kind` with its own client/app; returns how to count its calls and check tokens. */
  async function register(kind: Case, id: string): Promise<{ token: TokenView; calls: () => number; isValid: (t: string) => boolean; metadata?: Record<string, string> }> {
    const policy = fastPolicy;
    if (kind === 'oauth2_client_credentials, private_key_jwt') {
      const clientId = uniqueId('signed-client');
      jwt.addClient(clientId, ec.publicKey);
      const privateKey = ec.privateKey.export({ format: 'jwk' });
      const reg = await client.register({ id, provider: 'oauth2_client_credentials', config: { tokenEndpoint: jwt.tokenEndpoint, clientId, clientAuth: 'private_key_jwt', privateKey }, policy });
      return { token: reg.token, calls: () => jwt.callsFor(clientId), isValid: (t) => jwt.isValidAccessToken(t) };
    }
    if (kind === 'jwt_bearer (ES256, metadata)') {
      const issuer = uniqueId('svc');
      jwt.addIssuer(issuer, ec.publicKey, ['ES256']);
      jwt.setAnswerExtras({ instance_url: 'https://eu1.example.my' });
      const privateKey = ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
      const config = { tokenEndpoint: jwt.tokenEndpoint, privateKey, issuer, scope: 'api', metadataFields: ['instance_url'] };
      const reg = await client.register({ id, provider: 'jwt_bearer', config, policy });
      return { token: reg.token, calls: () => jwt.callsFor(issuer), isValid: (t) => jwt.isValidAccessToken(t), metadata: { instance_url: 'https://eu1.example.my' } };
    }
    if (kind === 'jwt_bearer (service account, RS256)') {
      const email = `${uniqueId('sa')}@project.iam.gserviceaccount.com`;
      jwt.addIssuer(email, rsa.publicKey, ['RS256']);
      const serviceAccount = JSON.stringify({ type: 'service_account', project_id: 'project', private_key_id: 'kid-1', private_key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: email, token_uri: jwt.tokenEndpoint });
      const reg = await client.register({ id, provider: 'jwt_bearer', config: { serviceAccount, scope: 'https://www.googleapis.com/auth/cloud-platform' }, policy });
      return { token: reg.token, calls: () => jwt.callsFor(email), isValid: (t) => jwt.isValidAccessToken(t) };
    }
    if (kind === 'github_app (Enterprise base URL)') {
      const appId = String(Math.floor(Math.random() * 1e6) + 1);
      const installationId = Math.floor(Math.random() * 1e8) + 1;
      github.addApp(appId, rsa.publicKey);
      github.addInstallation(installationId, { appId, repositories: [{ id: 1, name: 'site' }], permissions: { contents: 'read' } });
      const config = { appId, privateKey: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, installationId, baseUrl: github.baseUrl, repositories: ['site'], metadataFields: ['repository_selection'] };
      const reg = await client.register({ id, provider: 'github_app', config, policy });
      return { token: reg.token, calls: () => github.callsFor(installationId), isValid: (t) => github.isValidToken(t), metadata: { repository_selection: 'selected' } };
    }
    if (kind === 'oauth2' || kind === 'oauth2_client_credentials') {
      const clientId = uniqueId('client');
      const clientSecret = `secret-${uniqueId('s')}`;
      oauth.addClient(clientId, clientSecret);
      const config = { tokenEndpoint: oauth.tokenEndpoint, clientId, clientSecret, clientAuth: kind === 'oauth2' ? 'client_secret_basic' : 'client_secret_post' };
      const reg =
        kind === 'oauth2'
          ? await client.register({ id, provider: 'oauth2', config, grant: { refreshToken: oauth.issueRefreshToken(clientId) }, policy })
          : await client.register({ id, provider: 'oauth2_client_credentials', config, policy });
      return { token: reg.token, calls: () => oauth.callsFor(clientId), isValid: (t) => oauth.isValidAccessToken(t) };
    }
    if (kind === 'wecom') {
      const corpid = uniqueId('corp');
      const corpsecret = `secret-${uniqueId('s')}`;
      wecom.addApp(corpid, corpsecret);
      const reg = await client.register({ id, provider: 'wecom', config: { corpid, corpsecret, baseUrl: wecom.url }, policy });
      return { token: reg.token, calls: () => wecom.callsFor(corpid), isValid: (t) => wecom.isValidAccessToken(t) };
    }
    const appid = uniqueId('wxapp');
    const secret = `secret-${uniqueId('s')}`;
    wechat.addApp(appid, secret);
    const stable = kind === 'wechat /cgi-bin/stable_token';
    const config = { appid, secret, baseUrl: wechat.url, stable, ...(stable ? { renewWindowMs: 1000 } : {}) };
    const reg = await client.register({ id, provider: 'wechat', config, policy });
    return { token: reg.token, calls: () => wechat.callsFor(appid), isValid: (t) => wechat.isValidAccessToken(t) };
  }

  const cases: Case[] = [
    'oauth2',
    'oauth2_client_credentials',
    'oauth2_client_credentials, private_key_jwt',
    'jwt_bearer (ES256, metadata)',
    'jwt_bearer (service account, RS256)',
    'github_app (Enterprise base URL)',
    'wechat /cgi-bin/token',
    'wechat /cgi-bin/stable_token',
    'wecom',
  ];
  it.each(cases)('%s: scheduled refreshes, served from Redis, rotation events, revoke', async (kind) => {
    const id = uniqueId('e2e');
    const events: CredentialEvent[] = [];
    const unsubscribe = await client.subscribe(id, (event) => events.push(event));
    try {
      const cred = await register(kind, id);
      expect(cred.calls()).toBe(1);
      expect(cred.token.version).toBe(1);
      expect(cred.isValid(cred.token.accessToken)).toBe(true);

      // Two scheduled refreshes, each a new token, with nobody asking for them.
      const described = await waitFor('two scheduled refreshes', async () => {
        const d = await client.describe(id);
        return d.version >= 3 ? d : undefined;
      }, { timeoutMs: 20_000, intervalMs: 100 });
      expect(described.counts.refreshes).toBeGreaterThanOrEqual(3);
      expect(described.counts.failures).toBe(0);
      expect(cred.calls()).toBeGreaterThanOrEqual(3);

      // The rotation events arrived through subscribe, in version order.
      const rotations = await waitFor('rotation events for versions 2 and 3', () => {
        const r = events.filter((e) => e.event === 'rotated' && e.credentialId === id);
        return r.some((e) => e.version >= 3) ? r : undefined;
      }, { timeoutMs: 5000 });
      const versions = rotations.map((e) => e.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(versions).toEqual(expect.arrayContaining([2, 3]));
      expect(JSON.stringify(events)).not.toContain(cred.token.accessToken);

      // Redis holds the current token (never a refresh token), and getToken serves it.
      const record = await waitFor('the Redis mirror to hold the current version', async () => {
        const [r, d] = [await cache.read(id), await client.describe(id)];
        return r && r.version === d.version && r.status === 'active' ? r : undefined;
      }, { timeoutMs: 5000, intervalMs: 50 });
      expect(await redis.exists(credentialKey(space, id))).toBe(1);
      expect(cred.isValid(record.accessToken!)).toBe(true);
      expect(JSON.stringify(await redis.hgetall(credentialKey(space, id)))).not.toMatch(/refresh_?token|secret/i);
      const served = await waitFor('getToken to serve the mirrored token', async () => {
        const [s, r] = [await client.getToken(id), await cache.read(id)];
        return r && s.version === r.version && s.accessToken === r.accessToken ? s : undefined;
      }, { timeoutMs: 5000, intervalMs: 50 });
      expect(served.version).toBeGreaterThanOrEqual(3);
      expect(cred.isValid(served.accessToken)).toBe(true);
      // Answer fields kept as metadata (metadataFields) travel with the token: Redis, getToken.
      expect(record.metadata).toEqual(cred.metadata);
      expect(served.metadata).toEqual(cred.metadata);
      expect(JSON.stringify(await redis.hgetall(credentialKey(space, id)))).not.toMatch(/PRIVATE KEY|private_key/);

      await client.revoke(id);
      await waitFor('the revoked event and a tombstone without the token', async () => {
        const tombstone = await cache.read(id);
        return events.some((e) => e.event === 'revoked') && tombstone?.status === 'revoked' && tombstone.accessToken === undefined;
      }, { timeoutMs: 5000 });
      expect(JSON.stringify(await redis.hgetall(credentialKey(space, id)))).not.toContain(served.accessToken);
    } finally {
      await unsubscribe();
      await client.revoke(id).catch(() => undefined);
    }
  });
});

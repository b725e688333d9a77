/**
 * Secrets never in plaintext (issue 5): after several refreshes and a failure whose message echoes
 * secrets, every run of every credential workflow is read from the server WITHOUT the codec (gRPC
 * history API, all pages, all runs) and searched, as protobuf bytes and as JSON, for every refresh
 * token the fakes ever issued, every access token, every client and app secret, in raw, JSON-escaped,
 * URL-encoded and base64 forms. The same for the raw describe and visibility answers, every Redis
 * key (whatever its type: only the access token, only in its credential's cache hash) and every
 * event published on the pub/sub channels.
 *
 * The key-based kinds too (issue 15): a `jwt_bearer` credential from a Google service account key
 * file, an `oauth2_client_credentials` credential with `private_key_jwt` (a JWK), and a
 * `github_app` credential (a PKCS#1 PEM): their private keys (whole, each PEM line, the JWK's `d`)
 * and every signed JWT they presented are searched for in the same places, and in the worker's logs.
 *
 * Negative controls prove the search can fail: a workflow started by a client without the codec
 * carries the same kind of secrets, and the search finds them there (raw in the protobuf, base64 in
 * the JSON); the access token cached in Redis is found by the same Redis scan.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Redis } from 'ioredis';
import { AesGcmCodec } from '../../src/codec/aes-gcm-codec';
import { parseKeyring } from '../../src/codec/keyring';
import type { CredentialDescription } from '../../src/credential';
import { startFakeGithubServer, type FakeGithubServer } from '../../src/fakes/github-app-server';
import { startFakeJwtBearerServer, type FakeJwtBearerServer } from '../../src/fakes/jwt-bearer-server';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { startFakeWechatServer, type FakeWechatServer } from '../../src/fakes/wechat-server';
import { workflowIdPrefix } from '../../src/messages';
import { credentialKey, eventPattern, type KeySpace } from '../../src/redis/keys';
import { TokenCache } from '../../src/redis/token-cache';
import { fastPolicy } from '../helpers/oauth2-credential';
import {
  describeHaystacks,
  dumpRedis,
  findSecrets,
  historyHaystacks,
  privateKeySecrets,
  rawHistories,
  redisHaystacks,
  type Finding,
  type Haystack,
} from '../helpers/secrets-scan';
import { openRedis, openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** Tokens the fakes issued, read from their private maps (the fakes know every token ever issued). */
const issuedRefreshTokens = (fake: FakeOAuth2Server): string[] => [...(fake['refreshTokens'] as Map<string, unknown>).keys()];
const issuedAccessTokens = (fake: FakeOAuth2Server): string[] => [...(fake['accessTokens'] as Map<string, unknown>).keys()];
const issuedWechatTokens = (fake: FakeWechatServer): string[] => [...(fake['tokens'] as Map<string, unknown>).keys()];
/** Every signed JWT (assertion, client assertion, app JWT) the JWT fakes were handed. */
const presentedJwts = (fake: FakeJwtBearerServer | FakeGithubServer): string[] => [...((fake as unknown as { presented: string[] }).presented)];


/** Short-lived tokens, so several cycles happen in a few seconds. */
const policy = { ...fastPolicy, retryInitialMs: 1000, maxCyclesPerRun: 4 };

interface Cred {
  id: string;
  kind: string;
  /** The fake serving it, to stop its injected failures. */
  fake: { clearFailures(): void };
  /** The non-token secrets of its configuration. */
  configSecrets: string[];
  /** Every access token ever issued for it, and every refresh token. */
  accessTokens(): string[];
  refreshTokens(): string[];
  /** Every JWT it signed and presented (assertions, client assertions, app JWTs). */
  signedJwts(): string[];
  upstreamCalls(): number;
}

describe('secrets never reach Temporal history, visibility, Redis or events in plaintext', () => {
  const env = testEnv();
  const taskQueue = uniqueId('tq-secrets');
  const space: KeySpace = { prefix: 'halflife', namespace: env.namespace };
  let rotating: FakeOAuth2Server;
  let clientCredentials: FakeOAuth2Server;
  let wechat: FakeWechatServer;
  let serviceAccountFake: FakeJwtBearerServer;
  let signedClientFake: FakeJwtBearerServer;
  let github: FakeGithubServer;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  let raw: Connection;
  const redis = openRedis();
  const subscriber = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
  const events: { channel: string; message: string }[] = [];
  const creds: Cred[] = [];

  beforeAll(async () => {
    [rotating, clientCredentials, wechat, serviceAccountFake, signedClientFake, github, worker, client, raw] = await Promise.all([
      startFakeOAuth2Server({ expiresIn: 3 }),
      startFakeOAuth2Server({ expiresIn: 3 }),
      startFakeWechatServer({ expiresIn: 3 }),
      startFakeJwtBearerServer({ expiresIn: 3 }),
      startFakeJwtBearerServer({ expiresIn: 3 }),
      startFakeGithubServer({ expiresIn: 3 }),
      startWorkerProcess(taskQueue),
      openTokenClient(taskQueue),
      Connection.connect({ address: env.temporalAddress }),
    ]);
    subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => events.push({ channel, message }));
    await subscriber.psubscribe(eventPattern(space));
  });

  afterAll(async () => {
    for (const cred of creds) await client?.revoke(cred.id).catch(() => undefined);
    await client?.shutdown();
    await worker?.stop();
    await raw?.close();
    await Promise.all([rotating?.close(), clientCredentials?.close(), wechat?.close(), serviceAccountFake?.close(), signedClientFake?.close(), github?.close()]);
    subscriber.disconnect();
    redis.disconnect();
  });

  /** Every secret of every credential, labelled; access tokens only when `withAccessTokens`. */
  function allSecrets(withAccessTokens: boolean): Map<string, string> {
    const secrets = new Map<string, string>();
    for (const cred of creds) {
      cred.configSecrets.forEach((s, i) => secrets.set(`${cred.kind} config secret #${i}`, s));
      cred.refreshTokens().forEach((s, i) => secrets.set(`${cred.kind} refresh token #${i}`, s));
      cred.signedJwts().forEach((s, i) => secrets.set(`${cred.kind} signed JWT #${i}`, s));
      if (withAccessTokens) cred.accessTokens().forEach((s, i) => secrets.set(`${cred.kind} access token #${i}`, s));
    }
    return secrets;
  }

  const describeText = (d: unknown) => JSON.stringify(d);

  it('control: the search finds secrets in a history written by a client without the codec', async () => {
    const plain = new Client({ connection: raw, namespace: env.namespace });
    const secret = { refreshToken: `rt_${uniqueId('ctl')}_${uniqueId('x')}`, clientSecret: `cs-${uniqueId('ctl')}-${uniqueId('y')}` };
    const workflowId = uniqueId('secrets-control');
    // No worker polls this queue: the workflow only has to exist in history.
    // A private key inside a service account key file, as a registration carries it.
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const handle = await plain.workflow.start('noSuchWorkflow', { taskQueue: uniqueId('tq-nobody'), workflowId, args: [{ grant: secret, config: { serviceAccount: { private_key: pem } } }] });
    try {
      const runs = await rawHistories(raw, env.namespace, workflowId);
      const haystacks = runs.flatMap((run) => historyHaystacks(`control ${run.runId}`, run.events));
      const findings = findSecrets(haystacks, new Map(Object.entries(secret)));
      for (const label of Object.keys(secret)) {
        expect(findings).toContainEqual({ secret: label, where: expect.stringMatching(/\(protobuf\)$/), form: 'raw' });
        expect(findings).toContainEqual({ secret: label, where: expect.stringMatching(/\(JSON\)$/), form: expect.stringMatching(/^base64/) });
      }
      // The multi-line PEM is found whole (JSON-escaped in the payload) and line by line.
      expect(findSecrets(haystacks, new Map([['pem', pem]]))).toContainEqual({ secret: 'pem', where: expect.stringMatching(/\(protobuf\)$/), form: 'json-escaped' });
      expect(findSecrets(haystacks, new Map(privateKeySecrets(pem).slice(1).map((line, i) => [`pem line ${i}`, line]))).length).toBeGreaterThanOrEqual(2);
      // A base64 blob that holds the secret at any offset is found too (e.g. an HTTP Basic header).
      const basic = Buffer.from(`client-id:${secret.clientSecret}`).toString('base64');
      expect(findSecrets([{ name: 'basic header', text: `Authorization: Basic ${basic}` }], new Map([['cs', secret.clientSecret]]))).toHaveLength(1);
    } finally {
      await handle.terminate('control done');
    }
  });

  it('refreshes several times and survives failures whose messages echo the secrets', async () => {
    // OAuth 2.0 refresh_token grant (rotating refresh tokens) with client_secret_basic.
    const rtClientId = uniqueId('client');
    const rtSecret = `secret-${uniqueId('rt')}-${uniqueId('rt')}`;
    rotating.addClient(rtClientId, rtSecret);
    const firstRefreshToken = rotating.issueRefreshToken(rtClientId);
    const rtId = uniqueId('sec-rt');
    await client.register({
      id: rtId,
      provider: 'oauth2',
      config: { tokenEndpoint: rotating.tokenEndpoint, clientId: rtClientId, clientSecret: rtSecret, clientAuth: 'client_secret_basic' },
      grant: { refreshToken: firstRefreshToken },
      policy,
    });
    creds.push({
      id: rtId,
      kind: 'oauth2-refresh',
      fake: rotating,
      configSecrets: [rtSecret],
      accessTokens: () => issuedAccessTokens(rotating),
      refreshTokens: () => issuedRefreshTokens(rotating),
      signedJwts: () => [],
      upstreamCalls: () => rotating.callsFor(rtClientId),
    });

    // OAuth 2.0 client_credentials grant with client_secret_post.
    const ccClientId = uniqueId('client');
    const ccSecret = `secret-${uniqueId('cc')}-${uniqueId('cc')}`;
    clientCredentials.addClient(ccClientId, ccSecret);
    const ccId = uniqueId('sec-cc');
    await client.register({
      id: ccId,
      provider: 'oauth2_client_credentials',
      config: { tokenEndpoint: clientCredentials.tokenEndpoint, clientId: ccClientId, clientSecret: ccSecret, clientAuth: 'client_secret_post' },
      policy,
    });
    creds.push({
      id: ccId,
      kind: 'oauth2-client-credentials',
      fake: clientCredentials,
      configSecrets: [ccSecret],
      accessTokens: () => issuedAccessTokens(clientCredentials),
      refreshTokens: () => [],
      signedJwts: () => [],
      upstreamCalls: () => clientCredentials.callsFor(ccClientId),
    });

    // WeChat /cgi-bin/token with an AppSecret.
    const appid = uniqueId('wxapp');
    const appSecret = `appsecret-${uniqueId('wx')}-${uniqueId('wx')}`;
    wechat.addApp(appid, appSecret);
    const wxId = uniqueId('sec-wx');
    await client.register({ id: wxId, provider: 'wechat', config: { appid, secret: appSecret, baseUrl: wechat.url }, policy });
    creds.push({
      id: wxId,
      kind: 'wechat',
      fake: wechat,
      configSecrets: [appSecret],
      accessTokens: () => issuedWechatTokens(wechat),
      refreshTokens: () => [],
      signedJwts: () => [],
      upstreamCalls: () => wechat.callsFor(appid),
    });

    // JWT bearer with a Google service account key file (RSA, PKCS#8 PEM inside its JSON).
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const saEmail = `${uniqueId('sa')}@project.iam.gserviceaccount.com`;
    serviceAccountFake.addIssuer(saEmail, rsa.publicKey);
    const serviceAccount = { type: 'service_account', project_id: 'p', private_key_id: uniqueId('kid'), private_key: saPem, client_email: saEmail, token_uri: serviceAccountFake.tokenEndpoint };
    const saId = uniqueId('sec-sa');
    await client.register({ id: saId, provider: 'jwt_bearer', config: { serviceAccount: JSON.stringify(serviceAccount), scope: 'cloud' }, policy });
    creds.push({
      id: saId,
      kind: 'jwt-bearer-service-account',
      fake: serviceAccountFake,
      configSecrets: privateKeySecrets(saPem),
      accessTokens: () => serviceAccountFake.issuedAccessTokens(),
      refreshTokens: () => [],
      signedJwts: () => presentedJwts(serviceAccountFake),
      upstreamCalls: () => serviceAccountFake.callsFor(saEmail),
    });

    // client_credentials with private_key_jwt (an EC key as a JWK object).
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = ec.privateKey.export({ format: 'jwk' });
    const signedClientId = uniqueId('signed');
    signedClientFake.addClient(signedClientId, ec.publicKey);
    const pkId = uniqueId('sec-pkjwt');
    await client.register({ id: pkId, provider: 'oauth2_client_credentials', config: { tokenEndpoint: signedClientFake.tokenEndpoint, clientId: signedClientId, clientAuth: 'private_key_jwt', privateKey: jwk }, policy });
    creds.push({
      id: pkId,
      kind: 'private-key-jwt',
      fake: signedClientFake,
      configSecrets: [JSON.stringify(jwk), ...privateKeySecrets('', jwk.d)],
      accessTokens: () => signedClientFake.issuedAccessTokens(),
      refreshTokens: () => [],
      signedJwts: () => presentedJwts(signedClientFake),
      upstreamCalls: () => signedClientFake.callsFor(signedClientId),
    });

    // A GitHub App (RSA, PKCS#1 PEM as GitHub hands it out).
    const appKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const appPem = appKey.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const appId = String(Date.now() % 1_000_000);
    github.addApp(appId, appKey.publicKey);
    github.addInstallation(4242, { appId, repositories: [{ id: 1, name: 'site' }], permissions: { contents: 'read' } });
    const ghId = uniqueId('sec-gh');
    await client.register({ id: ghId, provider: 'github_app', config: { appId, privateKey: appPem, installationId: 4242, baseUrl: github.baseUrl }, policy });
    creds.push({
      id: ghId,
      kind: 'github-app',
      fake: github,
      configSecrets: privateKeySecrets(appPem),
      accessTokens: () => github.issuedTokens(),
      refreshTokens: () => [],
      signedJwts: () => presentedJwts(github),
      upstreamCalls: () => github.callsFor(4242),
    });

    await waitFor('two refreshes of each credential', () => creds.every((c) => c.upstreamCalls() >= 3), { timeoutMs: 30_000 });

    // Failures on each, with the provider's message echoing the secrets the request carried, until
    // the test has read the credential's last error (a single failure is visible for only about a
    // second, which a loaded machine's describe round trip can miss).
    const failures = 1000;
    const echo = `echo ${rtSecret} ${rotating.lastRefreshToken ?? ''}`;
    rotating.rejectNextWith(failures, 'temporarily_unavailable', { description: echo });
    clientCredentials.rejectNextWith(failures, 'server_error', { status: 500, description: `echo ${ccSecret}` });
    wechat.failNext(failures, -1, `system busy secret=${appSecret}`);
    serviceAccountFake.rejectNextWith(failures, 'temporarily_unavailable', { description: 'echo {assertion}' });
    signedClientFake.rejectNextWith(failures, 'server_error', { status: 500, description: 'echo {assertion}' });
    github.failNext(failures, 403, { message: 'slow down {jwt}', headers: { 'retry-after': '1' } });

    const lastErrors = new Map<string, string>();
    const settled: CredentialDescription[] = await waitFor(
      'a failure, then more refreshes, on every credential',
      async () => {
        const all = await Promise.all(creds.map((c) => client.describe(c.id)));
        for (const d of all) {
          if (!d.lastError || lastErrors.has(d.id)) continue;
          lastErrors.set(d.id, d.lastError.message);
          creds.find((c) => c.id === d.id)?.fake.clearFailures();
        }
        return all.every((d) => lastErrors.has(d.id) && d.counts.failures >= 1 && d.status === 'active' && d.version >= 5 && d.counts.runs >= 2) ? all : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(rotating.replays).toBe(0);
    // The failure was visible and its message is scrubbed, not only encrypted.
    const described = describeText({ settled, lastErrors: [...lastErrors.values()] });
    expect(findSecrets([{ name: 'describe', text: described }], allSecrets(true))).toEqual([]);
    expect([...lastErrors.values()].join('\n')).toContain('[redacted]');
    // Continue-as-new happened (maxCyclesPerRun 4): several runs to read below.
    expect(settled.every((d) => d.counts.runs >= 2)).toBe(true);
  });

  it('no secret in any run of any credential workflow, read without the codec', async () => {
    expect(creds).toHaveLength(6);
    const haystacks: Haystack[] = [];
    let events = 0;
    for (const cred of creds) {
      const runs = await rawHistories(raw, env.namespace, `${workflowIdPrefix}${cred.id}`);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      for (const run of runs) {
        events += run.events.length;
        haystacks.push(...historyHaystacks(`${cred.id} run ${run.runId}`, run.events));
      }
    }
    expect(events).toBeGreaterThan(50);
    const secrets = allSecrets(true);
    expect(secrets.size).toBeGreaterThan(20);
    const findings: Finding[] = findSecrets(haystacks, secrets);
    expect(findings).toEqual([]);
  });

  it('failure messages and stack traces in history are encoded; decoded, they are scrubbed', async () => {
    const codec = new AesGcmCodec(parseKeyring(env.encryptionKeys));
    const failures: temporal.api.failure.v1.IFailure[] = [];
    for (const cred of creds) {
      for (const run of await rawHistories(raw, env.namespace, `${workflowIdPrefix}${cred.id}`)) {
        for (const event of run.events) {
          const failure = event.activityTaskFailedEventAttributes?.failure;
          if (failure) failures.push(failure);
        }
      }
    }
    // One failed attempt per credential at least (the workflow retries attempts itself).
    expect(failures.length).toBeGreaterThanOrEqual(creds.length);
    const decoded: string[] = [];
    for (const top of failures) {
      for (let failure: temporal.api.failure.v1.IFailure | null | undefined = top; failure; failure = failure.cause) {
        expect(failure.message).toBe('Encoded failure');
        expect(failure.stackTrace ?? '').toBe('');
        expect(failure.encodedAttributes).toBeTruthy();
        const [attributes] = await codec.decode([failure.encodedAttributes as Payload]);
        decoded.push(Buffer.from(attributes?.data ?? []).toString('utf8'));
      }
    }
    const text = decoded.join('\n');
    expect(text).toMatch(/temporarily_unavailable|server_error|errcode -1/);
    expect(text).toContain('rate_limited');
    expect(findSecrets([{ name: 'decoded failure attributes', text }], allSecrets(true))).toEqual([]);
  });

  it('no secret in the raw describe and visibility answers (memo, search attributes, pending activities)', async () => {
    const haystacks: Haystack[] = [];
    for (const cred of creds) {
      const workflowId = `${workflowIdPrefix}${cred.id}`;
      haystacks.push(...(await describeHaystacks(raw, env.namespace, workflowId)));
      const listed = await raw.workflowService.listWorkflowExecutions({ namespace: env.namespace, query: `WorkflowId = '${workflowId}'` });
      haystacks.push({ name: `list ${workflowId}`, text: JSON.stringify(listed) });
    }
    expect(findSecrets(haystacks, allSecrets(true))).toEqual([]);
  });

  it('no key, signed JWT or other secret in the worker\'s logs, nor in getToken answers', async () => {
    const logs = worker.output();
    expect(logs).toContain('WORKER READY');
    expect(findSecrets([{ name: 'worker logs', text: logs }], allSecrets(true))).toEqual([]);
    const served = await Promise.all(creds.map((c) => client.getToken(c.id)));
    expect(findSecrets([{ name: 'getToken answers', text: JSON.stringify(served) }], allSecrets(false))).toEqual([]);
    // Control: the signed JWTs searched for are real ones (every key-based credential signed several).
    for (const cred of creds.filter((c) => c.signedJwts().length > 0)) expect(cred.signedJwts().length).toBeGreaterThanOrEqual(3);
  });

  it('Redis: no refresh token or secret in any key; access tokens only in their own credential hash', async () => {
    const cache = new TokenCache(redis, space);
    // Wait until Redis holds each credential's current version, so the control below is meaningful.
    const cached = await waitFor('Redis to mirror every credential', async () => {
      const records = await Promise.all(creds.map((c) => cache.read(c.id)));
      return records.every((r) => r?.accessToken) ? records : undefined;
    });
    const entries = await dumpRedis(redis);
    const haystacks = redisHaystacks(entries);
    expect(findSecrets(haystacks, allSecrets(false))).toEqual([]);
    for (const [index, cred] of creds.entries()) {
      const tokens = new Map(cred.accessTokens().map((t, i) => [`${cred.kind} access token #${i}`, t]));
      const found = findSecrets(haystacks, tokens);
      // Control: the scan finds the token the cache holds, where consumers read it.
      expect(found.length).toBeGreaterThanOrEqual(1);
      expect(cred.accessTokens()).toContain(cached[index]?.accessToken);
      for (const finding of found) expect(finding.where).toBe(`${credentialKey(space, cred.id)}#record`);
    }
  });

  it('pub/sub: events were published and carry no token and no secret', async () => {
    for (const cred of creds) {
      expect(events.filter((e) => e.channel.endsWith(`:events:${cred.id}`)).length).toBeGreaterThanOrEqual(3);
    }
    const haystacks = events.map((e, i) => ({ name: `event ${i} on ${e.channel}`, text: `${e.channel}\u0000${e.message}` }));
    expect(findSecrets(haystacks, allSecrets(true))).toEqual([]);
    // The events name the credential and the version, so consumers know to re-read the hash.
    expect(JSON.parse(events[0]?.message ?? '{}')).toEqual(expect.objectContaining({ credentialId: expect.any(String), version: expect.any(Number) }));
  });
});

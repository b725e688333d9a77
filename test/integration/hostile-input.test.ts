/**
 * Issue 20: the bad-input corpus against the real API listening on a port, with a TokenClient on
 * the test Temporal dev server and Redis and a real credential worker behind it. Every answer must
 * be in the documented error shape (or a success), none a 5xx, none carry a secret; the egress
 * rules are table-tested through registration in every spelling. And DNS rebinding: a name that
 * resolved to an allowed address at registration and to a denied one at call time is refused by
 * the worker's egress fetch (the resolver is injected).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { ApiKeys } from '../../src/api/keys';
import { createApiServer } from '../../src/api/server';
import { AesGcmCodec } from '../../src/codec/aes-gcm-codec';
import { createWorkerDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { egressPolicyFromEnv, type ResolvedAddress } from '../../src/egress';
import { errorCodes } from '../../src/errors';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { createLogger } from '../../src/logger';
import { createCredentialWorker } from '../../src/worker';
import { buildCorpus, type CorpusCase } from '../helpers/hostile-corpus';
import { buildRequest, rawRequest, type RawResponse } from '../helpers/raw-http';
import { findSecrets, type Haystack } from '../helpers/secrets-scan';
import { openRedis, openTokenClient, testEnv, testStateDir, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

const keys = { admin: `hi-admin-${uniqueId('k')}-0123456789`, scopedAdmin: `hi-billing-${uniqueId('k')}-0123456789`, read: `hi-read-${uniqueId('k')}-0123456789` };
const secrets = { clientSecret: `cs-${uniqueId('s')}-${uniqueId('s')}`, refreshToken: '', appSecret: `as-${uniqueId('s')}-${uniqueId('s')}` };
const allowedCodes = new Set<string>(Object.values(errorCodes));

/** What the resolver of the worker's egress fetch answers, by host name (tests change it). */
const dns = new Map<string, string[]>();
const lookup = async (hostname: string): Promise<ResolvedAddress[]> => {
  const addresses = dns.get(hostname.toLowerCase());
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** A TCP forwarder to `port` on 127.0.0.1 whose connections the test can drop (so the worker must open, and check, a new one). */
async function startForwarder(port: number): Promise<{ port: number; drop(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const drop = () => sockets.forEach((s) => s.destroy());
  return {
    port: (server.address() as AddressInfo).port,
    drop,
    close: () => new Promise<void>((resolve) => (drop(), server.close(() => resolve()))),
  };
}

/** The problems of one answer, against the invariants and the case's own expectations. */
function problemsOf(c: CorpusCase, res: RawResponse): string[] {
  const problems: string[] = [];
  if (res.status === 0) return ['no answer (connection closed without a status line)'];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  if (res.raw.includes('"statusCode"') || res.raw.includes('"Bad Request"')) problems.push("Fastify's default error body");
  const expected = c.status === undefined ? undefined : [c.status].flat();
  if (expected && !expected.includes(res.status)) problems.push(`status ${res.status}, expected ${expected.join('|')}`);
  const head = c.request.subarray(0, 5).toString('latin1') === 'HEAD ';
  if (res.status >= 400 && !head) {
    let body: { error?: Record<string, unknown> } | undefined;
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch {
      problems.push(`body is not JSON: ${JSON.stringify(res.body.slice(0, 80))}`);
    }
    const error = body?.error;
    const keysOk = body !== undefined && Object.keys(body).join() === 'error';
    const fieldsOk = error !== undefined && Object.keys(error).every((k) => ['code', 'message', 'field', 'rule'].includes(k));
    const typesOk = typeof error?.code === 'string' && typeof error.message === 'string' && ['undefined', 'string'].includes(typeof error.field) && ['undefined', 'string'].includes(typeof error.rule);
    if (body && !(keysOk && fieldsOk && typesOk)) problems.push(`not the error shape: ${res.body.slice(0, 120)}`);
    if (typeof error?.code === 'string' && !allowedCodes.has(error.code)) problems.push(`unknown code ${error.code}`);
    if (!/json/.test(res.headers['content-type'] ?? '')) problems.push(`content-type ${res.headers['content-type']}`);
    if (c.code !== undefined && error?.code !== c.code) problems.push(`code ${String(error?.code)}, expected ${c.code}`);
    // A field inside the named one (`metadata_fields.0`, `service_account.type`) names it too.
    const named = typeof error?.field === 'string' && (error.field === c.field || error.field.startsWith(`${c.field}.`));
    if (c.field !== undefined && !named) problems.push(`field ${String(error?.field)}, expected ${c.field}`);
    if (c.rules !== undefined && !c.rules.includes(String(error?.rule))) problems.push(`rule ${String(error?.rule)}, expected ${c.rules.join('|')} (${String(error?.message)})`);
    if (typeof error?.field === 'string' && error.field.length > 40) problems.push(`a long field name: ${error.field.slice(0, 60)}`);
  }
  for (const text of c.mustNotEcho ?? []) if (res.raw.includes(text) || res.body.includes(text)) problems.push(`echoes ${JSON.stringify(text.slice(0, 30))}`);
  return problems;
}

/** Runs `items` through `run`, `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T);
    }
  }));
  return results;
}

describe('hostile input against the running API', () => {
  const taskQueue = uniqueId('tq-hostile');
  const logLines: string[] = [];
  const existingId = uniqueId('hostile-existing');
  const clientId = uniqueId('hostile-client');
  let fake: FakeOAuth2Server;
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  let redis: Redis;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    const env = testEnv();
    fake = await startFakeOAuth2Server();
    fake.addClient(clientId, secrets.clientSecret);
    secrets.refreshToken = fake.issueRefreshToken(clientId);
    const fakePort = new URL(fake.url).port;
    dns.set('idp.test', ['127.0.0.1']);
    dns.set('rebind.test', ['127.0.0.1']);
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Already installed in this process by an earlier test file: keep its logger.
    }
    connection = await NativeConnection.connect({ address: env.temporalAddress });
    worker = await createCredentialWorker({
      connection,
      namespace: env.namespace,
      taskQueue,
      workflowBundlePath: env.workflowBundlePath,
      dataConverter: createWorkerDataConverter(parseKeyring(env.encryptionKeys)),
      // Development (loopback allowed: the fake listens on 127.0.0.1), names resolved by `lookup`.
      egressPolicy: egressPolicyFromEnv({}, { development: true }),
      egressLookup: lookup,
      shutdownGraceTimeMs: 2_000,
    });
    running = worker.run();
    client = await openTokenClient(taskQueue);
    redis = openRedis();
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) });
    app = createApiServer({
      tokenClient: client,
      keys: ApiKeys.of([
        { key: keys.admin, scopes: ['admin'], credentials: '*' },
        { key: keys.scopedAdmin, scopes: ['admin'], credentials: 'billing-*' },
        { key: keys.read, scopes: ['read'], credentials: '*' },
      ]),
      health: { temporal: async () => true, redis: async () => (await redis.ping()) === 'PONG' },
      codec: { codec: new AesGcmCodec(parseKeyring(env.encryptionKeys)) },
      logger: createLogger('debug', sink),
      // Production rules at registration: loopback, private and metadata destinations are refused.
      egressPolicy: egressPolicyFromEnv({}, { development: false }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    const put = await rawRequest(port, buildRequest('PUT', `/v1/credentials/${existingId}`, {
      headers: { Authorization: `Bearer ${keys.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'oauth2', token_endpoint: `http://idp.test:${fakePort}/token`, allow_insecure_http: true, client_id: clientId, client_secret: secrets.clientSecret, refresh_token: secrets.refreshToken, min_refresh_interval_s: 0 }),
    }));
    expect(put.status).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
    await client?.shutdown();
    redis?.disconnect();
    worker?.shutdown();
    await running;
    await connection?.close();
    await fake?.close();
  });

  it('answers the whole bad-input corpus in the error shape: no 5xx, no secret, every expectation met', async () => {
    const corpus = buildCorpus({ existingId, keys, secrets });
    const started = Date.now();
    const durations: number[] = new Array(corpus.length).fill(0);
    const answers = await pool(corpus.map((c, i) => [c, i] as const), 8, async ([c, i]) => {
      const at = Date.now();
      const answer = await rawRequest(port, c.request);
      durations[i] = Date.now() - at;
      return answer;
    });
    const elapsedMs = Date.now() - started;
    const failures = corpus.flatMap((c, i) => problemsOf(c, answers[i] as RawResponse).map((p) => `[${c.group}] ${c.name}: ${p}`));
    const haystacks: Haystack[] = answers.map((a, i) => ({ name: `${corpus[i]?.group} ${corpus[i]?.name}`, text: a.raw + a.body }));
    haystacks.push({ name: 'API log', text: logLines.join('') });
    const secretMap = new Map<string, string>([['client secret', secrets.clientSecret], ['refresh token', secrets.refreshToken], ['app secret', secrets.appSecret], ['admin key', keys.admin], ['scoped key', keys.scopedAdmin], ['read key', keys.read]]);
    const found = findSecrets(haystacks, secretMap);

    const byGroup: Record<string, number> = {};
    const statuses: Record<string, number> = {};
    corpus.forEach((c, i) => {
      byGroup[c.group] = (byGroup[c.group] ?? 0) + 1;
      const status = String(answers[i]?.status);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    const sorted = [...durations].sort((a, b) => a - b);
    const slowest = durations.map((ms, i) => ({ ms, name: `${corpus[i]?.group} ${corpus[i]?.name}` })).sort((a, b) => b.ms - a.ms).slice(0, 5);
    const latencyMs = { p50: sorted[Math.floor(sorted.length / 2)], p99: sorted[Math.floor(sorted.length * 0.99)], max: sorted[sorted.length - 1] };
    const summary = { requests: corpus.length, elapsedMs, latencyMs, slowest, byGroup, statuses, failures: failures.length, fiveXx: answers.filter((a) => a.status >= 500).length, secretsFound: found.length };
    fs.writeFileSync(path.join(testStateDir, 'hostile-input-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

    expect(corpus.length).toBeGreaterThanOrEqual(1500);
    expect(failures.slice(0, 40)).toEqual([]);
    expect(found).toEqual([]);
    expect(summary.fiveXx).toBe(0);
  });

  it('logs carry no made-up field name, no query string as sent, no secret', async () => {
    const made = 'zz_sk_live_NOTAFIELD0123456789abcdef';
    const res = await rawRequest(port, buildRequest('GET', `/v1/credentials/${existingId}/token?${made}=1`, { headers: { Authorization: `Bearer ${keys.read}` } }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'invalid_request', message: 'zz_sk_li…: is not a parameter of this route', field: 'zz_sk_li…' } });
    await waitFor('the log line of that request', () => logLines.some((l) => l.includes('request completed') && l.includes('"status":400')));
    const log = logLines.join('');
    expect(log).not.toContain(made);
    expect(log).toContain('"route":"/v1/credentials/:id/token"');
  });

  it('refuses a name that resolves to a denied address at call time (DNS rebinding), through the real worker', async () => {
    const forwarder = await startForwarder(Number(new URL(fake.url).port));
    const call = (method: string, target: string, body?: unknown) =>
      rawRequest(port, buildRequest(method, target, { headers: { Authorization: `Bearer ${keys.admin}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }));
    try {
      for (const [step, addresses, rule] of [
        ['metadata', ['169.254.169.254'], 'metadata_address'],
        ['a private address among allowed ones', ['127.0.0.1', '10.0.0.7'], 'private_address'],
        ['IPv4-mapped metadata', ['::ffff:169.254.169.254'], 'metadata_address'],
      ] as const) {
        const id = uniqueId('hostile-rebind');
        const name = `${id}.rebind.test`;
        const rebindClient = uniqueId('rebind-client');
        dns.set(name, ['127.0.0.1']);
        const registration = { provider: 'oauth2', token_endpoint: `http://${name}:${forwarder.port}/token`, allow_insecure_http: true, client_id: rebindClient, client_secret: `rs-${uniqueId('s')}-${uniqueId('s')}`, refresh_token: fake.issueRefreshToken(rebindClient), min_refresh_interval_s: 0 };
        fake.addClient(rebindClient, registration.client_secret);
        const put = await call('PUT', `/v1/credentials/${id}`, registration);
        expect(put.status).toBe(201);
        const version = (JSON.parse(put.body) as { token: { version: number } }).token.version;

        // Control: a new connection while the name still resolves to loopback reaches the token endpoint.
        forwarder.drop();
        const allowed = await call('POST', `/v1/credentials/${id}/refresh`, { stale_version: version });
        expect([allowed.status, JSON.parse(allowed.body).refreshed]).toEqual([200, true]);
        const calls = fake.callsFor(rebindClient);

        // The name now resolves to a denied address; the kept-alive connection (to the address checked when it was opened) is dropped.
        dns.set(name, [...addresses]);
        forwarder.drop();
        const refused = await call('POST', `/v1/credentials/${id}/refresh`, { stale_version: version + 1 });
        expect([200, 409, 502, 503]).toContain(refused.status);
        if (refused.status === 200) expect(JSON.parse(refused.body)).toMatchObject({ refreshed: false });
        const described = await waitFor(`last_error after ${step}`, async () => {
          const d = JSON.parse((await call('GET', `/v1/credentials/${id}`)).body) as { last_error?: { code: string; message: string } };
          return d.last_error?.code === 'egress_denied' ? d : undefined;
        });
        expect(described.last_error?.message).toContain(rule);
        expect(described.last_error?.message).not.toMatch(/169\.254|10\.0\.0\.7/);
        expect(fake.callsFor(rebindClient)).toBe(calls);
      }
    } finally {
      await forwarder.close();
    }
  });
});

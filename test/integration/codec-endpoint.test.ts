/**
 * The Web UI codec endpoint with the real key ring, over real HTTP (issue 5): the API server listens
 * on a loopback port, and the payloads posted to `/codec/decode` are the real encrypted payloads of
 * a running credential's raw history. Without a key (on a server that does not admit keyless
 * loopback callers) it answers 401 (403 for a key that does not cover every credential); with a key holding `read` over every credential it answers the
 * payloads decoded and redacted: shape, version, expiry and the last four characters of secrets,
 * never a secret. Browser preflights from the UI origin get the CORS headers the UI needs.
 *
 * The endpoint under test is the product's: `halflife api` as a child process, configured from the
 * environment (`NODE_ENV=production` for the strict one, the development default for the one that
 * admits keyless loopback callers). Control: the same request to an API server built by hand with
 * `redact: false` (no configuration of the service turns redaction off) does show the secrets, so
 * the search below would catch a redaction that stopped working.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { ApiKeys, type ApiKeyConfig } from '../../src/api/keys';
import { createApiServer } from '../../src/api/server';
import { AesGcmCodec, isEncrypted, keyIdMetadataKey } from '../../src/codec/aes-gcm-codec';
import type { WirePayload } from '../../src/codec/codec-server';
import { generateKey, parseKeyring } from '../../src/codec/keyring';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { workflowIdPrefix } from '../../src/messages';
import { startApiProcess, type ApiProcessHandle } from '../helpers/api-process';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { findSecrets, metadataText, payloadsIn, rawHistories } from '../helpers/secrets-scan';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const uiOrigin = 'http://localhost:8233';
const readAllKey = 'codec-it-read-all-0000000001';
const teamKey = 'codec-it-team-admin-000000001';
const keyConfig: ApiKeyConfig[] = [
  { key: readAllKey, scopes: ['read'], credentials: '*', name: 'ui' },
  { key: teamKey, scopes: ['admin'], credentials: 'team-*', name: 'team' },
];

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (fetch would refuse to set `Origin`). */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<HttpAnswer> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { ...headers, ...(text !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const wireText = (w: WirePayload, key: string) => Buffer.from(w.metadata?.[key] ?? '', 'base64').toString('utf8');
const wireData = (w: WirePayload) => Buffer.from(w.data ?? '', 'base64').toString('utf8');

describe('codec endpoint: real key ring, real history payloads, real HTTP', () => {
  const env = testEnv();
  const taskQueue = uniqueId('tq-codec');
  const codec = new AesGcmCodec(parseKeyring(env.encryptionKeys));
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  let raw: Connection;
  const servers: FastifyInstance[] = [];
  const apis: ApiProcessHandle[] = [];
  let strict: string;
  let devLoopback: string;
  let unredacted: string;
  let credentialId: string;
  let secrets: Map<string, string>;
  let historyPayloads: WirePayload[];

  /** The product's API (`halflife api`), in production mode or not; returns its base URL. */
  async function product(production: boolean): Promise<string> {
    const api = await startApiProcess(taskQueue, keyConfig, { HALFLIFE_UI_ORIGINS: uiOrigin, ...(production ? { NODE_ENV: 'production' } : {}) });
    apis.push(api);
    return api.url;
  }

  /** The control: an API server built by hand with redaction off. */
  async function unredactedServer(): Promise<string> {
    const app = createApiServer({ tokenClient: client, keys: ApiKeys.of(keyConfig), health: { temporal: async () => true }, codec: { codec, allowLoopbackWithoutKey: false, redact: false }, uiOrigins: [uiOrigin] });
    servers.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    [fake, worker, client, raw] = await Promise.all([
      startFakeOAuth2Server({ expiresIn: 3 }),
      startWorkerProcess(taskQueue),
      openTokenClient(taskQueue),
      Connection.connect({ address: env.temporalAddress }),
    ]);
    [strict, devLoopback, unredacted] = await Promise.all([product(true), product(false), unredactedServer()]);

    const cred = await registerOAuth2(client, fake);
    credentialId = cred.id;
    await waitFor('two refreshes', async () => (await client.describe(cred.id)).version >= 3, { timeoutMs: 20_000 });
    const runs = await rawHistories(raw, env.namespace, `${workflowIdPrefix}${cred.id}`);
    historyPayloads = payloadsIn(runs.flatMap((r) => r.events)).filter(isEncrypted).map(toWire);
    const tokens = [...(fake['refreshTokens'] as Map<string, unknown>).keys(), ...(fake['accessTokens'] as Map<string, unknown>).keys()];
    secrets = new Map([['client secret', cred.clientSecret], ...tokens.map((t, i): [string, string] => [`token #${i}`, t])]);
  });

  afterAll(async () => {
    for (const app of servers) await app.close();
    for (const api of apis) await api.stop();
    if (credentialId) await client?.revoke(credentialId).catch(() => undefined);
    await client?.shutdown();
    await worker?.stop();
    await raw?.close();
    await fake?.close();
  });

  it('the history payloads are real: encrypted with the test key, many of them', () => {
    expect(historyPayloads.length).toBeGreaterThan(5);
    for (const p of historyPayloads) expect(wireText(p, keyIdMetadataKey)).toBe(parseKeyring(env.encryptionKeys).encryptionKeyId);
  });

  it('refuses callers without a key or with a wrong key (401), and a key not covering every credential (403)', async () => {
    const body = { payloads: historyPayloads };
    const forbidden = await send(strict, 'POST', '/codec/decode', { authorization: `Bearer ${teamKey}`, origin: uiOrigin, 'x-namespace': env.namespace }, body);
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body)).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect(forbidden.body).not.toContain(historyPayloads[0]?.data?.slice(0, 16));
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-a-configured-key-0000' },
      { authorization: `Basic ${Buffer.from(`ui:${readAllKey}`).toString('base64')}` },
    ];
    for (const headers of cases) {
      for (const path of ['/codec/decode', '/codec/encode']) {
        const res = await send(strict, 'POST', path, { ...headers, origin: uiOrigin, 'x-namespace': env.namespace }, body);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(JSON.parse(res.body)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
        // The UI can read the refusal (CORS), and it echoes nothing of the request.
        expect(res.headers['access-control-allow-origin']).toBe(uiOrigin);
        expect(res.body).not.toContain(historyPayloads[0]?.data?.slice(0, 16));
      }
    }
  });

  it('with a key: decodes every history payload, redacted (shape, version, expiry, last four characters)', async () => {
    const res = await send(strict, 'POST', '/codec/decode', { authorization: `Bearer ${readAllKey}`, origin: uiOrigin, 'x-namespace': env.namespace }, { payloads: historyPayloads });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(uiOrigin);
    const decoded = (JSON.parse(res.body) as { payloads: WirePayload[] }).payloads;
    expect(decoded).toHaveLength(historyPayloads.length);
    for (const p of decoded) expect(wireText(p, 'encoding')).not.toBe('binary/encrypted');
    const texts = decoded.map(wireData);
    const all = texts.join('\n');
    // No secret, in any form, neither in the HTTP body (base64) nor in the decoded data.
    expect(findSecrets([{ name: 'HTTP body', text: res.body }, { name: 'decoded data', text: all }], secrets)).toEqual([]);
    // What an operator does see: the shape of secrets and the non-secret state.
    const initialRefreshToken = [...secrets.values()].find((s) => s.startsWith('rt_')) as string;
    expect(all).toContain(JSON.stringify({ redacted: true, length: initialRefreshToken.length, last4: initialRefreshToken.slice(-4) }));
    expect(all).toMatch(/"clientSecret":\{"redacted":true,"length":\d+,"last4":"[^"]{4}"\}/);
    expect(all).toMatch(/"accessToken":\{"redacted":true,"length":\d+,"last4":"[^"]{4}"\}/);
    expect(all).toMatch(/"version":\d+/);
    expect(all).toMatch(/"expiresAt":\d{13}/);
    expect(all).toContain(credentialId);
  });

  it('control: with redaction off the same payloads do show the secrets', async () => {
    const res = await send(unredacted, 'POST', '/codec/decode', { authorization: `Bearer ${readAllKey}` }, { payloads: historyPayloads });
    expect(res.status).toBe(200);
    const all = (JSON.parse(res.body) as { payloads: WirePayload[] }).payloads.map(wireData).join('\n');
    const found = new Set(findSecrets([{ name: 'decoded', text: all }], secrets).map((f) => f.secret));
    expect(found).toContain('client secret');
    expect(found.size).toBeGreaterThan(3);
  });

  it('development: a keyless loopback caller is admitted only where configured, and still gets redacted payloads', async () => {
    expect((await send(strict, 'POST', '/codec/decode', {}, { payloads: historyPayloads })).status).toBe(401);
    const res = await send(devLoopback, 'POST', '/codec/decode', { origin: uiOrigin }, { payloads: historyPayloads });
    expect(res.status).toBe(200);
    const all = (JSON.parse(res.body) as { payloads: WirePayload[] }).payloads.map(wireData).join('\n');
    expect(findSecrets([{ name: 'HTTP body', text: res.body }, { name: 'decoded', text: all }], secrets)).toEqual([]);
    expect(all).toContain('"redacted":true');
    // A key that is presented must still be valid, even from loopback.
    expect((await send(devLoopback, 'POST', '/codec/decode', { authorization: 'Bearer not-a-configured-key-0000' }, { payloads: [] })).status).toBe(401);
  });

  it('a payload under a key the ring does not hold comes back as it was, still encrypted', async () => {
    const foreign = new AesGcmCodec(parseKeyring(generateKey('k9')));
    const [encrypted] = await foreign.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"refreshToken":"rt_foreign_secret_0123456789"}') }]);
    const wire = toWire(encrypted as Payload);
    const res = await send(strict, 'POST', '/codec/decode', { authorization: `Bearer ${readAllKey}` }, { payloads: [wire, historyPayloads[0]] });
    expect(res.status).toBe(200);
    const [back, ok] = (JSON.parse(res.body) as { payloads: WirePayload[] }).payloads;
    expect(back).toEqual(wire);
    expect(wireText(ok as WirePayload, 'encoding')).not.toBe('binary/encrypted');
  });

  it('encodes with the current key: the codec of workers and clients reads the answer', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"hello":"world"}') };
    const res = await send(strict, 'POST', '/codec/encode', { authorization: `Bearer ${readAllKey}` }, { payloads: [toWire(plain)] });
    expect(res.status).toBe(200);
    const [wire] = (JSON.parse(res.body) as { payloads: WirePayload[] }).payloads;
    expect(wireText(wire as WirePayload, 'encoding')).toBe('binary/encrypted');
    const payload: Payload = {
      metadata: Object.fromEntries(Object.entries(wire?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(wire?.data ?? '', 'base64'),
    };
    expect(metadataText(payload, keyIdMetadataKey)).toBe('test1');
    const [decoded] = await codec.decode([payload]);
    expect(Buffer.from(decoded?.data ?? []).toString()).toBe('{"hello":"world"}');
  });

  it('answers the browser preflight from the UI origin with the headers the UI needs, and nothing to other origins', async () => {
    const preflight = {
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-namespace',
    };
    for (const path of ['/codec/decode', '/codec/encode']) {
      const res = await send(strict, 'OPTIONS', path, { ...preflight, origin: uiOrigin });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(uiOrigin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
      const allowed = String(res.headers['access-control-allow-headers']).toLowerCase();
      for (const header of ['authorization', 'content-type', 'x-namespace']) expect(allowed).toContain(header);
      expect(String(res.headers.vary)).toContain('Origin');

      const other = await send(strict, 'OPTIONS', path, { ...preflight, origin: 'https://evil.example' });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect(other.headers['access-control-allow-credentials']).toBeUndefined();
    }
    // The API's own routes are not opened to browsers.
    const api = await send(strict, 'OPTIONS', `/v1/credentials/${credentialId}/token`, { ...preflight, origin: uiOrigin });
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });
});

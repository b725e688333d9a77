import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { AesGcmCodec } from '../../../src/codec/aes-gcm-codec';
import { codecRoutes, type CodecRoutesOptions, type WirePayload } from '../../../src/codec/codec-server';
import { Keyring } from '../../../src/codec/keyring';

// light-my-request (behind fastify.inject) requires `cookie` 2, which is ESM only: jest on Node 20
// cannot `require` it. These tests set no cookies, so a stand-in is enough.
jest.mock('cookie', () => ({
  stringifySetCookie: () => {
    throw new Error('cookies are not supported in these tests');
  },
}));

const codec = new AesGcmCodec(new Keyring([['k1', randomBytes(32)]]));
const uiOrigin = 'http://localhost:8233';
const apiKey = 'codec-test-key-0000';
const auth = { authorization: `Bearer ${apiKey}` };
const refreshToken = 'rt-secret-in-history-abcdef123456';
const state = { grant: { refreshToken }, token: { accessToken: 'at-secret-zyxw98765432', expiresAt: 1_900_000_000_000 }, version: 4 };

const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromWire = (w: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(w.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(w.data ?? '', 'base64'),
});
const dataText = (w: WirePayload | undefined) => Buffer.from(w?.data ?? '', 'base64').toString('utf8');

async function server(options: Partial<CodecRoutesOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(codecRoutes, {
    prefix: '/codec',
    codec,
    corsOrigins: [uiOrigin],
    authorize: (request) => request.headers.authorization === `Bearer ${apiKey}`,
    ...options,
  });
  return app;
}

async function encodedState(): Promise<WirePayload[]> {
  return (await codec.encode([defaultPayloadConverter.toPayload(state)])).map(toWire);
}

describe('codec endpoint', () => {
  let app: FastifyInstance;
  beforeEach(async () => {
    app = await server();
  });
  afterEach(() => app.close());

  it('answers 401 without authorization, with CORS headers so the UI can read it', async () => {
    const res = await app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: uiOrigin }, payload: { payloads: [] } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(res.headers['access-control-allow-origin']).toBe(uiOrigin);
    const encode = await app.inject({ method: 'POST', url: '/codec/encode', headers: { authorization: 'Bearer wrong' }, payload: { payloads: [] } });
    expect(encode.statusCode).toBe(401);
  });

  it('decodes and redacts JSON payloads', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { ...auth, 'x-namespace': 'default' },
      payload: { payloads: await encodedState() },
    });
    expect(res.statusCode).toBe(200);
    const [payload] = res.json<{ payloads: WirePayload[] }>().payloads;
    expect(res.body).not.toContain(refreshToken);
    expect(dataText(payload)).not.toContain(refreshToken);
    expect(dataText(payload)).not.toContain('at-secret');
    expect(JSON.parse(dataText(payload))).toEqual({
      grant: { refreshToken: { redacted: true, length: refreshToken.length, last4: '3456' } },
      token: { accessToken: { redacted: true, length: 22, last4: '5432' }, expiresAt: 1_900_000_000_000 },
      version: 4,
    });
    expect(Buffer.from(payload?.metadata?.encoding ?? '', 'base64').toString()).toBe('json/plain');
  });

  it('decodes in full when redaction is off', async () => {
    const plain = await server({ redact: false });
    const res = await plain.inject({ method: 'POST', url: '/codec/decode', headers: auth, payload: { payloads: await encodedState() } });
    expect(JSON.parse(dataText(res.json<{ payloads: WirePayload[] }>().payloads[0]))).toEqual(state);
    await plain.close();
  });

  it('hides non-JSON payloads, keeps null ones, and returns undecodable ones as they came', async () => {
    const raw = (await codec.encode([defaultPayloadConverter.toPayload(new Uint8Array(Buffer.from(refreshToken)))])).map(toWire);
    const nul = toWire(defaultPayloadConverter.toPayload(undefined));
    const foreign = toWire((await new AesGcmCodec(new Keyring([['k0', randomBytes(32)]])).encode([defaultPayloadConverter.toPayload(state)]))[0] as Payload);
    const res = await app.inject({ method: 'POST', url: '/codec/decode', headers: auth, payload: { payloads: [...raw, nul, foreign] } });
    const out = res.json<{ payloads: WirePayload[] }>().payloads;
    expect(res.body).not.toContain(refreshToken);
    expect(JSON.parse(dataText(out[0]))).toEqual({ redacted: true, reason: expect.any(String), encoding: 'binary/plain', bytes: refreshToken.length });
    expect(out[1]).toEqual({ ...nul, data: '' });
    expect(out[2]).toEqual(foreign);
  });

  it('encodes payloads the codec can decode', async () => {
    const input = toWire(defaultPayloadConverter.toPayload({ reason: 'from the UI' }));
    const res = await app.inject({ method: 'POST', url: '/codec/encode', headers: auth, payload: { payloads: [input] } });
    expect(res.statusCode).toBe(200);
    const [encoded] = res.json<{ payloads: WirePayload[] }>().payloads;
    expect(Buffer.from(encoded?.metadata?.encoding ?? '', 'base64').toString()).toBe('binary/encrypted');
    const [decoded] = await codec.decode([fromWire(encoded as WirePayload)]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual({ reason: 'from the UI' });
  });

  it('answers CORS preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
      });
    const ok = await preflight(uiOrigin);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(ok.headers['access-control-allow-methods']).toContain('POST');
    expect(ok.headers['access-control-allow-headers']).toBe('Content-Type, X-Namespace, Authorization');
    expect(ok.headers.vary).toContain('Origin');
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('rejects malformed bodies without echoing them', async () => {
    const bad = await app.inject({ method: 'POST', url: '/codec/decode', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"payloads": "${refreshToken}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain(refreshToken);
    const wrong = await app.inject({ method: 'POST', url: '/codec/decode', headers: auth, payload: { payloads: 'nope' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('invalid_request');
  });

  it('limits the body size', async () => {
    const small = await server({ bodyLimit: 1024 });
    const res = await small.inject({ method: 'POST', url: '/codec/decode', headers: auth, payload: { payloads: [{ data: 'A'.repeat(2048) }] } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    await small.close();
  });

  it('refuses "*" as a CORS origin', async () => {
    await expect(server({ corsOrigins: ['*'] })).rejects.toThrow(/corsOrigins/);
  });

  it('serves a real browser-style request over a port', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/codec/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: uiOrigin, ...auth },
      body: JSON.stringify({ payloads: await encodedState() }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const body = (await res.json()) as { payloads: WirePayload[] };
    expect(JSON.parse(dataText(body.payloads[0])).version).toBe(4);
    expect(JSON.stringify(body)).not.toContain(refreshToken);
    const denied = await fetch(`http://127.0.0.1:${port}/codec/encode`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"payloads":[]}' });
    expect(denied.status).toBe(401);
  });
});

/**
 * Issue 20.5: the codec endpoint shows a decoded payload only when it can classify it. A non-empty
 * `binary/null`, raw bytes, an unknown or missing encoding, a payload still encrypted after
 * decoding and JSON that does not parse become a placeholder (encoding only when known, size);
 * metadata other than `encoding`/`messageType` is dropped.
 */
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import Fastify from 'fastify';
import { AesGcmCodec } from '../../../src/codec/aes-gcm-codec';
import { codecRoutes, type WirePayload } from '../../../src/codec/codec-server';
import { Keyring } from '../../../src/codec/keyring';
import { redactDecodedPayload } from '../../../src/codec/redact';

jest.mock('cookie', () => ({
  stringifySetCookie: () => {
    throw new Error('cookies are not supported in these tests');
  },
}));

const secret = 'rt-SECRET-carried-verbatim-0123456789';
const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const payload = (metadata: Record<string, string>, data: string): Payload => ({ metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, bytes(v)])), data: bytes(data) });
const shown = (p: Payload) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString()])), data: Buffer.from(p.data ?? []).toString() });

describe('redactDecodedPayload', () => {
  test.each<[string, Payload, string]>([
    ['a non-empty binary/null', payload({ encoding: 'binary/null' }, secret), 'binary/null'],
    ['raw bytes', payload({ encoding: 'binary/plain' }, secret), 'binary/plain'],
    ['an unknown encoding', payload({ encoding: 'text/x-secret' }, secret), 'unclassified'],
    ['an encoding that is itself a secret', payload({ encoding: secret }, secret), 'unclassified'],
    ['no encoding', payload({}, secret), 'unclassified'],
    ['still encrypted after decoding', payload({ encoding: 'binary/encrypted', 'encryption-key-id': 'k9' }, secret), 'binary/encrypted'],
    ['JSON that does not parse', payload({ encoding: 'json/plain' }, `{"refreshToken":"${secret}"`), 'json/plain'],
  ])('%s becomes a placeholder', (_name, input, encoding) => {
    const out = shown(redactDecodedPayload(input));
    expect(out.metadata).toEqual({ encoding: 'json/plain' });
    expect(JSON.parse(out.data)).toEqual({ redacted: true, reason: expect.any(String), encoding, bytes: input.data?.byteLength });
    expect(JSON.stringify(out)).not.toContain(secret);
  });

  test('an empty binary/null stays, without its other metadata', () => {
    expect(shown(redactDecodedPayload(payload({ encoding: 'binary/null', extra: secret }, '')))).toEqual({ metadata: { encoding: 'binary/null' }, data: '' });
  });

  test('JSON keeps its encoding and a plain messageType; secret fields and other metadata go', () => {
    const out = shown(redactDecodedPayload(payload({ encoding: 'json/protobuf', messageType: 'temporal.api.Foo', note: secret }, JSON.stringify({ refreshToken: secret, version: 3 }))));
    expect(out.metadata).toEqual({ encoding: 'json/protobuf', messageType: 'temporal.api.Foo' });
    expect(JSON.parse(out.data)).toEqual({ refreshToken: { redacted: true, length: secret.length, last4: secret.slice(-4) }, version: 3 });
  });

  test('JSON too deep to walk becomes a placeholder instead of failing', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const out = shown(redactDecodedPayload(payload({ encoding: 'json/plain' }, deep)));
    expect(JSON.parse(out.data)).toMatchObject({ redacted: true, encoding: 'json/plain' });
  });
});

describe('the /decode route', () => {
  const codec = new AesGcmCodec(new Keyring([['k1', randomBytes(32)]]));
  const toWire = (p: Payload): WirePayload => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });

  test('an encrypted binary/null that carries data, and an encrypted payload nested in another, are not shown', async () => {
    const app = Fastify({ logger: false });
    await app.register(codecRoutes, { prefix: '/codec', codec, authorize: () => true });
    const [nullWithData] = await codec.encode([payload({ encoding: 'binary/null' }, secret)]);
    const [inner] = await codec.encode([payload({ encoding: 'json/plain' }, JSON.stringify({ token: secret }))]);
    const [nested] = await codec.encode([{ metadata: { encoding: bytes('binary/encrypted') }, data: inner?.data ?? new Uint8Array(0) }]);
    const res = await app.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [nullWithData, nested].map((p) => toWire(p as Payload)) } });
    expect(res.statusCode).toBe(200);
    const text = res.json<{ payloads: WirePayload[] }>().payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString()).join('\n');
    expect(text).not.toContain(secret);
    expect(Buffer.from(res.body).toString('base64')).not.toContain(Buffer.from(secret).toString('base64'));
    expect(text).toContain('"redacted":true');
    await app.close();
  });

  test('a validation error does not name the client\'s metadata keys', async () => {
    const app = Fastify({ logger: false });
    await app.register(codecRoutes, { prefix: '/codec', codec, authorize: () => true });
    const res = await app.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [{ metadata: { [secret]: { nested: true } } }] } });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain(secret);
    await app.close();
  });
});

import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, encryptedEncoding, keyIdMetadataKey } from '../../../src/codec/aes-gcm-codec';
import { Keyring } from '../../../src/codec/keyring';
import { isHalflifeError, type DecryptionError } from '../../../src/errors';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const secretState = { grant: { refreshToken: 'rt-super-secret-0123456789' }, version: 3 };

async function decodeError(codec: AesGcmCodec, payload: Payload): Promise<DecryptionError> {
  try {
    await codec.decode([payload]);
  } catch (err) {
    expect(isHalflifeError(err, 'DecryptionError')).toBe(true);
    return err as DecryptionError;
  }
  throw new Error('expected a DecryptionError');
}

describe('AesGcmCodec', () => {
  const codec = new AesGcmCodec(new Keyring([['k1', k1]]));

  it('round-trips payloads, metadata included, and hides the plaintext', async () => {
    const payloads = [defaultPayloadConverter.toPayload(secretState), defaultPayloadConverter.toPayload(undefined)];
    const encoded = await codec.encode(payloads);
    expect(encoded).toHaveLength(2);
    for (const p of encoded) {
      expect(text(p.metadata?.encoding)).toBe(encryptedEncoding);
      expect(text(p.metadata?.[keyIdMetadataKey])).toBe('k1');
      expect(text(p.data)).not.toContain('rt-super-secret');
      expect(Buffer.from(p.data ?? []).toString('base64')).not.toContain(Buffer.from('rt-super-secret').toString('base64'));
    }
    const decoded = await codec.decode(encoded);
    expect(defaultPayloadConverter.fromPayload(decoded[0] as Payload)).toEqual(secretState);
    expect(defaultPayloadConverter.fromPayload(decoded[1] as Payload)).toBeUndefined();
    expect(text(decoded[0]?.metadata?.encoding)).toBe('json/plain');
  });

  it('uses a fresh IV for every payload', async () => {
    const p = defaultPayloadConverter.toPayload('same');
    const [a, b] = await codec.encode([p, p]);
    expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
  });

  it('passes payloads that are not encrypted through', async () => {
    const plain = defaultPayloadConverter.toPayload({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('decodes old payloads after rotation and encrypts new ones with the new key', async () => {
    const [old] = await codec.encode([defaultPayloadConverter.toPayload(secretState)]);
    const rotated = new AesGcmCodec(new Keyring([['k2', k2], ['k1', k1]]));
    const [decoded] = await rotated.decode([old as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(secretState);
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('new')]);
    expect(text(fresh?.metadata?.[keyIdMetadataKey])).toBe('k2');
    await expect(codec.decode([fresh as Payload])).rejects.toThrow(/'k2', which is not in the key ring \(have: k1\)/);
  });

  it('reports an unknown key id clearly, without secrets', async () => {
    const [encoded] = await new AesGcmCodec(new Keyring([['k0', k2]])).encode([defaultPayloadConverter.toPayload(secretState)]);
    const err = await decodeError(codec, encoded as Payload);
    expect(err.code).toBe('unknown_encryption_key');
    expect(err.keyId).toBe('k0');
    expect(err.message).toMatch(/key 'k0'.*not in the key ring/);
    expect(err.message).not.toContain(k1.toString('base64'));
    expect(err.message).not.toContain(k2.toString('base64'));
  });

  it('rejects tampered ciphertext, tag and IV', async () => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secretState)]);
    const data = Buffer.from((encoded as Payload).data ?? []);
    for (const index of [0, 20, data.length - 1]) {
      const altered = Buffer.from(data);
      altered[index] = (altered[index] as number) ^ 0x01;
      const err = await decodeError(codec, { ...encoded, data: altered });
      expect(err.code).toBe('decryption_failed');
      expect(err.message).not.toContain('rt-super-secret');
    }
    expect((await decodeError(codec, { ...encoded, data: data.subarray(0, 10) })).code).toBe('decryption_failed');
  });

  it('rejects a payload whose key id was swapped to another key in the ring', async () => {
    const ring = new AesGcmCodec(new Keyring([['k2', k2], ['k1', k1]]));
    const [encoded] = await ring.encode([defaultPayloadConverter.toPayload(secretState)]);
    const swapped = { ...encoded, metadata: { ...encoded?.metadata, [keyIdMetadataKey]: Buffer.from('k1') } };
    expect((await decodeError(ring, swapped)).code).toBe('decryption_failed');
  });
});

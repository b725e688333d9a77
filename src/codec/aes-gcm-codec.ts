/**
 * A PayloadCodec that encrypts every payload with AES-256-GCM (node:crypto).
 *
 * Encoding serializes the whole payload (metadata and data) as a `temporal.api.common.v1.Payload`
 * protobuf, encrypts it with the key ring's first key, and wraps it in a new payload:
 * metadata `encoding: binary/encrypted` and `encryption-key-id: <id>`, data
 * `12-byte random IV ‖ ciphertext ‖ 16-byte tag`. Decoding passes other payloads through and
 * decrypts with the key the metadata names, so payloads written under an older key keep working
 * while that key stays in the ring.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DecryptionError, errorCodes } from '../errors';
import type { Keyring } from './keyring';

/** The `encoding` metadata value of an encrypted payload. */
export const encryptedEncoding = 'binary/encrypted';

/** The metadata key that names the key a payload was encrypted with. */
export const keyIdMetadataKey = 'encryption-key-id';

const ivLength = 12;
const tagLength = 16;
const cipher = 'aes-256-gcm';

/** Encrypts payloads with the key ring's first key; decrypts with whichever key a payload names. */
export class AesGcmCodec implements PayloadCodec {
  /** Creates a codec over `keyring`. */
  constructor(private readonly keyring: Keyring) {}

  /** Encrypts each payload into a `binary/encrypted` payload. */
  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.encryptionKeyId;
    const key = this.keyring.key(keyId) as Buffer;
    return payloads.map((payload) => ({
      metadata: { encoding: utf8(encryptedEncoding), [keyIdMetadataKey]: utf8(keyId) },
      data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), key),
    }));
  }

  /** Decrypts `binary/encrypted` payloads and passes the others through unchanged. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const rawKeyId = payload.metadata?.[keyIdMetadataKey];
    const keyId = rawKeyId ? text(rawKeyId) : undefined;
    const key = keyId !== undefined ? this.keyring.key(keyId) : undefined;
    if (keyId === undefined || key === undefined) {
      const named = keyId === undefined ? 'names no key' : `names key '${safeId(keyId)}'`;
      throw new DecryptionError(
        errorCodes.unknownEncryptionKey,
        `encrypted payload ${named}, which is not in the key ring (have: ${this.keyring.keyIds.join(', ')}); ` +
          'add the old key back to HALFLIFE_ENCRYPTION_KEYS',
        { keyId },
      );
    }
    let plaintext: Buffer;
    try {
      plaintext = decrypt(payload.data ?? new Uint8Array(), key);
    } catch (cause) {
      throw new DecryptionError(
        errorCodes.decryptionFailed,
        `encrypted payload (key '${keyId}') failed authentication: it was altered or encrypted with a different key of that id`,
        { keyId, cause },
      );
    }
    return temporal.api.common.v1.Payload.decode(plaintext);
  }
}

/** True when `payload` is marked as encrypted by this codec's format. */
export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && text(encoding) === encryptedEncoding;
}

function encrypt(plaintext: Uint8Array, key: Buffer): Uint8Array {
  const iv = randomBytes(ivLength);
  const c = createCipheriv(cipher, key, iv, { authTagLength: tagLength });
  return Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]);
}

function decrypt(data: Uint8Array, key: Buffer): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < ivLength + tagLength) throw new Error('too short');
  const d = createDecipheriv(cipher, key, bytes.subarray(0, ivLength), { authTagLength: tagLength });
  d.setAuthTag(bytes.subarray(bytes.length - tagLength));
  return Buffer.concat([d.update(bytes.subarray(ivLength, bytes.length - tagLength)), d.final()]);
}

function utf8(value: string): Uint8Array {
  return Buffer.from(value, 'utf8');
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Key ids in foreign payloads are untrusted: show them only when they look like ids. */
function safeId(id: string): string {
  return /^[A-Za-z0-9_-]{1,32}$/.test(id) ? id : '<invalid id>';
}

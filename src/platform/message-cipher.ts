/**
 * The platforms' message encryption (WeChat third-party platform and WeCom callbacks), decryption
 * side: AES-256-CBC with the key `base64(EncodingAESKey + "=")` and the key's first 16 bytes as IV,
 * PKCS#7 padding to 32-byte blocks; the plaintext is 16 random bytes, the message length as 4
 * bytes big-endian, the XML message, then the receiver id (an AppID, a suite id or a corp id).
 *
 * Every refusal is a `PushRejectedError` naming the reason; none quotes the key or the plaintext.
 */
import { createDecipheriv } from 'node:crypto';
import { PushRejectedError } from '../errors';
import { encodingAesKeyPattern } from './push-kinds';

/** The 32-byte AES key of an EncodingAESKey; a key of the wrong shape is refused. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = encodingAesKeyPattern.test(encodingAesKey) ? Buffer.from(`${encodingAesKey}=`, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new PushRejectedError('bad_key', 'the credential\'s EncodingAESKey is not 43 base64 characters');
  return key;
}

/** A decrypted message and the receiver id it ends with. */
export interface OpenedMessage {
  xml: string;
  receiveId: string;
}

/** Removes the PKCS#7 padding (block size 32) of `plain`, refusing padding that is not. */
function unpad(plain: Buffer): Buffer {
  const pad = plain.at(-1) ?? 0;
  const valid = pad >= 1 && pad <= 32 && plain.length >= pad && plain.subarray(plain.length - pad).every((b) => b === pad);
  if (!valid) throw new PushRejectedError('undecryptable', 'the message does not decrypt with this EncodingAESKey (bad padding)');
  return plain.subarray(0, plain.length - pad);
}

/** Decrypts the base64 `Encrypt` text of a callback with the credential's EncodingAESKey. */
export function decryptMessage(encodingAesKey: string, encrypt: string): OpenedMessage {
  const key = aesKeyOf(encodingAesKey);
  const sealed = /^[A-Za-z0-9+/]+={0,2}$/.test(encrypt) ? Buffer.from(encrypt, 'base64') : Buffer.alloc(0);
  if (sealed.length === 0 || sealed.length % 32 !== 0) throw new PushRejectedError('undecryptable', 'Encrypt is not base64 of whole 32-byte blocks');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    plain = unpad(Buffer.concat([decipher.update(sealed), decipher.final()]));
  } catch (err) {
    if ((err as { name?: unknown }).name === 'PushRejectedError') throw err;
    throw new PushRejectedError('undecryptable', 'the message does not decrypt with this EncodingAESKey');
  }
  if (plain.length < 20) throw new PushRejectedError('undecryptable', 'the decrypted message is too short');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new PushRejectedError('undecryptable', 'the decrypted message length is out of range');
  return { xml: plain.subarray(20, 20 + length).toString('utf8'), receiveId: plain.subarray(20 + length).toString('utf8') };
}

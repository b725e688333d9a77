/**
 * The platform's side of a ticket push, as WeChat's third-party platform and WeCom send it: the
 * XML message is encrypted (AES-256-CBC, key `base64(EncodingAESKey + "=")`, IV its first 16
 * bytes, plaintext `16 random bytes ‖ uint32be(length) ‖ XML ‖ receiver id`, PKCS#7-padded to 32
 * bytes), signed (`msg_signature`: SHA-1 of the sorted token, timestamp, nonce and ciphertext) and
 * POSTed as `<xml><ToUserName/><Encrypt/></xml>` with the signature in the query.
 *
 * Written apart from Halflife's decryption (src/platform) on purpose: a test in which both sides
 * shared one implementation could not catch a mistake in it.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** Who seals: the receiver's callback token, EncodingAESKey and id. */
export interface PushSealKeys {
  token: string;
  encodingAesKey: string;
  receiveId: string;
}

/** A sealed push: the query parameters and the XML body. */
export interface SealedPush {
  query: { msg_signature: string; timestamp: string; nonce: string };
  /** The `Encrypt` text alone (WeCom's URL verification sends it as `echostr`). */
  encrypt: string;
  body: string;
}

/** Encrypts `xml` for `keys.receiveId` and signs it (`timestamp` in seconds; random `nonce` unless given). */
export function sealPush(keys: PushSealKeys, xml: string, options: { timestamp?: number; nonce?: string } = {}): SealedPush {
  const key = Buffer.from(`${keys.encodingAesKey}=`, 'base64');
  const message = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length);
  const content = Buffer.concat([randomBytes(16), length, message, Buffer.from(keys.receiveId, 'utf8')]);
  const padLength = 32 - (content.length % 32);
  const padded = Buffer.concat([content, Buffer.alloc(padLength, padLength)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  const encrypt = Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE());
  const msg_signature = createHash('sha1').update([keys.token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
  const body = `<xml><ToUserName><![CDATA[${keys.receiveId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return { query: { msg_signature, timestamp, nonce }, encrypt, body };
}

/** POSTs a sealed push to `callbackUrl`; answers the receiver's status and body. */
export async function postPush(callbackUrl: string, sealed: SealedPush): Promise<{ status: number; body: string }> {
  const url = new URL(callbackUrl);
  for (const [name, value] of Object.entries(sealed.query)) url.searchParams.set(name, value);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: sealed.body });
  return { status: res.status, body: await res.text() };
}

/** A random EncodingAESKey (43 base64 characters of 32 random bytes). */
export function randomEncodingAesKey(): string {
  return randomBytes(32).toString('base64').slice(0, 43);
}

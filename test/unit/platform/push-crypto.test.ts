/**
 * The platform message crypto against a vector computed outside Node, in a shell:
 *
 *   key = base64 -d of EncodingAESKey + "=" (32 bytes), IV = its first 16 bytes
 *   plain = "RANDOM0123456789" ‖ uint32be(226) ‖ XML ‖ "wx3a4b5c6d7e8f9012", PKCS#7-padded to 288 bytes (24 × 0x18)
 *   openssl enc -aes-256-cbc -K <key hex> -iv <iv hex> -nopad | base64 -w0
 *   printf '%s\n' token timestamp nonce Encrypt | LC_ALL=C sort | tr -d '\n' | sha1sum
 *
 * and the refusals: a wrong signature, key, receiver id, padding or shape, each with its reason.
 */
import { createCipheriv } from 'node:crypto';
import { aesKeyOf, decryptMessage } from '../../../src/platform/message-cipher';
import { isMessageSignature, messageSignature } from '../../../src/platform/message-signature';
import { encryptOfBody, openPush } from '../../../src/platform/open-push';
import { pushKeysOf } from '../../../src/platform/push-kinds';
import { xmlText } from '../../../src/platform/xml-fields';

const encodingAesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const appid = 'wx3a4b5c6d7e8f9012';
const xml =
  '<xml><AppId><![CDATA[wx3a4b5c6d7e8f9012]]></AppId><CreateTime>1764590400</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[ticket@@@vector-0001]]></ComponentVerifyTicket></xml>';
const encrypt =
  '5XltAAWvdfK97kdYilpWLIa/ia7ExiKw+K2wemhY2dBql8plZdFECYY1/Xu5Gbvug3u/GDAWF84aVdjrmjr5dViWI0T2dx+g1zWkCiuXzfzD4PLy08nYT6slIsCpenVnOi72UMwXCMji6L4Z/bO7JTq+NFN4WhePGmnXQfWlqEhuFLWCGCpOI0OSH0kAfUHua69UD8OXRGxO8tD6HgH6VHQ78V/bdOfsRawq49GMv0gKpPHjx71kPiJ3Oc/TlwEgWwEl9wJdd2FulGSh1OHn//k0DW0mWJTD31HgeOx+v68SUPW0mV4qaUYiXdqFnlRFf4y/r/p7iDVM0pvdRgCNZhwwS9OE9h7evq3FuZZuAlB2jFch8LI/1iXStx+odlOU';
const token = 'vectorToken42';
const envelope = { msgSignature: 'f1368ff5dcada463a992142670f888678f97fb46', timestamp: '1764590400', nonce: '1320562132', encrypt };
const keys = pushKeysOf('wechat_component', { componentAppid: appid, callbackToken: token, encodingAesKey })!;

const refusal = (call: () => unknown) => {
  try {
    call();
  } catch (err) {
    return { name: (err as Error).name, code: (err as { code?: string }).code, reason: (err as { reason?: string }).reason, message: (err as Error).message };
  }
  throw new Error('expected a refusal');
};

describe('platform message crypto (vector from openssl)', () => {
  it('derives the key and the signature the shell computed', () => {
    expect(aesKeyOf(encodingAesKey).toString('hex')).toBe('69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051');
    expect(messageSignature({ token, timestamp: envelope.timestamp, nonce: envelope.nonce, encrypt })).toBe(envelope.msgSignature);
    expect(isMessageSignature(envelope.msgSignature.toUpperCase(), { token, timestamp: envelope.timestamp, nonce: envelope.nonce, encrypt })).toBe(true);
  });

  it('decrypts the openssl ciphertext to the XML and the AppID', () => {
    expect(decryptMessage(encodingAesKey, encrypt)).toEqual({ xml, receiveId: appid });
  });

  it('opens the push: verified, decrypted, receiver checked, ticket read', () => {
    expect(openPush(keys, envelope)).toEqual({ xml, infoType: 'component_verify_ticket', ticket: 'ticket@@@vector-0001' });
    expect(encryptOfBody(`<xml><AppId><![CDATA[${appid}]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`)).toBe(encrypt);
  });

  it('refuses a wrong signature, token, receiver, key and malformed input, naming the reason', () => {
    const pushRefusal = (reason: string) => expect.objectContaining({ name: 'PushRejectedError', code: 'push_rejected', reason });
    expect(refusal(() => openPush(keys, { ...envelope, msgSignature: '0'.repeat(40) }))).toEqual(pushRefusal('bad_signature'));
    expect(refusal(() => openPush({ ...keys, token: 'anotherToken' }, envelope))).toEqual(pushRefusal('bad_signature'));
    expect(refusal(() => openPush(keys, { ...envelope, nonce: '1320562133' }))).toEqual(pushRefusal('bad_signature'));
    expect(refusal(() => openPush({ ...keys, receiveId: 'wx0000000000000000' }, envelope))).toEqual(pushRefusal('receiver_mismatch'));
    const otherKey = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
    expect(refusal(() => decryptMessage(otherKey, encrypt))).toEqual(pushRefusal('undecryptable'));
    expect(refusal(() => decryptMessage('short', encrypt))).toEqual(pushRefusal('bad_key'));
    expect(refusal(() => decryptMessage(encodingAesKey, encrypt.slice(0, 40)))).toEqual(pushRefusal('undecryptable'));
    expect(refusal(() => openPush(keys, { ...envelope, timestamp: '' }))).toEqual(pushRefusal('malformed'));
    expect(refusal(() => encryptOfBody('<xml><ToUserName>x</ToUserName></xml>'))).toEqual(pushRefusal('malformed'));
    for (const err of [refusal(() => decryptMessage(otherKey, encrypt)), refusal(() => openPush({ ...keys, receiveId: 'wx0' }, envelope))]) {
      expect(err.message).not.toContain(encodingAesKey);
      expect(err.message).not.toContain('ticket@@@');
    }
  });

  it('refuses a declared length beyond the message, and bad padding', () => {
    const key = aesKeyOf(encodingAesKey);
    const seal = (plain: Buffer) => {
      const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
      return Buffer.concat([c.update(plain), c.final()]).toString('base64');
    };
    const long = Buffer.alloc(64, 0x20);
    long.writeUInt32BE(1000, 16);
    long[63] = 1;
    expect(refusal(() => decryptMessage(encodingAesKey, seal(long))).reason).toBe('undecryptable');
    const badPad = Buffer.alloc(64, 0x20);
    badPad[63] = 33;
    expect(refusal(() => decryptMessage(encodingAesKey, seal(badPad))).reason).toBe('undecryptable');
  });

  it('reads CDATA and plain text with entities, and nothing that is not there', () => {
    expect(xmlText('<xml><A><![CDATA[x<y]]></A><B>1 &amp; 2</B></xml>', 'A')).toBe('x<y');
    expect(xmlText('<xml><A><![CDATA[x<y]]></A><B>1 &amp; 2</B></xml>', 'B')).toBe('1 & 2');
    expect(xmlText('<xml><A>1</A></xml>', 'C')).toBeUndefined();
    expect(pushKeysOf('wechat', {})).toBeNull();
  });
});

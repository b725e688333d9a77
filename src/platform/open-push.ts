/**
 * Opens one encrypted callback of a platform (WeChat third-party platform, WeCom third-party app)
 * for a credential: checks `msg_signature`, decrypts `Encrypt`, checks the receiver id (the
 * component AppID, the suite id) and reads the message's `InfoType` and ticket. The first failed
 * check throws a `PushRejectedError` naming the reason; nothing is stored before all have passed.
 */
import { PushRejectedError } from '../errors';
import { decryptMessage } from './message-cipher';
import { isMessageSignature } from './message-signature';
import type { PushKeys } from './push-kinds';
import { xmlText } from './xml-fields';

/** What a callback request carries: the query's signature parts, and the `Encrypt` text (from the XML body, or `echostr`). */
export interface PushEnvelope {
  msgSignature: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
}

/** A verified, decrypted message. */
export interface OpenedPush {
  /** The decrypted XML. */
  xml: string;
  /** Its `InfoType` (absent in URL verifications and plain events). */
  infoType?: string;
  /** The ticket, when the message is the credential's ticket push (a secret). */
  ticket?: string;
}

/** The `Encrypt` text of a callback body (`<xml><Encrypt>…</Encrypt>…</xml>`). */
export function encryptOfBody(body: string): string {
  const encrypt = xmlText(body, 'Encrypt');
  if (encrypt === undefined || encrypt === '') throw new PushRejectedError('malformed', 'the body is no XML with an Encrypt element');
  return encrypt;
}

/** Verifies and decrypts `envelope` with `keys`; see the module comment. */
export function openPush(keys: PushKeys, envelope: PushEnvelope): OpenedPush {
  for (const [name, value] of [['msg_signature', envelope.msgSignature], ['timestamp', envelope.timestamp], ['nonce', envelope.nonce]] as const) {
    if (value === '') throw new PushRejectedError('malformed', `${name} is required`);
  }
  if (keys.token === '' || keys.encodingAesKey === '') throw new PushRejectedError('bad_key', 'the credential has no callback token or EncodingAESKey');
  if (!isMessageSignature(envelope.msgSignature, { token: keys.token, timestamp: envelope.timestamp, nonce: envelope.nonce, encrypt: envelope.encrypt })) {
    throw new PushRejectedError('bad_signature', 'msg_signature does not match the callback token');
  }
  const { xml, receiveId } = decryptMessage(keys.encodingAesKey, envelope.encrypt);
  if (receiveId !== keys.receiveId) throw new PushRejectedError('receiver_mismatch', `the message is for another receiver than ${keys.receiveId}`);
  const infoType = xmlText(xml, 'InfoType');
  if (infoType !== keys.infoType) return { xml, ...(infoType !== undefined ? { infoType } : {}) };
  const ticket = xmlText(xml, keys.ticketElement);
  if (ticket === undefined || ticket === '') throw new PushRejectedError('malformed', `the ${infoType} message has no ${keys.ticketElement}`);
  return { xml, infoType, ticket };
}

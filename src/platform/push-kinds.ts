/**
 * The providers that receive tickets pushed by the platform (WeChat's third-party platform, WeCom's
 * third-party apps): which configuration fields hold the callback token, the EncodingAESKey and
 * the receiver id the decrypted message must name, and which message carries the ticket.
 *
 * Pure data with no imports: the credential workflow (its `pushKeys` query), the providers and the
 * HTTP callback route read it, so the field names are written once.
 */

/** The shape of an EncodingAESKey: 43 characters of the base64 alphabet (32 bytes once `=` is appended). */
export const encodingAesKeyPattern = /^[A-Za-z0-9+/]{43}$/;

/** What one push-receiving provider declares. */
export interface PushKind {
  /** The configuration field with the receiver id (WeChat: the component AppID; WeCom: the suite id). */
  receiveIdField: string;
  /** The configuration field with the callback token (a secret). */
  tokenField: 'callbackToken';
  /** The configuration field with the 43-character EncodingAESKey (a secret). */
  aesKeyField: 'encodingAesKey';
  /** The `InfoType` of the message that carries the ticket. */
  infoType: string;
  /** The element of that message holding the ticket. */
  ticketElement: string;
}

/** The push kinds, by provider name. */
export const pushKinds: Readonly<Record<string, PushKind>> = {
  wechat_component: { receiveIdField: 'componentAppid', tokenField: 'callbackToken', aesKeyField: 'encodingAesKey', infoType: 'component_verify_ticket', ticketElement: 'ComponentVerifyTicket' },
  wecom_suite: { receiveIdField: 'suiteId', tokenField: 'callbackToken', aesKeyField: 'encodingAesKey', infoType: 'suite_ticket', ticketElement: 'SuiteTicket' },
};

/** What the callback needs to open a push for one credential (secrets: only inside encrypted payloads). */
export interface PushKeys {
  provider: string;
  /** The id the decrypted message must end with. */
  receiveId: string;
  /** The callback token (secret). */
  token: string;
  /** The EncodingAESKey (secret). */
  encodingAesKey: string;
  infoType: string;
  ticketElement: string;
}

/** The push keys of a credential's configuration, or null for a provider that receives no pushes. */
export function pushKeysOf(provider: string, config: Record<string, unknown>): PushKeys | null {
  const kind = Object.hasOwn(pushKinds, provider) ? pushKinds[provider] : undefined;
  if (!kind) return null;
  const text = (name: string) => (typeof config[name] === 'string' ? (config[name] as string) : '');
  return { provider, receiveId: text(kind.receiveIdField), token: text(kind.tokenField), encodingAesKey: text(kind.aesKeyField), infoType: kind.infoType, ticketElement: kind.ticketElement };
}

/**
 * Redaction of secrets in decoded values, for what operators see (the Web UI's codec endpoint).
 * Which fields are secret is `../secrets` (one list); a secret field's string value is redacted
 * to its shape, and any other value under it (an object, a number) has all its leaves redacted.
 * A whole payload is shown only when it can be classified (`redactDecodedPayload`).
 */
import type { Payload } from '@temporalio/common';
import { isSecretField } from '../secrets/names';

/** The one scrubber of known secret values, under the name older callers import. */
export { scrubKnownSecrets as scrubSecrets } from '../secrets/scrub';

/** What a redacted secret becomes: its shape, never its value. */
export interface RedactedSecret {
  redacted: true;
  /** Length of the secret in characters. */
  length: number;
  /** Last four characters, only for secrets of 12 characters or more (short ones would give too much away). */
  last4?: string;
}

/** The shape of a secret string: length, and the last four characters when it is at least 12 long. */
export function redactSecret(secret: string): RedactedSecret {
  return secret.length >= 12 ? { redacted: true, length: secret.length, last4: secret.slice(-4) } : { redacted: true, length: secret.length };
}

/** A deep copy of a decoded JSON value with every secret field replaced by its `RedactedSecret` shape. */
export function redactPayloadValue(value: unknown): unknown {
  return walk(value, false);
}

function walk(value: unknown, underSecret: boolean): unknown {
  if (typeof value === 'string') return underSecret ? redactSecret(value) : value;
  if (Array.isArray(value)) return value.map((item) => walk(item, underSecret));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, underSecret || isSecretField(key, item));
    return out;
  }
  if (underSecret && (typeof value === 'number' || typeof value === 'boolean')) return { redacted: true };
  return value;
}

/** Encodings whose name a placeholder may show; any other name is shown as `unclassified`. */
const knownEncodings = new Set(['binary/null', 'binary/plain', 'json/plain', 'json/protobuf', 'binary/protobuf', 'binary/encrypted']);

/** A metadata value as text, or undefined. */
function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

/** The placeholder an unclassifiable payload becomes: its encoding (when known) and size, nothing of its content. */
function placeholder(payload: Payload, encoding: string | undefined, reason: string): Payload {
  const shown = encoding !== undefined && knownEncodings.has(encoding) ? encoding : 'unclassified';
  const body = { redacted: true, reason, encoding: shown, bytes: payload.data?.byteLength ?? 0 };
  return { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(body)) };
}

/** The `messageType` of a `json/protobuf` payload, when it is a plain protobuf type name. */
function messageTypeOf(payload: Payload): Record<string, Uint8Array> {
  const type = metadataText(payload, 'messageType');
  return type !== undefined && /^[A-Za-z0-9_.]{1,200}$/.test(type) ? { messageType: Buffer.from(type) } : {};
}

/**
 * What an operator may see of a decoded payload: `json/plain` and `json/protobuf` with secret
 * fields replaced by their shape; an empty `binary/null` as it is; anything else (raw bytes, a
 * non-empty `binary/null`, unparsable JSON, a payload still encrypted, an unknown or missing
 * encoding) as a placeholder with its encoding and size only. Metadata other than `encoding`
 * (and a protobuf `messageType`) is dropped: it could carry anything.
 */
export function redactDecodedPayload(payload: Payload): Payload {
  const encoding = metadataText(payload, 'encoding');
  const size = payload.data?.byteLength ?? 0;
  if (encoding === 'binary/null') {
    return size === 0 ? { metadata: { encoding: Buffer.from(encoding) }, data: new Uint8Array(0) } : placeholder(payload, encoding, 'binary/null with data, hidden by the codec endpoint');
  }
  if (encoding === 'json/plain' || encoding === 'json/protobuf') {
    try {
      const value: unknown = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
      const data = Buffer.from(JSON.stringify(redactPayloadValue(value)), 'utf8');
      return { metadata: { encoding: Buffer.from(encoding), ...(encoding === 'json/protobuf' ? messageTypeOf(payload) : {}) }, data };
    } catch {
      return placeholder(payload, encoding, 'not JSON, hidden by the codec endpoint');
    }
  }
  return placeholder(payload, encoding, 'not JSON, hidden by the codec endpoint');
}

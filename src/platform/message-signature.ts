/**
 * The signature of the platforms' encrypted callbacks (WeChat third-party platform, WeCom):
 * `msg_signature` is the hex SHA-1 of the callback token, `timestamp`, `nonce` and the `Encrypt`
 * text, sorted as strings and joined without separators.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The parts a `msg_signature` covers. */
export interface SignedParts {
  token: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
}

/** The `msg_signature` of `parts` (40 lower-case hex digits). */
export function messageSignature(parts: SignedParts): string {
  const joined = [parts.token, parts.timestamp, parts.nonce, parts.encrypt].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

/** True when `signature` is the `msg_signature` of `parts` (compared in constant time, case-insensitively). */
export function isMessageSignature(signature: string, parts: SignedParts): boolean {
  const expected = Buffer.from(messageSignature(parts), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

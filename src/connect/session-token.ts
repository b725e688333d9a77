/**
 * Connect session tokens: 32 random bytes (base64url), the capability in a connect link and the
 * OAuth `state` the provider sends back. The session's workflow id uses only a digest of it (the
 * handle), so workflow ids, search and logs never show a usable token.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The shape of a session token: 43 base64url characters (256 bits). */
export const sessionTokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** A new session token. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** True when `value` has the shape of a session token. */
export function isSessionToken(value: unknown): value is string {
  return typeof value === 'string' && sessionTokenPattern.test(value);
}

/** The public handle of a session token (a domain-separated SHA-256 digest, 32 base64url characters). */
export function sessionHandle(token: string): string {
  return createHash('sha256').update(`halflife:connect-session:${token}`).digest('base64url').slice(0, 32);
}

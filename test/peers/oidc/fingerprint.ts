/** The fingerprint by which the peer's log names refresh tokens (same rule as `fingerprint` in ledger.mjs). */
import { createHash } from 'node:crypto';

/** First 16 hex digits of the token's SHA-256. */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

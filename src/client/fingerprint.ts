/**
 * Fingerprints of a registration, so a retried PUT is recognised by the workflow as the same one
 * (a no-op) instead of replaying its refresh token. SHA-256 over a canonical JSON form, with a
 * domain prefix; the digests travel only inside encrypted payloads.
 */
import { createHash } from 'node:crypto';
import type { CredentialSpec } from '../workflows/input';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function digest(kind: string, value: unknown): string {
  return createHash('sha256').update(`halflife:${kind}:`).update(canonical(value)).digest('base64url');
}

/**
 * The fingerprint of a whole registration and of its grant alone. A derived credential's parent
 * and configuration count as its grant: another parent, or another kind of ticket (`type`), means
 * a new token at once, not at the next refresh. Without a parent both digests are what they were
 * before parents existed, so identical registrations stay no-ops; so without a declared
 * client-secret expiry (another one is another registration, applied without a refresh).
 */
export function registrationFingerprints(spec: CredentialSpec): { fingerprint: string; grantFingerprint: string } {
  return {
    fingerprint: digest('registration', { provider: spec.provider, config: spec.config, grant: spec.grant, policy: spec.policy ?? {}, parent: spec.parent, clientSecretExpiresAt: spec.clientSecretExpiresAt }),
    grantFingerprint: digest('grant', spec.parent === undefined ? spec.grant : { ...spec.grant, parent: spec.parent, config: spec.config }),
  };
}

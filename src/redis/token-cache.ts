/**
 * The Redis mirror of credentials: one hash per credential holding the access token (never the
 * refresh token), written with a compare-and-set over (generation, version, revision) so an older
 * token can never overwrite a newer one, and an event on the credential's channel for every
 * accepted write. The generation is the registration instant: a credential registered again under
 * the same id wins over whatever its predecessor left. Revocation leaves a tombstone (status
 * `revoked`, no token) for a week, so a late publication of the ended credential cannot
 * resurrect its token.
 */
import type { Redis } from 'ioredis';
import type { CachedCredential } from '../activities/contracts';
import type { CredentialStatus, TokenView } from '../credential';
import { credentialKey, eventChannel, type KeySpace } from './keys';

/** An event published on a credential's channel (no secrets: consumers read the token from the hash). */
export interface CredentialEvent {
  credentialId: string;
  event: 'rotated' | 'status' | 'revoked';
  version: number;
  revision: number;
  status: CredentialStatus;
  expiresAt?: number;
}

/** How long a revocation tombstone stays. */
export const tombstoneTtlMs = 7 * 86_400_000;

/**
 * KEYS[1] hash; ARGV: generation, version, revision, record JSON, expire-at ms (0 = none), channel, event JSON.
 * Accepts the write only when (generation, version, revision) is newer than the stored triple
 * (a record without a generation, written by release 0.1, counts as generation 0).
 */
const compareAndSetScript = `
local cur = redis.call('HMGET', KEYS[1], 'generation', 'version', 'revision')
local g, v, r = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if cur[2] then
  local cg, cv, cr = tonumber(cur[1] or '0'), tonumber(cur[2]), tonumber(cur[3])
  if cg > g or (cg == g and (cv > v or (cv == v and cr >= r))) then return 0 end
end
redis.call('HSET', KEYS[1], 'generation', ARGV[1], 'version', ARGV[2], 'revision', ARGV[3], 'record', ARGV[4])
if tonumber(ARGV[5]) > 0 then redis.call('PEXPIREAT', KEYS[1], ARGV[5]) else redis.call('PERSIST', KEYS[1]) end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
`;

/** The custom command ioredis defines from the script. */
type CompareAndSet = (key: string, ...args: (string | number)[]) => Promise<number>;

/** Reads and writes the cached copy of credentials. */
export class TokenCache {
  private readonly compareAndSet: CompareAndSet;

  constructor(
    private readonly redis: Redis,
    private readonly space: KeySpace,
  ) {
    const commands = redis as unknown as { halflifeCompareAndSet2?: CompareAndSet };
    if (!commands.halflifeCompareAndSet2) redis.defineCommand('halflifeCompareAndSet2', { numberOfKeys: 1, lua: compareAndSetScript });
    this.compareAndSet = (commands.halflifeCompareAndSet2 as CompareAndSet).bind(redis);
  }

  /** Writes the record if it is newer than the stored one and publishes the event; true when written. */
  async write(credentialId: string, record: CachedCredential, event: CredentialEvent['event'], now = Date.now()): Promise<boolean> {
    const revoked = event === 'revoked';
    const stored: CachedCredential = revoked ? { version: record.version, revision: record.revision, status: 'revoked', generation: record.generation } : record;
    const message: CredentialEvent = {
      credentialId,
      event,
      version: record.version,
      revision: record.revision,
      status: stored.status,
      ...(!revoked && record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
    };
    const expireAt = revoked ? now + tombstoneTtlMs : (record.expiresAt ?? 0);
    const written = await this.compareAndSet(
      credentialKey(this.space, credentialId),
      record.generation ?? 0,
      record.version,
      record.revision,
      JSON.stringify(stored),
      expireAt,
      eventChannel(this.space, credentialId),
      JSON.stringify(message),
    );
    return written === 1;
  }

  /** The cached record, or undefined when absent (or expired: Redis drops it at the token's expiry). */
  async read(credentialId: string): Promise<CachedCredential | undefined> {
    const raw = await this.redis.hget(credentialKey(this.space, credentialId), 'record');
    return raw ? (JSON.parse(raw) as CachedCredential) : undefined;
  }

  /** The cached token as consumers see it; undefined when there is none (absent, revoked, or no token yet). */
  async readToken(credentialId: string): Promise<TokenView | undefined> {
    const record = await this.read(credentialId);
    if (!record?.accessToken || record.expiresAt === undefined || record.status === 'revoked') return undefined;
    return {
      accessToken: record.accessToken,
      tokenType: record.tokenType ?? 'Bearer',
      expiresAt: record.expiresAt,
      version: record.version,
      status: record.status,
      ...(record.scope !== undefined ? { scope: record.scope } : {}),
      ...(record.metadata !== undefined ? { metadata: record.metadata } : {}),
    };
  }
}

/**
 * The Redis mirror of credentials: one hash per credential holding the access token (never the
 * refresh token), written with a versioned compare-and-set so an older token can never overwrite a
 * newer one, and an event on the credential's channel for every accepted write.
 */
import type { Redis } from 'ioredis';
import type { CachedCredential } from '../activities/contracts';
import type { CredentialStatus } from '../credential';
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

/**
 * KEYS[1] hash; ARGV: version, revision, record JSON, expire-at ms (0 = none), channel, event JSON, delete flag.
 * Accepts the write only when (version, revision) is newer than the stored pair.
 */
const compareAndSetScript = `
local cur = redis.call('HMGET', KEYS[1], 'version', 'revision')
local v, r = tonumber(ARGV[1]), tonumber(ARGV[2])
if cur[1] then
  local cv, cr = tonumber(cur[1]), tonumber(cur[2])
  if cv > v or (cv == v and cr >= r) then return 0 end
end
if ARGV[7] == '1' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'revision', ARGV[2], 'record', ARGV[3])
  if tonumber(ARGV[4]) > 0 then redis.call('PEXPIREAT', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
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
    const commands = redis as unknown as { halflifeCompareAndSet?: CompareAndSet };
    if (!commands.halflifeCompareAndSet) {
      redis.defineCommand('halflifeCompareAndSet', { numberOfKeys: 1, lua: compareAndSetScript });
    }
    this.compareAndSet = (commands.halflifeCompareAndSet as CompareAndSet).bind(redis);
  }

  /** Writes the record if it is newer than the stored one and publishes the event; true when written. */
  async write(credentialId: string, record: CachedCredential, event: CredentialEvent['event']): Promise<boolean> {
    const message: CredentialEvent = {
      credentialId,
      event,
      version: record.version,
      revision: record.revision,
      status: record.status,
      ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
    };
    const written = await this.compareAndSet(
      credentialKey(this.space, credentialId),
      record.version,
      record.revision,
      JSON.stringify(record),
      record.expiresAt ?? 0,
      eventChannel(this.space, credentialId),
      JSON.stringify(message),
      event === 'revoked' ? '1' : '0',
    );
    return written === 1;
  }

  /** The cached record, or undefined when absent (or expired: Redis drops it at the token's expiry). */
  async read(credentialId: string): Promise<CachedCredential | undefined> {
    const raw = await this.redis.hget(credentialKey(this.space, credentialId), 'record');
    return raw ? (JSON.parse(raw) as CachedCredential) : undefined;
  }
}

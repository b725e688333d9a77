/**
 * The OpenID peer's storage: an unbounded in-memory adapter for oidc-provider (its own memory
 * adapter is an LRU of 1,000 entries, which would silently evict live refresh tokens in a
 * benchmark), plus the one place where a reuse grace window is implemented.
 *
 * Grace window: oidc-provider has no native reuse interval. Its refresh_token grant refuses a
 * token whose stored payload carries `consumed` (and revokes the grant). This adapter records when
 * a refresh token was first consumed; while `rotation.graceMs` has not passed since then, `find`
 * hands the provider the payload WITHOUT `consumed`, so the provider runs its ordinary rotation
 * again for the replay: new access token, new refresh token, same grant. Past the window the
 * payload is returned as stored and the provider's own reuse detection applies.
 */

/** Seconds since the epoch, as oidc-provider counts them. */
const epochTime = () => Math.floor(Date.now() / 1000);

/** Models whose records belong to a grant (revoked with it). */
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'ClientCredentials', 'BackchannelAuthenticationRequest']);

/** Extra time a record is kept past its expiry, so an expired token is refused as expired, not unknown. */
const KEEP_EXPIRED_MS = 60_000;

/**
 * Creates the store. `state.rotation` is read on every lookup, so changing it takes effect at once.
 * `onGrantSaved(grantId, payload)` is called when a Grant record is first written.
 */
export function createStore(state, { onGrantSaved } = {}) {
  /** key `${model}:${id}` → { payload, expiresAt } */
  const records = new Map();
  /** grantId → Set of keys */
  const byGrant = new Map();
  const byUid = new Map();
  const byUserCode = new Map();
  /** refresh token id → epoch ms of its first consumption */
  const consumedAt = new Map();
  /** refresh token ids that `find` served inside the grace window since the caller last asked */
  const graceServed = new Set();

  const get = (key) => {
    const entry = records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      remove(key);
      return undefined;
    }
    return entry.payload;
  };

  const remove = (key) => {
    const entry = records.get(key);
    if (!entry) return;
    records.delete(key);
    const { payload } = entry;
    if (payload.grantId) byGrant.get(payload.grantId)?.delete(key);
    if (payload.uid && byUid.get(payload.uid) === key) byUid.delete(payload.uid);
    if (payload.userCode && byUserCode.get(payload.userCode) === key) byUserCode.delete(payload.userCode);
    if (key.startsWith('RefreshToken:')) consumedAt.delete(key.slice('RefreshToken:'.length));
  };

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of records) if (entry.expiresAt !== undefined && entry.expiresAt <= now) remove(key);
    for (const [grantId, keys] of byGrant) if (keys.size === 0 && !records.has(`Grant:${grantId}`)) byGrant.delete(grantId);
  }, 30_000);
  sweep.unref();

  class PeerAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const isNewGrant = this.model === 'Grant' && !records.has(key);
      remove(key);
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 + KEEP_EXPIRED_MS : undefined;
      records.set(key, { payload: structuredClone(payload), expiresAt });
      if (grantable.has(this.model) && payload.grantId) {
        if (!byGrant.has(payload.grantId)) byGrant.set(payload.grantId, new Set());
        byGrant.get(payload.grantId).add(key);
      }
      if (this.model === 'Session' && payload.uid) byUid.set(payload.uid, key);
      if (payload.userCode) byUserCode.set(payload.userCode, key);
      if (isNewGrant) onGrantSaved?.(id, payload);
    }

    async find(id) {
      const payload = get(this.key(id));
      if (!payload) return undefined;
      const copy = structuredClone(payload);
      if (this.model === 'RefreshToken' && copy.consumed) {
        const rotation = state.rotation;
        const first = consumedAt.get(id);
        if (typeof rotation === 'object' && first !== undefined && Date.now() - first <= rotation.graceMs) {
          delete copy.consumed;
          graceServed.add(id);
        }
      }
      return copy;
    }

    async findByUid(uid) {
      const key = byUid.get(uid);
      return key ? structuredClone(get(key)) : undefined;
    }

    async findByUserCode(userCode) {
      const key = byUserCode.get(userCode);
      return key ? structuredClone(get(key)) : undefined;
    }

    async consume(id) {
      const payload = get(this.key(id));
      if (!payload) return;
      payload.consumed = epochTime();
      if (this.model === 'RefreshToken' && !consumedAt.has(id)) consumedAt.set(id, Date.now());
    }

    async destroy(id) {
      remove(this.key(id));
    }

    async revokeByGrantId(grantId) {
      const keys = byGrant.get(grantId);
      if (!keys) return;
      for (const key of [...keys]) if (key.startsWith(`${this.model}:`)) remove(key);
    }
  }

  return {
    Adapter: PeerAdapter,
    /** The stored payload of a record, or undefined (expired records are gone). */
    peek(model, id) {
      return get(`${model}:${id}`);
    },
    /** True (once) when `find` last served this refresh token inside the grace window. */
    takeGraceServed(id) {
      return graceServed.delete(id);
    },
    /** Number of live records of a model. */
    count(model) {
      let n = 0;
      for (const key of records.keys()) if (key.startsWith(`${model}:`) && get(key)) n += 1;
      return n;
    },
    close() {
      clearInterval(sweep);
    },
  };
}

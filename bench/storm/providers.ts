/**
 * The token endpoints a storm runs against, behind one small interface: panva's `oidc-provider`
 * with strict rotation (test/peers/oidc-peer.ts: a replayed refresh token revokes the whole grant)
 * and the project's fake (src/fakes/oauth2-server.ts: rotates, refuses replays, revokes nothing).
 * What a storm measures at the provider comes from here: token requests, refresh grants, replays,
 * whether tokens still work afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import type { OidcPeer } from '../../test/peers/oidc-peer';

/** A client of the provider with a fresh grant. */
export interface StormGrant {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** The access token issued with the grant (the oidc peer's code exchange), if any. */
  accessToken?: string;
  /** The provider's grant id (oidc peer). */
  grantId?: string;
}

/** Counters at the provider for one client. */
export interface ProviderCounters {
  /** Token endpoint requests. */
  tokenRequests: number;
  /** Successful refresh_token grants (fake: requests minus refused ones). */
  refreshGrants: number;
  /** Requests answered `invalid_grant`. */
  invalidGrant: number;
  /** Refused reuses of a consumed refresh token. */
  replays: number;
}

/** A token endpoint under test. */
export interface StormProvider {
  /** `oidc-provider` or `fake`. */
  readonly name: 'oidc-provider' | 'fake';
  readonly tokenEndpoint: string;
  /** A new grant for a new client, or for the client `clientId` of an earlier grant. */
  newGrant(of?: StormGrant): Promise<StormGrant>;
  /** The counters of `grant`'s client so far. */
  counters(grant: StormGrant): Promise<ProviderCounters>;
  /** True when the provider accepts `accessToken` now. */
  isAccessTokenValid(accessToken: string): Promise<boolean>;
  /** True when `refreshToken` could still be used (not consumed, not revoked). */
  isRefreshTokenUsable(refreshToken: string): Promise<boolean>;
  /** True when the provider revoked the grant (oidc peer: reuse detection); the fake never does. */
  grantRevoked(grant: StormGrant): Promise<boolean>;
}

/** `after - before`, field by field. */
export function countersSince(before: ProviderCounters, after: ProviderCounters): ProviderCounters {
  return {
    tokenRequests: after.tokenRequests - before.tokenRequests,
    refreshGrants: after.refreshGrants - before.refreshGrants,
    invalidGrant: after.invalidGrant - before.invalidGrant,
    replays: after.replays - before.replays,
  };
}

/** The oidc peer (strict rotation is the peer's default). */
export function oidcStormProvider(peer: OidcPeer): StormProvider {
  return {
    name: 'oidc-provider',
    tokenEndpoint: peer.tokenEndpoint,
    async newGrant(of) {
      const client = of ? { clientId: of.clientId, clientSecret: of.clientSecret } : await peer.addClient({ auth: 'client_secret_basic' });
      const grant = await peer.mintGrant({ clientId: client.clientId });
      return { clientId: client.clientId, clientSecret: client.clientSecret ?? '', refreshToken: grant.refreshToken, accessToken: grant.accessToken, grantId: grant.grantId };
    },
    async counters(grant) {
      const events = (await peer.events()).filter((e) => e.clientId === grant.clientId);
      return {
        tokenRequests: events.length,
        refreshGrants: events.filter((e) => e.grantType === 'refresh_token' && e.status === 200).length,
        invalidGrant: events.filter((e) => e.error === 'invalid_grant').length,
        replays: events.filter((e) => e.replay === true).length,
      };
    },
    isAccessTokenValid: (accessToken) => peer.isAccessTokenValid(accessToken),
    async isRefreshTokenUsable(refreshToken) {
      const info = await peer.lookupToken(refreshToken);
      if (!info || info.consumed || info.expiresAt <= Date.now() || !info.grantId) return false;
      return (await peer.grant(info.grantId))?.revoked === false;
    },
    async grantRevoked(grant) {
      return grant.grantId !== undefined && (await peer.grant(grant.grantId))?.revoked !== false;
    },
  };
}

/** The project's fake. Its replay counter is global: storms against it run one at a time. */
export function fakeStormProvider(fake: FakeOAuth2Server): StormProvider {
  const replaysByClient = new Map<string, number>();
  let lastReplays = fake.replays;
  /** Attributes new replays to the client whose counters are read (storms run one at a time). */
  const replaysOf = (clientId: string) => {
    replaysByClient.set(clientId, (replaysByClient.get(clientId) ?? 0) + fake.replays - lastReplays);
    lastReplays = fake.replays;
    return replaysByClient.get(clientId) ?? 0;
  };
  return {
    name: 'fake',
    tokenEndpoint: fake.tokenEndpoint,
    async newGrant(of) {
      const clientId = of?.clientId ?? `storm-${randomUUID().slice(0, 8)}`;
      const clientSecret = of?.clientSecret ?? `storm-secret-${randomUUID()}`;
      if (!of) fake.addClient(clientId, clientSecret);
      return { clientId, clientSecret, refreshToken: fake.issueRefreshToken(clientId) };
    },
    async counters(grant) {
      const tokenRequests = fake.callsFor(grant.clientId);
      const replays = replaysOf(grant.clientId);
      return { tokenRequests, refreshGrants: tokenRequests - replays, invalidGrant: replays, replays };
    },
    isAccessTokenValid: async (accessToken) => fake.isValidAccessToken(accessToken),
    isRefreshTokenUsable: async (refreshToken) => fake.isValidRefreshToken(refreshToken),
    grantRevoked: async () => false,
  };
}

/**
 * Credentials of a chaos scenario: grants minted at the OpenID peer (authorization code + PKCE)
 * and registered through the TokenClient, a few at a time; every grant a credential ever had is
 * remembered, so a loss can be found at the provider even after the credential was reauthorized.
 */
import type { RefreshPolicy } from '../../src/credential';
import type { OidcPeer, OidcPeerClient } from '../peers/oidc-peer';
import type { ChaosClient } from './stack';

/** A credential of the run. */
export interface ChaosCredential {
  id: string;
  peer: OidcPeer;
  client: OidcPeerClient;
  /** Every grant it had, oldest first (the last is current). */
  grants: string[];
  /** Its version at registration. */
  version: number;
}

/** Runs `items` through `run`, `width` at a time. */
export async function inPool<T, R>(items: readonly T[], width: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T, i);
    }
  }));
  return results;
}

/**
 * Registers `count` credentials at `peer` with ids `<prefix>-<n>`: a grant minted through the
 * authorization code flow, registered with the token it came with and that token's real expiry as
 * the provider stores it (so the run's first tokens are judged by the same clock as the rest).
 */
export async function registerCredentials(client: ChaosClient, peer: OidcPeer, count: number, prefix: string, options: { policy?: Partial<RefreshPolicy>; config?: Record<string, unknown> } = {}): Promise<ChaosCredential[]> {
  return inPool(Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`), 6, async (id) => {
    const peerClient = await peer.addClient({ auth: 'client_secret_basic' });
    const grant = await peer.mintGrant({ clientId: peerClient.clientId });
    const expiresAt = (await peer.lookupToken(grant.accessToken))?.expiresAt ?? Date.now() + (grant.expiresIn - 1) * 1000;
    const registered = await client.register({
      id,
      provider: 'oauth2',
      config: { tokenEndpoint: peer.tokenEndpoint, issuer: peer.issuer, clientId: peerClient.clientId, clientSecret: peerClient.clientSecret ?? '', ...options.config },
      grant: { refreshToken: grant.refreshToken },
      token: { accessToken: grant.accessToken, expiresAt },
      ...(options.policy ? { policy: options.policy } : {}),
    });
    return { id, peer, client: peerClient, grants: [grant.grantId], version: registered.token.version };
  });
}

/** Gives `cred` a fresh grant of its client (what an operator does after `reauth_required`); resolves with the new token's version. */
export async function reauthorizeWithNewGrant(client: ChaosClient, cred: ChaosCredential): Promise<number> {
  const grant = await cred.peer.mintGrant({ clientId: cred.client.clientId });
  cred.grants.push(grant.grantId);
  const token = await client.reauthorize(cred.id, { grant: { refreshToken: grant.refreshToken } });
  return token.version;
}

/** Registers credentials at the real OpenID peer (test/peers/oidc-peer.ts) through the TokenClient. */
import type { Registration, TokenClient } from '../../src/client/token-client';
import type { RefreshPolicy } from '../../src/credential';
import type { OidcPeer, OidcPeerClient } from '../peers/oidc-peer';
import { uniqueId } from './test-env';

/** A credential registered at the peer, with what the test needs to check it there. */
export interface OidcCredential extends Registration {
  client: OidcPeerClient;
  grantId: string;
}

/**
 * Mints a grant at the peer (authorization code + PKCE, no browser) and registers it with the
 * token the grant came with, so registration makes no call of its own. `issuer` is set, so an
 * id_token in an answer is checked against the peer's real issuer.
 */
export async function registerAtPeer(
  client: TokenClient,
  peer: OidcPeer,
  options: { id?: string; policy?: Partial<RefreshPolicy>; config?: Record<string, unknown>; scope?: string } = {},
): Promise<OidcCredential> {
  const peerClient = await peer.addClient({ auth: 'client_secret_basic' });
  const grant = await peer.mintGrant({ clientId: peerClient.clientId, ...(options.scope ? { scope: options.scope } : {}) });
  const registration = await client.register({
    id: options.id ?? uniqueId('oidc'),
    provider: 'oauth2',
    config: { tokenEndpoint: peer.tokenEndpoint, issuer: peer.issuer, clientId: peerClient.clientId, clientSecret: peerClient.clientSecret ?? '', ...options.config },
    grant: { refreshToken: grant.refreshToken },
    token: { accessToken: grant.accessToken, expiresAt: Date.now() + grant.expiresIn * 1000 },
    ...(options.policy ? { policy: options.policy } : {}),
  });
  return { ...registration, client: peerClient, grantId: grant.grantId };
}

/**
 * `private_key_jwt` client authentication against a real, certified OpenID provider
 * (oidc-provider, test/peers) through the whole stack: workflow, refresh activity, Redis. The peer
 * verifies each client assertion against the client's registered JWKS; Halflife signs them with
 * jose. The refresh_token grant (strict rotation: a replay would revoke the grant) and the
 * client_credentials grant (its token endpoint found by discovery, which must keep
 * `private_key_jwt`); a key the peer does not know is `invalid_client`.
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { completeProviderConfig, parseProviderConfig } from '../../src/providers/registry';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-peer';
import { fastPolicy } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** A signing key pair as the client holds it (private JWK) and as the peer knows it (public JWK). */
function keyPair(kind: 'ec' | 'rsa', kid: string): { privateJwk: JsonWebKey; publicJwk: JsonWebKey; pem: string } {
  const { privateKey, publicKey } = kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alg = kind === 'ec' ? 'ES256' : 'RS256';
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

describe('private_key_jwt against oidc-provider, through the workflow', () => {
  const taskQueue = uniqueId('tq-pkjwt');
  let peer: OidcPeer;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  const ids: string[] = [];

  beforeAll(async () => {
    [peer, worker, client] = await Promise.all([startOidcPeer({ issuerPath: '/oauth2/default', accessTokenTtlS: 3, rotation: 'strict' }), startWorkerProcess(taskQueue), openTokenClient(taskQueue)]);
  });
  afterAll(async () => {
    for (const id of ids) await client?.revoke(id).catch(() => undefined);
    await client?.shutdown();
    await worker?.stop();
    await peer?.close();
  });

  it('refresh_token grant: rotations with signed client assertions, no replay, the grant alive, the id_token checked against the issuer', async () => {
    const key = keyPair('ec', uniqueId('kid'));
    const registered = await peer.addClient({ auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] } });
    const grant = await peer.mintGrant({ clientId: registered.clientId, privateJwk: key.privateJwk });
    const id = uniqueId('pkjwt-rt');
    ids.push(id);
    const config = { tokenEndpoint: peer.tokenEndpoint, issuer: peer.issuer, clientId: registered.clientId, clientAuth: 'private_key_jwt', privateKey: key.privateJwk, keyId: key.publicJwk.kid };
    const first = await client.register({ id, provider: 'oauth2', config, grant: { refreshToken: grant.refreshToken }, policy: fastPolicy });
    expect(await peer.isAccessTokenValid(first.token.accessToken)).toBe(true);

    const described = await waitFor('two scheduled refreshes', async () => {
      const d = await client.describe(id);
      return d.version >= 3 ? d : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    expect(described.status).toBe('active');
    expect(described.counts.failures).toBe(0);
    expect(described.warning).toBeUndefined();
    expect(described.settings).not.toHaveProperty('privateKey');
    const stats = await peer.stats();
    expect(stats.replays).toBe(0);
    const info = await peer.grant(grant.grantId);
    expect(info).toMatchObject({ revoked: false, live: true });
    expect(info?.refreshCount).toBeGreaterThanOrEqual(3);
    const served = await client.getToken(id);
    expect(await peer.isAccessTokenValid(served.accessToken)).toBe(true);
  });

  it('client_credentials grant, its endpoint found by discovery (which keeps private_key_jwt): an RS256 PEM key, tokens the peer accepts', async () => {
    const key = keyPair('rsa', uniqueId('kid'));
    const registered = await peer.addClient({ auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, grantTypes: ['client_credentials'] });
    const before = (await peer.stats()).clientCredentialsGrants;
    const id = uniqueId('pkjwt-cc');
    ids.push(id);
    // Discovery is the provider's registration-time completion (TokenClient.register does not run it yet).
    const given = parseProviderConfig('oauth2_client_credentials', { issuer: peer.issuer, clientId: registered.clientId, clientAuth: 'private_key_jwt', privateKey: key.pem, keyId: key.publicJwk.kid });
    const config = await completeProviderConfig('oauth2_client_credentials', given);
    expect(config).toMatchObject({ tokenEndpoint: peer.tokenEndpoint, clientAuth: 'private_key_jwt' });
    const first = await client.register({ id, provider: 'oauth2_client_credentials', config, policy: fastPolicy });
    expect(await peer.isAccessTokenValid(first.token.accessToken)).toBe(true);
    const described = await waitFor('two scheduled refreshes', async () => {
      const d = await client.describe(id);
      return d.version >= 3 ? d : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    expect(described.settings).toMatchObject({ tokenEndpoint: peer.tokenEndpoint, clientAuth: 'private_key_jwt' });
    expect((await peer.stats()).clientCredentialsGrants - before).toBeGreaterThanOrEqual(3);
    expect(await peer.isAccessTokenValid((await client.getToken(id)).accessToken)).toBe(true);
  });

  it('a key the peer does not know: invalid_client, reauth_required, and no retry', async () => {
    const known = keyPair('ec', 'k-known');
    const stranger = keyPair('ec', 'k-known');
    const registered = await peer.addClient({ auth: 'private_key_jwt', jwks: { keys: [known.publicJwk] }, grantTypes: ['client_credentials'] });
    const id = uniqueId('pkjwt-bad');
    ids.push(id);
    const config = { tokenEndpoint: peer.tokenEndpoint, clientId: registered.clientId, clientAuth: 'private_key_jwt', privateKey: stranger.privateJwk };
    const outcome = await client.register({ id, provider: 'oauth2_client_credentials', config, policy: fastPolicy }).catch((err: unknown) => err);
    expect(outcome).toMatchObject({ name: 'ReauthRequiredError' });
    const described = await waitFor('reauth_required', async () => {
      const d = await client.describe(id);
      return d.status === 'reauth_required' ? d : undefined;
    });
    expect(described.lastError).toMatchObject({ kind: 'configuration', code: 'invalid_client' });
    expect(described.reprobeAt).toBeUndefined();
    const events = (await peer.events()).filter((e) => e.clientId === registered.clientId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: 401, error: 'invalid_client' });
  });
});

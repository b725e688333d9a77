/**
 * The OpenID peer (test/peers) behaves as the suites that rely on it assume: strict rotation with
 * grant revocation on replay, a grace window, delayed answers, injected failures and outages,
 * client_credentials, private_key_jwt, device flow, and the authorization code flow with PKCE
 * driven over HTTP. Plain HTTP against the provider: no Halflife code.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import path from 'node:path';
import {
  authenticateClient, clientAssertion, completeAuthorizationCodeFlow, completeDeviceFlow, fingerprint, pkcePair, startOidcPeer,
  type OidcPeer, type OidcPeerClient,
} from '../peers/oidc-peer';
import { waitFor } from '../helpers/wait';

const decodeJwt = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

async function form(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A refresh_token grant as any client would send it (client_secret_basic). */
function refresh(peer: OidcPeer, client: OidcPeerClient, refreshToken: string) {
  const auth = authenticateClient(client, peer.tokenEndpoint);
  return form(peer.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth.params }, auth.headers);
}

describe('OpenID peer (oidc-provider on loopback)', () => {
  let peer: OidcPeer;
  let client: OidcPeerClient;

  beforeAll(async () => {
    peer = await startOidcPeer({ issuerPath: '/oauth2/default', accessTokenTtlS: 60, rotation: 'strict', deviceIntervalS: 1 });
    client = await peer.addClient({ clientId: 'app', auth: 'client_secret_basic' });
  });
  afterAll(async () => {
    await peer?.close();
  });
  beforeEach(async () => {
    await Promise.all([peer.setRotation('strict'), peer.setAnswerDelayMs(0), peer.clearFailures(), peer.setDown(false)]);
  });

  it('serves discovery for an issuer with a path, and a minted refresh token refreshes once with an id_token from that issuer', async () => {
    expect(new URL(peer.issuer).pathname).toBe('/oauth2/default');
    const discovery = (await (await fetch(peer.discoveryUrl)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ issuer: peer.issuer, token_endpoint: peer.tokenEndpoint, jwks_uri: peer.jwksUri });
    const metadata = (await (await fetch(peer.authorizationServerMetadataUrl)).json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(peer.issuer);

    const before = await peer.stats();
    const grant = await peer.mintGrant({ clientId: client.clientId, scope: 'openid offline_access api', accountId: 'alice' });
    expect((await peer.stats()).tokenRequests).toBe(before.tokenRequests); // minting is not counted
    expect(await peer.isAccessTokenValid(grant.accessToken)).toBe(true);

    const answer = await refresh(peer, client, grant.refreshToken);
    expect(answer.status).toBe(200);
    const body = answer.body as { access_token: string; refresh_token: string; id_token: string; expires_in: number; scope: string };
    expect(body.refresh_token).not.toBe(grant.refreshToken);
    expect(body.access_token).not.toBe(grant.accessToken);
    expect(body.expires_in).toBe(60);
    expect(body.scope).toBe('openid offline_access api');
    expect(decodeJwt(body.id_token)).toMatchObject({ iss: peer.issuer, aud: client.clientId, sub: 'alice' });
    expect(await peer.isAccessTokenValid(body.access_token)).toBe(true);

    const info = await peer.grant(grant.grantId);
    expect(info).toMatchObject({ revoked: false, refreshCount: 1, live: true, clientId: client.clientId, accountId: 'alice' });
    const event = await peer.waitForEvent((e) => e.presented === fingerprint(grant.refreshToken) && e.answeredAt !== undefined);
    expect(event).toMatchObject({ grantType: 'refresh_token', status: 200, rotated: true, issued: fingerprint(body.refresh_token), grantId: grant.grantId });
    expect(event.receivedAt).toBeLessThanOrEqual(event.decidedAt!);
    expect(event.decidedAt).toBeLessThanOrEqual(event.answeredAt!);
  });

  it('strict rotation: replaying a consumed refresh token is invalid_grant and revokes the grant, so the new one fails too', async () => {
    const grant = await peer.mintGrant({ clientId: client.clientId });
    const first = await refresh(peer, client, grant.refreshToken);
    expect(first.status).toBe(200);
    const rotated = first.body.refresh_token as string;
    const before = await peer.stats();

    const replay = await refresh(peer, client, grant.refreshToken);
    expect(replay).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
    const after = await peer.stats();
    expect(after.replays - before.replays).toBe(1);
    expect(after.grantsRevoked - before.grantsRevoked).toBe(1);
    expect(await peer.grant(grant.grantId)).toMatchObject({ revoked: true, revokedBy: 'replay', replays: 1, live: false });

    expect((await refresh(peer, client, rotated)).body.error).toBe('invalid_grant');
    expect(await peer.isAccessTokenValid(first.body.access_token as string)).toBe(false);
  });

  it('concurrent uses of one refresh token are serialized: one rotates, the other is a replay', async () => {
    const grant = await peer.mintGrant({ clientId: client.clientId });
    const answers = await Promise.all([refresh(peer, client, grant.refreshToken), refresh(peer, client, grant.refreshToken)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    expect(await peer.grant(grant.grantId)).toMatchObject({ revoked: true, revokedBy: 'replay', refreshCount: 1 });
  });

  it('grace window: a replay inside it is answered with fresh tokens; outside it is refused and revokes the grant', async () => {
    await peer.setRotation({ graceMs: 10_000 });
    const grant = await peer.mintGrant({ clientId: client.clientId });
    const first = await refresh(peer, client, grant.refreshToken);
    expect(first.status).toBe(200);
    const used = await peer.waitForEvent((e) => e.presented === fingerprint(grant.refreshToken) && e.decidedAt !== undefined);

    const inside = await refresh(peer, client, grant.refreshToken);
    expect(inside.status).toBe(200);
    expect(inside.body.refresh_token).toEqual(expect.any(String));
    expect(inside.body.refresh_token).not.toBe(grant.refreshToken);
    expect(await peer.grant(grant.grantId)).toMatchObject({ revoked: false, graceReplays: 1, refreshCount: 2 });

    // Shrink the window and wait until the first use is past it.
    await peer.setRotation({ graceMs: 200 });
    await waitFor('the grace window to pass', () => Date.now() > used.decidedAt! + 250);
    const outside = await refresh(peer, client, grant.refreshToken);
    expect(outside.body.error).toBe('invalid_grant');
    expect(await peer.grant(grant.grantId)).toMatchObject({ revoked: true, revokedBy: 'replay' });
  });

  it('answerDelayMs: the provider commits the rotation, then answers after the delay', async () => {
    const grant = await peer.mintGrant({ clientId: client.clientId });
    await peer.setAnswerDelayMs(1200);
    const started = Date.now();
    const pending = refresh(peer, client, grant.refreshToken);
    const deciding = await peer.waitForEvent((e) => e.presented === fingerprint(grant.refreshToken) && e.decidedAt !== undefined);
    expect(deciding.answeredAt).toBeUndefined();
    // While the answer waits, the old refresh token is already consumed at the provider.
    expect(await peer.lookupToken(grant.refreshToken)).toMatchObject({ kind: 'RefreshToken', consumed: true, grantId: grant.grantId });
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    const answered = await peer.waitForEvent((e) => e.seq === deciding.seq && e.answeredAt !== undefined);
    expect(answered.answeredAt! - answered.decidedAt!).toBeGreaterThanOrEqual(1190);
  });

  it('failNext answers the next requests with an error status, before or after the provider decided; setDown is an outage', async () => {
    const grant = await peer.mintGrant({ clientId: client.clientId });
    await peer.failNext(2, 503);
    for (let i = 0; i < 2; i += 1) {
      expect(await refresh(peer, client, grant.refreshToken)).toEqual({ status: 503, body: expect.objectContaining({ error: 'temporarily_unavailable' }) });
    }
    expect(await peer.lookupToken(grant.refreshToken)).toMatchObject({ consumed: false });
    const ok = await refresh(peer, client, grant.refreshToken);
    expect(ok.status).toBe(200);

    // 'after': the provider rotated, the caller sees 502 and holds only the consumed token.
    await peer.failNext(1, 502, { when: 'after' });
    const lost = await refresh(peer, client, ok.body.refresh_token as string);
    expect(lost.status).toBe(502);
    expect(await peer.lookupToken(ok.body.refresh_token as string)).toMatchObject({ consumed: true });
    expect((await refresh(peer, client, ok.body.refresh_token as string)).body.error).toBe('invalid_grant');
    const stats = await peer.stats();
    expect(stats.injectedFailures).toBeGreaterThanOrEqual(3);

    const other = await peer.mintGrant({ clientId: client.clientId });
    await peer.setDown(true);
    expect((await fetch(peer.discoveryUrl)).status).toBe(503);
    expect((await refresh(peer, client, other.refreshToken)).status).toBe(503);
    await peer.setDown(true, 'refuse');
    await expect(fetch(peer.discoveryUrl)).rejects.toThrow();
    await peer.setDown(false);
    expect((await fetch(peer.discoveryUrl)).status).toBe(200);
    expect((await refresh(peer, client, other.refreshToken)).status).toBe(200);
  });

  it('client_credentials with client_secret_post', async () => {
    const service = await peer.addClient({ auth: 'client_secret_post', grantTypes: ['client_credentials'] });
    const before = await peer.stats();
    const answer = await form(peer.tokenEndpoint, { grant_type: 'client_credentials', client_id: service.clientId, client_secret: service.clientSecret! });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(answer.body.refresh_token).toBeUndefined();
    expect(await peer.isAccessTokenValid(answer.body.access_token as string)).toBe(true);
    expect((await peer.stats()).clientCredentialsGrants - before.clientCredentialsGrants).toBe(1);
    const wrong = await form(peer.tokenEndpoint, { grant_type: 'client_credentials', client_id: service.clientId, client_secret: 'wrong' });
    expect(wrong).toEqual({ status: 401, body: expect.objectContaining({ error: 'invalid_client' }) });
  });

  it('private_key_jwt client authentication, for client_credentials and refresh_token', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const privateJwk: JsonWebKey = { ...privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' };
    const publicJwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
    const signed = await peer.addClient({ auth: 'private_key_jwt', jwks: { keys: [publicJwk] } });
    expect(signed.privateJwk).toBeUndefined();

    const assertion = (jwk: JsonWebKey) => ({
      client_id: signed.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion(signed.clientId, peer.tokenEndpoint, jwk),
    });
    const cc = await form(peer.tokenEndpoint, { grant_type: 'client_credentials', ...assertion(privateJwk) });
    expect(cc.status).toBe(200);
    const stranger: JsonWebKey = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256' };
    expect((await form(peer.tokenEndpoint, { grant_type: 'client_credentials', ...assertion(stranger) })).body.error).toBe('invalid_client');

    const grant = await peer.mintGrant({ clientId: signed.clientId, privateJwk });
    const refreshed = await form(peer.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: grant.refreshToken, ...assertion(privateJwk) });
    expect(refreshed.status).toBe(200);
    // The peer generates a key pair when none is given, and can then mint by itself.
    const generated = await peer.addClient({ auth: 'private_key_jwt' });
    expect(generated.privateJwk).toMatchObject({ kty: 'EC', d: expect.any(String) });
    expect((await peer.mintGrant({ clientId: generated.clientId })).refreshToken).toEqual(expect.any(String));
  });

  it('device flow: the device authorization endpoint answers with an interval; polls honour it (slow_down); an approval over HTTP yields a refresh token', async () => {
    const poll = (deviceCode: string) => {
      const auth = authenticateClient(client, peer.tokenEndpoint);
      return form(peer.tokenEndpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode, ...auth.params }, auth.headers);
    };
    const authorize = async () => {
      const auth = authenticateClient(client, peer.deviceAuthorizationEndpoint);
      const started = await form(peer.deviceAuthorizationEndpoint, { scope: 'openid offline_access api', ...auth.params }, auth.headers);
      expect(started.status).toBe(200);
      return started.body as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string; interval: number; expires_in: number };
    };

    const device = await authorize();
    expect(device).toMatchObject({ device_code: expect.any(String), user_code: expect.any(String), verification_uri: `${peer.issuer}/device`, interval: 1 });
    const pendingAt = Date.now();
    expect((await poll(device.device_code)).body.error).toBe('authorization_pending');
    expect(await completeDeviceFlow(device.verification_uri_complete, { login: 'bob' })).toMatchObject({ approved: true });
    await waitFor('the polling interval to pass', () => Date.now() >= pendingAt + 1100);
    const granted = await poll(device.device_code);
    expect(granted.status).toBe(200);
    expect(granted.body.refresh_token).toEqual(expect.any(String));
    expect(decodeJwt(granted.body.id_token as string)).toMatchObject({ sub: 'bob', iss: peer.issuer });

    const impatient = await authorize();
    expect((await poll(impatient.device_code)).body.error).toBe('authorization_pending');
    expect((await poll(impatient.device_code)).body.error).toBe('slow_down');
  });

  it('authorization code + PKCE over HTTP: the flow completes without a browser and the code exchange needs the verifier', async () => {
    const redirectUri = 'http://127.0.0.1:9/connect/callback';
    const web = await peer.addClient({ redirectUris: [redirectUri] });
    const { verifier, challenge } = pkcePair();
    const url = peer.authorizationUrl({ clientId: web.clientId, redirectUri, state: 'st-1', codeChallenge: challenge });

    const back = await completeAuthorizationCodeFlow(url, { login: 'carol' });
    expect(back.redirectTo.origin + back.redirectTo.pathname).toBe(redirectUri);
    expect(back).toMatchObject({ code: expect.any(String), state: 'st-1', iss: peer.issuer });
    const auth = authenticateClient(web, peer.tokenEndpoint);
    const exchange = (code_verifier: string) =>
      form(peer.tokenEndpoint, { grant_type: 'authorization_code', code: back.code!, redirect_uri: redirectUri, code_verifier, ...auth.params }, auth.headers);
    expect((await exchange(pkcePair().verifier)).body.error).toBe('invalid_grant');

    const again = await completeAuthorizationCodeFlow(url, { login: 'carol' });
    const exchanged = await form(peer.tokenEndpoint, { grant_type: 'authorization_code', code: again.code!, redirect_uri: redirectUri, code_verifier: verifier, ...auth.params }, auth.headers);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({ refresh_token: expect.any(String), access_token: expect.any(String), scope: 'openid offline_access api' });
    const replayed = await form(peer.tokenEndpoint, { grant_type: 'authorization_code', code: again.code!, redirect_uri: redirectUri, code_verifier: verifier, ...auth.params }, auth.headers);
    expect(replayed.body.error).toBe('invalid_grant');

    // A request without PKCE is refused, and a user who denies comes back with access_denied.
    const noPkce = await completeAuthorizationCodeFlow(peer.authorizationUrl({ clientId: web.clientId, redirectUri }));
    expect(noPkce.error).toBe('invalid_request');
    const denied = await completeAuthorizationCodeFlow(url, { decision: 'deny' });
    expect(denied).toMatchObject({ error: 'access_denied', state: 'st-1' });
  });

  it('revokeGrant ends a grant at the provider', async () => {
    const grant = await peer.mintGrant({ clientId: client.clientId });
    expect(await peer.revokeGrant(grant.grantId)).toBe(true);
    expect(await peer.grant(grant.grantId)).toMatchObject({ revoked: true, revokedBy: 'admin', live: false });
    expect((await refresh(peer, client, grant.refreshToken)).body.error).toBe('invalid_grant');
    expect(await peer.isAccessTokenValid(grant.accessToken)).toBe(false);
  });
});

describe('OpenID peer lifetimes and lifecycle', () => {
  it('isAccessTokenValid turns false once a short-lived access token has expired', async () => {
    const peer = await startOidcPeer({ accessTokenTtlS: 3 });
    try {
      const { clientId } = await peer.addClient();
      const beforeIssue = Date.now();
      const grant = await peer.mintGrant({ clientId, scope: 'offline_access api' });
      expect(grant.expiresIn).toBe(3);
      expect(await peer.isAccessTokenValid(grant.accessToken)).toBe(true);
      await waitFor('the access token to expire', async () => !(await peer.isAccessTokenValid(grant.accessToken)), { timeoutMs: 10_000, intervalMs: 100 });
      // Whole-second expiry (exp = floor(iat) + 3): dead between 2 and 3 s after issue.
      expect(Date.now() - beforeIssue).toBeGreaterThanOrEqual(2000);
      expect(grant.idToken).toBeUndefined();
    } finally {
      await peer.close();
    }
  });

  it('the provider process exits when the process that started it dies', async () => {
    const root = path.join(__dirname, '..', '..');
    const script = "require('./test/peers/oidc-peer').startOidcPeer().then(p => console.log(JSON.stringify({ adminUrl: p.adminUrl })), e => { console.error(e); process.exit(1); }); setInterval(() => {}, 1000);";
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    parent.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const { adminUrl } = JSON.parse(await waitFor('the peer started by the parent', () => out.split('\n').find((line) => line.startsWith('{')), { timeoutMs: 30_000 })) as { adminUrl: string };
    expect((await fetch(`${adminUrl}/stats`)).status).toBe(200);
    parent.kill('SIGKILL');
    await waitFor('the orphaned peer to exit', () => fetch(`${adminUrl}/stats`).then(() => false, () => true), { timeoutMs: 10_000 });
  });
});

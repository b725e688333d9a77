/**
 * Connect links against a real OpenID provider (oidc-provider on loopback, PKCE required, issuer
 * with a path), with the real HTTP API, Temporal dev server, worker process and Redis: a new
 * credential connected by a link, its grant revoked at the provider, reconnected by a new link
 * without anyone touching a token; replays, PKCE, denial, expiry and the other bad inputs.
 * The person's browser is driven over HTTP (the peer's browserless helper).
 */
import { randomBytes } from 'node:crypto';
import { createCreateConnectLink } from '../../src/activities/connect/create-link';
import { ConnectClient } from '../../src/connect/connect-client';
import { connectSettingsOf } from '../../src/connect/messages';
import { parseConnectBody, resolveConnect } from '../../src/connect/profile';
import { completeAuthorizationCodeFlow } from '../peers/oidc-peer';
import { useConnectStack } from '../helpers/connect-stack';
import { uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';

const scope = 'openid offline_access api';

describe('connect links (authorization code + PKCE) against oidc-provider', () => {
  const stack = useConnectStack();
  /** Every answer body and header the API gave, to search for secrets at the end. */
  const seen: string[] = [];

  async function call(method: string, path: string, options: { body?: unknown; accept?: string } = {}) {
    const res = await fetch(`${stack.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${stack.adminKey}`,
        accept: options.accept ?? 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    seen.push(text, JSON.stringify([...res.headers]));
    return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  }

  const settings = () => ({ issuer: stack.peer.issuer, client_id: stack.peerClient.clientId, client_secret: stack.peerClient.clientSecret, scope });

  async function link(id: string, body: Record<string, unknown>) {
    const created = await call('POST', `/v1/credentials/${id}/connect`, { body });
    expect(created.status).toBe(201);
    return created.body as { url: string; session: string; expires_at: string };
  }

  /** The person opens the link, logs in and consents (or denies); returns the provider's redirect to the callback, not yet followed. */
  function authorize(url: string, decision: 'approve' | 'deny' = 'approve') {
    return completeAuthorizationCodeFlow(url, { redirectUri: stack.connect.redirectUri, login: 'alice', decision });
  }

  /** The browser follows the redirect to Halflife's callback. */
  async function follow(redirectTo: URL, accept = 'application/json') {
    return call('GET', `${redirectTo.pathname}${redirectTo.search}`, { accept });
  }

  it('connects a new credential; after the grant is revoked at the provider, a new link resumes it with the next version', async () => {
    const id = uniqueId('conn');
    const created = await link(id, settings());
    expect(created.url).toBe(`${stack.base}/connect/${created.session}`);
    expect(Date.parse(created.expires_at) - Date.now()).toBeGreaterThan(14 * 60_000);

    // The link redirects with state, PKCE S256, scope, the callback as redirect_uri, and prompt=consent for offline_access.
    const opened = await call('GET', `/connect/${created.session}`, { accept: 'text/html' });
    expect(opened.status).toBe(302);
    const target = new URL(opened.headers.get('location')!);
    expect(`${target.origin}${target.pathname}`).toBe(stack.peer.authorizationEndpoint);
    expect(Object.fromEntries(target.searchParams)).toMatchObject({
      response_type: 'code', client_id: stack.peerClient.clientId, redirect_uri: `${stack.base}/connect/callback`, state: created.session,
      scope, code_challenge_method: 'S256', prompt: 'consent',
    });
    expect(target.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const pending = await call('GET', `/v1/credentials/${id}/connect`);
    expect(pending.body.sessions).toEqual([expect.objectContaining({ mode: 'link', status: 'pending', url: created.url, opened: 1 })]);

    const back = await authorize(created.url);
    expect(back.state).toBe(created.session);
    const done = await follow(back.redirectTo);
    expect(done.body).toEqual({ result: 'connected', credential_id: id, registration: 'created', version: 1 });
    expect(done.status).toBe(200);

    const first = await stack.client.getToken(id);
    expect(first.version).toBe(1);
    expect(await stack.peer.isAccessTokenValid(first.accessToken)).toBe(true);
    expect((await call('GET', `/v1/credentials/${id}`)).body).toMatchObject({ status: 'active', has_refresh_token: true, settings: { issuer: stack.peer.issuer } });

    // The person revokes the app at the provider: the next refresh is refused and the credential waits for a person.
    const grantId = await stack.peer.grantIdOf(first.accessToken);
    expect(await stack.peer.revokeGrant(grantId!)).toBe(true);
    await stack.client.refresh(id, { staleVersion: first.version }).catch(() => undefined);
    await waitFor('reauth_required', async () => (await stack.client.describe(id)).status === 'reauth_required');

    // Entering reauth_required, the credential made a fresh connect link itself (it was created by one):
    // admins see it in describe, and it is one of the pending sessions.
    const fresh = await waitFor('the fresh connect link', async () => (await call('GET', `/v1/credentials/${id}`)).body.connect_link as { url: string } | undefined);
    expect(fresh.url).toMatch(new RegExp(`^${stack.base}/connect/`));

    // A new link for the existing credential needs only what Halflife cannot read back: the client secret.
    const again = await link(id, { client_secret: stack.peerClient.clientSecret });
    const described = await call('GET', `/v1/credentials/${id}`);
    expect(described.body.connect).toEqual(expect.arrayContaining([expect.objectContaining({ url: again.url, status: 'pending' }), expect.objectContaining({ url: fresh.url, status: 'pending' })]));
    const resumed = await follow((await authorize(again.url)).redirectTo);
    expect(resumed.body).toEqual({ result: 'connected', credential_id: id, registration: 'replaced', version: 2 });

    const description = await stack.client.describe(id);
    expect(description).toMatchObject({ status: 'active', version: 2 });
    const second = await waitFor('the version 2 token', async () => {
      const token = await stack.client.getToken(id);
      return token.version === 2 ? token : undefined;
    });
    expect(await stack.peer.isAccessTokenValid(second.accessToken)).toBe(true);
    expect((await stack.peer.stats()).authorizationCodeGrants).toBeGreaterThanOrEqual(2);
    // The link used is done; the fresh one the credential made stays pending until it expires, and describe
    // no longer offers it (the credential is active again).
    const after = (await call('GET', `/v1/credentials/${id}`)).body;
    expect(after.connect).toEqual([expect.objectContaining({ url: fresh.url, status: 'pending' })]);
    expect(after.connect_link).toBeUndefined();

    // A replayed callback is refused and changes nothing.
    const reopened = await call('GET', `/connect/${created.session}`, { accept: 'text/html' });
    expect(reopened.status).toBe(409);
    expect(reopened.text).toContain('This link was already used');
    const replay = await follow(back.redirectTo);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('session_used');
    const replayPage = await follow(back.redirectTo, 'text/html');
    expect(replayPage.status).toBe(409);
    expect(replayPage.text).toContain('This link was already used');
    expect((await stack.client.describe(id)).version).toBe(2);
  });

  it('the provider checks the PKCE verifier: a code delivered to another session is refused; a session without PKCE is refused by the provider', async () => {
    const [a, b] = [uniqueId('pkce-a'), uniqueId('pkce-b')];
    const sessionA = await link(a, settings());
    const sessionB = await link(b, settings());
    const backA = await authorize(sessionA.url);
    // A's code with B's state: B's exchange sends B's verifier, which does not match A's challenge.
    const crossed = new URL(backA.redirectTo);
    crossed.searchParams.set('state', sessionB.session);
    const refused = await follow(crossed);
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({ result: 'exchange_failed', credential_id: b, error: { code: 'invalid_grant' } });
    const event = await stack.peer.waitForEvent((e) => e.grantType === 'authorization_code' && e.status === 400);
    expect(event.errorDetail).toMatch(/code_verifier does not match code_challenge/);
    await expect(stack.client.describe(b)).rejects.toMatchObject({ name: 'CredentialNotFoundError' });
    // A's own callback, with its own verifier, connects A.
    expect((await follow(backA.redirectTo)).body).toMatchObject({ result: 'connected', credential_id: a });

    const noPkce = await link(uniqueId('nopkce'), { ...settings(), pkce: false });
    const location = new URL((await call('GET', `/connect/${noPkce.session}`)).headers.get('location')!);
    expect(location.searchParams.has('code_challenge')).toBe(false);
    const back = await authorize(noPkce.url);
    expect(back.error).toBe('invalid_request');
    const answer = await follow(back.redirectTo);
    expect(answer.status).toBe(502);
    expect(answer.body.error.code).toBe('invalid_request');
  });

  it('a denial at the provider is shown and recorded; the credential is not created', async () => {
    const id = uniqueId('denied');
    const created = await link(id, settings());
    const back = await authorize(created.url, 'deny');
    expect(back.error).toBe('access_denied');
    const page = await follow(back.redirectTo, 'text/html');
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('Access was denied');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const ended = await stack.connect.wait(created.session, 10_000);
    expect(ended.outcome).toMatchObject({ result: 'denied', code: 'access_denied' });
    await expect(stack.client.describe(id)).rejects.toMatchObject({ name: 'CredentialNotFoundError' });
  });

  it('an answer without a refresh token (no offline_access) leaves the credential untouched', async () => {
    const id = uniqueId('offline');
    const created = await link(id, { ...settings(), scope: 'openid api' });
    const answer = await follow((await authorize(created.url)).redirectTo);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ result: 'no_refresh_token', error: { code: 'no_refresh_token' } });
    expect(answer.body.error.message).toMatch(/offline access/);
    await expect(stack.client.describe(id)).rejects.toMatchObject({ name: 'CredentialNotFoundError' });
  });

  it('refuses bad callbacks and links, each with its reason, without touching the session or the credential', async () => {
    const id = uniqueId('bad');
    const created = await link(id, settings());
    expect((await call('GET', '/connect/callback?code=abc')).body.error).toEqual({ code: 'missing_state', field: 'state', message: expect.any(String) });
    const unknown = randomBytes(32).toString('base64url');
    expect((await call('GET', `/connect/callback?code=abc&state=${unknown}`)).status).toBe(404);
    expect((await call('GET', `/connect/${unknown}`, { accept: 'text/html' })).text).toContain('This link is not valid');
    const noCode = await call('GET', `/connect/callback?state=${created.session}`);
    expect(noCode.status).toBe(400);
    expect(noCode.body.error.code).toBe('missing_code');
    expect((await stack.connect.view(created.session)).status).toBe('pending');

    // A code exchange that fails (a wrong client secret) ends the session; the credential is not created.
    const wrong = await link(uniqueId('wrong'), { ...settings(), client_secret: 'not-the-secret-0123456789' });
    const failed = await follow((await authorize(wrong.url)).redirectTo);
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ result: 'exchange_failed', error: { code: 'invalid_client' } });

    // An expired link: the page says so, at the link and at the callback.
    const short = await link(uniqueId('short'), { ...settings(), expires_in_s: 5 });
    await waitFor('the session to expire', async () => (await stack.connect.wait(short.session, 1_000)).outcome?.result === 'expired', { timeoutMs: 20_000, intervalMs: 500 });
    const expired = await call('GET', `/connect/${short.session}`, { accept: 'text/html' });
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('This link has expired');
    expect((await call('GET', `/connect/callback?code=abc&state=${short.session}`)).body.error.code).toBe('session_expired');

    // Bad bodies name the field.
    expect((await call('POST', `/v1/credentials/${id}/connect`, { body: { ...settings(), preset: 'nope' } })).body.error.field).toBe('preset');
    expect((await call('POST', `/v1/credentials/${id}/connect`, { body: { client_id: 'x', client_secret: 'y', token_endpoint: stack.peer.tokenEndpoint } })).body.error).toMatchObject({ field: 'authorization_endpoint' });
    expect((await call('POST', `/v1/credentials/${id}/connect`, { body: { ...settings(), authorization_params: { state: 'x' } } })).body.error.field).toBe('authorization_params.state');
    expect((await call('POST', `/v1/credentials/${id}/connect`, { body: { ...settings(), client_secret: undefined } })).body.error.field).toBe('client_secret');
  });

  it('once the callback is accepted the session completes on its own: an API that stops right then loses nothing', async () => {
    const id = uniqueId('durable');
    const created = await link(id, settings());
    const back = await authorize(created.url);
    // A callback handler that gives up waiting at once, as one whose process stops after handing the answer over.
    const quick = new ConnectClient({ temporal: stack.client.temporal, taskQueue: stack.taskQueue, publicUrl: stack.base, outcomeWaitMs: 1 });
    const params = Object.fromEntries(back.redirectTo.searchParams);
    const answer = await quick.complete(params);
    expect('pending' in answer || answer.outcome.result === 'connected').toBe(true);
    // No API process is involved from here: the worker exchanges the code and hands the grant over.
    const ended = await stack.connect.wait(created.session, 30_000);
    expect(ended.outcome).toMatchObject({ result: 'connected', registration: 'created' });
    expect((await stack.client.describe(id)).status).toBe('active');
  });

  it("createConnectLink makes a fresh link from a credential's own configuration and connect settings (no secret given again)", async () => {
    const id = uniqueId('fresh');
    const first = await link(id, settings());
    expect((await follow((await authorize(first.url)).redirectTo)).body).toMatchObject({ result: 'connected', version: 1 });
    // What a credential created by a link keeps: its oauth2 configuration and the session's connect settings.
    const { profile } = await resolveConnect(parseConnectBody(settings()));
    const createConnectLink = createCreateConnectLink({ connectClient: () => stack.connect });
    const fresh = await createConnectLink({ credentialId: id, config: profile.config, connect: connectSettingsOf(profile), reason: 'reauth_required' });
    expect(fresh.url).toMatch(new RegExp(`^${stack.base}/connect/[A-Za-z0-9_-]{43}$`));
    expect((await follow((await authorize(fresh.url)).redirectTo)).body).toEqual({ result: 'connected', credential_id: id, registration: 'replaced', version: 2 });
  });

  it('no secret reaches the API log or an answer', async () => {
    const log = stack.log();
    expect(log).toContain('"route":"/connect/:session"'); // the connect requests were logged, by route only
    expect(log).not.toMatch(/\/connect\/[A-Za-z0-9_-]{43}/);
    expect(log).not.toMatch(/code=|state=/);
    expect(log).not.toContain(stack.peerClient.clientSecret!);
    const answers = seen.join('\n');
    expect(answers).not.toContain(stack.peerClient.clientSecret!);
    expect(answers).not.toMatch(/"(refresh_token|code_verifier|device_code)"\s*:/);
  });
});

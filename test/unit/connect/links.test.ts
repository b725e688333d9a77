/**
 * The pieces of a connect link: session tokens and their handles, the authorization request
 * (PKCE S256 challenge of its verifier, Halflife's parameters after the provider's extras), the
 * pages (escaped, no secret) and the one table of answers, the `connect` API scope, and
 * `HALFLIFE_PUBLIC_URL`.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ApiKeys } from '../../../src/api/keys';
import { loadConfig } from '../../../src/config';
import { errorAnswer, outcomeAnswer, pendingAnswer } from '../../../src/connect/answers';
import { authorizationRequest } from '../../../src/connect/authorization-url';
import { ConnectError } from '../../../src/connect/errors';
import type { ConnectProfile } from '../../../src/connect/messages';
import { renderPage } from '../../../src/connect/pages';
import { isSessionToken, newSessionToken, sessionHandle } from '../../../src/connect/session-token';
import { callbackErrorOutcome } from '../../../src/workflows/connect/session-decisions';

const profile: ConnectProfile = {
  config: { clientId: 'app', clientSecret: 'app-secret-0123456789', tokenEndpoint: 'https://idp.example/token' },
  authorizationEndpoint: 'https://idp.example/auth?tenant=t1',
  scope: 'openid offline_access',
  authorizationParams: { access_type: 'offline', prompt: 'consent' },
  pkce: true,
  defaultLifetimeMs: 3_600_000,
};

describe('session tokens', () => {
  it('are 256 random bits; the handle is a digest that does not reveal the token', () => {
    const token = newSessionToken();
    expect(isSessionToken(token)).toBe(true);
    expect(newSessionToken()).not.toBe(token);
    expect(sessionHandle(token)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(sessionHandle(token)).toBe(sessionHandle(token));
    expect(sessionHandle(token)).not.toContain(token.slice(0, 8));
    expect(isSessionToken('callback')).toBe(false);
  });
});

describe('authorizationRequest', () => {
  it('sends state, the redirect URI, scope, extras and an S256 challenge of the verifier it returns', async () => {
    const request = await authorizationRequest(profile, { state: 'st', redirectUri: 'https://hl.example/connect/callback' });
    const url = new URL(request.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 't1', access_type: 'offline', prompt: 'consent', response_type: 'code', client_id: 'app', redirect_uri: 'https://hl.example/connect/callback',
      state: 'st', scope: 'openid offline_access', code_challenge: expect.any(String), code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(request.codeVerifier!).digest('base64url'));
    expect(request.url).not.toContain('app-secret');
  });

  it('sends no challenge without PKCE', async () => {
    const request = await authorizationRequest({ ...profile, pkce: false }, { state: 'st', redirectUri: 'https://hl.example/cb' });
    expect(request.codeVerifier).toBeUndefined();
    expect(new URL(request.url).searchParams.has('code_challenge')).toBe(false);
  });
});

describe('answers and pages', () => {
  it('one table: a denial is 403 on the page and in JSON; provider text is escaped', () => {
    const outcome = callbackErrorOutcome({ error: 'access_denied', errorDescription: '<script>alert(1)</script>' }, 0);
    const answer = outcomeAnswer('billing', outcome);
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ result: 'denied', credential_id: 'billing', error: { code: 'access_denied' } });
    const html = renderPage(answer.page);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('halflife connect billing');
  });

  it('statuses: connected 200, pending 202, replayed 409, expired 410, unknown 404, missing code 400', () => {
    expect(outcomeAnswer('x', { result: 'connected', code: 'connected', message: 'ok', at: 0, registration: 'created', version: 1 }).status).toBe(200);
    expect(pendingAnswer('x').status).toBe(202);
    expect(errorAnswer(new ConnectError('session_used', 'used')).status).toBe(409);
    expect(errorAnswer(new ConnectError('session_expired', 'expired')).status).toBe(410);
    expect(errorAnswer(new ConnectError('unknown_session', 'unknown')).status).toBe(404);
    expect(errorAnswer(new ConnectError('missing_code', 'no code', { field: 'code' })).json).toEqual({ error: { code: 'missing_code', message: 'no code', field: 'code' } });
  });
});

describe('the connect scope', () => {
  const keys = ApiKeys.of([
    { key: 'connect-key-0123456789', scopes: ['connect'], credentials: 'crm-*' },
    { key: 'admin-key-01234567890', scopes: ['admin'], credentials: '*' },
    { key: 'refresh-key-012345678', scopes: ['refresh'], credentials: '*' },
  ]);
  const [connectKey, admin, refresh] = ['connect-key-0123456789', 'admin-key-01234567890', 'refresh-key-012345678'].map((k) => keys.authenticate(`Bearer ${k}`)!);

  it('lets a key create links for its credentials and nothing else; admin implies it, refresh does not', () => {
    expect(keys.allows(connectKey!, 'connect', 'crm-1')).toBe(true);
    expect(keys.allows(connectKey!, 'connect', 'billing')).toBe(false);
    expect(keys.allows(connectKey!, 'read', 'crm-1')).toBe(false);
    expect(keys.allows(admin!, 'connect', 'anything')).toBe(true);
    expect(keys.allows(refresh!, 'connect', 'anything')).toBe(false);
  });
});

describe('HALFLIFE_PUBLIC_URL', () => {
  const isolated = { TEMPORAL_CONFIG_FILE: path.join(os.tmpdir(), 'halflife-no-such-profile.toml') };
  it('defaults to the API on loopback and drops a trailing slash', () => {
    expect(loadConfig({ ...isolated }).publicUrl).toBe('http://127.0.0.1:7380');
    expect(loadConfig({ ...isolated, HALFLIFE_API_PORT: '8080' }).publicUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ ...isolated, HALFLIFE_PUBLIC_URL: 'https://hl.example.com/halflife/' }).publicUrl).toBe('https://hl.example.com/halflife');
  });

  it('refuses a query, a non-http scheme, and plain http off loopback in production', () => {
    expect(() => loadConfig({ ...isolated, HALFLIFE_PUBLIC_URL: 'https://hl.example.com/?x=1' })).toThrow('HALFLIFE_PUBLIC_URL: must not contain a query or fragment');
    expect(() => loadConfig({ ...isolated, HALFLIFE_PUBLIC_URL: 'ftp://hl.example.com' })).toThrow('HALFLIFE_PUBLIC_URL: must use http or https');
    const production = { ...isolated, NODE_ENV: 'production' };
    expect(() => loadConfig({ ...production, HALFLIFE_PUBLIC_URL: 'http://hl.example.com' })).toThrow(/HALFLIFE_PUBLIC_URL: must use https/);
    expect(loadConfig({ ...production, HALFLIFE_PUBLIC_URL: 'http://127.0.0.1:7380' }).publicUrl).toBe('http://127.0.0.1:7380');
  });
});

/**
 * Connect bodies into session profiles: presets (endpoints, client authentication, PKCE, extra
 * parameters, placeholders), issuer discovery filling what is missing, an existing credential's
 * settings, and every refusal naming its snake_case field.
 */
import { parseConnectBody, resolveConnect } from '../../../src/connect/profile';
import type { UpstreamFetch } from '../../../src/providers/provider';

const secret = { client_id: 'app', client_secret: 'app-secret-0123456789' };

/** A fetch that serves one issuer's OpenID metadata (and counts the requests). */
function metadataFetch(issuer: string, extra: Record<string, unknown> = {}): UpstreamFetch & { calls: string[] } {
  const calls: string[] = [];
  const fetch = async (url: URL) => {
    calls.push(url.href);
    if (url.href !== `${issuer}/.well-known/openid-configuration`) return new Response('not found', { status: 404 });
    const body = { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, device_authorization_endpoint: `${issuer}/device/auth`, authorization_response_iss_parameter_supported: true, ...extra };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return Object.assign(fetch, { calls });
}

async function fieldOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toMatchObject({ name: 'InvalidConfigError' });
    return (err as { field: string }).field;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('resolveConnect', () => {
  it('a preset gives endpoints, client authentication, PKCE and its extra parameters (Google: offline access and consent)', async () => {
    const { profile, mode, ttlMs } = await resolveConnect(parseConnectBody({ preset: 'google', ...secret, scope: 'openid email' }));
    expect(mode).toBe('link');
    expect(ttlMs).toBe(15 * 60_000);
    expect(profile).toMatchObject({
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
      pkce: true,
      preset: 'google',
      scope: 'openid email',
      config: { tokenEndpoint: 'https://oauth2.googleapis.com/token', clientAuth: 'client_secret_post', clientId: 'app', clientSecret: secret.client_secret },
    });
  });

  it("fills a preset's placeholders, and names the one missing", async () => {
    expect(await fieldOf(resolveConnect(parseConnectBody({ preset: 'microsoft', ...secret })))).toBe('placeholders.tenant');
    const { profile } = await resolveConnect(parseConnectBody({ preset: 'microsoft', placeholders: { tenant: 'contoso' }, ...secret }));
    expect(profile.authorizationEndpoint).toBe('https://login.microsoftonline.com/contoso/oauth2/v2.0/authorize');
    expect(profile.scope).toBe('offline_access');
    expect(profile.authorizationParams.prompt).toBe('consent'); // offline_access asks for consent (OpenID Connect Core §11)
  });

  it('discovers missing endpoints from the issuer, and then checks its RFC 9207 iss parameter', async () => {
    const issuer = 'https://idp.example/oauth2/default';
    const fetch = metadataFetch(issuer, { token_endpoint_auth_methods_supported: ['client_secret_post'] });
    const { profile } = await resolveConnect(parseConnectBody({ issuer, ...secret }), { fetch });
    expect(fetch.calls).toEqual([`${issuer}/.well-known/openid-configuration`]);
    expect(profile).toMatchObject({ authorizationEndpoint: `${issuer}/auth`, issParameter: true, config: { issuer, tokenEndpoint: `${issuer}/token`, clientAuth: 'client_secret_post' } });
    const device = await resolveConnect(parseConnectBody({ issuer, ...secret, mode: 'device' }), { fetch });
    expect(device.profile.deviceAuthorizationEndpoint).toBe(`${issuer}/device/auth`);
  });

  it('an existing credential needs only its client secret: the rest comes from its settings and granted scope', async () => {
    const issuer = 'https://idp.example';
    const existing = { provider: 'oauth2', settings: { issuer, tokenEndpoint: `${issuer}/token`, clientId: 'app', clientAuth: 'client_secret_basic' }, scope: 'openid offline_access' };
    const { profile } = await resolveConnect(parseConnectBody({ client_secret: secret.client_secret }), { existing, fetch: metadataFetch(issuer) });
    expect(profile).toMatchObject({ scope: 'openid offline_access', config: { clientId: 'app', tokenEndpoint: `${issuer}/token`, clientAuth: 'client_secret_basic' } });
    const missing = await resolveConnect(parseConnectBody({}), { existing, fetch: metadataFetch(issuer) }).catch((err: Error) => err);
    expect(missing).toMatchObject({ field: 'client_secret', reason: expect.stringMatching(/cannot read it back/) });
  });

  it('PKCE is on unless asked off; Halflife-owned parameters cannot be overridden', async () => {
    const base = { ...secret, token_endpoint: 'https://idp.example/token', authorization_endpoint: 'https://idp.example/auth' };
    expect((await resolveConnect(parseConnectBody(base))).profile.pkce).toBe(true);
    expect((await resolveConnect(parseConnectBody({ ...base, pkce: false }))).profile.pkce).toBe(false);
    for (const name of ['state', 'redirect_uri', 'code_challenge', 'client_id', 'response_type', 'scope']) {
      expect(await fieldOf(resolveConnect(parseConnectBody({ ...base, authorization_params: { [name]: 'x' } })))).toBe(`authorization_params.${name}`);
    }
  });

  it('refuses bad bodies naming the field', async () => {
    const base = { ...secret, token_endpoint: 'https://idp.example/token', authorization_endpoint: 'https://idp.example/auth' };
    expect(await fieldOf(resolveConnect(parseConnectBody({ ...base, authorization_endpoint: 'http://idp.example/auth' })))).toBe('authorization_endpoint');
    expect(await fieldOf(resolveConnect(parseConnectBody({ ...base, token_endpoint: 'ftp://x' })))).toBe('token_endpoint');
    expect(await fieldOf(resolveConnect(parseConnectBody({ ...base, mode: 'device' })))).toBe('device_authorization_endpoint');
    expect(await fieldOf(resolveConnect(parseConnectBody({ ...base, client_id: undefined })))).toBe('client_id');
    expect(await fieldOf(Promise.resolve().then(() => parseConnectBody({ ...base, refresh_token: 'x' })))).toBe('refresh_token');
    expect(await fieldOf(Promise.resolve().then(() => parseConnectBody({ ...base, provider: 'wechat' })))).toBe('provider');
    expect(await fieldOf(Promise.resolve().then(() => parseConnectBody({ ...base, expires_in_s: 1 })))).toBe('expires_in_s');
    expect(await fieldOf(resolveConnect(parseConnectBody({ ...secret, issuer: 'https://nothing.example' }), { fetch: async () => new Response('', { status: 404 }) }))).toBe('issuer');
  });
});

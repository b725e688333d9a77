/**
 * Registration by preset: a preset name and the credential's values become the provider's
 * configuration (endpoints with their placeholders filled, the preset's client authentication and
 * grace window, `preset` kept); overrides move endpoints; errors name the field.
 */
import { parseRegistration } from '../../../src/client/registration';
import { presetNames } from '../../../src/providers/presets';
import { rebaseUrl, resolvePreset } from '../../../src/providers/presets/resolve';

const client = { clientId: 'app-1', clientSecret: 'secret-123456' };
const fieldOf = (call: () => unknown): { field?: string; reason?: string } => {
  try {
    call();
  } catch (err) {
    return { field: (err as { field?: string }).field, reason: (err as { reason?: string }).reason };
  }
  throw new Error('expected an InvalidConfigError');
};

describe('resolvePreset', () => {
  it('trakt: its token endpoint, client_secret_post, the preset kept, its access-token lifetime as the default lifetime', () => {
    const resolved = resolvePreset('trakt', client);
    expect(resolved.provider).toBe('oauth2');
    expect(resolved.config).toEqual({ ...client, preset: 'trakt', tokenEndpoint: 'https://auth.trakt.tv/oauth/token', clientAuth: 'client_secret_post' });
    expect(resolved.policy).toEqual({ defaultLifetimeMs: 24 * 3_600_000 });
  });

  it('an unknown preset is an error on preset listing every known name', () => {
    const { field, reason } = fieldOf(() => resolvePreset('trackt', client));
    expect(field).toBe('preset');
    for (const name of presetNames) expect(reason).toContain(name);
    expect(fieldOf(() => resolvePreset(42, client)).field).toBe('preset');
  });

  it('microsoft: the tenant goes into the URLs; without it the error names tenant; a multi-tenant alias leaves the issuer out', () => {
    expect(resolvePreset('microsoft', { ...client, tenant: 'contoso.onmicrosoft.com' }).config).toMatchObject({
      tokenEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
    });
    expect(fieldOf(() => resolvePreset('microsoft', client))).toEqual({ field: 'config.tenant', reason: expect.stringMatching(/^is required by the microsoft preset/) });
    const common = resolvePreset('microsoft', { ...client, tenant: 'common' }).config;
    expect(common.tokenEndpoint).toBe('https://login.microsoftonline.com/common/oauth2/v2.0/token');
    expect(common).not.toHaveProperty('issuer');
  });

  it.each(['a/b', '../x', 'x.example?y=1', 'h@x', '', 'a b'])('a placeholder value that is no host name or path segment is refused: %j', (tenant) => {
    expect(fieldOf(() => resolvePreset('microsoft', { ...client, tenant })).field).toBe('config.tenant');
  });

  it('okta and salesforce take their instance; auth0 its domain and the audience, sent on refresh', () => {
    expect(resolvePreset('okta', { ...client, domain: 'dev-1.okta.com', authServer: 'default' }).config).toMatchObject({
      tokenEndpoint: 'https://dev-1.okta.com/oauth2/default/v1/token',
      issuer: 'https://dev-1.okta.com/oauth2/default',
      clientAuth: 'client_secret_basic',
      reuseGraceMs: 30_000,
    });
    expect(fieldOf(() => resolvePreset('okta', { ...client, domain: 'dev-1.okta.com' })).field).toBe('config.authServer');
    expect(resolvePreset('salesforce', { ...client, loginHost: 'test.salesforce.com' }).config).toMatchObject({
      tokenEndpoint: 'https://test.salesforce.com/services/oauth2/token',
      metadataFields: ['instance_url'],
    });
    const auth0 = resolvePreset('auth0', { ...client, domain: 'example.us.auth0.com', audience: 'https://api.example.com' }).config;
    expect(auth0).toMatchObject({ tokenEndpoint: 'https://example.us.auth0.com/oauth/token', audience: 'https://api.example.com' });
    // Auth0's leeway is off by default: no grace, so a crashed attempt's retry still waits.
    expect(auth0).not.toHaveProperty('reuseGraceMs');
    expect(resolvePreset('xero', client).config.reuseGraceMs).toBe(30 * 60_000);
  });

  it('token_endpoint replaces the preset\'s (placeholders of the token URL then unneeded), the quirks stay', () => {
    const config = resolvePreset('okta', { ...client, tokenEndpoint: 'http://127.0.0.1:8080/t', issuer: 'http://127.0.0.1:8080/oauth2/default' }).config;
    expect(config).toEqual({ ...client, preset: 'okta', tokenEndpoint: 'http://127.0.0.1:8080/t', issuer: 'http://127.0.0.1:8080/oauth2/default', clientAuth: 'client_secret_basic', reuseGraceMs: 30_000 });
  });

  it('issuer alone: no token endpoint, so registration discovers it from that issuer', () => {
    const config = resolvePreset('okta', { ...client, issuer: 'https://sandbox.example/oauth2/default' }).config;
    expect(config).not.toHaveProperty('tokenEndpoint');
    expect(config.issuer).toBe('https://sandbox.example/oauth2/default');
  });

  it('base_url moves the token endpoint (with a path prefix), keeps the issuer; token_endpoint wins over it', () => {
    expect(rebaseUrl('https://auth.trakt.tv/oauth/token?x=1', 'http://127.0.0.1:9/proxy/')).toBe('http://127.0.0.1:9/proxy/oauth/token?x=1');
    expect(resolvePreset('trakt', { ...client, baseUrl: 'http://127.0.0.1:9' }).config.tokenEndpoint).toBe('http://127.0.0.1:9/oauth/token');
    const google = resolvePreset('google', { ...client, baseUrl: 'https://proxy.example/google' }).config;
    expect(google).toMatchObject({ tokenEndpoint: 'https://proxy.example/google/token', issuer: 'https://accounts.google.com' });
    expect(resolvePreset('trakt', { ...client, baseUrl: 'http://127.0.0.1:9', tokenEndpoint: 'https://other.example/t' }).config.tokenEndpoint).toBe('https://other.example/t');
    expect(fieldOf(() => resolvePreset('trakt', { ...client, baseUrl: 'http://127.0.0.1:9/?a=1' })).field).toBe('config.baseUrl');
    expect(fieldOf(() => resolvePreset('trakt', { ...client, baseUrl: 7 })).field).toBe('config.baseUrl');
  });

  it('a field the preset sets is refused by name, as is an unknown one', () => {
    expect(fieldOf(() => resolvePreset('trakt', { ...client, clientAuth: 'client_secret_basic' }))).toEqual({ field: 'config.clientAuth', reason: 'is set by the trakt preset' });
    expect(fieldOf(() => resolvePreset('okta', { ...client, reuseGraceMs: 1 })).field).toBe('config.reuseGraceMs');
    expect(fieldOf(() => resolvePreset('trakt', { ...client, tenant: 'x' }))).toEqual({ field: 'config.tenant', reason: 'is not a known field' });
  });

  it('scope, extra parameters and metadata fields pass through; the preset\'s answer fields are added to the metadata fields', () => {
    const config = resolvePreset('salesforce', { ...client, loginHost: 'login.salesforce.com', scope: 'api refresh_token', metadataFields: ['id'], extraParams: { format: 'json' } }).config;
    expect(config).toMatchObject({ scope: 'api refresh_token', metadataFields: ['instance_url', 'id'], extraParams: { format: 'json' } });
  });
});

describe('parseRegistration with a preset', () => {
  const grant = { refreshToken: 'rt-1234567890' };

  it('keeps the preset in the configuration and the settings describe shows; the registration\'s own policy wins over the preset\'s', () => {
    const spec = parseRegistration({ id: 'c1', preset: 'trakt', config: client, grant, policy: { defaultLifetimeMs: 600_000, refreshRatio: 0.6 } });
    expect(spec.provider).toBe('oauth2');
    expect(spec.settings).toMatchObject({ preset: 'trakt', tokenEndpoint: 'https://auth.trakt.tv/oauth/token', clientAuth: 'client_secret_post' });
    expect(spec.settings).not.toHaveProperty('clientSecret');
    expect(spec.policy).toEqual({ defaultLifetimeMs: 600_000, refreshRatio: 0.6 });
    expect(parseRegistration({ id: 'c1', preset: 'trakt', config: client, grant }).policy).toEqual({ defaultLifetimeMs: 86_400_000 });
  });

  it('names the field: the refresh token the preset\'s provider needs, a mismatching provider, a refused base URL, an invalid client id', () => {
    expect(fieldOf(() => parseRegistration({ id: 'c1', preset: 'trakt', config: client }))).toEqual({ field: 'grant.refreshToken', reason: 'is required by the trakt preset' });
    expect(fieldOf(() => parseRegistration({ id: 'c1', provider: 'wechat', preset: 'trakt', config: client, grant })).field).toBe('provider');
    expect(fieldOf(() => parseRegistration({ id: 'c1', preset: 'trakt', config: { ...client, baseUrl: 'http://169.254.169.254/' }, grant }))).toMatchObject({ field: 'config.baseUrl' });
    expect(fieldOf(() => parseRegistration({ id: 'c1', preset: 'trakt', config: { ...client, clientId: '' }, grant })).field).toBe('config.clientId');
    expect(fieldOf(() => parseRegistration({ id: 'c1', config: client, grant })).field).toBe('provider');
  });

  it('an explicit oauth2 registration may name a preset for its quirks; an unknown one is refused', () => {
    const spec = parseRegistration({ id: 'c1', provider: 'oauth2', config: { ...client, tokenEndpoint: 'https://x.example/t', preset: 'github' }, grant });
    expect(spec.config).toMatchObject({ preset: 'github', tokenEndpoint: 'https://x.example/t', clientAuth: 'client_secret_basic' });
    expect(fieldOf(() => parseRegistration({ id: 'c1', provider: 'oauth2', config: { ...client, tokenEndpoint: 'https://x.example/t', preset: 'nope' }, grant })).field).toBe('config.preset');
  });
});

/** The API's registration bodies as derived from the provider modules: policy in seconds, defaults, the issuer alternative. */
import { parseRegistration } from '../../../src/client/registration';
import { credentialBodySchema, parseBody, toRegisterInput } from '../../../src/api/schemas';
import { inApiTerms } from '../../../src/api/credential-actions';

const oauth = { provider: 'oauth2', token_endpoint: 'https://auth.example.com/token', client_id: 'c', client_secret: 'cs-123456', refresh_token: 'rt-123456' };

describe('registration bodies', () => {
  test('default_lifetime_s is a policy field like min_refresh_interval_s (seconds → ms)', () => {
    const input = toRegisterInput('x', parseBody(credentialBodySchema, { ...oauth, default_lifetime_s: 600, min_refresh_interval_s: 2.5 }));
    expect(input.policy).toEqual({ defaultLifetimeMs: 600_000, minRefreshIntervalMs: 2_500 });
    expect(parseRegistration(input).policy).toEqual({ defaultLifetimeMs: 600_000, minRefreshIntervalMs: 2_500 });
  });

  test.each([[0], [-1], [31_536_001]])('default_lifetime_s %p is refused, naming the field', (value) => {
    expect(() => parseBody(credentialBodySchema, { ...oauth, default_lifetime_s: value })).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: 'default_lifetime_s' }));
  });

  test('only client_auth is filled by the API; the other defaults are left to the configuration', () => {
    const input = toRegisterInput('x', parseBody(credentialBodySchema, { provider: 'wechat', appid: 'wx1', secret: 'app-secret-1' }));
    expect(input.config).toEqual({ appid: 'wx1', secret: 'app-secret-1' });
    expect(parseRegistration(input).config).toMatchObject({ baseUrl: 'https://api.weixin.qq.com', stable: false, renewWindowMs: 300_000 });
  });

  test('issuer may stand in for token_endpoint; neither is "token_endpoint: is required"', async () => {
    const { token_endpoint: _omitted, ...withoutEndpoint } = oauth;
    const withIssuer = parseRegistration(toRegisterInput('x', parseBody(credentialBodySchema, { ...withoutEndpoint, issuer: 'https://login.example.com/oauth2/default' })));
    expect(withIssuer.config).toMatchObject({ issuer: 'https://login.example.com/oauth2/default' });
    expect(withIssuer.config).not.toHaveProperty('tokenEndpoint');
    const neither = inApiTerms(() => parseRegistration(toRegisterInput('x', parseBody(credentialBodySchema, withoutEndpoint))));
    await expect(neither).rejects.toMatchObject({ name: 'InvalidConfigError', field: 'token_endpoint', reason: 'is required' });
  });
});

/** The provider registry: configuration errors name the field and the rule; defaults; public settings. */
import type { ProviderName } from '../../../src/credential';
import type { InvalidConfigError } from '../../../src/errors';
import { getProvider, parseProviderConfig, providerNames, providers, publicSettings } from '../../../src/providers/registry';

const oauth = { tokenEndpoint: 'https://auth.example.com/oauth/token', clientId: 'app', clientSecret: 'cs-123456' };
const wechat = { appid: 'wx123', secret: 'wx-secret-1' };
const wecom = { corpid: 'ww123', corpsecret: 'wc-secret-1' };

function configError(name: ProviderName, raw: unknown): InvalidConfigError {
  try {
    parseProviderConfig(name, raw);
  } catch (err) {
    expect((err as Error).name).toBe('InvalidConfigError');
    return err as InvalidConfigError;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('registry', () => {
  test('has every provider under its own name', () => {
    expect(providerNames).toEqual(['oauth2', 'oauth2_client_credentials', 'jwt_bearer', 'github_app', 'wechat', 'wecom']);
    for (const name of providerNames) expect(getProvider(name).name).toBe(name);
    expect(providers.oauth2.needsRefreshToken).toBe(true);
    expect(providerNames.filter((n) => n !== 'oauth2').map((n) => providers[n].needsRefreshToken)).toEqual([false, false, false, false, false]);
    expect(providerNames.map((n) => providers[n].secretFields)).toEqual([
      ['clientSecret', 'privateKey'],
      ['clientSecret', 'privateKey'],
      ['serviceAccount', 'privateKey'],
      ['privateKey'],
      ['secret'],
      ['corpsecret'],
    ]);
  });

  test('an unknown provider is an InvalidConfigError on provider', () => {
    expect(() => getProvider('github' as ProviderName)).toThrow(expect.objectContaining({ name: 'InvalidConfigError', field: 'provider' }));
  });

  test('fills defaults', () => {
    expect(parseProviderConfig('oauth2', oauth)).toEqual({ ...oauth, clientAuth: 'client_secret_basic' });
    expect(parseProviderConfig('wechat', wechat)).toEqual({ ...wechat, baseUrl: 'https://api.weixin.qq.com', stable: false, renewWindowMs: 300_000 });
    expect(parseProviderConfig('wecom', wecom)).toEqual({ ...wecom, baseUrl: 'https://qyapi.weixin.qq.com' });
  });

  test('publicSettings leaves the secret fields out', () => {
    expect(publicSettings('oauth2', parseProviderConfig('oauth2', oauth))).toEqual({ tokenEndpoint: oauth.tokenEndpoint, clientId: 'app', clientAuth: 'client_secret_basic' });
    expect(publicSettings('wechat', wechat)).toEqual({ appid: 'wx123' });
    expect(publicSettings('wecom', wecom)).toEqual({ corpid: 'ww123' });
  });
});

describe('configuration errors name the field and the rule', () => {
  test.each<[ProviderName, unknown, string, string]>([
    ['oauth2', 'nope', 'config', 'must be an object'],
    ['oauth2', { ...oauth, tokenEndpoint: undefined }, 'config.tokenEndpoint', 'is required'],
    ['oauth2', { ...oauth, tokenEndpoint: 42 }, 'config.tokenEndpoint', 'must be a string'],
    ['oauth2', { ...oauth, tokenEndpoint: 'auth.example.com/token' }, 'config.tokenEndpoint', 'must be an absolute URL'],
    ['oauth2', { ...oauth, tokenEndpoint: 'ftp://auth.example.com/token' }, 'config.tokenEndpoint', 'must use http or https'],
    ['oauth2', { ...oauth, tokenEndpoint: 'https://u:p@auth.example.com/token' }, 'config.tokenEndpoint', 'must not contain a username or password'],
    ['oauth2', { ...oauth, tokenEndpoint: 'https://auth.example.com/token#x' }, 'config.tokenEndpoint', 'must not contain a fragment'],
    ['oauth2', { ...oauth, tokenEndpoint: 'http://auth.example.com/token' }, 'config.tokenEndpoint', 'must use https (plain http is allowed on loopback, or with allowInsecureHttp: true)'],
    ['oauth2', { ...oauth, clientId: '' }, 'config.clientId', 'must not be empty'],
    ['oauth2', { ...oauth, clientSecret: undefined }, 'config.clientSecret', 'is required'],
    ['oauth2', { ...oauth, clientSecret: ' padded ' }, 'config.clientSecret', 'must not start or end with whitespace'],
    ['oauth2', { ...oauth, clientAuth: 'tls_client_auth' }, 'config.clientAuth', 'must be one of client_secret_basic, client_secret_post, private_key_jwt'],
    ['oauth2', { ...oauth, scope: 7 }, 'config.scope', 'must be a string'],
    ['oauth2', { ...oauth, client_secret: 'x' }, 'config.client_secret', 'is not a known field'],
    ['oauth2_client_credentials', { ...oauth, allowInsecureHttp: 'yes' }, 'config.allowInsecureHttp', 'must be true or false'],
    ['wechat', { ...wechat, appid: undefined }, 'config.appid', 'is required'],
    ['wechat', { ...wechat, secret: '' }, 'config.secret', 'must not be empty'],
    ['wechat', { ...wechat, baseUrl: 'https://api.weixin.qq.com?x=1' }, 'config.baseUrl', 'must not contain a query'],
    ['wechat', { ...wechat, stable: 'true' }, 'config.stable', 'must be true or false'],
    ['wechat', { ...wechat, renewWindowMs: -1 }, 'config.renewWindowMs', 'must be at least 0'],
    ['wechat', { ...wechat, renewWindowMs: 1.5 }, 'config.renewWindowMs', 'must be an integer'],
    ['wecom', { ...wecom, corpsecret: undefined }, 'config.corpsecret', 'is required'],
    ['wecom', { ...wecom, baseUrl: 'http://qyapi.example.com' }, 'config.baseUrl', 'must use https (plain http is allowed on loopback, or with allowInsecureHttp: true)'],
    ['wecom', { ...wecom, agentid: 1 }, 'config.agentid', 'is not a known field'],
  ])('%s %j → %s', (name, raw, field, reason) => {
    const err = configError(name, raw);
    expect({ field: err.field, reason: err.reason }).toEqual({ field, reason });
  });

  test('plain http is accepted on loopback, or when the configuration opts in', () => {
    expect(() => parseProviderConfig('oauth2', { ...oauth, tokenEndpoint: 'http://127.0.0.1:8080/token' })).not.toThrow();
    expect(() => parseProviderConfig('oauth2', { ...oauth, tokenEndpoint: 'http://localhost/token' })).not.toThrow();
    expect(() => parseProviderConfig('wechat', { ...wechat, baseUrl: 'http://[::1]:9000' })).not.toThrow();
    expect(() => parseProviderConfig('oauth2', { ...oauth, tokenEndpoint: 'http://auth.internal/token', allowInsecureHttp: true })).not.toThrow();
  });

  test('no configuration error quotes a secret', () => {
    const err = configError('oauth2', { ...oauth, clientSecret: ' s3cret-value ' });
    expect(err.message).not.toContain('s3cret-value');
  });
});

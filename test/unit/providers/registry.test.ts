/** The provider registry: configuration errors name the field and the rule; defaults; public settings. */
import { generateKeyPairSync } from 'node:crypto';
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
    expect(providerNames).toEqual(['oauth2', 'oauth2_client_credentials', 'jwt_bearer', 'github_app', 'wechat', 'wechat_jsapi_ticket', 'wechat_card_ticket', 'wecom', 'wecom_jsapi_ticket', 'wechat_component', 'wechat_authorizer', 'wecom_suite', 'wecom_corp']);
    for (const name of providerNames) expect(getProvider(name).name).toBe(name);
    expect(providers.oauth2.needsRefreshToken).toBe(true);
    // The platform children hold their grant (authorizer_refresh_token, permanent code) as a refresh token.
    expect(providerNames.filter((n) => n !== 'oauth2').map((n) => providers[n].needsRefreshToken)).toEqual([false, false, false, false, false, false, false, false, false, true, false, true]);
    expect(providerNames.filter((n) => providers[n].derivedFrom).map((n) => [n, providers[n].derivedFrom])).toEqual([
      ['wechat_jsapi_ticket', ['wechat']],
      ['wechat_card_ticket', ['wechat']],
      ['wecom_jsapi_ticket', ['wecom']],
      ['wechat_authorizer', ['wechat_component']],
      ['wecom_corp', ['wecom_suite']],
    ]);
    expect(providerNames.map((n) => providers[n].secretFields)).toEqual([
      ['clientSecret', 'privateKey'],
      ['clientSecret', 'privateKey'],
      ['serviceAccount', 'privateKey'],
      ['privateKey'],
      ['secret'],
      [],
      [],
      ['corpsecret'],
      [],
      ['componentAppsecret', 'callbackToken', 'encodingAesKey'],
      [],
      ['suiteSecret', 'callbackToken', 'encodingAesKey'],
      [],
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

describe('configuration errors of the key-based kinds name the field and the rule, never the key', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const ecKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ec = ecKeys.privateKey.export({ format: 'jwk' });
  const publicPem = ecKeys.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const jwt = { tokenEndpoint: 'https://auth.example.com/token', privateKey: rsa, issuer: 'svc' };
  const account = { type: 'service_account', client_email: 'sa@p.iam.gserviceaccount.com', private_key: rsa, private_key_id: 'k1' };
  const app = { appId: 1234, privateKey: rsa, installationId: 99 };
  const pkjwt = { tokenEndpoint: 'https://auth.example.com/token', clientId: 'app', clientAuth: 'private_key_jwt', privateKey: ec };

  test.each<[ProviderName, unknown, string, string]>([
    ['jwt_bearer', { ...jwt, privateKey: undefined }, 'config.privateKey', 'is required'],
    ['jwt_bearer', { ...jwt, privateKey: 'not a key' }, 'config.privateKey', 'is neither a PEM private key (PKCS#8, PKCS#1 or SEC1) nor a JWK'],
    ['jwt_bearer', { ...jwt, privateKey: publicPem }, 'config.privateKey', 'is a public key or certificate, not a private key'],
    ['jwt_bearer', { ...jwt, privateKey: { kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y } }, 'config.privateKey', 'is a JWK without its private part (`d`)'],
    ['jwt_bearer', { ...jwt, privateKey: small }, 'config.privateKey', 'cannot sign RS256: RSA keys must have at least 2048 bits'],
    ['jwt_bearer', { ...jwt, privateKey: 42 }, 'config.privateKey', 'must be a PEM private key or a JWK'],
    ['jwt_bearer', { ...jwt, signingAlgorithm: 'ES256' }, 'config.signingAlgorithm', 'cannot sign ES256: it is not an EC key on the curve ES256 needs'],
    ['jwt_bearer', { ...jwt, signingAlgorithm: 'HS256' }, 'config.signingAlgorithm', 'must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA'],
    ['jwt_bearer', { ...jwt, issuer: undefined }, 'config.issuer', 'is required'],
    ['jwt_bearer', { ...jwt, tokenEndpoint: 'http://auth.example.com/token' }, 'config.tokenEndpoint', 'must use https (plain http is allowed on loopback, or with allowInsecureHttp: true)'],
    ['jwt_bearer', { ...jwt, claims: { exp: 1 } }, 'config.claims.exp', 'is set by Halflife (use `issuer`, `subject`, `audience` or `assertionLifetimeMs`)'],
    ['jwt_bearer', { ...jwt, scope: 'a', claims: { scope: 'b' } }, 'config.claims.scope', 'is given by `scope` already'],
    ['jwt_bearer', { ...jwt, assertionLifetimeMs: 7_200_000 }, 'config.assertionLifetimeMs', 'must be at most 3600000'],
    ['jwt_bearer', { ...jwt, audience: '' }, 'config.audience', 'must not be empty'],
    ['jwt_bearer', { serviceAccount: { ...account, type: 'authorized_user' } }, 'config.serviceAccount.type', 'must be "service_account" (a Google service account key file)'],
    ['jwt_bearer', { serviceAccount: { ...account, client_email: undefined } }, 'config.serviceAccount.client_email', 'is required'],
    ['jwt_bearer', { serviceAccount: { ...account, private_key: 'garbage' } }, 'config.serviceAccount.private_key', 'is neither a PEM private key (PKCS#8, PKCS#1 or SEC1) nor a JWK'],
    ['jwt_bearer', { serviceAccount: '{"type": "service_account",' }, 'config.serviceAccount', "is not JSON: give the key file's content, or its parsed object"],
    ['jwt_bearer', { serviceAccount: account, privateKey: rsa }, 'config.privateKey', 'is not used with serviceAccount (its private_key is the key)'],
    ['jwt_bearer', { ...jwt, resource: 'https://api.example.com#x' }, 'config.resource', 'must not contain a fragment (RFC 8707 §2)'],
    ['jwt_bearer', { ...jwt, extraParams: { assertion: 'x' } }, 'config.extraParams.assertion', 'is set by Halflife (use its own field, or none)'],
    ['jwt_bearer', { ...jwt, metadataFields: ['instance_url', 'session_key'] }, 'config.metadataFields.1', 'names what may be a secret: it is never kept as metadata'],
    ['github_app', { ...app, appId: undefined }, 'config.appId', 'is required'],
    ['github_app', { ...app, appId: 'has space' }, 'config.appId', 'must be the app id (digits) or its client id'],
    ['github_app', { ...app, installationId: -3 }, 'config.installationId', 'must be a positive integer'],
    ['github_app', { ...app, installationId: '12x' }, 'config.installationId', 'must be a positive integer'],
    ['github_app', { ...app, privateKey: ec }, 'config.privateKey', 'cannot sign RS256: it is not an RSA key'],
    ['github_app', { ...app, repositories: ['owner/site'] }, 'config.repositories.0', 'must be a repository name without its owner (letters, digits, ".", "_", "-")'],
    ['github_app', { ...app, repositories: [] }, 'config.repositories', 'must not be empty'],
    ['github_app', { ...app, permissions: { contents: 'all' } }, 'config.permissions.contents', 'must be one of read, write, admin'],
    ['github_app', { ...app, permissions: {} }, 'config.permissions', 'must name at least one permission (omit it to get all the app has)'],
    ['github_app', { ...app, baseUrl: 'https://github.example.com/api/v3?x' }, 'config.baseUrl', 'must not contain a query'],
    ['oauth2', { ...pkjwt, privateKey: undefined }, 'config.privateKey', 'is required with clientAuth private_key_jwt'],
    ['oauth2', { ...pkjwt, clientSecret: 'cs-123456' }, 'config.clientSecret', 'is not used with clientAuth private_key_jwt (the private key authenticates the client)'],
    ['oauth2', { ...pkjwt, signingAlgorithm: 'RS256' }, 'config.signingAlgorithm', 'cannot sign RS256: it is not an RSA key'],
    ['oauth2_client_credentials', { ...oauth, keyId: 'k1' }, 'config.keyId', 'is only used with clientAuth private_key_jwt'],
    ['oauth2_client_credentials', { ...oauth, resource: ['a b'] }, 'config.resource.0', 'must not contain whitespace'],
    ['oauth2_client_credentials', { ...oauth, extraParams: { 'bad name': 'x' } }, 'config.extraParams.bad name', 'must be 1-64 letters, digits, ".", "_" or "-"'],
    ['oauth2_client_credentials', { ...oauth, metadataFields: ['refresh_token'] }, 'config.metadataFields.0', 'is a standard answer field (read by Halflife, never metadata)'],
  ])('%s %#: %s', (name, raw, field, reason) => {
    const err = configError(name, raw);
    expect({ field: err.field, reason: err.reason }).toEqual({ field, reason });
    expect(err.message).not.toMatch(/BEGIN|PRIVATE KEY/);
    if (typeof ec.d === 'string') expect(err.message).not.toContain(ec.d);
  });

  test('a service account fills issuer, tokenEndpoint and keyId, shown by publicSettings; its key stays secret', () => {
    const config = parseProviderConfig('jwt_bearer', { serviceAccount: JSON.stringify({ ...account, project_id: 'p', token_uri: undefined }) });
    expect(publicSettings('jwt_bearer', config)).toEqual({ issuer: account.client_email, tokenEndpoint: 'https://oauth2.googleapis.com/token', keyId: 'k1', assertionLifetimeMs: 180_000 });
    expect(JSON.stringify(publicSettings('jwt_bearer', config))).not.toContain('PRIVATE KEY');
    expect(config.serviceAccount).toEqual({ type: 'service_account', client_email: account.client_email, private_key: rsa, private_key_id: 'k1' });
  });

  test('publicSettings leaves every key out', () => {
    expect(publicSettings('github_app', parseProviderConfig('github_app', app))).toEqual({ appId: '1234', installationId: 99, baseUrl: 'https://api.github.com' });
    expect(Object.keys(publicSettings('oauth2', parseProviderConfig('oauth2', pkjwt)))).toEqual(['tokenEndpoint', 'clientId', 'clientAuth']);
  });
});

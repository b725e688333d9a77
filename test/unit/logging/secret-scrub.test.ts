/**
 * Secrets are scrubbed from logs (issue 5): everything here is logged through the real service
 * logger (`createLogger` with a captured destination), and the output is searched for every secret
 * in every encoding (raw, JSON-escaped, URL-encoded, base64 at any alignment).
 *
 * Covered: the secret fields the code uses (camelCase and snake_case, any letter case, any depth,
 * inside arrays), authorization headers, configuration objects holding key rings and API keys,
 * child logger bindings, errors with secret-bearing properties and causes, the Temporal SDK's
 * `{ error }` meta, secrets inside message text in the shapes they leak in (URLs, headers, JSON
 * bodies), and the ProviderErrors the real providers build from fake answers that echo secrets.
 * A control proves the search finds a secret the logger was not told about.
 */
import { Writable } from 'node:stream';
import { generateKey, parseKeyring } from '../../../src/codec/keyring';
import { ProviderError } from '../../../src/errors';
import { startFakeOAuth2Server } from '../../../src/fakes/oauth2-server';
import { startFakeWechatServer } from '../../../src/fakes/wechat-server';
import { startFakeWecomServer } from '../../../src/fakes/wecom-server';
import { createLogger, type Logger } from '../../../src/logger';
import { cappedFetch } from '../../../src/providers/http';
import { getProvider } from '../../../src/providers/registry';
import type { ProviderName } from '../../../src/credential';
import { findSecrets } from '../../helpers/secrets-scan';

/** A logger writing into a string. */
function capture(level = 'trace'): { logger: Logger; output: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((text += chunk.toString()), done()) });
  return { logger: createLogger(level, sink), output: () => text };
}

let counter = 0;
/** A unique, unguessable-looking secret (long enough for the base64 search). */
function secret(label: string): string {
  counter += 1;
  return `${label}_${counter}_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

/** Fails with the findings when any secret of `secrets` occurs in `text`. */
function expectClean(text: string, secrets: Record<string, string>): void {
  expect(findSecrets([{ name: 'log output', text }], new Map(Object.entries(secrets)))).toEqual([]);
}

async function providerError(name: ProviderName, config: Record<string, unknown>, grant: { refreshToken?: string }): Promise<Error> {
  const provider = getProvider(name);
  try {
    await provider.refresh(provider.configSchema.parse(config) as Record<string, unknown>, grant, {
      fetch: (url, init) => cappedFetch(url.toString(), init),
      signal: AbortSignal.timeout(5_000),
      now: Date.now,
      defaultLifetimeMs: 3_600_000,
    });
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the provider to fail');
}

describe('the service logger scrubs secrets', () => {
  it('control: the search finds a secret logged in a field the logger does not know', () => {
    const { logger, output } = capture();
    const s = secret('plain');
    logger.info({ harmless: s }, 'control');
    expect(findSecrets([{ name: 'log', text: output() }], new Map([['s', s]]))).toHaveLength(1);
  });

  it.each([
    'refreshToken', 'refresh_token', 'accessToken', 'access_token', 'clientSecret', 'client_secret', 'secret', 'corpsecret',
    'appsecret', 'appSecret', 'apiKey', 'api_key', 'password', 'authorization', 'Authorization', 'idToken', 'id_token',
    'REFRESH_TOKEN', 'Proxy-Authorization', 'cookie', 'x-api-key', 'encryptionKeys', 'apiKeysJson', 'HALFLIFE_ENCRYPTION_KEYS',
    'HALFLIFE_API_KEYS', 'privateKey', 'clientAssertion', 'codeVerifier',
  ])('field %s, at every depth and inside arrays', (field) => {
    const { logger, output } = capture();
    const s = secret(field.replace(/\W/g, ''));
    logger.info({ [field]: s }, 'top level');
    logger.info({ a: { [field]: s } }, 'one level');
    logger.info({ a: { b: { c: { d: { e: { [field]: s } } } } } }, 'five levels');
    logger.info({ list: [{ [field]: s }, { nested: [{ [field]: s }] }] }, 'arrays');
    logger.child({ binding: { [field]: s } }).info('child binding');
    expectClean(output(), { [field]: s });
    expect(output()).toContain('[redacted]');
  });

  it('a string `token` is a secret; a token set object keeps its non-secret fields', () => {
    const { logger, output } = capture();
    const s = secret('tok');
    logger.info({ token: s }, 'string');
    logger.info({ state: { token: { accessToken: s, expiresAt: 1_900_000_000_000, version: 7 } } }, 'object');
    expectClean(output(), { s });
    expect(output()).toContain('"expiresAt":1900000000000');
    expect(output()).toContain('"version":7');
  });

  it('the objects the code handles: credential state, registration input, headers, configuration', () => {
    const { logger, output } = capture();
    const s = {
      refresh: secret('rt'),
      access: secret('at'),
      client: secret('cs'),
      bearer: secret('bearer'),
      basic: secret('basicpw'),
      encryption: generateKey('k1'),
      apiKey: secret('apikey'),
      cloudKey: secret('tcloud'),
      tlsKey: secret('tlskey'),
    };
    const state = {
      id: 'cred-1',
      provider: 'oauth2',
      config: { tokenEndpoint: 'https://auth.example.com/token', clientId: 'client-1', clientSecret: s.client },
      grant: { refreshToken: s.refresh },
      token: { accessToken: s.access, tokenType: 'Bearer', expiresAt: 1, issuedAt: 0 },
      version: 3,
    };
    logger.info({ state }, 'state');
    logger.info({ input: { id: 'cred-1', config: state.config, grant: state.grant } }, 'register');
    logger.info({ req: { headers: { Authorization: `Bearer ${s.bearer}`, 'content-type': 'application/json' } } }, 'headers');
    logger.info({ headers: { authorization: `Basic ${Buffer.from(`client-1:${s.basic}`).toString('base64')}` } }, 'basic');
    logger.info(
      {
        config: {
          encryptionKeys: s.encryption,
          apiKeysJson: JSON.stringify([{ key: s.apiKey, scopes: ['admin'], credentials: '*' }]),
          temporal: { address: 'x:7233', apiKey: s.cloudKey, tls: { clientCertPair: { crt: 'PEM', key: s.tlsKey } } },
        },
      },
      'configuration',
    );
    logger.info({ keyring: parseKeyring(s.encryption) }, 'key ring');
    expectClean(output(), s);
    expect(output()).toContain('"clientId":"client-1"');
    expect(output()).toContain('"version":3');
    expect(output()).toContain('"keyIds":["k1"]');
  });

  it('errors: secret-named properties, causes, the SDK `{ error }` meta, and errors logged directly', () => {
    const { logger, output } = capture();
    const s = { a: secret('a'), b: secret('b'), c: secret('c'), d: secret('d') };
    const err = Object.assign(new Error('token endpoint refused'), { config: { clientSecret: s.a }, refreshToken: s.b });
    const outer = new Error('refresh failed', { cause: Object.assign(new Error('inner'), { grant: { refreshToken: s.c } }) });
    logger.error({ err }, 'refresh failed');
    logger.error({ error: outer, sdk: true }, 'Activity failed');
    logger.error(Object.assign(new Error('direct'), { accessToken: s.d }));
    expectClean(output(), s);
    expect(output()).toContain('token endpoint refused');
    expect(output()).toContain('"stack"');
  });

  it('secrets inside text, in the shapes they leak in: URLs, headers, form and JSON bodies', () => {
    const { logger, output } = capture();
    const s = {
      query: secret('wxsecret'),
      corp: secret('corpsecret'),
      bearer: secret('bearer'),
      form: secret('rt'),
      json: secret('at'),
      jsonCs: secret('cs'),
      basic: secret('basicpw'),
    };
    logger.warn(`GET https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=${s.query}`);
    logger.warn({ url: `https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=c&corpsecret=${s.corp}` }, 'request');
    logger.warn(`sent Authorization: Bearer ${s.bearer}`);
    logger.warn(`sent Authorization: Basic ${Buffer.from(`client:${s.basic}`).toString('base64')}`);
    logger.warn({ body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(s.form)}&scope=a` }, 'form body');
    logger.warn(`answer ${JSON.stringify({ access_token: s.json, expires_in: 10 })}`);
    logger.warn({ detail: `config ${JSON.stringify({ clientSecret: s.jsonCs })}` }, 'json in a field');
    logger.warn('%s then %o', `refresh_token=${s.form}`, { refreshToken: s.form });
    expectClean(output(), s);
    expect(output()).toContain('appid=wx1');
    expect(output()).toContain('expires_in');
  });

  it('ProviderErrors built by the real providers from fake answers that echo the secrets', async () => {
    const { logger, output } = capture();
    const s = {
      clientSecret: secret('cs'),
      refreshToken: '',
      wechatSecret: secret('wxsecret'),
      wecomSecret: secret('corpsecret'),
    };
    const oauth = await startFakeOAuth2Server();
    const wechat = await startFakeWechatServer({ echoSecretInErrmsg: true });
    const wecom = await startFakeWecomServer({ echoSecretInErrmsg: true });
    try {
      oauth.addClient('client-1', s.clientSecret);
      s.refreshToken = oauth.issueRefreshToken('client-1');
      const config = { tokenEndpoint: oauth.tokenEndpoint, clientId: 'client-1', clientSecret: s.clientSecret };
      const errors: Error[] = [];
      oauth.rejectNextWith(1, 'invalid_grant', { description: `refresh token ${s.refreshToken} of client secret ${s.clientSecret} revoked` });
      errors.push(await providerError('oauth2', config, { refreshToken: s.refreshToken }));
      oauth.rejectNextWith(1, 'temporarily_unavailable', { description: `{"refresh_token":"${s.refreshToken}"}` });
      errors.push(await providerError('oauth2', config, { refreshToken: s.refreshToken }));
      oauth.failNext(1, { status: 400, body: JSON.stringify({ error: 'invalid_client', error_description: `Basic ${Buffer.from(`client-1:${s.clientSecret}`).toString('base64')}` }) });
      errors.push(await providerError('oauth2', config, { refreshToken: s.refreshToken }));
      wechat.addApp('wx-app', 'the-right-secret-000000');
      errors.push(await providerError('wechat', { appid: 'wx-app', secret: s.wechatSecret, baseUrl: wechat.url }, {}));
      wechat.failNext(1, -1, `system busy secret=${s.wechatSecret}`);
      errors.push(await providerError('wechat', { appid: 'wx-app', secret: s.wechatSecret, baseUrl: wechat.url }, {}));
      errors.push(await providerError('wecom', { corpid: 'no-such-corp', corpsecret: s.wecomSecret, baseUrl: wecom.url }, {}));
      wecom.failNext(1, -1, `busy ${s.wecomSecret}`);
      errors.push(await providerError('wecom', { corpid: 'no-such-corp', corpsecret: s.wecomSecret, baseUrl: wecom.url }, {}));
      for (const err of errors) {
        expect(err).toBeInstanceOf(ProviderError);
        logger.error({ err }, 'refresh failed');
        logger.warn({ error: err, credentialId: 'cred-1' }, 'refresh attempt failed');
        logger.error(err);
        logger.error(`refresh failed: ${err.message}\n${err.stack ?? ''}`);
      }
      expectClean(output(), s);
      expect(output()).toContain('invalid_grant');
      expect(output()).toContain('errcode 40001');
      expect(output()).toContain('[redacted]');
    } finally {
      await Promise.all([oauth.close(), wechat.close(), wecom.close()]);
    }
  });

  it('does not alter the objects it is given', () => {
    const { logger } = capture();
    const s = secret('rt');
    const input = { grant: { refreshToken: s }, list: [{ accessToken: s }] };
    const err = Object.assign(new Error('x'), { refreshToken: s });
    logger.info({ ...input, err }, 'logged');
    expect(input).toEqual({ grant: { refreshToken: s }, list: [{ accessToken: s }] });
    expect(err.refreshToken).toBe(s);
  });

  it('survives cyclic objects and keeps ordinary fields, levels and messages', () => {
    const { logger, output } = capture('info');
    const cyclic: Record<string, unknown> = { name: 'loop', refreshToken: secret('rt') };
    cyclic.self = cyclic;
    logger.info({ cyclic }, 'cyclic');
    logger.debug({ refreshToken: 'never-written-at-info' }, 'below level');
    const lines = output().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual(expect.objectContaining({ level: 30, msg: 'cyclic', service: 'halflife' }));
    expect(JSON.stringify(lines[0])).toContain('"name":"loop"');
    expectClean(output(), { rt: cyclic.refreshToken as string });
  });
});

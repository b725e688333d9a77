/**
 * Issue 20.1-20.2 at registration in the Node client's path: every outbound URL (token endpoint,
 * issuer, base URLs) stored in canonical form and checked against the egress policy (the rule
 * named), and OIDC discovery sent through the egress fetch, its discovered token endpoint checked
 * like a registered one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOutboundUrls, completeRegistration, parseRegistration } from '../../../src/client/registration';
import { egressPolicyFromEnv, type ResolvedAddress } from '../../../src/egress';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../../../src/fakes/fake-http';
import { discoverAuthorizationServer } from '../../../src/providers/discovery';
import { issueRule, outboundUrl } from '../../../src/providers/url';

const production = egressPolicyFromEnv({}, { development: false });
const development = egressPolicyFromEnv({}, { development: true });
const oauth = (config: Record<string, unknown>) => ({ id: 'r1', provider: 'oauth2' as const, config: { clientId: 'c', clientSecret: 'cs-123456', ...config }, grant: { refreshToken: 'rt-1234567' } });

/** The field and rule a registration is refused with. */
function refusal(input: unknown, policy = production): { field: string; rule?: string } {
  try {
    parseRegistration(input, { egressPolicy: policy });
  } catch (err) {
    const e = err as { name: string; field: string; rule?: string };
    expect(e.name).toBe('InvalidConfigError');
    return { field: e.field, rule: e.rule };
  }
  throw new Error('the registration was accepted');
}

describe('parseRegistration and the egress policy', () => {
  test.each<[string, Record<string, unknown>, string, string]>([
    ['metadata token endpoint', { tokenEndpoint: 'https://169.254.169.254/latest/meta-data/' }, 'config.tokenEndpoint', 'metadata_address'],
    ['IPv4-mapped metadata', { tokenEndpoint: 'https://[::ffff:a9fe:a9fe]/' }, 'config.tokenEndpoint', 'metadata_address'],
    ['metadata name', { tokenEndpoint: 'http://metadata.google.internal/', allowInsecureHttp: true }, 'config.tokenEndpoint', 'metadata_address'],
    ['private issuer', { issuer: 'https://192.168.0.10/' }, 'config.issuer', 'private_address'],
    ['CGNAT', { tokenEndpoint: 'https://100.64.1.1/token' }, 'config.tokenEndpoint', 'cgnat_address'],
    ['loopback name', { tokenEndpoint: 'http://evil.localhost/', allowInsecureHttp: true }, 'config.tokenEndpoint', 'loopback_address'],
    ['decimal IPv4', { tokenEndpoint: 'https://2852039166/' }, 'config.tokenEndpoint', 'non_canonical'],
    ['a leading space', { tokenEndpoint: ' https://idp.example.com/token' }, 'config.tokenEndpoint', 'non_canonical'],
    ['ftp', { tokenEndpoint: 'ftp://idp.example.com/token' }, 'config.tokenEndpoint', 'scheme'],
  ])('%s is refused naming the field and the rule', (_name, config, field, rule) => {
    expect(refusal(oauth(config))).toEqual({ field, rule });
  });

  test('wechat and wecom base URLs too, and development mode allows loopback only', () => {
    expect(refusal({ id: 'w', provider: 'wecom', config: { corpid: 'c', corpsecret: 'cs-123456', baseUrl: 'https://10.0.0.1' } })).toEqual({ field: 'config.baseUrl', rule: 'private_address' });
    const local = { id: 'w', provider: 'wechat', config: { appid: 'wx', secret: 's-123456', baseUrl: 'http://127.0.0.1:9000' } };
    expect(refusal(local)).toEqual({ field: 'config.baseUrl', rule: 'loopback_address' });
    expect(() => parseRegistration(local, { egressPolicy: development })).not.toThrow();
    expect(refusal({ ...local, config: { ...local.config, baseUrl: 'http://169.254.169.254' } }, development)).toEqual({ field: 'config.baseUrl', rule: 'metadata_address' });
  });

  test('operator entries: a deny entry refuses a public host, an allow entry admits a private one', () => {
    const policy = egressPolicyFromEnv({ HALFLIFE_EGRESS_ALLOW: '10.20.0.0/16', HALFLIFE_EGRESS_DENY: '*.partner.example' }, { development: false });
    expect(refusal(oauth({ tokenEndpoint: 'https://idp.partner.example/token' }), policy)).toEqual({ field: 'config.tokenEndpoint', rule: 'denied_host' });
    expect(() => parseRegistration(oauth({ tokenEndpoint: 'https://10.20.1.2/token' }), { egressPolicy: policy })).not.toThrow();
  });

  test('URLs are stored in canonical form; the built-in defaults pass the production policy', () => {
    expect(parseRegistration(oauth({ tokenEndpoint: 'HTTPS://IDP.Example.COM:443/token' }), { egressPolicy: production }).config.tokenEndpoint).toBe('https://idp.example.com/token');
    expect(() => parseRegistration({ id: 'w', provider: 'wechat', config: { appid: 'wx', secret: 's-123456' } }, { egressPolicy: production })).not.toThrow();
    expect(() => checkOutboundUrls('wecom', { corpid: 'c', baseUrl: 'https://qyapi.weixin.qq.com' }, production)).not.toThrow();
  });

  test('a secret in the token endpoint query is refused, named by position only', () => {
    const secret = 'abcdefABCDEF0123456789xyz';
    let message = '';
    try {
      parseRegistration(oauth({ tokenEndpoint: `https://idp.example.com/token?tenant=t&code=${secret}` }), { egressPolicy: production });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('query parameter 2');
    expect(message).not.toContain(secret);
  });
});

describe('discovery through the egress fetch', () => {
  let server: LoopbackServer;
  let hits = 0;
  let tokenEndpoint = '';
  beforeAll(async () => {
    server = await startLoopbackServer((req: IncomingMessage, res: ServerResponse) => {
      hits += 1;
      const issuer = `http://${req.headers.host ?? ''}`;
      sendJson(res, 200, { issuer, token_endpoint: tokenEndpoint || `${issuer}/token` });
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    hits = 0;
    tokenEndpoint = '';
  });

  test('under the production policy a loopback issuer is refused at connect time, before any request', async () => {
    await expect(discoverAuthorizationServer(server.url, { egressPolicy: production })).rejects.toMatchObject({ name: 'InvalidConfigError', field: 'config.issuer', rule: 'loopback_address' });
    expect(hits).toBe(0);
  });

  test('a name that resolves to a private address is refused after resolution (the lookup is injected)', async () => {
    const lookup = async (): Promise<ResolvedAddress[]> => [{ address: '10.1.2.3', family: 4 }];
    const issuer = `http://idp.test:${new URL(server.url).port}`;
    await expect(discoverAuthorizationServer(issuer, { egressPolicy: development, egressLookup: lookup, allowInsecureHttp: true })).rejects.toMatchObject({ field: 'config.issuer', rule: 'private_address' });
  });

  test('a discovered token endpoint on a metadata address is refused with its rule; a discovered one is stored canonical', async () => {
    tokenEndpoint = 'http://169.254.169.254/latest/meta-data/';
    await expect(discoverAuthorizationServer(server.url, { egressPolicy: development })).rejects.toMatchObject({ field: 'config.issuer', rule: 'metadata_address' });
    tokenEndpoint = `${server.url.toUpperCase().replace('HTTP://', 'http://')}/token`;
    const found = await discoverAuthorizationServer(server.url, { egressPolicy: development });
    expect(found.tokenEndpoint).toBe(`${server.url}/token`);
  });

  test('completeRegistration without a fetch uses the egress fetch under its policy', async () => {
    const spec = parseRegistration(oauth({ issuer: server.url }), { egressPolicy: development });
    await expect(completeRegistration(spec, { egressPolicy: production })).rejects.toMatchObject({ field: 'config.issuer', rule: 'loopback_address' });
    const completed = await completeRegistration(spec, { egressPolicy: development });
    expect(completed.config.tokenEndpoint).toBe(`${server.url}/token`);
  });
});

describe('outboundUrl, the zod building block for other outbound URLs (webhooks, connect URLs)', () => {
  const webhook = outboundUrl(production, { allowQuery: false });

  test.each([
    ['https://169.254.169.254/hook', 'metadata_address'],
    ['https://0x7f.0.0.1/hook', 'non_canonical'],
    ['http://localhost:7380/v1/credentials/x/refresh', 'loopback_address'],
    ['https://u:p@hooks.example.com/', 'userinfo'],
  ])('%s is refused with the rule %s in the issue', (url, rule) => {
    const result = webhook.safeParse(url);
    expect(result.success).toBe(false);
    expect(issueRule(result.error?.issues[0])).toBe(rule);
  });

  test('a query is refused when not allowed; an accepted URL becomes canonical', () => {
    expect(webhook.safeParse('https://hooks.example.com/?a=1').success).toBe(false);
    expect(webhook.parse('HTTPS://Hooks.Example.com:443')).toBe('https://hooks.example.com/');
  });
});

/**
 * One "target" per provider: its fake server, a valid configuration and the ways to make the fake
 * misbehave, so a test can provoke any classification row against any provider alike.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { ProviderName } from '../../../src/credential';
import { startFakeGithubServer, type FakeGithubServer } from '../../../src/fakes/github-app-server';
import { startFakeJwtBearerServer, type FakeJwtBearerServer } from '../../../src/fakes/jwt-bearer-server';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../../src/fakes/oauth2-server';
import { startFakeWechatServer, type FakeWechatServer } from '../../../src/fakes/wechat-server';
import { startFakeWecomServer, type FakeWecomServer } from '../../../src/fakes/wecom-server';
import { privateKeySecrets } from '../../helpers/secrets-scan';
import type { ProviderContext } from '../../../src/providers/provider';
import { startFakeWechatComponentServer, type FakeWechatComponentServer } from '../../../src/fakes/wechat-component-server';
import { startFakeWecomSuiteServer, type FakeWecomSuiteServer } from '../../../src/fakes/wecom-suite-server';
import { wechatAuthorizerTarget, wechatComponentTarget, wecomCorpTarget, wecomSuiteTarget } from './platform-targets';
import { wechatTicketTarget, wecomTicketTarget, type TicketParent } from './ticket-targets';

/** A provider wired to its fake. */
export interface Target {
  provider: ProviderName;
  /** Values that must never appear in an error. */
  secrets: string[];
  /** Shapes that must never appear in an error message (a signed JWT the fake echoes). */
  secretPatterns?: RegExp[];
  config(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** The config key holding the endpoint URL, and its value for a given base URL. */
  endpointOverride(baseUrl: string): Record<string, unknown>;
  grant(): { refreshToken?: string };
  calls(): number;
  oauthError?(error: string): void;
  errcode?(errcode: number): void;
  http(status: number, retryAfter?: string): void;
  /** GitHub's rate limit answer: 403 with `x-ratelimit-remaining: 0` and the reset instant (epoch s). */
  rateLimit?(resetS: number): void;
  /** A status none of the provider's own rows names (the `other HTTP status` row). @default 404 */
  otherStatus?: number;
  raw(body: string, status?: number, contentType?: string): void;
  hang(): void;
  /** Answer bodies for the malformed rows (for ticket providers, `missingAccessToken` lacks the ticket). */
  bodies: { missingAccessToken: string; invalidExpiresIn: string; missingTokenType?: string };
  /** More of the provider context: a derived provider's parent token (`overrides` as given to `config`). */
  context?(overrides?: Record<string, unknown>): Promise<Partial<ProviderContext>>;
  /** A derived provider's parent, registered first (integration tests). */
  parent?: TicketParent;
}

/** The fakes behind the targets. */
export interface Fakes {
  oauth: FakeOAuth2Server;
  jwt: FakeJwtBearerServer;
  github: FakeGithubServer;
  wechat: FakeWechatServer;
  wecom: FakeWecomServer;
  component: FakeWechatComponentServer;
  suite: FakeWecomSuiteServer;
  close(): Promise<void>;
}

/** Starts one fake of each kind. */
export async function startFakes(): Promise<Fakes> {
  const [oauth, jwt, github, wechat, wecom, component, suite] = await Promise.all([
    startFakeOAuth2Server(),
    startFakeJwtBearerServer(),
    startFakeGithubServer({ pathPrefix: '/api/v3' }),
    startFakeWechatServer(),
    startFakeWecomServer(),
    startFakeWechatComponentServer(),
    startFakeWecomSuiteServer(),
  ]);
  const all = [oauth, jwt, github, wechat, wecom, component, suite];
  return { oauth, jwt, github, wechat, wecom, component, suite, close: async () => void (await Promise.all(all.map((f) => f.close()))) };
}

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** The malformed answers of the OAuth 2.0 style token endpoints. */
const oauthBodies: Target['bodies'] = {
  missingAccessToken: '{"token_type":"Bearer","expires_in":3600}',
  invalidExpiresIn: '{"access_token":"at-x","token_type":"Bearer","expires_in":-5}',
  missingTokenType: '{"access_token":"at-x","expires_in":3600}',
};

function oauthTarget(provider: 'oauth2' | 'oauth2_client_credentials', fake: FakeOAuth2Server): Target {
  const clientId = unique('client');
  const clientSecret = `cs-${unique('secret')}-Zq9`;
  fake.addClient(clientId, clientSecret);
  const refreshToken = provider === 'oauth2' ? fake.issueRefreshToken(clientId) : undefined;
  return {
    provider,
    secrets: [clientSecret, ...(refreshToken ? [refreshToken] : [])],
    config: (overrides = {}) => ({ tokenEndpoint: fake.tokenEndpoint, clientId, clientSecret, ...overrides }),
    endpointOverride: (baseUrl) => ({ tokenEndpoint: `${baseUrl}/token` }),
    grant: () => (provider === 'oauth2' ? { refreshToken } : {}),
    calls: () => fake.callsFor(clientId),
    oauthError: (error) => fake.rejectNextWith(1, error, { description: `refused ${clientSecret} ${refreshToken ?? ''}` }),
    http: (status, retryAfter) => fake.failNext(1, { status, retryAfter }),
    raw: (body, status, contentType) => fake.respondNextWith(1, body, status, contentType),
    hang: () => fake.hangNext(1),
    bodies: oauthBodies,
  };
}

function jwtBearerTarget(fake: FakeJwtBearerServer): Target {
  const issuer = unique('svc');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  fake.addIssuer(issuer, publicKey);
  return {
    provider: 'jwt_bearer',
    secrets: privateKeySecrets(pem),
    secretPatterns: [signedJwt],
    config: (overrides = {}) => ({ tokenEndpoint: fake.tokenEndpoint, privateKey: pem, issuer, ...overrides }),
    endpointOverride: (baseUrl) => ({ tokenEndpoint: `${baseUrl}/token` }),
    grant: () => ({}),
    calls: () => fake.callsFor(issuer),
    oauthError: (error) => fake.rejectNextWith(1, error, { description: 'refused {assertion}' }),
    http: (status, retryAfter) => fake.failNext(1, { status, retryAfter }),
    raw: (body, status, contentType) => fake.respondNextWith(1, body, status, contentType),
    hang: () => fake.hangNext(1),
    bodies: oauthBodies,
  };
}

/** One RSA key for every GitHub App target: generating a 2048-bit key takes up to seconds on a busy machine. */
let githubKey: ReturnType<typeof generateKeyPairSync> | undefined;

function githubAppTarget(fake: FakeGithubServer): Target {
  const appId = String(100_000 + (counter += 1));
  const installationId = 5_000_000 + counter;
  githubKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { privateKey, publicKey } = githubKey;
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  fake.addApp(appId, publicKey);
  fake.addInstallation(installationId, { appId, repositories: [{ id: 7, name: 'site' }], permissions: { contents: 'write', metadata: 'read' } });
  return {
    provider: 'github_app',
    secrets: privateKeySecrets(pem),
    secretPatterns: [signedJwt],
    config: (overrides = {}) => ({ appId, privateKey: pem, installationId, baseUrl: fake.baseUrl, ...overrides }),
    endpointOverride: (baseUrl) => ({ baseUrl }),
    grant: () => ({}),
    calls: () => fake.callsFor(installationId),
    http: (status, retryAfter) => fake.failNext(1, status, { retryAfter, message: 'refused {jwt}' }),
    rateLimit: (resetS) => fake.failNext(1, 403, { message: 'API rate limit exceeded', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetS) } }),
    otherStatus: 409,
    raw: (body, status, contentType) => fake.respondNextWith(1, body, status ?? 201, contentType),
    hang: () => fake.hangNext(1),
    bodies: { missingAccessToken: '{"expires_at":"2030-01-01T00:00:00Z"}', invalidExpiresIn: '{"token":"ghs_x","expires_at":"soon"}' },
  };
}

/** A compact JWS (`eyJ…` header, payload, signature). */
const signedJwt = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./;


function wechatTarget(fake: FakeWechatServer, stable: boolean): Target {
  const appid = unique('wxapp');
  const secret = `wxsecret-${unique('s')}`;
  fake.addApp(appid, secret);
  return {
    provider: 'wechat',
    secrets: [secret],
    config: (overrides = {}) => ({ appid, secret, baseUrl: fake.url, stable, ...overrides }),
    endpointOverride: (baseUrl) => ({ baseUrl }),
    grant: () => ({}),
    calls: () => fake.callsFor(appid), // this app only: another row's late retry cannot count
    errcode: (n) => fake.failNext(1, n, `failure ${n} for ${secret}`),
    http: (status, retryAfter) => fake.failNextHttp(1, status, { retryAfter }),
    raw: (body, status, contentType) => fake.respondNextWith(1, body, status, contentType),
    hang: () => fake.hangNext(1),
    bodies: { missingAccessToken: '{"expires_in":7200}', invalidExpiresIn: '{"access_token":"wx-x","expires_in":"soon"}' },
  };
}

function wecomTarget(fake: FakeWecomServer): Target {
  const corpid = unique('corp');
  const corpsecret = `wcsecret-${unique('s')}`;
  fake.addApp(corpid, corpsecret);
  return {
    provider: 'wecom',
    secrets: [corpsecret],
    config: (overrides = {}) => ({ corpid, corpsecret, baseUrl: fake.url, ...overrides }),
    endpointOverride: (baseUrl) => ({ baseUrl }),
    grant: () => ({}),
    calls: () => fake.callsFor(corpid),
    errcode: (n) => fake.failNext(1, n, `failure ${n} for ${corpsecret}`),
    http: (status, retryAfter) => fake.failNextHttp(1, status, { retryAfter }),
    raw: (body, status, contentType) => fake.respondNextWith(1, body, status, contentType),
    hang: () => fake.hangNext(1),
    bodies: { missingAccessToken: '{"errcode":0,"errmsg":"ok","expires_in":7200}', invalidExpiresIn: '{"errcode":0,"errmsg":"ok","access_token":"wc-x","expires_in":0}' },
  };
}

/** A fresh target (new client / app at the fake) for `provider`; `stable`: WeChat's stable_token, or WeCom's agent ticket. */
export function targetFor(provider: ProviderName, fakes: Fakes, options: { stable?: boolean } = {}): Target {
  switch (provider) {
    case 'oauth2':
    case 'oauth2_client_credentials':
      return oauthTarget(provider, fakes.oauth);
    case 'wechat':
      return wechatTarget(fakes.wechat, options.stable ?? false);
    case 'jwt_bearer':
      return jwtBearerTarget(fakes.jwt);
    case 'github_app':
      return githubAppTarget(fakes.github);
    case 'wecom':
      return wecomTarget(fakes.wecom);
    case 'wechat_jsapi_ticket':
    case 'wechat_card_ticket':
      return wechatTicketTarget(provider, fakes.wechat);
    case 'wecom_jsapi_ticket':
      return wecomTicketTarget(fakes.wecom, options.stable ? 'agent' : 'corp');
    case 'wechat_component':
      return wechatComponentTarget(fakes.component);
    case 'wechat_authorizer':
      return wechatAuthorizerTarget(fakes.component);
    case 'wecom_suite':
      return wecomSuiteTarget(fakes.suite);
    case 'wecom_corp':
      return wecomCorpTarget(fakes.suite);
  }
}

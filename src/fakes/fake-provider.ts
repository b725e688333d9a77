/**
 * One fake provider of any kind, with a client (or app) already set up and the HTTP API body that
 * registers a credential against it. Behind `halflife fake` and `halflife demo`, so the README's
 * walk-throughs work on a machine with no network.
 */
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import type { ProviderName } from '../credential';
import { InvalidConfigError } from '../errors';
import { startFakeGithubServer } from './github-app-server';
import { startFakeJwtBearerServer } from './jwt-bearer-server';
import { startFakeOAuth2Server } from './oauth2-server';
import { startFakeWechatServer } from './wechat-server';
import { startFakeWecomServer } from './wecom-server';

/** A running fake with its ready-made registration body. */
export interface RunningFakeProvider {
  provider: ProviderName;
  /** Base URL of the fake. */
  url: string;
  /** The `PUT /v1/credentials/{id}` body (secrets included: it is what you would register). */
  body: Record<string, unknown>;
  /** Upstream token calls the fake has answered. */
  calls(): number;
  /** Rotated refresh tokens (oauth2) or assertions (jwt_bearer) presented again: always 0 when Halflife works. */
  replays(): number;
  close(): Promise<void>;
}

/** Options of `startFakeProvider`. */
export interface FakeProviderOptions {
  /** Port on 127.0.0.1. @default any free port */
  port?: number;
  /** Lifetime of issued tokens in seconds. */
  lifetimeS: number;
  /** WeChat only: register with `stable_token`. */
  stable?: boolean;
}

const secret = (prefix: string) => `${prefix}_${randomBytes(18).toString('base64url')}`;

/** Starts a fake `provider` and sets up one client (or app) on it. */
export async function startFakeProvider(provider: ProviderName, options: FakeProviderOptions): Promise<RunningFakeProvider> {
  const { port, lifetimeS } = options;
  if (provider === 'oauth2' || provider === 'oauth2_client_credentials') {
    const fake = await startFakeOAuth2Server({ port, expiresIn: lifetimeS, rotate: true });
    const clientId = `demo-client-${randomBytes(3).toString('hex')}`;
    const clientSecret = secret('cs');
    fake.addClient(clientId, clientSecret);
    const common = { token_endpoint: fake.tokenEndpoint, client_id: clientId, client_secret: clientSecret };
    const body =
      provider === 'oauth2'
        ? { provider, ...common, refresh_token: fake.issueRefreshToken(clientId) }
        : { provider, ...common };
    return { provider, url: fake.url, body, calls: () => fake.callsFor(clientId), replays: () => fake.replays, close: () => fake.close() };
  }
  if (provider === 'jwt_bearer') {
    const fake = await startFakeJwtBearerServer({ port, expiresIn: lifetimeS });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issuer = `demo-service-${randomBytes(3).toString('hex')}@halflife.example`;
    fake.addIssuer(issuer, publicKey);
    const body = { provider, token_endpoint: fake.tokenEndpoint, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), issuer, scope: 'demo.read' };
    return { provider, url: fake.url, body, calls: () => fake.callsFor(issuer), replays: () => fake.replays, close: () => fake.close() };
  }
  if (provider === 'github_app') {
    const fake = await startFakeGithubServer({ port, expiresIn: lifetimeS });
    // GitHub hands out PKCS#1 RSA keys; app and installation ids are integers.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const appId = String(randomInt(100_000, 999_999));
    const installationId = randomInt(10_000_000, 99_999_999);
    fake.addApp(appId, publicKey);
    fake.addInstallation(installationId, { appId, repositories: [{ id: 1, name: 'demo' }], permissions: { contents: 'read', metadata: 'read' } });
    const body = { provider, app_id: appId, private_key: privateKey.export({ type: 'pkcs1', format: 'pem' }), installation_id: installationId, base_url: fake.baseUrl };
    return { provider, url: fake.baseUrl, body, calls: () => fake.callsFor(installationId), replays: () => 0, close: () => fake.close() };
  }
  if (provider === 'wechat') {
    // The fake's overlap (old token still valid after a new one) and stable renew window scale with the lifetime.
    const windowMs = Math.min(300_000, lifetimeS * 200);
    const fake = await startFakeWechatServer({ port, expiresIn: lifetimeS, overlapMs: windowMs, renewWindowMs: windowMs });
    const appid = `wx${randomBytes(8).toString('hex')}`;
    const appSecret = secret('ws');
    fake.addApp(appid, appSecret);
    const body = { provider, appid, secret: appSecret, base_url: fake.url, ...(options.stable ? { stable: true } : {}) };
    return { provider, url: fake.url, body, calls: () => fake.calls, replays: () => 0, close: () => fake.close() };
  }
  if (provider !== 'wecom') {
    // A derived provider (a ticket) runs on its parent's fake: start that one, register the parent, then the ticket.
    throw new InvalidConfigError('provider', `${provider} is derived from another credential and has no fake of its own: start the fake of its parent`);
  }
  const fake = await startFakeWecomServer({ port, expiresIn: lifetimeS });
  const corpid = `ww${randomBytes(8).toString('hex')}`;
  const corpsecret = secret('wc');
  fake.addApp(corpid, corpsecret);
  const body = { provider, corpid, corpsecret, base_url: fake.url };
  return { provider, url: fake.url, body, calls: () => fake.calls, replays: () => 0, close: () => fake.close() };
}

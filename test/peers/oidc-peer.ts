/**
 * A real OpenID Connect provider for tests and benchmarks: panva's certified `oidc-provider`,
 * run in a child process (it is ESM only; jest runs CommonJS) on loopback, strictly configured,
 * and steered from here through the child's admin API. See test/peers/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, type JsonWebKey } from 'node:crypto';
import path from 'node:path';
import { authenticateClient, pkcePair } from './oidc/client-auth';
import { completeAuthorizationCodeFlow } from './oidc/browserless';
import { fingerprint } from './oidc/fingerprint';
import type {
  MintedGrant, MintGrantOptions, OidcPeerClient, OidcPeerClientSpec, OidcPeerDownMode, OidcPeerGrantInfo, OidcPeerOptions,
  OidcPeerRotation, OidcPeerSettings, OidcPeerStats, OidcPeerTokenEvent, OidcPeerTokenInfo, TokenAnswer,
} from './oidc/types';

export * from './oidc/types';
export { completeAuthorizationCodeFlow, completeDeviceFlow } from './oidc/browserless';
export { authenticateClient, clientAssertion, pkcePair, signJwt } from './oidc/client-auth';
export { fingerprint };

const serverScript = path.join(__dirname, 'oidc', 'server.mjs');
const READY_TIMEOUT_MS = 30_000;

/** What the child reports when it is ready (and `GET /info` answers). */
interface PeerInfo {
  adminUrl?: string;
  issuer: string;
  discoveryUrl: string;
  authorizationServerMetadataUrl: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string;
  introspectionEndpoint: string;
  revocationEndpoint: string;
  deviceAuthorizationEndpoint: string;
  internalSecret: string;
  internalHeader: string;
}

/** A running OpenID peer. */
export class OidcPeer {
  /** The issuer (with `issuerPath`). */
  readonly issuer: string;
  /** OIDC discovery document URL (issuer + /.well-known/openid-configuration). */
  readonly discoveryUrl: string;
  /** RFC 8414 metadata URL (origin + /.well-known/oauth-authorization-server + issuer path). */
  readonly authorizationServerMetadataUrl: string;
  /** Authorization endpoint. */
  readonly authorizationEndpoint: string;
  /** Token endpoint. */
  readonly tokenEndpoint: string;
  /** JWKS URI. */
  readonly jwksUri: string;
  /** Userinfo endpoint. */
  readonly userinfoEndpoint: string;
  /** Introspection endpoint. */
  readonly introspectionEndpoint: string;
  /** Revocation endpoint. */
  readonly revocationEndpoint: string;
  /** Device authorization endpoint (RFC 8628). */
  readonly deviceAuthorizationEndpoint: string;
  /** The admin API (loopback), for `attachOidcPeer` from another process. */
  readonly adminUrl: string;
  private readonly internalHeaders: Record<string, string>;

  /** Use `startOidcPeer` or `attachOidcPeer`. */
  constructor(adminUrl: string, info: PeerInfo, private readonly child?: ChildProcess, private readonly stderrTail?: () => string) {
    this.adminUrl = adminUrl;
    this.issuer = info.issuer;
    this.discoveryUrl = info.discoveryUrl;
    this.authorizationServerMetadataUrl = info.authorizationServerMetadataUrl;
    this.authorizationEndpoint = info.authorizationEndpoint;
    this.tokenEndpoint = info.tokenEndpoint;
    this.jwksUri = info.jwksUri;
    this.userinfoEndpoint = info.userinfoEndpoint;
    this.introspectionEndpoint = info.introspectionEndpoint;
    this.revocationEndpoint = info.revocationEndpoint;
    this.deviceAuthorizationEndpoint = info.deviceAuthorizationEndpoint;
    this.internalHeaders = { [info.internalHeader]: info.internalSecret };
  }

  private async admin<T>(method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.adminUrl}${route}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((error: unknown) => {
      const tail = this.stderrTail?.();
      throw new Error(`OpenID peer admin API unreachable (${String(error)})${tail ? `; its stderr:\n${tail}` : ''}`);
    });
    const parsed = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`OpenID peer: ${parsed.error ?? `admin ${method} ${route} answered ${response.status}`}`);
    return parsed;
  }

  /** Registers a client (credentials generated when not given) and returns it with its credentials. */
  addClient(spec: OidcPeerClientSpec = {}): Promise<OidcPeerClient> {
    return this.admin('POST', '/clients', spec);
  }

  /** A registered client, with its credentials. */
  client(clientId: string): Promise<OidcPeerClient> {
    return this.admin('GET', `/clients/${encodeURIComponent(clientId)}`);
  }

  /** An authorization URL for `clientId` (response_type=code, PKCE S256 when `codeChallenge` is given, prompt=consent). */
  authorizationUrl(params: { clientId: string; redirectUri: string; scope?: string; state?: string; codeChallenge?: string; prompt?: string }): string {
    const url = new URL(this.authorizationEndpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: params.clientId,
      redirect_uri: params.redirectUri,
      scope: params.scope ?? 'openid offline_access api',
      state: params.state ?? randomBytes(12).toString('base64url'),
      prompt: params.prompt ?? 'consent',
      ...(params.codeChallenge ? { code_challenge: params.codeChallenge, code_challenge_method: 'S256' } : {}),
    }).toString();
    return url.href;
  }

  /** POSTs a token request for `client` (authenticated per its method); `internal` requests bypass delays, failures, outages and the log. */
  async tokenRequest(client: OidcPeerClient & { privateJwk?: JsonWebKey }, params: Record<string, string>, options: { internal?: boolean } = {}): Promise<TokenAnswer> {
    const auth = authenticateClient(client, this.tokenEndpoint);
    const response = await fetch(this.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...auth.headers, ...(options.internal ? this.internalHeaders : {}) },
      body: new URLSearchParams({ ...params, ...auth.params }),
    });
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { raw: text };
    }
    return { status: response.status, body };
  }

  /** Refreshes with `refreshToken` as `clientId` would (a real, logged token request). */
  async refresh(clientId: string, refreshToken: string): Promise<TokenAnswer> {
    return this.tokenRequest(await this.client(clientId), { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** Creates a grant through the real authorization code flow (PKCE, devInteractions login and consent over HTTP), not counted in stats. */
  async mintGrant(options: MintGrantOptions): Promise<MintedGrant> {
    const client = { ...(await this.client(options.clientId)), ...(options.privateJwk ? { privateJwk: options.privateJwk } : {}) };
    const redirectUri = client.redirectUris[0];
    if (!redirectUri || !client.grantTypes.includes('authorization_code')) throw new Error(`clientId: ${client.clientId} does not allow authorization_code`);
    const scope = options.scope ?? 'openid offline_access api';
    const accountId = options.accountId ?? 'user';
    const { verifier, challenge } = pkcePair();
    const state = randomBytes(12).toString('base64url');
    const back = await completeAuthorizationCodeFlow(this.authorizationUrl({ clientId: client.clientId, redirectUri, scope, state, codeChallenge: challenge }), {
      login: accountId,
      headers: this.internalHeaders,
    });
    if (!back.code || back.state !== state) throw new Error(`mintGrant: the authorization flow ended without a code (${back.error ?? 'state mismatch'}: ${back.errorDescription ?? ''})`);
    const answer = await this.tokenRequest(client, { grant_type: 'authorization_code', code: back.code, redirect_uri: redirectUri, code_verifier: verifier }, { internal: true });
    const body = answer.body;
    if (answer.status !== 200 || typeof body.access_token !== 'string') throw new Error(`mintGrant: code exchange answered ${answer.status} ${JSON.stringify(body)}`);
    if (scope.split(' ').includes('offline_access') && typeof body.refresh_token !== 'string') throw new Error('mintGrant: no refresh token issued (does the client allow refresh_token?)');
    const info = await this.lookupToken(body.access_token);
    if (!info?.grantId) throw new Error('mintGrant: the provider does not know the access token it just issued');
    return {
      grantId: info.grantId,
      refreshToken: body.refresh_token as string,
      accessToken: body.access_token,
      expiresIn: body.expires_in as number,
      idToken: body.id_token as string | undefined,
      scope: body.scope as string,
      clientId: client.clientId,
      accountId,
    };
  }

  /** Revokes a grant and all its tokens at the provider; true when it was live. */
  async revokeGrant(grantId: string): Promise<boolean> {
    return (await this.admin<{ revoked: boolean }>('POST', `/grants/${encodeURIComponent(grantId)}/revoke`)).revoked;
  }

  /** What the peer knows about a grant (revoked, refreshCount, lastRefreshAt, …), or undefined. */
  async grant(grantId: string): Promise<OidcPeerGrantInfo | undefined> {
    return this.admin<OidcPeerGrantInfo>('GET', `/grants/${encodeURIComponent(grantId)}`).catch((error: Error) => {
      if (/not found/.test(error.message)) return undefined;
      throw error;
    });
  }

  /** What the provider stores about a token (kind, grant, consumed, expiry), or undefined when unknown. */
  async lookupToken(token: string): Promise<OidcPeerTokenInfo | undefined> {
    return this.admin<OidcPeerTokenInfo>('POST', '/tokens/lookup', { token }).catch((error: Error) => {
      if (/not found/.test(error.message)) return undefined;
      throw error;
    });
  }

  /** The grant a token belongs to, or undefined. */
  async grantIdOf(token: string): Promise<string | undefined> {
    return (await this.lookupToken(token))?.grantId;
  }

  /** The provider's introspection answer for a token (RFC 7662), asked by the peer's own client. */
  introspect(token: string): Promise<{ active: boolean; [claim: string]: unknown }> {
    return this.admin('POST', '/introspect', { token });
  }

  /** True when the provider's introspection says the access token is active (the provider would accept it). */
  async isAccessTokenValid(accessToken: string): Promise<boolean> {
    const answer = await this.introspect(accessToken);
    return answer.active === true && answer.token_type !== undefined;
  }

  /** The token endpoint answers `ms` after the provider decided. */
  async setAnswerDelayMs(ms: number): Promise<void> {
    await this.admin('POST', '/settings', { answerDelayMs: ms });
  }

  /** Changes the rotation rule for the following requests. */
  async setRotation(rotation: OidcPeerRotation): Promise<void> {
    await this.admin('POST', '/settings', { rotation });
  }

  /** The next `count` token requests answer `status` (with an OAuth error body), before the provider sees them or, with `when: 'after'`, after it decided. */
  async failNext(count: number, status: number, options: { when?: 'before' | 'after'; body?: unknown } = {}): Promise<void> {
    await this.admin('POST', '/failures', { count, status, ...options });
  }

  /** Drops failures queued by `failNext`. */
  async clearFailures(): Promise<void> {
    await this.admin('DELETE', '/failures');
  }

  /** An outage: every request answers 503 (`http503`, default) or the port refuses connections (`refuse`); `false` ends it. */
  async setDown(down: boolean, how: OidcPeerDownMode = 'http503'): Promise<void> {
    await this.admin('POST', '/settings', { down: down ? how : false });
  }

  /** The current settings. */
  settings(): Promise<OidcPeerSettings> {
    return this.admin('POST', '/settings', {});
  }

  /** Counters since start or the last reset. */
  stats(): Promise<OidcPeerStats> {
    return this.admin('GET', '/stats');
  }

  /** Zeroes the counters and clears the request log. */
  async resetStats(): Promise<void> {
    await this.admin('POST', '/stats/reset');
  }

  /** The log of token requests (oldest first). */
  async events(): Promise<OidcPeerTokenEvent[]> {
    return (await this.admin<{ events: OidcPeerTokenEvent[] }>('GET', '/events?since=0')).events.sort((a, b) => a.seq - b.seq);
  }

  /** Waits (long-polling the log, no sleeps) for a token request matching `predicate`. */
  async waitForEvent(predicate: (event: OidcPeerTokenEvent) => boolean, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<OidcPeerTokenEvent> {
    const deadline = Date.now() + timeoutMs;
    let since = 0;
    for (;;) {
      const waitMs = Math.max(0, Math.min(deadline - Date.now(), 10_000));
      const { events, version } = await this.admin<{ events: OidcPeerTokenEvent[]; version: number }>('GET', `/events?since=${since}&waitMs=${waitMs}`);
      const found = events.sort((a, b) => a.seq - b.seq).find(predicate);
      if (found) return found;
      if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for a token request matching ${predicate.toString().slice(0, 200)}`);
      since = version;
    }
  }

  /** Stops the child (when this controller started it). */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Starts an OpenID peer in a child process and resolves once it serves. */
export async function startOidcPeer(options: OidcPeerOptions = {}): Promise<OidcPeer> {
  const { log, ...childOptions } = options;
  const child = spawn(process.execPath, [serverScript, JSON.stringify(childOptions)], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  let stderr = '';
  let pendingLine = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
    if (!log) return;
    const lines = (pendingLine + chunk.toString()).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) log(line);
  });
  const stderrTail = () => stderr;

  const info = await new Promise<PeerInfo & { adminUrl: string }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`the OpenID peer did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}; its stderr:\n${stderr}`));
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`the OpenID peer exited before it was ready (${signal ?? `code ${code}`})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => liveChildren.delete(child));
      resolve(JSON.parse(line) as PeerInfo & { adminUrl: string });
    });
  });
  // Neither the child nor its pipes keep this process alive; the child exits when its stdin closes.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  child.stdout!.resume();
  return new OidcPeer(info.adminUrl, info, child, stderrTail);
}

/** A controller for a peer started by another process (e.g. `oidc-peer-cli.ts`), from its admin URL. */
export async function attachOidcPeer(adminUrl: string): Promise<OidcPeer> {
  const response = await fetch(`${adminUrl.replace(/\/$/, '')}/info`);
  if (!response.ok) throw new Error(`adminUrl: ${adminUrl} answered ${response.status}`);
  return new OidcPeer(adminUrl.replace(/\/$/, ''), (await response.json()) as PeerInfo);
}

/**
 * A fake OAuth 2.0 authorization server (real HTTP on 127.0.0.1): `POST /token` for the
 * refresh_token (rotating by default, with replay detection) and client_credentials grants,
 * client_secret_basic and client_secret_post, failure injection, and a protected `GET /resource`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomToken, sendAnswer, sendJson, startLoopbackServer, type LoopbackServer } from './fake-http';
import { OAuthInjectable } from './oauth-injections';
import { clientAuthOf, type FakeClientAuth } from './oauth2-client-auth';

/** Client authentication methods the fake understands. */
export type { FakeClientAuth } from './oauth2-client-auth';

/** Options of the fake OAuth 2.0 server. */
export interface FakeOAuth2Options {
  /** Port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** Every refresh_token use returns a new refresh token and invalidates the old one. @default true */
  rotate?: boolean;
  /** Without rotation, repeat the same refresh token in the answer (instead of omitting it). @default false */
  echoRefreshToken?: boolean;
  /** Access token lifetime in seconds. @default 3600 */
  expiresIn?: number;
  /** Leave `expires_in` out of answers. @default false */
  omitExpiresIn?: boolean;
  /** The fake's clock (access token expiry). @default Date.now */
  now?: () => number;
}

/** One request the token endpoint received (no secrets recorded). */
export interface FakeTokenRequest {
  at: number;
  grantType: string | undefined;
  /** The client id the request claimed (basic header or body), if any. */
  clientId: string | undefined;
  authMethod: FakeClientAuth | 'none';
  scope: string | undefined;
}


interface RefreshGrant {
  clientId: string;
  scope?: string;
  state: 'active' | 'rotated' | 'revoked';
}

interface AccessGrant {
  clientId: string;
  expiresAt: number;
  revoked: boolean;
}

/** The fake server's handle. */
export class FakeOAuth2Server extends OAuthInjectable {
  private readonly clients = new Map<string, { secret: string; auth?: FakeClientAuth }>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly clock: () => number;
  private rotate: boolean;
  private readonly echo: boolean;
  private expiresIn: number;
  private omitExpiresIn: boolean;
  /** Every token endpoint request, in order. */
  readonly requests: FakeTokenRequest[] = [];
  /** Date.now() at each token endpoint hit. */
  readonly callTimes: number[] = [];
  /** Times a rotated-away (or revoked) refresh token was presented again. */
  replays = 0;
  /** The access token issued last. */
  lastAccessToken: string | undefined;
  /** The refresh token issued last (by `issueRefreshToken` or by rotation). */
  lastRefreshToken: string | undefined;

  private constructor(private readonly server: LoopbackServer, options: FakeOAuth2Options) {
    super();
    this.clock = options.now ?? Date.now;
    this.rotate = options.rotate ?? true;
    this.echo = options.echoRefreshToken ?? false;
    this.expiresIn = options.expiresIn ?? 3600;
    this.omitExpiresIn = options.omitExpiresIn ?? false;
  }

  /** Starts a fake on 127.0.0.1 with a random port. */
  static async start(options: FakeOAuth2Options = {}): Promise<FakeOAuth2Server> {
    const holder: { fake?: FakeOAuth2Server } = {};
    const server = await startLoopbackServer((req, res, body) => holder.fake?.handle(req, res, body), options.port);
    const fake = new FakeOAuth2Server(server, options);
    holder.fake = fake;
    return fake;
  }

  /** Base URL (no trailing slash). */
  get url(): string {
    return this.server.url;
  }
  /** The token endpoint URL. */
  get tokenEndpoint(): string {
    return `${this.server.url}/token`;
  }
  /** The protected resource URL (200 with a valid Bearer token, 401 otherwise). */
  get resourceUrl(): string {
    return `${this.server.url}/resource`;
  }
  /** Token endpoint hits in total. */
  get calls(): number {
    return this.requests.length;
  }

  /** Registers a client; `auth` restricts it to one authentication method. */
  addClient(id: string, secret: string, options: { auth?: FakeClientAuth } = {}): void {
    this.clients.set(id, { secret, auth: options.auth });
  }
  /** Seeds a grant: a new, valid refresh token for `clientId`. */
  issueRefreshToken(clientId: string, options: { scope?: string } = {}): string {
    const token = randomToken('rt');
    this.refreshTokens.set(token, { clientId, scope: options.scope, state: 'active' });
    this.lastRefreshToken = token;
    return token;
  }
  /** Sets the lifetime (seconds) of access tokens issued from now on. */
  setExpiresIn(seconds: number): void {
    this.expiresIn = seconds;
  }
  /** Leaves `expires_in` out of answers (or puts it back). */
  setOmitExpiresIn(omit: boolean): void {
    this.omitExpiresIn = omit;
  }
  /** Turns refresh token rotation on or off. */
  setRotate(rotate: boolean): void {
    this.rotate = rotate;
  }
  /** Token endpoint hits that claimed `clientId`. */
  callsFor(clientId: string): number {
    return this.requests.filter((r) => r.clientId === clientId).length;
  }
  /** The instants (Date.now()) of the hits that claimed `clientId`. */
  callTimesFor(clientId: string): number[] {
    return this.requests.filter((r) => r.clientId === clientId).map((r) => r.at);
  }
  /** True for an access token this server issued that is neither expired nor revoked. */
  isValidAccessToken(token: string): boolean {
    const grant = this.accessTokens.get(token);
    return grant !== undefined && !grant.revoked && grant.expiresAt > this.clock();
  }
  /** True for a refresh token that can be used now. */
  isValidRefreshToken(token: string): boolean {
    return this.refreshTokens.get(token)?.state === 'active';
  }
  /** Revokes every refresh and access token issued so far. */
  revokeAll(): void {
    for (const grant of this.refreshTokens.values()) grant.state = 'revoked';
    for (const grant of this.accessTokens.values()) grant.revoked = true;
  }
  /** Stops the server and destroys hanging sockets. */
  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method === 'GET' && path === '/resource') return this.resource(req, res);
    if (req.method !== 'POST' || path !== '/token') return sendJson(res, 404, { error: 'not_found' });
    const params = new URLSearchParams(body);
    const auth = clientAuthOf(req, params);
    this.requests.push({ at: Date.now(), grantType: params.get('grant_type') ?? undefined, clientId: auth.clientId, authMethod: auth.method, scope: params.get('scope') ?? undefined });
    this.callTimes.push(Date.now());
    const injection = this.injections.take();
    if (injection?.type === 'hang') return;
    if (injection?.type === 'raw') return sendAnswer(res, injection.answer);
    if (injection?.type === 'reject') return this.oauthError(res, injection.error, injection.description, injection.status, auth.method);
    if (auth.problem) return this.oauthError(res, 'invalid_request', auth.problem, 400, auth.method);
    const client = auth.clientId !== undefined ? this.clients.get(auth.clientId) : undefined;
    if (!client || client.secret !== auth.secret || (client.auth !== undefined && client.auth !== auth.method)) {
      return this.oauthError(res, 'invalid_client', 'client authentication failed', 401, auth.method);
    }
    const clientId = auth.clientId as string;
    const grantType = params.get('grant_type');
    if (grantType === 'client_credentials') return this.issue(res, clientId, params.get('scope') ?? undefined);
    if (grantType !== 'refresh_token') return this.oauthError(res, 'unsupported_grant_type', undefined, 400, auth.method);
    const presented = params.get('refresh_token');
    if (!presented) return this.oauthError(res, 'invalid_request', 'refresh_token is required', 400, auth.method);
    const grant = this.refreshTokens.get(presented);
    if (!grant || grant.clientId !== clientId) return this.oauthError(res, 'invalid_grant', 'unknown refresh token', 400, auth.method);
    if (grant.state !== 'active') {
      this.replays += 1;
      return this.oauthError(res, 'invalid_grant', 'refresh token already used or revoked', 400, auth.method);
    }
    let refreshToken: string | undefined;
    if (this.rotate) {
      grant.state = 'rotated';
      refreshToken = this.issueRefreshToken(clientId, { scope: grant.scope });
    } else if (this.echo) {
      refreshToken = presented;
    }
    return this.issue(res, clientId, params.get('scope') ?? grant.scope, refreshToken);
  }

  private issue(res: ServerResponse, clientId: string, scope: string | undefined, refreshToken?: string): void {
    const accessToken = randomToken('at');
    this.accessTokens.set(accessToken, { clientId, expiresAt: this.clock() + this.expiresIn * 1000, revoked: false });
    this.lastAccessToken = accessToken;
    sendJson(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      ...(this.omitExpiresIn ? {} : { expires_in: this.expiresIn }),
      ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
      ...(scope !== undefined ? { scope } : {}),
    });
  }

  private oauthError(res: ServerResponse, error: string, description: string | undefined, status: number, method: string): void {
    const challenge: Record<string, string> = status === 401 && method === 'client_secret_basic' ? { 'www-authenticate': 'Basic realm="fake"' } : {};
    sendJson(res, status, { error, ...(description !== undefined ? { error_description: description } : {}) }, challenge);
  }

  private resource(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (token && this.isValidAccessToken(token)) return sendJson(res, 200, { ok: true, client: this.accessTokens.get(token)?.clientId });
    sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
}

/** Starts a fake OAuth 2.0 server on 127.0.0.1 (port 0). */
export function startFakeOAuth2Server(options: FakeOAuth2Options = {}): Promise<FakeOAuth2Server> {
  return FakeOAuth2Server.start(options);
}

/**
 * A fake token endpoint for signed JWTs (real HTTP on 127.0.0.1): `POST /token` with the JWT
 * bearer grant (RFC 7523 §2.1: `assertion`) and the client credentials grant authenticated by a
 * `private_key_jwt` client assertion (RFC 7523 §2.2). It verifies each JWT with the registered
 * public key (`./jwt-check`: signature, algorithm, `aud`, `exp` window, `jti` replay) and refuses
 * with `invalid_grant` / `invalid_client` naming the rule. Failure injection as in the other fakes.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomToken, sendAnswer, sendJson, startLoopbackServer, type LoopbackServer } from './fake-http';
import { OAuthInjectable } from './oauth-injections';
import { checkJwt, peekClaims } from './jwt-check';

/** The JWT bearer grant type and the JWT client assertion type. */
const jwtBearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const jwtClientAssertion = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Options of the fake. */
export interface FakeJwtBearerOptions {
  /** Port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** Access token lifetime in seconds. @default 3600 */
  expiresIn?: number;
  /** The `aud` assertions must carry. @default the token endpoint URL */
  audience?: string;
  /** Longest assertion lifetime (`exp − iat`) accepted, seconds. @default 3600 */
  maxAssertionLifetimeS?: number;
  /** The fake's clock. @default Date.now */
  now?: () => number;
}

/** One token request as the fake saw it (no assertion, no token recorded). */
export interface FakeJwtRequest {
  at: number;
  grantType: string | undefined;
  /** The signer: the assertion's `iss`, or the client id. */
  signer: string | undefined;
  /** The verified claims (none when refused). */
  claims?: Record<string, unknown>;
  alg?: string;
  /** The `scope`, `audience` and `resource` parameters and any other non-secret parameter. */
  params: Record<string, string[]>;
  /** Why it was refused, if it was. */
  refused?: string;
}


interface Signer {
  key: KeyObject;
  algorithms: string[];
}

const allAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const secretParams = new Set(['assertion', 'client_assertion', 'client_secret']);

/** The fake's handle. */
export class FakeJwtBearerServer extends OAuthInjectable {
  private readonly issuers = new Map<string, Signer>();
  private readonly clients = new Map<string, Signer>();
  private readonly accessTokens = new Map<string, { signer: string; expiresAt: number }>();
  private readonly seenJtis = new Set<string>();
  /** Every JWT presented (private: secret scans in tests read it, as they read the other fakes' token maps). */
  private readonly presented: string[] = [];
  private readonly clock: () => number;
  private expiresIn: number;
  private extras: Record<string, unknown> = {};
  /** Every token request, in order. */
  readonly requests: FakeJwtRequest[] = [];
  /** Assertions presented again (same `iss` and `jti`). */
  replays = 0;
  /** The access token issued last. */
  lastAccessToken: string | undefined;

  private constructor(private readonly server: LoopbackServer, private readonly options: FakeJwtBearerOptions) {
    super();
    this.clock = options.now ?? Date.now;
    this.expiresIn = options.expiresIn ?? 3600;
  }

  /** Starts a fake on 127.0.0.1. */
  static async start(options: FakeJwtBearerOptions = {}): Promise<FakeJwtBearerServer> {
    const holder: { fake?: FakeJwtBearerServer } = {};
    const server = await startLoopbackServer((req, res, body) => holder.fake?.handle(req, res, body), options.port);
    holder.fake = new FakeJwtBearerServer(server, options);
    return holder.fake;
  }

  /** Base URL (no trailing slash). */
  get url(): string {
    return this.server.url;
  }
  /** The token endpoint URL. */
  get tokenEndpoint(): string {
    return `${this.server.url}/token`;
  }
  /** Token requests in total. */
  get calls(): number {
    return this.requests.length;
  }
  /** Token requests whose assertion (or client) named `signer`. */
  callsFor(signer: string): number {
    return this.requests.filter((r) => r.signer === signer).length;
  }
  /** The requests of `signer` that were granted. */
  grantedFor(signer: string): FakeJwtRequest[] {
    return this.requests.filter((r) => r.signer === signer && r.refused === undefined);
  }
  /** Accepts JWT bearer assertions whose `iss` is `issuer`, signed by `publicKey` (with one of `algorithms`). */
  addIssuer(issuer: string, publicKey: KeyObject, algorithms: string[] = allAlgorithms): void {
    this.issuers.set(issuer, { key: publicKey, algorithms });
  }
  /** Accepts the client credentials grant of `clientId`, authenticated by a client assertion signed by `publicKey`. */
  addClient(clientId: string, publicKey: KeyObject, algorithms: string[] = allAlgorithms): void {
    this.clients.set(clientId, { key: publicKey, algorithms });
  }
  /** Adds fields to every successful answer (e.g. `instance_url`). */
  setAnswerExtras(extras: Record<string, unknown>): void {
    this.extras = extras;
  }
  /** Sets the lifetime (seconds) of access tokens issued from now on. */
  setExpiresIn(seconds: number): void {
    this.expiresIn = seconds;
  }
  /** True for an access token this fake issued that has not expired. */
  isValidAccessToken(token: string): boolean {
    const grant = this.accessTokens.get(token);
    return grant !== undefined && grant.expiresAt > this.clock();
  }
  /** Every access token issued so far. */
  issuedAccessTokens(): string[] {
    return [...this.accessTokens.keys()];
  }
  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://fake').pathname !== '/token') return sendJson(res, 404, { error: 'not_found' });
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type') ?? undefined;
    const params: Record<string, string[]> = {};
    for (const [name, value] of form) if (!secretParams.has(name) && name !== 'grant_type') (params[name] ??= []).push(value);
    const presented = form.get(grantType === jwtBearer ? 'assertion' : 'client_assertion') ?? '';
    if (presented !== '') this.presented.push(presented);
    const signer = grantType === jwtBearer ? String(peekClaims(presented)?.iss ?? '') : (form.get('client_id') ?? undefined);
    const request: FakeJwtRequest = { at: this.clock(), grantType, signer, params };
    this.requests.push(request);
    const injection = this.injections.take();
    if (injection?.type === 'hang') return;
    if (injection?.type === 'raw') return sendAnswer(res, injection.answer);
    if (injection?.type === 'reject') {
      // `{assertion}` in a description echoes the presented JWT, as careless servers do.
      const description = injection.description?.replace('{assertion}', presented);
      return sendJson(res, injection.status, { error: injection.error, ...(description ? { error_description: description } : {}) });
    }
    const refuse = (error: string, reason: string, status = 400) => {
      request.refused = reason;
      sendJson(res, status, { error, error_description: reason });
    };
    if (grantType === jwtBearer) {
      if (!presented) return refuse('invalid_request', 'assertion is required');
      const issuer = this.issuers.get(signer ?? '');
      if (!issuer) return refuse('invalid_grant', 'unknown issuer');
      const check = await this.check(presented, issuer, this.options.audience ?? this.tokenEndpoint);
      if (!check.ok) return refuse('invalid_grant', check.reason);
      request.claims = check.claims;
      request.alg = check.alg;
      return this.issue(res, signer ?? '', form.get('scope') ?? (typeof check.claims.scope === 'string' ? check.claims.scope : undefined));
    }
    if (grantType === 'client_credentials') {
      const client = signer !== undefined ? this.clients.get(signer) : undefined;
      if (!client || form.get('client_assertion_type') !== jwtClientAssertion || !presented) return refuse('invalid_client', 'client authentication failed', 401);
      const check = await this.check(presented, client, this.tokenEndpoint);
      if (!check.ok) return refuse('invalid_client', check.reason, 401);
      if (check.claims.iss !== signer || check.claims.sub !== signer) return refuse('invalid_client', 'iss and sub must be the client id', 401);
      request.claims = check.claims;
      request.alg = check.alg;
      return this.issue(res, signer as string, form.get('scope') ?? undefined);
    }
    return refuse('unsupported_grant_type', `grant_type ${grantType ?? '(none)'} is not supported`);
  }

  private async check(jwt: string, signer: Signer, audience: string) {
    const check = await checkJwt(jwt, {
      key: signer.key,
      algorithms: signer.algorithms,
      audience,
      now: this.clock(),
      maxLifetimeS: this.options.maxAssertionLifetimeS ?? 3600,
      skewS: 5,
      seenJtis: this.seenJtis,
    });
    if (!check.ok && check.replay) this.replays += 1;
    return check;
  }

  private issue(res: ServerResponse, signer: string, scope: string | undefined): void {
    const accessToken = randomToken('jat');
    this.accessTokens.set(accessToken, { signer, expiresAt: this.clock() + this.expiresIn * 1000 });
    this.lastAccessToken = accessToken;
    sendJson(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: this.expiresIn, ...(scope !== undefined ? { scope } : {}), ...this.extras });
  }
}

/** Starts a fake JWT token endpoint on 127.0.0.1. */
export function startFakeJwtBearerServer(options: FakeJwtBearerOptions = {}): Promise<FakeJwtBearerServer> {
  return FakeJwtBearerServer.start(options);
}

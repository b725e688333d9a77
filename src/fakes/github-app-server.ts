/**
 * A fake GitHub REST API for GitHub Apps (real HTTP on 127.0.0.1, optionally under a path prefix
 * such as GitHub Enterprise Server's `/api/v3`): `POST /app/installations/{id}/access_tokens`
 * checks the app JWT as GitHub does (RS256 with the app's public key, `iat` at most 60 s in the
 * past, `exp` at most 10 minutes ahead, a User-Agent), refuses an unknown installation (404) and
 * narrowing beyond what the installation granted (422), and answers 201 with `token` and
 * `expires_at`. `GET /installation/repositories` answers 200 for a valid installation token.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injections, randomToken, sendAnswer, sendJson, startLoopbackServer, type LoopbackServer, type RawAnswer } from './fake-http';
import { checkJwt, peekClaims } from './jwt-check';

/** Options of the fake. */
export interface FakeGithubOptions {
  /** Port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** Path prefix of the API, e.g. `/api/v3` (GitHub Enterprise Server). @default '' */
  pathPrefix?: string;
  /** Installation token lifetime in seconds. @default 3600 */
  expiresIn?: number;
  /** The fake's clock. @default Date.now */
  now?: () => number;
}

/** A repository of an installation. */
export interface FakeRepository {
  id: number;
  name: string;
}

/** What an installation granted the app. */
export interface FakeInstallation {
  appId: string;
  repositories: FakeRepository[];
  permissions: Record<string, 'read' | 'write' | 'admin'>;
}

/** One token request as the fake saw it (no JWT, no token recorded). */
export interface FakeGithubRequest {
  at: number;
  installationId: number;
  /** The verified JWT claims (none when refused). */
  claims?: { iss?: unknown; iat?: number; exp?: number };
  /** The narrowing body, parsed. */
  body?: Record<string, unknown>;
  status?: number;
}

type Injection = { type: 'raw'; answer: RawAnswer; headers?: Record<string, string> } | { type: 'hang' };

const levels = { read: 1, write: 2, admin: 3 } as const;

/** The fake's handle. */
export class FakeGithubServer {
  private readonly apps = new Map<string, KeyObject>();
  private readonly installations = new Map<number, FakeInstallation>();
  private readonly tokens = new Map<string, { installationId: number; expiresAt: number }>();
  private readonly injections = new Injections<Injection>();
  /** Every app JWT presented (private: secret scans in tests read it, as they read the other fakes' token maps). */
  private readonly presented: string[] = [];
  private readonly clock: () => number;
  private readonly prefix: string;
  /** Every token request, in order. */
  readonly requests: FakeGithubRequest[] = [];
  /** The installation token issued last. */
  lastToken: string | undefined;

  private constructor(private readonly server: LoopbackServer, private readonly options: FakeGithubOptions) {
    this.clock = options.now ?? Date.now;
    this.prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  }

  /** Starts a fake on 127.0.0.1. */
  static async start(options: FakeGithubOptions = {}): Promise<FakeGithubServer> {
    const holder: { fake?: FakeGithubServer } = {};
    const server = await startLoopbackServer((req, res, body) => holder.fake?.handle(req, res, body), options.port);
    holder.fake = new FakeGithubServer(server, options);
    return holder.fake;
  }

  /** The API base URL (with the prefix), as `baseUrl` takes it. */
  get baseUrl(): string {
    return `${this.server.url}${this.prefix}`;
  }
  /** Token requests in total. */
  get calls(): number {
    return this.requests.length;
  }
  /** Token requests for `installationId`. */
  callsFor(installationId: number): number {
    return this.requests.filter((r) => r.installationId === installationId).length;
  }
  /** Registers an app by its id and public key. */
  addApp(appId: string, publicKey: KeyObject): void {
    this.apps.set(appId, publicKey);
  }
  /** Installs `appId` with these repositories and permissions. */
  addInstallation(installationId: number, installation: FakeInstallation): void {
    this.installations.set(installationId, installation);
  }
  /** Removes an installation (the app was uninstalled). */
  uninstall(installationId: number): void {
    this.installations.delete(installationId);
  }
  /** True for an installation token this fake issued that has not expired. */
  isValidToken(token: string): boolean {
    const grant = this.tokens.get(token);
    return grant !== undefined && grant.expiresAt > this.clock();
  }
  /** Every installation token issued so far. */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }
  /** The next `count` requests answer `status` with a GitHub-style `{message}` body (and `headers`). */
  failNext(count: number, status: number, options: { message?: string; headers?: Record<string, string>; retryAfter?: string } = {}): void {
    const body = JSON.stringify({ message: options.message ?? `fake failure ${status}`, documentation_url: 'https://docs.github.com/rest' });
    this.injections.push(count, { type: 'raw', answer: { status, body, contentType: 'application/json', retryAfter: options.retryAfter }, headers: options.headers });
  }
  /** The next `count` requests get exactly `rawBody`. */
  respondNextWith(count: number, rawBody: string, status = 201, contentType = 'application/json'): void {
    this.injections.push(count, { type: 'raw', answer: { status, body: rawBody, contentType } });
  }
  /** The next `count` requests never get an answer. */
  hangNext(count: number): void {
    this.injections.push(count, { type: 'hang' });
  }
  /** Drops the injected behaviours not yet consumed. */
  clearFailures(): void {
    this.injections.clear();
  }
  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const route = path.startsWith(`${this.prefix}/`) ? path.slice(this.prefix.length) : undefined;
    const match = route !== undefined ? /^\/app\/installations\/(\d+)\/access_tokens$/.exec(route) : null;
    if (req.method === 'GET' && route === '/installation/repositories') return this.repositories(req, res);
    if (req.method !== 'POST' || !match) return sendJson(res, 404, { message: 'Not Found' });
    const request: FakeGithubRequest = { at: this.clock(), installationId: Number(match[1]) };
    this.requests.push(request);
    const answer = (status: number, payload: unknown) => {
      request.status = status;
      sendJson(res, status, payload);
    };
    const header = req.headers.authorization ?? '';
    const jwt = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (jwt !== '') this.presented.push(jwt);
    const injection = this.injections.take();
    if (injection?.type === 'hang') return;
    if (injection?.type === 'raw') {
      request.status = injection.answer.status;
      if (injection.headers) for (const [name, value] of Object.entries(injection.headers)) res.setHeader(name, value);
      // `{jwt}` in an injected body echoes the presented app JWT, as careless proxies do.
      return sendAnswer(res, { ...injection.answer, body: injection.answer.body.replace('{jwt}', jwt) });
    }
    if (!req.headers['user-agent']) return answer(403, { message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header' });
    const key = this.apps.get(String(peekClaims(jwt)?.iss ?? ''));
    if (!key) return answer(401, { message: 'A JSON web token could not be decoded' });
    const check = await checkJwt(jwt, { key, algorithms: ['RS256'], now: this.clock(), maxLifetimeS: 600, maxAgeS: 60, skewS: 2 });
    if (!check.ok) return answer(401, { message: `'Issued at' or 'Expiration time' claim refused: ${check.reason}` });
    request.claims = check.claims;
    const installation = this.installations.get(request.installationId);
    if (!installation || installation.appId !== String(check.claims.iss)) return answer(404, { message: 'Not Found' });
    let narrowing: Record<string, unknown>;
    try {
      narrowing = body.trim() === '' ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      return answer(400, { message: 'Problems parsing JSON' });
    }
    request.body = narrowing;
    const names = Array.isArray(narrowing.repositories) ? (narrowing.repositories as string[]) : undefined;
    const ids = Array.isArray(narrowing.repository_ids) ? (narrowing.repository_ids as number[]) : undefined;
    const selected = names || ids ? installation.repositories.filter((r) => names?.includes(r.name) || ids?.includes(r.id)) : undefined;
    if (selected && selected.length !== (names?.length ?? 0) + (ids?.length ?? 0)) {
      return answer(422, { message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' });
    }
    const asked = (narrowing.permissions ?? {}) as Record<string, keyof typeof levels>;
    for (const [name, level] of Object.entries(asked)) {
      const granted = installation.permissions[name];
      if (!granted || levels[level] > levels[granted]) return answer(422, { message: 'The permissions requested are not granted to this installation.' });
    }
    const token = randomToken('ghs');
    const expiresAt = Math.floor((this.clock() + (this.options.expiresIn ?? 3600) * 1000) / 1000) * 1000;
    this.tokens.set(token, { installationId: request.installationId, expiresAt });
    this.lastToken = token;
    answer(201, {
      token,
      expires_at: new Date(expiresAt).toISOString().replace('.000Z', 'Z'),
      permissions: Object.keys(asked).length > 0 ? asked : installation.permissions,
      repository_selection: selected ? 'selected' : 'all',
      ...(selected ? { repositories: selected.map((r) => ({ id: r.id, name: r.name, full_name: `owner/${r.name}` })) } : {}),
    });
  }

  private repositories(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers.authorization ?? '';
    const token = header.replace(/^(Bearer|token) /, '');
    const grant = this.tokens.get(token);
    if (!grant || grant.expiresAt <= this.clock()) return sendJson(res, 401, { message: 'Bad credentials' });
    const repositories = this.installations.get(grant.installationId)?.repositories ?? [];
    sendJson(res, 200, { total_count: repositories.length, repositories });
  }
}

/** Starts a fake GitHub API on 127.0.0.1. */
export function startFakeGithubServer(options: FakeGithubOptions = {}): Promise<FakeGithubServer> {
  return FakeGithubServer.start(options);
}

/**
 * An in-memory stand-in for `TokenClient` with the methods the HTTP API uses, for unit tests of
 * the HTTP layer, plus a helper that builds a server with a fixed set of API keys.
 */
import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { CredentialSummary, Registration } from '../../../src/client/token-client';
import type { RegisterInput } from '../../../src/client/registration';
import type { CredentialDescription, CredentialStatus, ProviderName, RefreshOutcome, RefreshPolicy, TokenView } from '../../../src/credential';
import { defaultPolicy } from '../../../src/credential';
import { presetByName } from '../../../src/providers/presets';
import { CredentialExistsError, CredentialNotFoundError, ProviderMismatchError } from '../../../src/errors';
import type { ReauthorizeRequest, ReconfigureRequest } from '../../../src/messages';
import { ApiKeys, type ApiKeyConfig } from '../../../src/api/keys';
import { createApiServer, type ApiServerOptions, type ApiTokenClient } from '../../../src/api/server';

interface FakeCredential {
  provider: ProviderName;
  config: Record<string, unknown>;
  settings: Record<string, unknown>;
  grant: { refreshToken?: string };
  policy: RefreshPolicy;
  token: TokenView;
  createdAt: number;
}

const secretConfigFields = new Set(['clientSecret', 'secret', 'corpsecret']);

// light-my-request (behind fastify.inject) requires `cookie` 2, which is ESM only: jest on Node 20
// cannot `require` it. The API sets no cookies, so a stand-in is enough.
jest.mock('cookie', () => ({
  stringifySetCookie: () => {
    throw new Error('cookies are not supported in these tests');
  },
}));

let tokenCounter = 0;

function newToken(version: number, status: CredentialStatus = 'active'): TokenView {
  tokenCounter += 1;
  return { accessToken: `at-${tokenCounter}-${version}`, tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000, version, status };
}

/** The fake; `failNext(method, err)` makes the next call of that method throw `err`. */
export class FakeTokenClient implements ApiTokenClient {
  readonly credentials = new Map<string, FakeCredential>();
  readonly calls: { method: string; args: unknown[] }[] = [];
  private readonly failures = new Map<string, unknown>();
  /** Set to undefined to act like a client without `reconfigure`. */
  reconfigure?: (id: string, request: ReconfigureRequest) => Promise<CredentialDescription> = async (id, request) => {
    this.record('reconfigure', id, request);
    const c = this.get(id);
    c.policy = { ...c.policy, ...request.policy };
    return this.describeNow(id);
  };

  failNext(method: string, err: unknown): void {
    this.failures.set(method, err);
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method);
    if (failure !== undefined) {
      this.failures.delete(method);
      throw failure;
    }
  }

  private get(id: string): FakeCredential {
    const c = this.credentials.get(id);
    if (!c) throw new CredentialNotFoundError(id);
    return c;
  }

  async register(input: RegisterInput, options: { replace?: boolean } = {}): Promise<Registration> {
    this.record('register', input, options);
    // A registration by preset takes the preset's provider (the real client resolves the whole preset).
    input = { ...input, provider: input.provider ?? presetByName(input.preset ?? '')?.provider ?? 'oauth2' };
    const existing = this.credentials.get(input.id);
    const settings = Object.fromEntries(Object.entries(input.config).filter(([k]) => !secretConfigFields.has(k)));
    if (existing) {
      const same = existing.provider === input.provider && JSON.stringify([existing.config, existing.grant]) === JSON.stringify([input.config, input.grant ?? {}]);
      if (same) return { id: input.id, workflowId: `credential:${input.id}`, token: existing.token, result: 'unchanged' };
      if (!options.replace) throw new CredentialExistsError(input.id);
      if (existing.provider !== input.provider) throw new ProviderMismatchError(input.id, existing.provider, input.provider ?? 'oauth2');
      Object.assign(existing, { config: input.config, settings, grant: input.grant ?? {}, policy: { ...existing.policy, ...input.policy }, token: newToken(existing.token.version + 1) });
      return { id: input.id, workflowId: `credential:${input.id}`, token: existing.token, result: 'replaced' };
    }
    const token = input.token
      ? { accessToken: input.token.accessToken, tokenType: input.token.tokenType ?? 'Bearer', expiresAt: new Date(input.token.expiresAt).getTime(), version: 1, status: 'active' as const }
      : newToken(1);
    this.credentials.set(input.id, {
      provider: input.provider ?? 'oauth2',
      config: input.config,
      settings,
      grant: input.grant ?? {},
      policy: { ...defaultPolicy, ...input.policy },
      token,
      createdAt: Date.now(),
    });
    return { id: input.id, workflowId: `credential:${input.id}`, token, result: 'created' };
  }

  async getToken(id: string, options: { minTtlMs?: number } = {}): Promise<TokenView> {
    this.record('getToken', id, options);
    return this.get(id).token;
  }

  async refresh(id: string, options: { staleVersion?: number } = {}): Promise<RefreshOutcome> {
    this.record('refresh', id, options);
    const c = this.get(id);
    if (options.staleVersion !== undefined && c.token.version > options.staleVersion) return { token: c.token, refreshed: false, reason: 'superseded' };
    c.token = newToken(c.token.version + 1);
    return { token: c.token, refreshed: true };
  }

  async reauthorize(id: string, request: ReauthorizeRequest): Promise<TokenView> {
    this.record('reauthorize', id, request);
    const c = this.get(id);
    if (request.grant) c.grant = request.grant;
    if (request.config) c.config = request.config;
    if (request.settings) c.settings = request.settings;
    c.token = newToken(c.token.version + 1);
    return c.token;
  }

  private describeNow(id: string, status?: CredentialStatus): CredentialDescription {
    const c = this.get(id);
    return {
      id,
      provider: c.provider,
      settings: c.settings,
      status: status ?? c.token.status,
      version: c.token.version,
      expiresAt: c.token.expiresAt,
      issuedAt: c.createdAt,
      lastRefreshAt: c.createdAt,
      nextRefreshAt: c.token.expiresAt - 1_800_000,
      counts: { refreshes: c.token.version, upstreamCalls: c.token.version, failures: 0, coalesced: 0, runs: 1 },
      policy: c.policy,
      quota: { callsLast24h: 1, maxPerDay: c.policy.maxRefreshesPerDay, minIntervalMs: c.policy.minRefreshIntervalMs, nextAllowedAt: c.createdAt },
      hasRefreshToken: c.grant.refreshToken !== undefined,
      createdAt: c.createdAt,
    };
  }

  async describe(id: string): Promise<CredentialDescription> {
    this.record('describe', id);
    return this.describeNow(id);
  }

  async revoke(id: string, reason?: string): Promise<CredentialDescription> {
    this.record('revoke', id, reason);
    const description = this.describeNow(id, 'revoked');
    this.credentials.delete(id);
    return description;
  }

  async list(filter: { status?: CredentialStatus; provider?: ProviderName } = {}): Promise<CredentialSummary[]> {
    this.record('list', filter);
    return [...this.credentials.entries()]
      .map(([id, c]) => ({ id, status: c.token.status, provider: c.provider, expiresAt: c.token.expiresAt }))
      .filter((row) => (!filter.status || row.status === filter.status) && (!filter.provider || row.provider === filter.provider))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** The API keys every server test uses (each at least 16 characters). */
export const testKeys = {
  adminAll: 'key-admin-all-0123456789',
  readAll: 'key-read-all-0123456789',
  adminTeamA: 'key-admin-team-a-0123456789',
  refreshTeamA: 'key-refresh-team-a-0123456789',
  readTeamA: 'key-read-team-a-0123456789',
  adminTeamB: 'key-admin-team-b-0123456789',
} as const;

const keyConfigs: ApiKeyConfig[] = [
  { key: testKeys.adminAll, scopes: ['admin'], credentials: '*', name: 'admin-all' },
  { key: testKeys.readAll, scopes: ['read'], credentials: '*' },
  { key: testKeys.adminTeamA, scopes: ['admin'], credentials: 'team-a*' },
  { key: testKeys.refreshTeamA, scopes: ['refresh'], credentials: 'team-a*' },
  { key: testKeys.readTeamA, scopes: ['read'], credentials: ['team-a*'] },
  { key: testKeys.adminTeamB, scopes: ['admin'], credentials: 'team-b*' },
];

/** A codec that changes nothing (the codec endpoint's own tests cover encryption). */
export const identityCodec: PayloadCodec = { encode: async (p) => p, decode: async (p) => p };

/** A server over a fresh fake client; `overrides` replace any option. */
export function testServer(overrides: Partial<ApiServerOptions> = {}): { app: FastifyInstance; client: FakeTokenClient } {
  const client = new FakeTokenClient();
  const app = createApiServer({
    tokenClient: client,
    keys: ApiKeys.of(keyConfigs),
    health: { temporal: async () => true },
    codec: { codec: identityCodec },
    ...overrides,
  });
  return { app, client };
}

/** `Authorization` header for a key. */
export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** A complete oauth2 registration body. */
export function oauth2Body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'oauth2',
    token_endpoint: 'https://auth.example.com/oauth/token',
    client_id: 'client-123',
    client_secret: 'client-secret-VERY-SECRET-abcdef',
    refresh_token: 'refresh-token-VERY-SECRET-123456',
    ...overrides,
  };
}

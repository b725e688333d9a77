/**
 * TokenClient: how Node services use Halflife. Reads go in-process cache → Redis → workflow query;
 * refreshes go through the workflow's `refresh` update, coalesced to one in flight per credential
 * per process.
 */
import { Client, isGrpcServiceError, type Connection, type DataConverter } from '@temporalio/client';
import { Redis } from 'ioredis';
import type { CredentialDescription, CredentialStatus, ProviderName, RefreshOutcome, TokenView } from '../credential';
import { CredentialNotFoundError, InvalidConfigError, isHalflifeError, TokenExpiredError } from '../errors';
import {
  credentialIdOf,
  credentialWorkflowId,
  defaultTaskQueue,
  describeQuery,
  getTokenQuery,
  reauthorizeUpdate,
  reconfigureUpdate,
  refreshUpdate,
  revokeUpdate,
  type ReauthorizeRequest,
  type ReconfigureRequest,
} from '../messages';
import type { KeySpace } from '../redis/keys';
import { TokenCache } from '../redis/token-cache';
import { providerSearchAttribute, statusSearchAttribute, expiresAtSearchAttribute } from '../search-attributes';
import { policyProblem } from '../policy';
import { initialState } from '../workflows/credential-state';
import { isAuthError } from './auth-errors';
import { isUpdateLimitStatus } from './connect';
import { withDeadline } from './deadline';
import { translateError } from './errors-map';
import { listQuery, type ListFilter } from './list-query';
import { parseRegistration, type RegisterInput } from './registration';
import { Subscriptions, type CredentialListener } from './subscriptions';

/** Options of a TokenClient. */
export interface TokenClientOptions {
  /** An open Temporal connection (see `connectTemporal`). */
  connection: Connection;
  /** @default 'default' */
  namespace?: string;
  /** @default 'halflife' */
  taskQueue?: string;
  /** Redis for fast reads; without it reads use workflow queries. */
  redis?: Redis;
  /** Prefix of Redis keys. @default 'halflife' */
  redisPrefix?: string;
  /** Payload codec and failure converter (encryption). */
  dataConverter?: DataConverter;
  /** How long a token read is reused in-process. @default 1000 */
  localCacheMs?: number;
  /** How long `refresh` and `getToken` wait for a new token. @default 30_000 */
  refreshTimeoutMs?: number;
}

/** One row of `list`. */
export interface CredentialSummary {
  id: string;
  status?: CredentialStatus;
  provider?: ProviderName;
  expiresAt?: number;
}

/** Result of `register`. */
export interface Registration {
  id: string;
  workflowId: string;
  /** The first token (obtained at once when none was supplied). */
  token: TokenView;
}

interface LocalEntry {
  view: TokenView;
  cachedAt: number;
}

/** Consumer API of Halflife for Node services. */
export class TokenClient {
  readonly temporal: Client;
  private readonly cache?: TokenCache;
  private readonly subscriptions?: Subscriptions;
  private readonly local = new Map<string, LocalEntry>();
  private readonly refreshing = new Map<string, Promise<RefreshOutcome>>();
  private readonly taskQueue: string;
  private readonly localCacheMs: number;
  private readonly refreshTimeoutMs: number;

  constructor(private readonly options: TokenClientOptions) {
    const namespace = options.namespace ?? 'default';
    this.temporal = new Client({ connection: options.connection, namespace, dataConverter: options.dataConverter });
    this.taskQueue = options.taskQueue ?? defaultTaskQueue;
    this.localCacheMs = options.localCacheMs ?? 1000;
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 30_000;
    if (options.redis) {
      const space: KeySpace = { prefix: options.redisPrefix ?? 'halflife', namespace };
      this.cache = new TokenCache(options.redis, space);
      this.subscriptions = new Subscriptions(options.redis, space, (event) => {
        const entry = this.local.get(event.credentialId);
        if (entry && (event.version > entry.view.version || event.status !== entry.view.status)) {
          this.local.delete(event.credentialId);
        }
      });
    }
  }

  private handle(id: string) {
    return this.temporal.workflow.getHandle(credentialWorkflowId(id));
  }

  /** Validates and registers a credential; resolves with its first token. Nothing starts if validation fails. */
  async register(input: RegisterInput): Promise<Registration> {
    const spec = parseRegistration(input);
    const state = initialState(spec, Date.now());
    const workflowId = credentialWorkflowId(spec.id);
    try {
      await this.temporal.workflow.start('credentialWorkflow', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [state],
        typedSearchAttributes: [
          { key: statusSearchAttribute, value: state.status },
          { key: providerSearchAttribute, value: spec.provider },
          ...(spec.token ? [{ key: expiresAtSearchAttribute, value: new Date(spec.token.expiresAt) }] : []),
        ],
        staticSummary: `${spec.provider} credential ${spec.id}`,
      });
    } catch (err) {
      throw translateError(err, spec.id);
    }
    const token = spec.token && spec.token.expiresAt > Date.now() ? await this.query(spec.id) : (await this.refresh(spec.id)).token;
    if (!token) throw new TokenExpiredError(spec.id);
    return { id: spec.id, workflowId, token };
  }

  /** A valid access token: in-process cache, then Redis, then the workflow; never an expired one. */
  async getToken(id: string, options: { minTtlMs?: number } = {}): Promise<TokenView> {
    const minTtl = options.minTtlMs ?? 0;
    const now = Date.now();
    const local = this.local.get(id);
    if (local && now - local.cachedAt < this.localCacheMs && local.view.expiresAt - now > minTtl) return local.view;
    const cached = await this.readCache(id);
    if (cached && cached.expiresAt - now > minTtl) return this.remember(id, cached);
    let view = await this.query(id);
    if (!view || view.expiresAt - Date.now() <= minTtl) {
      view = (await this.refresh(id, view ? { staleVersion: view.version } : {})).token;
    }
    if (view.expiresAt <= Date.now()) throw new TokenExpiredError(id);
    return this.remember(id, view);
  }

  /**
   * Refreshes through the workflow. With `staleVersion`, a newer current token is returned at once.
   * Concurrent calls for one credential share one update; when the server's in-flight update limit
   * is reached, the call waits for the newer version instead of failing.
   */
  async refresh(id: string, options: { staleVersion?: number } = {}): Promise<RefreshOutcome> {
    const pending = this.refreshing.get(id);
    if (pending) {
      const outcome = await pending;
      if (options.staleVersion === undefined || outcome.token.version > options.staleVersion) return outcome;
    }
    const started = withDeadline(this.sendRefresh(id, options.staleVersion), this.refreshTimeoutMs, () => new TokenExpiredError(id)).finally(() => {
      if (this.refreshing.get(id) === started) this.refreshing.delete(id);
    });
    this.refreshing.set(id, started);
    const outcome = await started;
    this.remember(id, outcome.token);
    return outcome;
  }

  private async sendRefresh(id: string, staleVersion: number | undefined): Promise<RefreshOutcome> {
    try {
      return await this.handle(id).executeUpdate(refreshUpdate, { args: [{ staleVersion }] });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause ?? err;
      if (isGrpcServiceError(cause) && isUpdateLimitStatus(cause)) return this.waitForNewerVersion(id, staleVersion);
      if (isGrpcServiceError(err) && isUpdateLimitStatus(err)) return this.waitForNewerVersion(id, staleVersion);
      throw translateError(err, id);
    }
  }

  /** A refresh is already under way (the update limit was hit): wait until its version is visible. */
  private async waitForNewerVersion(id: string, staleVersion: number | undefined): Promise<RefreshOutcome> {
    const deadline = Date.now() + this.refreshTimeoutMs;
    const floor = staleVersion ?? (await this.query(id))?.version ?? 0;
    for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
      const view = (await this.readCache(id)) ?? (await this.query(id));
      if (view && view.version > floor) return { token: view, refreshed: true };
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    throw new TokenExpiredError(id);
  }

  /** Replaces the grant of a credential waiting for re-authorization; resolves with the new token. */
  async reauthorize(id: string, request: ReauthorizeRequest): Promise<TokenView> {
    try {
      const token = await this.handle(id).executeUpdate(reauthorizeUpdate, { args: [request] });
      return this.remember(id, token);
    } catch (err) {
      throw translateError(err, id);
    }
  }

  /** Status, times, counts and last error of a credential (no secrets). */
  async describe(id: string): Promise<CredentialDescription> {
    try {
      return await this.handle(id).query(describeQuery);
    } catch (err) {
      throw translateError(err, id);
    }
  }

  /** Changes the refresh policy (or the already validated configuration) of a running credential. */
  async reconfigure(id: string, request: ReconfigureRequest): Promise<CredentialDescription> {
    const problem = policyProblem(request.policy);
    if (problem) throw new InvalidConfigError(problem.field, problem.reason);
    try {
      return await this.handle(id).executeUpdate(reconfigureUpdate, { args: [request] });
    } catch (err) {
      throw translateError(err, id);
    }
  }

  /** Ends a credential: the workflow completes and the cached token is deleted. */
  async revoke(id: string, reason?: string): Promise<CredentialDescription> {
    this.local.delete(id);
    try {
      return await this.handle(id).executeUpdate(revokeUpdate, { args: [{ reason }] });
    } catch (err) {
      throw translateError(err, id);
    }
  }

  /**
   * Runs `fn` with a valid token. If `fn` fails with an auth error (HTTP 401, errcode 40001/40014/42001,
   * or `isAuthError`), refreshes with the token's version as stale and retries exactly once.
   */
  async withToken<T>(
    id: string,
    fn: (token: TokenView) => Promise<T>,
    options: { isAuthError?: (err: unknown) => boolean; minTtlMs?: number } = {},
  ): Promise<T> {
    const token = await this.getToken(id, { minTtlMs: options.minTtlMs });
    try {
      return await fn(token);
    } catch (err) {
      if (!(options.isAuthError ?? isAuthError)(err)) throw err;
      const outcome = await this.refresh(id, { staleVersion: token.version });
      return fn(outcome.token);
    }
  }

  /** Running credentials, optionally filtered by status and provider (a visibility query). */
  async list(filter: ListFilter = {}): Promise<CredentialSummary[]> {
    const rows: CredentialSummary[] = [];
    for await (const info of this.temporal.workflow.list({ query: listQuery(filter) })) {
      const id = credentialIdOf(info.workflowId);
      if (!id) continue;
      const expiresAt = info.typedSearchAttributes.get(expiresAtSearchAttribute);
      rows.push({
        id,
        status: info.typedSearchAttributes.get(statusSearchAttribute) as CredentialStatus | undefined,
        provider: info.typedSearchAttributes.get(providerSearchAttribute) as ProviderName | undefined,
        ...(expiresAt ? { expiresAt: expiresAt.getTime() } : {}),
      });
    }
    return rows.sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Calls `listener` for every rotation and status event of credential `id` (or every credential,
   * with `*`). Needs Redis. Resolves, once subscribed, to a function that unsubscribes.
   */
  async subscribe(id: string, listener: CredentialListener): Promise<() => Promise<void>> {
    if (!this.subscriptions) throw new InvalidConfigError('redis', 'subscribe needs a Redis connection');
    return this.subscriptions.add(id, listener);
  }

  /** Closes what the client opened (not the connection or Redis passed in). */
  async close(): Promise<void> {
    this.local.clear();
    this.subscriptions?.close();
  }

  private async query(id: string): Promise<TokenView | null> {
    try {
      const view = await this.handle(id).query(getTokenQuery);
      if (view?.status === 'revoked') throw new CredentialNotFoundError(id);
      return view;
    } catch (err) {
      if (isHalflifeError(err, 'CredentialNotFoundError')) throw err;
      throw translateError(err, id);
    }
  }

  private async readCache(id: string): Promise<TokenView | undefined> {
    if (!this.cache) return undefined;
    try {
      const record = await this.cache.read(id);
      if (!record?.accessToken || record.expiresAt === undefined || record.status === 'revoked') return undefined;
      return {
        accessToken: record.accessToken,
        tokenType: record.tokenType ?? 'Bearer',
        expiresAt: record.expiresAt,
        version: record.version,
        status: record.status,
        ...(record.scope !== undefined ? { scope: record.scope } : {}),
      };
    } catch {
      return undefined; // Redis is only a mirror: fall back to the workflow
    }
  }

  private remember(id: string, view: TokenView): TokenView {
    const current = this.local.get(id);
    if (!current || current.view.version <= view.version) this.local.set(id, { view, cachedAt: Date.now() });
    return view;
  }
}

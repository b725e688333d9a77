/**
 * TokenClient: how Node services use Halflife. Reads go in-process cache → Redis → workflow query;
 * refreshes go through the workflow's `refresh` update, one in flight per credential per process
 * (./refresh-coalescer.ts); registration is one update-with-start, idempotent for the same body.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { withDefaults, type TokenClientOptions } from './token-client-options';
import type { CredentialDescription, RefreshOutcome, TokenView } from '../credential';
import { CredentialNotFoundError, InvalidConfigError, isHalflifeError } from '../errors';
import { credentialWorkflowId, describeQuery, getTokenQuery, reauthorizeUpdate, reconfigureUpdate, refreshUpdate, revokeUpdate, type ReauthorizeRequest, type ReconfigureRequest } from '../messages';
import { policyProblem } from '../policy';
import { TokenCache } from '../redis/token-cache';
import { isAuthError } from './auth-errors';
import { withDeadline } from './deadline';
import { diagnose, diagnosisMs, explainFailure } from './diagnose';
import { patiently } from './patience';
import { checkParent } from './parent-check';
import { translateError } from './errors-map';
import { registrationRequest, sendRegistration } from './register-call';
import { listCredentials, type CredentialSummary, type ListFilter } from './list-query';
import { RefreshCoalescer } from './refresh-coalescer';
import { SingleFlight } from './single-flight';
import { completeRegistration, parseRegistration, type RegisterInput } from './registration';
import { Subscriptions, type CredentialListener } from './subscriptions';
import { isUpdateLimit, withQueryRetries, withUpdateRetries } from './update-calls';

export { withDefaults, type TokenClientOptions } from './token-client-options';
export type { CredentialSummary } from './list-query';

/** Result of `register`. */
export interface Registration {
  id: string;
  workflowId: string;
  /** The first token (obtained at once when none was supplied), or the current one. */
  token: TokenView;
  /** `created`, `unchanged` (the same registration was already applied) or `replaced`. */
  result: 'created' | 'unchanged' | 'replaced';
}

/** Consumer API of Halflife for Node services. */
export class TokenClient {
  readonly temporal: Client;
  private readonly options: ReturnType<typeof withDefaults>;
  private readonly cache?: TokenCache;
  private readonly subscriptions?: Subscriptions;
  private readonly local = new Map<string, { view: TokenView; cachedAt: number }>();
  private readonly refreshes = new RefreshCoalescer();
  private readonly shared = new SingleFlight();

  constructor(options: TokenClientOptions) {
    this.options = withDefaults(options);
    const { connection, namespace, dataConverter, redis, redisPrefix } = this.options;
    this.temporal = new Client({ connection, namespace, dataConverter });
    if (redis) {
      const space = { prefix: redisPrefix, namespace };
      this.cache = new TokenCache(redis, space);
      this.subscriptions = new Subscriptions(redis, space, (event) => this.forgetIfStale(event.credentialId, event.version, event.status));
    }
  }

  private handle(id: string) {
    return this.temporal.workflow.getHandle(credentialWorkflowId(id));
  }

  /**
   * Validates and registers a credential; resolves with its first token. Sending the same
   * registration again is a no-op (`unchanged`); another one is refused (`CredentialExistsError`)
   * unless `replace`, which applies it once however many arrive. Nothing starts if validation fails.
   */
  async register(input: RegisterInput, options: { replace?: boolean } = {}): Promise<Registration> {
    const spec = await completeRegistration(parseRegistration(input, { egressPolicy: this.options.egressPolicy }), { egressPolicy: this.options.egressPolicy });
    await checkParent((id) => this.describe(id), spec);
    const workflowId = credentialWorkflowId(spec.id);
    const mode = options.replace ? 'replace' : 'create';
    const request = registrationRequest(spec, mode);
    const key = `register:${spec.id}:${mode}:${request.fingerprint}`;
    const joined = this.shared.has(key);
    // While no worker can take it (one just died), the registration waits like a read does.
    const updateId = randomUUID();
    const outcome = await this.shared.run(key, () =>
      patiently(this.waitUntil(Date.now()), (deadline) => sendRegistration(this.temporal, { taskQueue: this.options.taskQueue, deadline, updateId }, spec, request)),
    );
    // Only the caller whose request was sent created the credential; the ones that joined it found it registered.
    const result = joined && outcome.result === 'created' ? 'unchanged' : outcome.result;
    return { id: spec.id, workflowId, token: this.remember(spec.id, outcome.token), result };
  }

  /**
   * A valid access token: in-process cache, then Redis, then the workflow; never an expired one.
   * While the credential cannot answer (its worker died and the next has not taken over, Temporal
   * restarts) the read waits, up to `refreshTimeoutMs`, rather than fail (see patience.ts).
   */
  async getToken(id: string, options: { minTtlMs?: number } = {}): Promise<TokenView> {
    const minTtl = options.minTtlMs ?? 0;
    const now = Date.now();
    const local = this.local.get(id);
    if (local && now - local.cachedAt < this.options.localCacheMs && local.view.expiresAt - now > minTtl) return local.view;
    return patiently(this.waitUntil(now), async (deadline) => {
      const cached = await this.readCache(id);
      if (cached && cached.expiresAt - Date.now() > minTtl) return this.remember(id, cached);
      let view = await this.query(id);
      if (!view || view.expiresAt - Date.now() <= minTtl) view = (await this.refreshBy(id, view ? { staleVersion: view.version } : {}, deadline)).token;
      if (view.expiresAt <= Date.now()) throw await diagnose(this.temporal, this.options.taskQueue, id);
      return this.remember(id, view);
    });
  }

  /**
   * Asks for a token newer than `staleVersion` (the one that failed): a newer current token comes
   * back at once; otherwise one upstream call is shared by every caller, in every process. When a
   * budget declines or the provider is failing, the current valid token comes back with
   * `refreshed: false` and the reason; only without a valid token does it throw.
   */
  async refresh(id: string, options: { staleVersion?: number } = {}): Promise<RefreshOutcome> {
    return patiently(this.waitUntil(Date.now()), (deadline) => this.refreshBy(id, options, deadline));
  }

  /** Until when a read or refresh that began at `start` keeps trying: its last try may end in a diagnosis, which must fit in `refreshTimeoutMs` too. */
  private waitUntil(start: number): number {
    const { refreshTimeoutMs } = this.options;
    return start + Math.max(refreshTimeoutMs - diagnosisMs, refreshTimeoutMs / 2);
  }

  /** One try of `refresh` that gives up at `deadline` (epoch ms). */
  private async refreshBy(id: string, options: { staleVersion?: number }, deadline: number): Promise<RefreshOutcome> {
    const known = this.local.get(id)?.view;
    if (known && options.staleVersion !== undefined && known.version > options.staleVersion && known.expiresAt > Date.now()) {
      return { token: known, refreshed: false, reason: 'superseded' }; // already replaced: no round trip
    }
    const outcome = await this.refreshes.refresh(id, options.staleVersion, (staleVersion) => this.sendRefresh(id, staleVersion, deadline));
    this.remember(id, outcome.token);
    return outcome;
  }

  private async sendRefresh(id: string, staleVersion: number | undefined, deadline: number): Promise<RefreshOutcome> {
    const timeout = Symbol('timeout');
    const waitMs = Math.max(1, deadline - Date.now());
    try {
      const call = withUpdateRetries(() => this.handle(id).executeUpdate(refreshUpdate, { args: [{ staleVersion }] }), { deadlineMs: waitMs });
      return await withDeadline(call, waitMs, () => Object.assign(new Error('refresh deadline'), { [timeout]: true }));
    } catch (err) {
      if (!(err as Record<symbol, unknown>)[timeout] && !isUpdateLimit(err)) throw await this.explain(err, id);
      const current = (await this.readCache(id)) ?? (await this.query(id).catch(() => null));
      if (current && current.expiresAt > Date.now()) return { token: current, refreshed: false, reason: 'timeout' };
      throw await diagnose(this.temporal, this.options.taskQueue, id);
    }
  }

  /** Replaces the grant of a credential (a new refresh token after `reauth_required`); resolves with the first token obtained with it. */
  async reauthorize(id: string, request: ReauthorizeRequest): Promise<TokenView> {
    try {
      const token = await this.shared.run(`reauthorize:${id}:${JSON.stringify(request)}`, () =>
        withUpdateRetries(() => this.handle(id).executeUpdate(reauthorizeUpdate, { args: [request] }), { deadlineMs: this.options.refreshTimeoutMs }),
      );
      return this.remember(id, token);
    } catch (err) {
      throw await this.explain(err, id);
    }
  }

  /** Status, times, counts and last error of a credential (no secrets). */
  async describe(id: string): Promise<CredentialDescription> {
    try {
      return await withQueryRetries(() => this.handle(id).query(describeQuery));
    } catch (err) {
      throw await this.explain(err, id);
    }
  }

  /** Changes the refresh policy (or the already validated configuration) of a running credential. */
  async reconfigure(id: string, request: ReconfigureRequest): Promise<CredentialDescription> {
    const problem = policyProblem(request.policy);
    if (problem) throw new InvalidConfigError(problem.field, problem.reason);
    try {
      return await withUpdateRetries(() => this.handle(id).executeUpdate(reconfigureUpdate, { args: [request] }), { deadlineMs: this.options.refreshTimeoutMs });
    } catch (err) {
      throw await this.explain(err, id);
    }
  }

  /** Ends a credential: the workflow completes and Redis keeps a `revoked` tombstone. Works even when the workflow has the maximum of updates in flight. */
  async revoke(id: string, reason?: string): Promise<CredentialDescription> {
    this.local.delete(id);
    return this.shared.run(`revoke:${id}`, async () => {
      const handle = this.handle(id);
      try {
        return await withUpdateRetries(() => handle.executeUpdate(revokeUpdate, { args: [{ reason }] }), { deadlineMs: this.options.refreshTimeoutMs, onLimit: false });
      } catch (err) {
        if (!isUpdateLimit(err)) throw translateError(err, id);
        try {
          await handle.cancel(); // the workflow treats cancellation as revocation
          return (await handle.result()) as CredentialDescription;
        } catch (cancelErr) {
          throw translateError(cancelErr, id);
        }
      }
    });
  }

  /**
   * Runs `fn` with a valid token. If `fn` fails with an auth error (HTTP 401, errcode 40001/40014/42001,
   * or `isAuthError`), refreshes with the token's version as stale and retries exactly once.
   */
  async withToken<T>(id: string, fn: (token: TokenView) => Promise<T>, options: { isAuthError?: (err: unknown) => boolean; minTtlMs?: number } = {}): Promise<T> {
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
  list(filter: ListFilter = {}): Promise<CredentialSummary[]> {
    return listCredentials(this.temporal, filter);
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
      const view = await withQueryRetries(() => this.handle(id).query(getTokenQuery));
      if (view?.status === 'revoked') throw new CredentialNotFoundError(id);
      return view;
    } catch (err) {
      if (isHalflifeError(err, 'CredentialNotFoundError')) throw err;
      throw await this.explain(err, id);
    }
  }

  /** The error for a failed workflow call (see `explainFailure`). */
  private explain(err: unknown, id: string): Promise<unknown> {
    return explainFailure(this.temporal, this.options.taskQueue, id, err);
  }

  private async readCache(id: string): Promise<TokenView | undefined> {
    return this.cache?.readToken(id).catch(() => undefined); // Redis is only a mirror: fall back to the workflow
  }

  private forgetIfStale(id: string, version: number, status: string): void {
    const entry = this.local.get(id);
    if (entry && (version > entry.view.version || status !== entry.view.status)) this.local.delete(id);
  }

  private remember(id: string, view: TokenView): TokenView {
    const current = this.local.get(id);
    if (!current || current.view.version <= view.version) this.local.set(id, { view, cachedAt: Date.now() });
    return view;
  }
}

/**
 * ConnectClient: creates connect sessions and serves their links and callbacks, for the HTTP API
 * and the CLI. A session is one workflow (`connect:<handle>`, see ./messages.ts); this client only
 * starts it, sends it the person's answers and reads it. The code exchange and the hand-over run
 * in the worker, so nothing is lost when the API restarts after a callback.
 */
import { WorkflowNotFoundError, WorkflowUpdateStage, type Client, type WorkflowHandle } from '@temporalio/client';
import { withDeadline } from '../client/deadline';
import { credentialIdPattern } from '../client/registration';
import { InvalidConfigError } from '../errors';
import type { UpstreamFetch } from '../providers/provider';
import { connectSessionWorkflow } from '../workflows/connect/connect-session-workflow';
import { authorizationRequest } from './authorization-url';
import { ConnectError } from './errors';
import {
  callbackUpdate,
  connectSessionClosedFailureType,
  connectSessionQuery,
  connectSessionWorkflowId,
  connectSessionWorkflowType,
  deviceCodeUpdate,
  openLinkUpdate,
  type ConnectMode,
  type ConnectOutcome,
  type ConnectProfile,
  type ConnectSessionInput,
  type ConnectSessionView,
  type SessionClosedDetails,
} from './messages';
import { defaultSessionTtlMs, parseConnectBody, resolveConnect, type ExistingSettings } from './profile';
import { isSessionToken, newSessionToken, sessionHandle } from './session-token';

/** Options of a ConnectClient. */
export interface ConnectClientOptions {
  /** A Temporal client with Halflife's encrypting data converter (e.g. `TokenClient.temporal`). */
  temporal: Client;
  /** The task queue of the workers. */
  taskQueue: string;
  /** `HALFLIFE_PUBLIC_URL`: links are `<publicUrl>/connect/<session>`, the redirect URI `<publicUrl>/connect/callback`. */
  publicUrl: string;
  /** Sends the issuer discovery requests. @default a size-capped global fetch */
  fetch?: UpstreamFetch;
  /** How long the callback waits for the exchange and hand-over before answering `pending`. @default 25_000 */
  outcomeWaitMs?: number;
}

/** A session just created. `session` (in `url`) is the capability: whoever holds it can complete the connection. */
export interface CreatedSession {
  session: string;
  handle: string;
  credentialId: string;
  mode: 'link' | 'device';
  expiresAt: number;
  /** Link mode: the one-time link. */
  url?: string;
  /** Device mode: the session once the server gave its codes (see `ConnectSessionView.device`). */
  view?: ConnectSessionView;
}

/** What a callback led to: the session's end, or (after `outcomeWaitMs`) a session still completing. */
export type CallbackResult = { credentialId: string; outcome: ConnectOutcome } | { credentialId: string; pending: true };

/** The parameters of a callback request (the query of `/connect/callback`). */
export interface CallbackParams {
  state?: string;
  code?: string;
  error?: string;
  error_description?: string;
  iss?: string;
}

function causes(err: unknown): unknown[] {
  const found: unknown[] = [];
  for (let current = err, depth = 0; typeof current === 'object' && current !== null && depth < 6; depth++) {
    found.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

const closedReasons = { expired: 'session_expired', used: 'session_used', in_progress: 'session_in_progress', wrong_mode: 'wrong_mode' } as const;

/** Creates and serves connect sessions; see the module comment. */
export class ConnectClient {
  private readonly outcomeWaitMs: number;

  constructor(private readonly options: ConnectClientOptions) {
    this.outcomeWaitMs = options.outcomeWaitMs ?? 25_000;
  }

  /** The redirect URI to register at every provider: `<publicUrl>/connect/callback`. */
  get redirectUri(): string {
    return `${this.options.publicUrl}/connect/callback`;
  }

  private handle(token: string): WorkflowHandle<typeof connectSessionWorkflow> {
    return this.options.temporal.workflow.getHandle<typeof connectSessionWorkflow>(connectSessionWorkflowId(sessionHandle(token)));
  }

  /**
   * Creates a session for `credentialId` from a connect body (see ./profile.ts); `existing` is
   * the credential's description when it exists. Device mode waits for the server's codes.
   */
  async create(credentialId: string, body: unknown, options: { existing?: ExistingSettings; createdBy?: string } = {}): Promise<CreatedSession> {
    if (!credentialIdPattern.test(credentialId)) throw new InvalidConfigError('id', 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
    const resolved = await resolveConnect(parseConnectBody(body), { existing: options.existing, fetch: this.options.fetch });
    return this.createFromProfile(credentialId, resolved.profile, { mode: resolved.mode, ttlMs: resolved.ttlMs, createdBy: options.createdBy });
  }

  /**
   * Creates a session from a profile that is already resolved and validated (a credential's own
   * configuration and its connect settings, e.g. for a fresh link after `reauth_required`).
   */
  async createFromProfile(credentialId: string, profile: ConnectProfile, options: { mode?: ConnectMode; ttlMs?: number; createdBy?: string } = {}): Promise<CreatedSession> {
    const mode = options.mode ?? 'link';
    const token = newSessionToken();
    const handle = sessionHandle(token);
    const now = Date.now();
    const input: ConnectSessionInput = {
      handle,
      credentialId,
      mode,
      createdAt: now,
      expiresAt: now + (options.ttlMs ?? defaultSessionTtlMs),
      profile,
      redirectUri: this.redirectUri,
      ...(options.createdBy ? { createdBy: options.createdBy } : {}),
    };
    if (mode === 'link') {
      const request = await authorizationRequest(profile, { state: token, redirectUri: this.redirectUri });
      Object.assign(input, { url: `${this.options.publicUrl}/connect/${token}`, authorizationUrl: request.url }, request.codeVerifier ? { codeVerifier: request.codeVerifier } : {});
    }
    const started = await this.options.temporal.workflow.start(connectSessionWorkflow, {
      workflowId: connectSessionWorkflowId(handle),
      taskQueue: this.options.taskQueue,
      args: [input],
      memo: { credentialId, mode, expiresAt: input.expiresAt },
      staticSummary: `connect ${mode} for credential ${credentialId}`,
    });
    const created: CreatedSession = { session: token, handle, credentialId, mode, expiresAt: input.expiresAt, ...(input.url ? { url: input.url } : {}) };
    if (mode === 'device') created.view = await started.executeUpdate(deviceCodeUpdate);
    return created;
  }

  /** The error for a request the session refused, or the session it addressed does not exist. */
  private async refusal(token: string, err: unknown): Promise<unknown> {
    for (const cause of causes(err)) {
      if ((cause as { type?: unknown }).type === connectSessionClosedFailureType) {
        const details = (cause as { details?: unknown[] }).details?.[0] as SessionClosedDetails | undefined;
        const reason = closedReasons[details?.reason ?? 'used'];
        return new ConnectError(reason, (cause as Error).message, { outcome: details?.outcome, cause: err });
      }
    }
    const notFound = causes(err).some((c) => c instanceof WorkflowNotFoundError || ((c as { code?: unknown }).code === 5 && /not found|already completed/i.test(String((c as Error).message))));
    if (!notFound) return err;
    // A session that ended answers with its outcome; one Halflife never had (or forgot) is unknown.
    const ended = await withDeadline(this.handle(token).result(), 5_000, () => new Error('no result in time')).catch(() => undefined);
    if (!ended?.outcome) return new ConnectError('unknown_session', 'this link matches no connect session: it is wrong, or so old that Halflife no longer keeps it', { cause: err });
    const expired = ended.outcome.result === 'expired';
    return new ConnectError(expired ? 'session_expired' : 'session_used', expired ? 'this connect session has expired' : 'this connect session was already used', {
      outcome: ended.outcome,
      credentialId: ended.credentialId,
      cause: err,
    });
  }

  /** Opening a link: the authorization URL to redirect to, while the session is pending. */
  async open(token: string): Promise<string> {
    if (!isSessionToken(token)) throw new ConnectError('unknown_session', 'this link matches no connect session');
    try {
      return (await this.handle(token).executeUpdate(openLinkUpdate)).authorizationUrl;
    } catch (err) {
      throw await this.refusal(token, err);
    }
  }

  /**
   * The provider's redirect to the callback: checks `state`, hands the answer to the session
   * (once), and waits for its outcome. A callback without `state`, or without `code` and `error`,
   * leaves the session untouched.
   */
  async complete(params: CallbackParams): Promise<CallbackResult> {
    const token = params.state;
    if (token === undefined || token === '') throw new ConnectError('missing_state', 'the callback has no state: it did not come from a Halflife connect link', { field: 'state' });
    if (!isSessionToken(token)) throw new ConnectError('unknown_session', 'the callback\'s state matches no connect session', { field: 'state' });
    if (!params.code && !params.error) throw new ConnectError('missing_code', 'the callback has neither a code nor an error; open the link again', { field: 'code' });
    const handle = this.handle(token);
    const request = {
      ...(params.code ? { code: params.code } : {}),
      ...(params.error ? { error: params.error } : {}),
      ...(params.error_description ? { errorDescription: params.error_description } : {}),
      ...(params.iss ? { iss: params.iss } : {}),
    };
    try {
      await handle.startUpdate(callbackUpdate, { args: [request], waitForStage: WorkflowUpdateStage.ACCEPTED });
    } catch (err) {
      throw await this.refusal(token, err);
    }
    const ended = await withDeadline(handle.result(), this.outcomeWaitMs, () => new Error('pending')).catch(() => undefined);
    if (ended?.outcome) return { credentialId: ended.credentialId, outcome: ended.outcome };
    const view = await handle.query(connectSessionQuery);
    return view.outcome ? { credentialId: view.credentialId, outcome: view.outcome } : { credentialId: view.credentialId, pending: true };
  }

  /** The session as it is now (a query; a session that ended answers from its history). */
  async view(token: string): Promise<ConnectSessionView> {
    if (!isSessionToken(token)) throw new ConnectError('unknown_session', 'no such connect session');
    try {
      return await this.handle(token).query(connectSessionQuery);
    } catch (err) {
      throw await this.refusal(token, err);
    }
  }

  /** Waits until the session ends (or `timeoutMs` passes: then its current view). */
  async wait(token: string, timeoutMs = 24 * 3_600_000): Promise<ConnectSessionView> {
    const handle = this.handle(token);
    return withDeadline(handle.result(), timeoutMs, () => new Error('pending')).catch(() => handle.query(connectSessionQuery));
  }

  /** The running sessions of `credentialId` (or of every credential), newest first. */
  async pending(credentialId?: string): Promise<ConnectSessionView[]> {
    const query = `WorkflowType = '${connectSessionWorkflowType}' AND ExecutionStatus = 'Running'`;
    const views: ConnectSessionView[] = [];
    for await (const info of this.options.temporal.workflow.list({ query })) {
      const memo = (info.memo ?? {}) as { credentialId?: string; mode?: 'link' | 'device'; expiresAt?: number };
      if (credentialId !== undefined && memo.credentialId !== credentialId) continue;
      const handle = this.options.temporal.workflow.getHandle<typeof connectSessionWorkflow>(info.workflowId);
      const view = await withDeadline(handle.query(connectSessionQuery), 3_000, () => new Error('no answer')).catch(() => undefined);
      if (view && !view.outcome) views.push(view);
    }
    return views.sort((a, b) => b.createdAt - a.createdAt);
  }
}

/**
 * The message contract between consumers and the credential workflow: every query, signal and
 * update definition, the task queue and the workflow id scheme. Imported by both sides.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ConnectSettings } from './connect/messages';
import type { CredentialDescription, Grant, ProviderName, RefreshOutcome, RefreshPolicy, TokenView } from './credential';
import type { PushKeys } from './platform/push-kinds';

/** Default task queue of the credential workers. */
export const defaultTaskQueue = 'halflife';

/** Prefix of every credential workflow id. */
export const workflowIdPrefix = 'credential:';

/** The workflow id of a credential. */
export function credentialWorkflowId(credentialId: string): string {
  return `${workflowIdPrefix}${credentialId}`;
}

/** The credential id inside a workflow id, or undefined when it is not a credential workflow. */
export function credentialIdOf(workflowId: string): string | undefined {
  return workflowId.startsWith(workflowIdPrefix) ? workflowId.slice(workflowIdPrefix.length) : undefined;
}

/** Arguments of the `refresh` update and `forceRefresh` signal. */
export interface RefreshRequest {
  /** The version the caller saw fail; a newer current version answers at once. */
  staleVersion?: number;
  /** Why the caller wants a refresh (logged, never a secret). */
  reason?: string;
}

/** Arguments of the `reauthorize` update: a new grant and, optionally, new provider settings. */
export interface ReauthorizeRequest {
  grant?: Grant;
  /**
   * New grant material for the next refresh, not a replacement of a failing grant (a pushed
   * `component_verify_ticket` or `suite_ticket`): while the credential holds a valid token and is
   * not `reauth_required`, the grant is stored and the update answers the current token without a
   * refresh; otherwise it is used at once, as without this flag. Not with `config`.
   */
  keepToken?: boolean;
  /** Replacement provider configuration, already validated by the caller. */
  config?: Record<string, unknown>;
  /** The non-secret part of `config`, shown by `describe`. */
  settings?: Record<string, unknown>;
  /** With `config`: when its client secret dies (epoch ms), or undefined when the new configuration declares no expiry. */
  clientSecretExpiresAt?: number;
}

/** Arguments of the `reconfigure` update. */
export interface ReconfigureRequest {
  policy?: Partial<RefreshPolicy>;
  /** Replacement provider configuration, already validated by the caller. */
  config?: Record<string, unknown>;
  /** The non-secret part of `config`, shown by `describe`. */
  settings?: Record<string, unknown>;
  /** A new client-secret expiry (epoch ms; re-arms `credential.client_secret_expiring`), or null to forget it; absent: unchanged. */
  clientSecretExpiresAt?: number | null;
}

/**
 * Arguments of the `register` update, sent with the workflow's start (update-with-start): a
 * registration that is already applied (same fingerprint) is a no-op; a different one is refused
 * (`mode: 'create'`) or replaces the configuration and grant once (`mode: 'replace'`).
 */
export interface RegisterRequest {
  mode: 'create' | 'replace';
  /** Digest of the provider, configuration, grant and policy (computed by the client; no secret in clear). */
  fingerprint: string;
  /** Digest of the grant alone. */
  grantFingerprint: string;
  provider: ProviderName;
  config: Record<string, unknown>;
  settings: Record<string, unknown>;
  grant: Grant;
  policy?: Partial<RefreshPolicy>;
  /** How to make a fresh connect link later (registrations made by a connect link). */
  connect?: ConnectSettings;
  /** The parent credential of a derived one (a WeChat JS-SDK ticket's `wechat` credential). */
  parent?: string;
  /** When the client secret dies (epoch ms), as the registration declares it; a registration without it declares none. */
  clientSecretExpiresAt?: number;
}

/** The answer to `register`. */
export interface RegisterOutcome {
  /** `created`: this request started the credential; `unchanged`: it was already registered so; `replaced`: new configuration and grant. */
  result: 'created' | 'unchanged' | 'replaced';
  token: TokenView;
}

/** Arguments of the `addDependent` signal: a derived credential announces itself to its parent. */
export interface AddDependentRequest {
  /** The derived credential's id. */
  id: string;
  /** The parent's version it has seen (a newer one is signalled to it). */
  version: number;
}

/** Arguments of the `parentRotated` signal: the parent has a new version, or was revoked. */
export interface ParentRotatedRequest {
  parentId: string;
  version: number;
  /** The parent was revoked: the derived credential reports it at once. */
  revoked?: boolean;
}

/** Arguments of the `revoke` update. */
export interface RevokeRequest {
  reason?: string;
}

/** The current access token, or null while the first one is being fetched. */
export const getTokenQuery = defineQuery<TokenView | null>('getToken');

/** Status, times, counts and last error; no secrets. */
export const describeQuery = defineQuery<CredentialDescription>('describe');

/** Ask for a refresh without waiting for it. */
export const forceRefreshSignal = defineSignal<[RefreshRequest]>('forceRefresh');

/** Refresh and wait for the new token (joins a refresh in flight; answers at once when already superseded). */
export const refreshUpdate = defineUpdate<RefreshOutcome, [RefreshRequest]>('refresh');

/** Replace the grant after a rejection; answers with the first token obtained with it. */
export const reauthorizeUpdate = defineUpdate<TokenView, [ReauthorizeRequest]>('reauthorize');

/** Change policy or provider settings of a running credential. */
export const reconfigureUpdate = defineUpdate<CredentialDescription, [ReconfigureRequest]>('reconfigure');

/** Register (with the workflow's start) or replace; idempotent for the same fingerprint. */
export const registerUpdate = defineUpdate<RegisterOutcome, [RegisterRequest]>('register');

/** End the credential: the workflow deletes the cached token and completes. */
export const revokeUpdate = defineUpdate<CredentialDescription, [RevokeRequest]>('revoke');

/**
 * The keys that open the platform's pushes for this credential (`wechat_component`, `wecom_suite`):
 * the receiver id, callback token and EncodingAESKey (secrets, inside encrypted payloads only);
 * null for every other provider. Read by the push callback route (src/api/push-routes.ts).
 */
export const pushKeysQuery = defineQuery<PushKeys | null>('pushKeys');

/** A derived credential announces itself to its parent, which then signals it each new version. */
export const addDependentSignal = defineSignal<[AddDependentRequest]>('addDependent');

/** The parent of a derived credential has a new version (or was revoked): the derived one refreshes. */
export const parentRotatedSignal = defineSignal<[ParentRotatedRequest]>('parentRotated');

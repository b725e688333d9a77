/**
 * Inputs and outputs of the activities, shared (as types) with the workflow. The activity names
 * and these shapes are a contract with every workflow run still alive, including runs of older
 * releases: fields are only ever added, as optional.
 */
import type { CredentialStatus, Grant, ProviderName, TokenSet } from '../credential';

/** Input of `refreshCredential`: everything needed for one upstream call. */
export interface RefreshCredentialInput {
  credentialId: string;
  provider: ProviderName;
  config: Record<string, unknown>;
  grant: Grant;
  /** The token currently held (providers that repeat tokens compare against it). */
  current?: TokenSet;
  /** A consumer reported the current token invalid. */
  forced: boolean;
  defaultLifetimeMs: number;
  timeoutMs: number;
  /**
   * How long the provider keeps accepting a rotated-away refresh token (its reuse grace window), if
   * known. A retry after a crash while a request was in flight is then sent at once, inside the
   * window; without it, the retry first waits until that request has certainly ended.
   */
  reuseGraceMs?: number;
  /** When the refresh token held is known to die (epoch ms), if it is. */
  refreshTokenExpiresAt?: number;
  /** A derived credential's parent: the attempt uses its current token (at least `minVersion`, the one it was told of). */
  parent?: { id: string; minVersion?: number };
}

/** Output of `refreshCredential`. */
export interface RefreshCredentialResult {
  token: TokenSet;
  /** The rotated refresh token, when the provider issued one. */
  refreshToken?: string;
  /** A problem with the answer that did not stop its token being used (e.g. an id_token that failed validation). */
  warning?: { code: string; message: string };
  /** The answer was not fetched by this attempt but recovered from a crashed one (heartbeat or write-ahead). */
  recovered?: 'heartbeat' | 'write_ahead';
  /** When the refresh token now held dies (epoch ms), when the answer or the preset says. */
  refreshTokenExpiresAt?: number;
}

/** The Redis copy of a credential: the access token and its status, never the refresh token. */
export interface CachedCredential {
  accessToken?: string;
  tokenType?: string;
  expiresAt?: number;
  scope?: string;
  /** Non-secret answer fields kept with the token (`metadataFields`). */
  metadata?: Record<string, string>;
  version: number;
  revision: number;
  status: CredentialStatus;
  /** When the credential was registered: a re-registered id is a newer generation and wins every compare-and-set. */
  generation?: number;
}

/**
 * A local activity's answer with the instant (epoch ms, the worker's clock) it was given. It is
 * recorded in the activity's marker, so a run decides by it alike live and in replay (see
 * src/workflows/decision-clock.ts). Asked for with `stamp: true`; runs that do not ask get the bare answer.
 */
export interface Stamped<T> {
  result: T;
  at: number;
}

/** Input of `publishCredential`. */
export interface PublishCredentialInput {
  credentialId: string;
  /** Answer `Stamped<PublishResult>`. */
  stamp?: boolean;
  /** What happened: a new token, a status change, or the end of the credential. */
  event: 'rotated' | 'status' | 'revoked';
  record: CachedCredential;
}

/** What `publishCredential` did: `written`, `stale` (Redis holds something newer), `off` (no Redis configured). */
export type PublishResult = 'written' | 'stale' | 'off';

/** The kinds of lifecycle event a credential emits (webhooks deliver them; see docs/webhooks.md). */
export type CredentialEventType =
  | 'credential.reauth_required'
  | 'credential.degraded'
  | 'credential.expired'
  | 'credential.recovered'
  | 'credential.revoked'
  | 'credential.rotated'
  | 'credential.refresh_token_expiring'
  | 'credential.client_secret_expiring'
  | 'credential.quota_low';

/** One lifecycle event (never a token or a secret). */
export interface CredentialLifecycleEvent {
  /** Stable id, the same on every delivery attempt (receivers deduplicate on it). */
  id: string;
  type: CredentialEventType;
  credentialId: string;
  /** When it happened (epoch ms). */
  at: number;
  status: CredentialStatus;
  version: number;
  expiresAt?: number;
  /** The classified last error, for reauth_required, degraded and expired. */
  reason?: { code: string; message: string };
  /** Anything else the event type carries (e.g. `refreshTokenExpiresAt`). */
  data?: Record<string, unknown>;
}

/** Input of `notifyCredential`: events, oldest first. */
export interface NotifyCredentialInput {
  credentialId: string;
  /** Answer `Stamped<NotifyResult>`. */
  stamp?: boolean;
  events: CredentialLifecycleEvent[];
}

/** What `notifyCredential` did: `handed_off` (durably queued for delivery) or `off` (this worker has no notifier). */
export type NotifyResult = 'handed_off' | 'off';

/** Input of `publishAndNotify`: a publication and the lifecycle events handed over with it. */
export interface PublishAndNotifyInput {
  /** Answer `Stamped<PublishAndNotifyResult>`. */
  stamp?: boolean;
  publication: Omit<PublishCredentialInput, 'stamp'>;
  notification: Omit<NotifyCredentialInput, 'stamp'>;
}

/** What `publishAndNotify` did, part by part: a part that threw is `failed` (the worker logs why), the other stands. */
export interface PublishAndNotifyResult {
  published: PublishResult | 'failed';
  notified: NotifyResult | 'failed';
}

/** The activities the credential workflow calls. */
export interface CredentialActivities {
  /** Calls the provider once; makes the raw answer durable before anything else, and reuses a crashed attempt's answer. */
  refreshCredential(input: RefreshCredentialInput): Promise<RefreshCredentialResult>;
  /** Mirrors the credential into Redis (versioned compare-and-set) and publishes an event. Older runs read a boolean. */
  publishCredential(input: PublishCredentialInput): Promise<boolean | PublishResult | Stamped<PublishResult>>;
  /** Hands lifecycle events to the notifier (webhooks), which delivers them durably, in order per credential. */
  notifyCredential(input: NotifyCredentialInput): Promise<NotifyResult | Stamped<NotifyResult>>;
  /** Both of the above at once, in one local activity (one marker, one activation): what a rotation costs. */
  publishAndNotify(input: PublishAndNotifyInput): Promise<PublishAndNotifyResult | Stamped<PublishAndNotifyResult>>;
}

/**
 * The whole state of one credential workflow, as plain JSON (it survives continue-as-new through
 * the default converter). Private to the workflow: consumers see `TokenView` and
 * `CredentialDescription` (../credential.ts). Field additions need a default in `migrateState` (./input.ts) unless optional.
 */
import type { CredentialLifecycleEvent } from '../activities/contracts';
import type { ConnectSettings } from '../connect/messages';
import type { CredentialCounts, CredentialStatus, Grant, LastError, ProviderName, RefreshPolicy, TokenSet } from '../credential';
import type { Warned } from './warnings';

/** Why a refresh round runs. */
export type RoundCause = 'initial' | 'scheduled' | 'report' | 'request' | 'reauthorize' | 'reprobe' | 'parent';

/** A refresh that is wanted or under way: attempts until a token, a rejection or a decline. */
export interface Round {
  /** Increasing id of the round (waiters wait for "their" round). */
  seq: number;
  cause: RoundCause;
  /** A consumer reported the current token invalid (may use a provider's force mode, within budget). */
  forced: boolean;
  /** The attempt that runs next, or runs now (1-based). */
  attempt: number;
  /** When the next attempt may start. */
  nextAttemptAt: number;
  /** True while an attempt is in flight. */
  inFlight: boolean;
}

/** How a round ended. */
export interface RoundEnd {
  seq: number;
  result: 'new_token' | 'same_token' | 'declined' | 'rejected';
  /** For `declined`: `cooldown`, `daily_quota`, `force_budget`. */
  reason?: string;
  at: number;
}

/** How the last attempt ended. */
export interface AttemptEnd {
  seq: number;
  attempt: number;
  ok: boolean;
  at: number;
}

/** The Redis mirror as the workflow knows it. */
export interface MirrorState {
  /** The revision Redis last accepted. */
  revision: number;
  /** Failed publications in a row. */
  failures: number;
  /** When to try again after a failure. */
  retryAt?: number;
  /** The worker has no Redis configured (publication skipped for the rest of this run). */
  off?: boolean;
  /** What consumers saw at the last noted change. */
  shown?: { version: number; status: string; expiresAt?: number };
  /** The event the pending publication carries. */
  event?: 'rotated' | 'status';
}

/** A derived credential that its parent signals with each new version. */
export interface Dependent {
  id: string;
  /** The newest parent version it has been told of (or had seen when it announced itself). */
  version: number;
}

/** The whole state of one credential workflow. */
export interface CredentialState {
  /** Format of this object (2 since release 0.2); v0.1.0 states have none and are migrated. */
  format: 2;
  id: string;
  provider: ProviderName;
  /** Provider configuration as validated at registration (holds secrets). */
  config: Record<string, unknown>;
  /** The provider settings that are not secret (shown by `describe`). */
  settings: Record<string, unknown>;
  grant: Grant;
  policy: RefreshPolicy;
  token?: TokenSet;
  /** Increments with every new access token. */
  version: number;
  /** Increments with every change that is published (token or status). */
  revision: number;
  status: CredentialStatus;
  lastError?: LastError;
  /** A problem with a successful answer that did not stop it being used (e.g. an invalid id_token). */
  warning?: { code: string; message: string; at: number };
  lastRefreshAt?: number;
  /** When the next scheduled refresh is due (informational). */
  nextRefreshAt?: number;
  /** Start instants of upstream calls in the last 24 hours (the quota window). */
  recentCalls: number[];
  /** Start instants of calls in the provider's force mode in the last 24 hours. */
  forcedCalls: number[];
  /** Start of the last call a consumer's report caused (the report cooldown counts from it). */
  lastReportCallAt?: number;
  counts: CredentialCounts;
  /** Refresh cycles completed in this run. */
  cyclesThisRun: number;
  /** When the credential was registered; also its generation in the Redis mirror. */
  createdAt: number;
  /** Fingerprint of the registration (configuration and grant) last applied: identical PUTs are no-ops. */
  fingerprint?: string;
  /** Fingerprint of the grant part of that registration (a new one means a new grant, used at once). */
  grantFingerprint?: string;
  /** True once a `register` update was answered (the first one answers `created`). */
  registrationAnswered?: boolean;
  /**
   * The grant (and configuration) the last reauthorize or replacement applied, as given: the same
   * request again joins or answers instead of replaying a refresh token that may have rotated since.
   */
  applied?: { grant: CredentialState['grant']; config?: Record<string, unknown> };
  /** Increments when a new grant replaces the old one; an attempt with an older grant is abandoned. */
  grantGeneration: number;
  /** Increments with every change a handler makes, so the main loop wakes up. */
  stamp: number;
  /** The refresh round wanted or under way. */
  round?: Round;
  /** The last round id handed out. */
  roundSeq: number;
  lastRound?: RoundEnd;
  lastAttempt?: AttemptEnd;
  mirror: MirrorState;
  /** How to make a fresh connect link (a credential created by a connect link). */
  connect?: ConnectSettings;
  /** The connect link made when the credential last entered `reauth_required` (a capability: shown to admins only). */
  connectLink?: { url: string; expiresAt: number; forErrorAt: number };
  /** Lifecycle events waiting to be handed to the notifier (webhooks). */
  notifier?: { pending: CredentialLifecycleEvent[]; failures: number; retryAt?: number; off?: boolean };
  /** A credential parked for a configuration failure is tried again at `at` (1 h, growing to 24 h). */
  reprobe?: { at: number; count: number };
  /** Warnings already sent (`credential.quota_low`), so each is sent once per crossing. */
  warned?: Warned;
  /** A lifetime learned from consumers' reports, for tokens whose expiry the provider did not state. */
  learnedLifetimeMs?: number;
  /** When the refresh token held dies (the answer's `refresh_token_expires_in`, or a preset's absolute lifetime); cleared by a new grant. */
  refreshTokenExpiresAt?: number;
  /** The `refreshTokenExpiresAt` a `credential.refresh_token_expiring` event was queued for (one warning per expiry). */
  refreshTokenWarnedFor?: number;
  /** When the client secret (the configuration's secret) dies, as the registration declared it; `credential.client_secret_expiring` warns before. */
  clientSecretExpiresAt?: number;
  /** A derived credential's parent (its refresh uses the parent's current token). */
  parent?: string;
  /** The newest parent version this derived credential was told of (`parentRotated`). */
  parentVersion?: number;
  /** The derived credentials to signal with each new version (bounded, see ./dependents.ts). */
  dependents?: Dependent[];
  /** True while the run drains for continue-as-new: new requests are told to retry on the next run. */
  draining?: boolean;
}

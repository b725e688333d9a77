/**
 * The credential model: plain JSON types shared by the workflow, the activities and every consumer.
 *
 * Nothing here imports Node or Temporal, so the workflow sandbox can load it.
 */
import type { ProviderName } from './providers/names';

/** Where a credential is in its life. */
export type CredentialStatus = 'active' | 'refreshing' | 'degraded' | 'expired' | 'reauth_required' | 'revoked';

/** Every status, in a stable order (used by schemas and metrics). */
export const credentialStatuses: readonly CredentialStatus[] = [
  'active',
  'refreshing',
  'degraded',
  'expired',
  'reauth_required',
  'revoked',
];

/** Names of the token endpoints Halflife can talk to (written out in `providers/names.ts`, which imports nothing). */
export type { ProviderName };

/** An access token as a provider issued it; all instants are epoch milliseconds. */
export interface TokenSet {
  /** The access token itself (a secret). */
  accessToken: string;
  /** Usually `Bearer`. */
  tokenType: string;
  /** When the token stops working: an absolute instant, never re-derived from `expires_in`. */
  expiresAt: number;
  /** When this token was first obtained (a provider that hands back the same token keeps it). */
  issuedAt: number;
  /** Granted scopes, space separated, if the provider said. */
  scope?: string;
  /** From this instant on the provider can issue a new token (providers that repeat a token until near expiry). */
  renewableAt?: number;
  /** True when the provider did not say when the token expires and `expiresAt` was assumed. */
  assumedLifetime?: boolean;
  /** Non-secret answer fields the configuration asked to keep (`metadataFields`, e.g. `instance_url`). */
  metadata?: Record<string, string>;
}

/** What a provider needs besides its configuration to obtain a token. */
export interface Grant {
  /** The newest refresh token (rotated tokens replace it at once). */
  refreshToken?: string;
}

/** Per-credential knobs for scheduling, retries and quotas. */
export interface RefreshPolicy {
  /** Fraction of a token's lifetime after which it is refreshed. @default 0.5 */
  refreshRatio: number;
  /** Deterministic jitter, as a fraction of the lifetime, either side of the refresh instant. @default 0.04 */
  jitterRatio: number;
  /** Minimum time between two refreshes that reach the provider (the cooldown). @default 10_000 */
  minRefreshIntervalMs: number;
  /** Maximum refreshes that reach the provider in any rolling 24 hours. @default 1000 */
  maxRefreshesPerDay: number;
  /** Lifetime assumed when a provider omits `expires_in`. @default 3_600_000 */
  defaultLifetimeMs: number;
  /** First retry delay after a transient failure. @default 1_000 */
  retryInitialMs: number;
  /** Longest retry delay. @default 300_000 */
  retryMaxMs: number;
  /** Timeout of one upstream call; a sent request is abandoned only after twice this (its answer may hold a rotated refresh token). @default 15_000 */
  upstreamTimeoutMs: number;
  /** Refresh cycles per workflow run before continuing as new: a worker that lost its cache replays at most this many (≈ 14 events each, ≈ 10 ms of CPU). @default 25 */
  maxCyclesPerRun: number;
}

/** The default policy; every field can be overridden per credential. */
export const defaultPolicy: Readonly<RefreshPolicy> = Object.freeze({
  refreshRatio: 0.5,
  jitterRatio: 0.04,
  minRefreshIntervalMs: 10_000,
  maxRefreshesPerDay: 1000,
  defaultLifetimeMs: 3_600_000,
  retryInitialMs: 1_000,
  retryMaxMs: 300_000,
  upstreamTimeoutMs: 15_000,
  maxCyclesPerRun: 25,
});

/** How a failed refresh is to be treated. */
export type FailureKind = 'transient' | 'reauth' | 'configuration' | 'malformed';

/** The last failure a credential saw, free of secrets. */
export interface LastError {
  kind: FailureKind;
  /** Stable machine code, e.g. `invalid_grant`, `http_503`, `errcode_45009`. */
  code: string;
  /** Human text, scrubbed of secrets. */
  message: string;
  at: number;
}

/** Counters kept across continue-as-new. */
export interface CredentialCounts {
  /** Refreshes that produced a token. */
  refreshes: number;
  /** Calls that reached the provider (attempts). */
  upstreamCalls: number;
  /** Failed attempts. */
  failures: number;
  /** Refresh requests answered without an upstream call (stale version already superseded, cooldown, quota). */
  coalesced: number;
  /** Workflow runs (1 + continue-as-new count). */
  runs: number;
}

/** What a consumer needs to call an API: never includes the refresh token. */
export interface TokenView {
  accessToken: string;
  tokenType: string;
  expiresAt: number;
  version: number;
  status: CredentialStatus;
  scope?: string;
  /** Non-secret answer fields kept with the token (`metadataFields` of the configuration). */
  metadata?: Record<string, string>;
}

/** The answer to a `refresh` update. */
export interface RefreshOutcome {
  token: TokenView;
  /** True when this request caused or joined an upstream refresh that produced a new version. */
  refreshed: boolean;
  /**
   * Why no new token came: `superseded` (yours was already replaced), `cooldown`, `daily_quota`,
   * `force_budget`, `same_token` (the provider repeated the token), `upstream_failing` (the provider
   * is failing; the token is still valid and the status says `degraded`), `upgrading`.
   */
  reason?: string;
}

/** The `describe` answer: status, times and counts, no secrets. */
export interface CredentialDescription {
  id: string;
  provider: ProviderName;
  /** Provider settings that are not secret (endpoint, client id, ...). */
  settings: Record<string, unknown>;
  status: CredentialStatus;
  version: number;
  expiresAt?: number;
  issuedAt?: number;
  scope?: string;
  lastRefreshAt?: number;
  nextRefreshAt?: number;
  lastError?: LastError;
  /** A problem with the last successful answer that did not stop it being used (an invalid id_token, say). */
  warning?: { code: string; message: string; at: number };
  /** The refresh under way or waiting to retry, if any. */
  refresh?: { cause: string; attempt: number; nextAttemptAt: number; inFlight: boolean };
  /** A credential parked for a configuration failure is tried again at this instant. */
  reprobeAt?: number;
  /** When the refresh token dies, when known (the answer's `refresh_token_expires_in`, or the preset's absolute lifetime): re-connect before. */
  refreshTokenExpiresAt?: number;
  /** When the client secret dies, as the registration declared it: rotate it before (`credential.client_secret_expiring` warns). */
  clientSecretExpiresAt?: number;
  /** A fresh connect link to re-connect it (credentials created by a connect link, in `reauth_required`); a capability. */
  connectLink?: { url: string; expiresAt: number };
  counts: CredentialCounts;
  policy: RefreshPolicy;
  quota: { callsLast24h: number; maxPerDay: number; minIntervalMs: number; nextAllowedAt: number };
  hasRefreshToken: boolean;
  createdAt: number;
  /** A derived credential's parent (e.g. the `wechat` credential of a JS-SDK ticket). */
  parent?: string;
  /** The derived credentials this one signals with each new version. */
  dependents?: string[];
}

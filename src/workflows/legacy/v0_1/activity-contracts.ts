/**
 * FROZEN (release v0.1.0, see ./credential-workflow.ts): do not change.
 *
 * Inputs and outputs of the activities, shared (as types) with the workflow.
 */
import type { CredentialStatus, Grant, ProviderName, TokenSet } from './credential';

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
}

/** Output of `refreshCredential`. */
export interface RefreshCredentialResult {
  token: TokenSet;
  /** The rotated refresh token, when the provider issued one. */
  refreshToken?: string;
}

/** The Redis copy of a credential: the access token and its status, never the refresh token. */
export interface CachedCredential {
  accessToken?: string;
  tokenType?: string;
  expiresAt?: number;
  scope?: string;
  version: number;
  revision: number;
  status: CredentialStatus;
}

/** Input of `publishCredential`. */
export interface PublishCredentialInput {
  credentialId: string;
  /** What happened: a new token, a status change, or the end of the credential. */
  event: 'rotated' | 'status' | 'revoked';
  record: CachedCredential;
}

/** The activities the credential workflow calls. */
export interface CredentialActivities {
  /** Calls the provider once; makes the answer durable (heartbeat) before returning it. */
  refreshCredential(input: RefreshCredentialInput): Promise<RefreshCredentialResult>;
  /** Mirrors the credential into Redis (versioned compare-and-set) and publishes an event. */
  publishCredential(input: PublishCredentialInput): Promise<boolean>;
}

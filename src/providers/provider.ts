import type { z } from 'zod';
import type { Grant, ProviderName, TokenSet } from '../credential';

/** What one successful call to a token endpoint produced. */
export interface ProviderResult {
  /** The token set, with `expiresAt`/`issuedAt` as absolute instants (epoch ms). */
  token: TokenSet;
  /** A refresh token the provider rotated to; absent when it kept the old one. */
  refreshToken?: string;
}

/** Everything a provider may use besides its configuration and grant. */
export interface ProviderContext {
  /**
   * The one upstream request of this refresh: egress-checked, body size-capped, and its answer
   * made durable before it returns (on a resumed attempt, the saved answer, with no request).
   * Providers never call the global fetch.
   */
  fetch(url: URL, init: RequestInit): Promise<Response>;
  /** Aborts the upstream call (timeout or activity cancellation). */
  signal: AbortSignal;
  /** Current time in epoch ms (injected so tests can pin it). */
  now: () => number;
  /** Lifetime assumed when the provider omits `expires_in`. */
  defaultLifetimeMs: number;
  /** The token currently held, if any (providers that repeat tokens compare against it). */
  current?: TokenSet;
  /** True when a consumer reported the current token invalid (may unlock a provider's force mode). */
  forced?: boolean;
}

/**
 * One kind of token endpoint: validates its configuration, obtains tokens and classifies failures.
 *
 * `refresh` throws a `ProviderError` (see `../errors`) for every failure it can classify.
 */
export interface Provider<Config extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: ProviderName;
  /** Validates the provider's configuration (secrets included); errors name the field. */
  readonly configSchema: z.ZodType<Config>;
  /** Whether the grant needs a refresh token. */
  readonly needsRefreshToken: boolean;
  /** The configuration fields that are secret and must never be shown. */
  readonly secretFields: readonly (keyof Config & string)[];
  /** Obtains a token set from the endpoint. */
  refresh(config: Config, grant: Grant, ctx: ProviderContext): Promise<ProviderResult>;
}

/**
 * What a provider is: one module per kind of token endpoint declaring its name, its configuration
 * (one field list, see `./config-fields`), whether it needs a refresh token, its classification
 * rows and its docs summary, and implementing `refresh`. Everything else (the API body schema,
 * the client's validation, redaction names, the OpenAPI document, the docs tables) is derived.
 */
import type { z } from 'zod';
import type { Grant, ProviderName, TokenSet } from '../credential';
import type { ClassificationRule } from './classification';
import { secretFieldsOf, type ConfigFields } from './config-fields';

/** Something in a successful answer that failed validation, reported instead of losing the answer. */
export interface ProviderWarning {
  /** Stable machine code, e.g. `id_token_rejected`, `answer_not_conform`. */
  code: string;
  /** Human text, free of secrets. */
  message: string;
}

/** What one successful call to a token endpoint produced. */
export interface ProviderResult {
  /** The token set, with `expiresAt`/`issuedAt` as absolute instants (epoch ms). */
  token: TokenSet;
  /** A refresh token the provider rotated to; absent when it kept the old one. */
  refreshToken?: string;
  /** The answer was used although part of it failed validation (see docs/providers.md, "A 200 is never lost"). */
  warning?: ProviderWarning;
  /** When the refresh token dies (epoch ms): from the answer's `refresh_token_expires_in`, or the preset's absolute lifetime. */
  refreshTokenExpiresAt?: number;
}

/**
 * The one upstream request of a refresh. The Response it returns has its body fully buffered
 * (size-capped); `init.signal` aborts it.
 */
export type UpstreamFetch = (url: URL, init: RequestInit) => Promise<Response>;

/** The parent's current token, as a derived credential's refresh sees it. */
export interface ParentToken {
  /** The parent credential's id. */
  id: string;
  provider: ProviderName;
  /** The parent's access token (a secret). */
  accessToken: string;
  version: number;
  /** The parent's non-secret settings (e.g. `appid`, `baseUrl`). */
  settings: Record<string, unknown>;
}

/** Everything a provider may use besides its configuration and grant. */
export interface ProviderContext {
  /**
   * The one upstream request of this refresh: egress-checked, body size-capped, and its answer
   * made durable before it returns (on a resumed attempt, the saved answer, with no request).
   * Providers never call the global fetch.
   */
  fetch: UpstreamFetch;
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
  /** When the refresh token held is known to die, if it is (an estimate made earlier is kept, not made again). */
  refreshTokenExpiresAt?: number;
  /** A derived credential's parent and its current token (providers with `derivedFrom` only). */
  parent?: ParentToken;
}

/** Options of a registration-time completion of a configuration (`Provider.complete`). */
export interface CompletionOptions {
  /** Sends the request(s) the completion needs. @default `cappedFetch` from `./http` */
  fetch?: UpstreamFetch;
  signal?: AbortSignal;
}

/** One line of the providers overview in the docs. */
export interface ProviderSummary {
  /** The grant or API it calls. */
  grant: string;
  /** Whether it uses a refresh token. */
  refreshToken: string;
  /** Whether it hands back the same token more than once. */
  repeatsToken: string;
}

/**
 * One kind of token endpoint: validates its configuration, obtains tokens and classifies failures.
 *
 * `refresh` throws a `ProviderError` (see `../errors`) for every failure it can classify.
 */
export interface Provider<Config extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: ProviderName;
  /** The configuration fields: the one definition of names, schemas, secrecy and docs. */
  readonly fields: ConfigFields;
  /** Validates the provider's configuration (secrets included); errors name the field. */
  readonly configSchema: z.ZodType<Config>;
  /** Whether the grant needs a refresh token. */
  readonly needsRefreshToken: boolean;
  /** The grant's `refreshToken` may be given at registration but is not required (a platform's pushed ticket, which arrives later). */
  readonly optionalGrant?: true;
  /**
   * A derived provider: the kinds of parent credential it needs (registered as `parent`), whose
   * current token `refresh` gets as `ctx.parent`. Absent: the provider takes no parent.
   */
  readonly derivedFrom?: readonly ProviderName[];
  /** The configuration fields that are secret and must never be shown (derived from `fields`). */
  readonly secretFields: readonly (keyof Config & string)[];
  /** The failure classification rows, in documentation order. */
  readonly classification: readonly ClassificationRule[];
  /** The provider's line in the docs overview. */
  readonly summary: ProviderSummary;
  /** Obtains a token set from the endpoint with exactly one request through `ctx.fetch`. */
  refresh(config: Config, grant: Grant, ctx: ProviderContext): Promise<ProviderResult>;
  /** Completes a validated configuration at registration (e.g. discovers the token endpoint); absent: nothing to do. */
  complete?(config: Config, options: CompletionOptions): Promise<Config>;
}

/** Builds a provider from its declaration, deriving `secretFields` from its fields. */
export function defineProvider<Config extends Record<string, unknown>>(declaration: Omit<Provider<Config>, 'secretFields'>): Provider<Config> {
  return { ...declaration, secretFields: secretFieldsOf(declaration.fields) as (keyof Config & string)[] };
}

/**
 * Error classes with stable names and codes.
 *
 * `instanceof` breaks across the workflow sandbox and jest's module registry, so every class
 * carries a stable `name` and `code`, and `isHalflifeError` checks those instead.
 */
import type { FailureKind } from './credential';

/** Base class of every error Halflife throws on purpose. */
export class HalflifeError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
Object.defineProperty(HalflifeError.prototype, 'name', { value: 'HalflifeError' });

/** Input failed validation; `field` names the offending field (dotted path). */
export class InvalidConfigError extends HalflifeError {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`, 'invalid_config');
    this.field = field;
    this.reason = reason;
  }
}
Object.defineProperty(InvalidConfigError.prototype, 'name', { value: 'InvalidConfigError' });

/** No credential with that id exists (or it has ended). */
export class CredentialNotFoundError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, options?: { cause?: unknown }) {
    super(`credential ${credentialId} not found`, 'credential_not_found', options);
    this.credentialId = credentialId;
  }
}
Object.defineProperty(CredentialNotFoundError.prototype, 'name', { value: 'CredentialNotFoundError' });

/** A credential with that id is already registered. */
export class CredentialExistsError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, options?: { cause?: unknown }) {
    super(`credential ${credentialId} already exists`, 'credential_exists', options);
    this.credentialId = credentialId;
  }
}
Object.defineProperty(CredentialExistsError.prototype, 'name', { value: 'CredentialExistsError' });

/** The provider rejected the grant: a person must re-authorize the credential. */
export class ReauthRequiredError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, detail?: string, options?: { cause?: unknown }) {
    super(`credential ${credentialId} needs re-authorization${detail ? `: ${detail}` : ''}`, 'reauth_required', options);
    this.credentialId = credentialId;
  }
}
Object.defineProperty(ReauthRequiredError.prototype, 'name', { value: 'ReauthRequiredError' });

/** The freshest token available is expired and no refresh arrived in time. */
export class TokenExpiredError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, options?: { cause?: unknown }) {
    super(`credential ${credentialId} has no unexpired token`, 'token_expired', options);
    this.credentialId = credentialId;
  }
}
Object.defineProperty(TokenExpiredError.prototype, 'name', { value: 'TokenExpiredError' });

/** A refresh failed for a reason other than a rejected grant. */
export class RefreshFailedError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, code: string, message: string, options?: { cause?: unknown }) {
    super(`credential ${credentialId}: refresh failed: ${message}`, code, options);
    this.credentialId = credentialId;
  }
}
Object.defineProperty(RefreshFailedError.prototype, 'name', { value: 'RefreshFailedError' });

/**
 * A token endpoint failed; `kind` says what to do about it.
 *
 * The message never contains a secret: providers build it from status codes and error codes only.
 */
export class ProviderError extends HalflifeError {
  readonly kind: FailureKind;
  /** How long the provider asked us to wait (Retry-After, quota reset), if it said. */
  readonly retryAfterMs?: number;
  /** HTTP status of the answer, if there was one. */
  readonly httpStatus?: number;
  /**
   * A refresh token the provider rotated to in an answer that failed otherwise (a secret: not
   * enumerable, so it stays out of JSON and logs). The old refresh token is dead: store this one.
   */
  declare readonly rotatedRefreshToken?: string;

  constructor(
    kind: FailureKind,
    code: string,
    message: string,
    options?: { retryAfterMs?: number; httpStatus?: number; cause?: unknown; rotatedRefreshToken?: string },
  ) {
    super(message, code, options);
    this.kind = kind;
    this.retryAfterMs = options?.retryAfterMs;
    this.httpStatus = options?.httpStatus;
    if (options?.rotatedRefreshToken !== undefined) Object.defineProperty(this, 'rotatedRefreshToken', { value: options.rotatedRefreshToken, enumerable: false });
  }
}
Object.defineProperty(ProviderError.prototype, 'name', { value: 'ProviderError' });

/** True when `err` is a Halflife error with the given class name (works across module registries). */
export function isHalflifeError<T extends HalflifeError>(err: unknown, name: string): err is T {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/**
 * An encrypted payload could not be decrypted: its key is not in the key ring
 * (`unknown_encryption_key`) or its bytes fail authentication (`decryption_failed`).
 *
 * The message names the key id only, never key material or plaintext.
 */
export class DecryptionError extends HalflifeError {
  /** The key id the payload names, if it names one. */
  readonly keyId?: string;

  constructor(code: 'unknown_encryption_key' | 'decryption_failed', message: string, options?: { keyId?: string; cause?: unknown }) {
    super(message, code, options);
    this.keyId = options?.keyId;
  }
}
Object.defineProperty(DecryptionError.prototype, 'name', { value: 'DecryptionError' });

/**
 * An HTTP API request is malformed (not JSON, not an object, a bad path id or query parameter);
 * `field` names what is wrong. Answered with 400.
 */
export class InvalidRequestError extends HalflifeError {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`, 'invalid_request');
    this.field = field;
    this.reason = reason;
  }
}
Object.defineProperty(InvalidRequestError.prototype, 'name', { value: 'InvalidRequestError' });

/** An HTTP API request carried no API key, or one that is not configured. Answered with 401. */
export class AuthenticationError extends HalflifeError {
  /** `invalid_token` when a key was sent but is unknown (RFC 6750 §3.1); absent when none was sent. */
  readonly bearerError?: 'invalid_token' | 'invalid_request';

  constructor(message: string, bearerError?: 'invalid_token' | 'invalid_request') {
    super(message, 'unauthorized');
    this.bearerError = bearerError;
  }
}
Object.defineProperty(AuthenticationError.prototype, 'name', { value: 'AuthenticationError' });

/** A known API key lacks the scope a route needs or does not cover the credential. Answered with 403. */
export class PermissionDeniedError extends HalflifeError {
  /** The scope the route needs. */
  readonly scope: string;

  constructor(scope: string, message: string) {
    super(message, 'forbidden');
    this.scope = scope;
  }
}
Object.defineProperty(PermissionDeniedError.prototype, 'name', { value: 'PermissionDeniedError' });

/** A credential cannot be replaced by one of another provider (revoke it first). Answered with 409. */
export class ProviderMismatchError extends HalflifeError {
  readonly credentialId: string;
  /** The provider the running credential uses. */
  readonly current: string;

  constructor(credentialId: string, current: string, requested: string) {
    super(`credential ${credentialId} uses provider ${current}, not ${requested}; revoke it before registering it again`, 'provider_mismatch');
    this.credentialId = credentialId;
    this.current = current;
  }
}
Object.defineProperty(ProviderMismatchError.prototype, 'name', { value: 'ProviderMismatchError' });

/** The Temporal server could not be reached at the configured address. */
export class TemporalUnreachableError extends HalflifeError {
  readonly address: string;

  constructor(address: string, options?: { cause?: unknown }) {
    super(`cannot reach Temporal at ${address}: start the service (npm start) or set TEMPORAL_ADDRESS`, 'temporal_unreachable', options);
    this.address = address;
  }
}
Object.defineProperty(TemporalUnreachableError.prototype, 'name', { value: 'TemporalUnreachableError' });

/** Options of the "no token could be had" errors. */
export interface UnavailableOptions {
  cause?: unknown;
  /** How long to wait before asking again, for the HTTP `Retry-After`. */
  retryAfterS?: number;
}

/** The token endpoint is failing and no valid token is left. Answered with 503. */
export class UpstreamFailingError extends HalflifeError {
  readonly credentialId: string;
  readonly retryAfterS?: number;

  constructor(credentialId: string, message: string, options?: UnavailableOptions) {
    super(message, 'upstream_failing', options);
    this.credentialId = credentialId;
    this.retryAfterS = options?.retryAfterS;
  }
}
Object.defineProperty(UpstreamFailingError.prototype, 'name', { value: 'UpstreamFailingError' });

/** The credential's workflow task keeps failing (a bug or a non-deterministic change): an operator must act. Answered with 503. */
export class WorkflowFailingError extends HalflifeError {
  readonly credentialId: string;
  readonly retryAfterS?: number;

  constructor(credentialId: string, message: string, options?: UnavailableOptions) {
    super(message, 'workflow_failing', options);
    this.credentialId = credentialId;
    this.retryAfterS = options?.retryAfterS;
  }
}
Object.defineProperty(WorkflowFailingError.prototype, 'name', { value: 'WorkflowFailingError' });

/** No worker polls the credential's task queue, so nothing can answer. Answered with 503. */
export class NoWorkerError extends HalflifeError {
  readonly credentialId: string;
  readonly retryAfterS?: number;

  constructor(credentialId: string, message: string, options?: UnavailableOptions) {
    super(message, 'no_worker', options);
    this.credentialId = credentialId;
    this.retryAfterS = options?.retryAfterS;
  }
}
Object.defineProperty(NoWorkerError.prototype, 'name', { value: 'NoWorkerError' });

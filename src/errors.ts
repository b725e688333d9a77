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

  constructor(
    kind: FailureKind,
    code: string,
    message: string,
    options?: { retryAfterMs?: number; httpStatus?: number; cause?: unknown },
  ) {
    super(message, code, options);
    this.kind = kind;
    this.retryAfterMs = options?.retryAfterMs;
    this.httpStatus = options?.httpStatus;
  }
}
Object.defineProperty(ProviderError.prototype, 'name', { value: 'ProviderError' });

/** True when `err` is a Halflife error with the given class name (works across module registries). */
export function isHalflifeError<T extends HalflifeError>(err: unknown, name: string): err is T {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

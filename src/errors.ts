/**
 * Error classes with stable names and codes (`errorCodes`, from `error-codes.ts`); how each is
 * answered over HTTP and by the CLI is `error-outcomes.ts`. Plain `instanceof` breaks across jest's
 * module registries and bundles, so each class carries the Temporal SDK's `SymbolBasedInstanceOfError`
 * mark (a `Symbol.for` marker shared by every copy of this module; it also fixes `name`).
 */
import { SymbolBasedInstanceOfError } from '@temporalio/common/lib/type-helpers';
import type { FailureKind } from './credential';
import { errorCodes } from './error-codes';

export { errorCodes, type ErrorCode } from './error-codes';

/** Options every error accepts: the error it wraps. */
interface CauseOptions {
  cause?: unknown;
}

/** Base class of every error Halflife throws on purpose. */
@SymbolBasedInstanceOfError('HalflifeError')
export class HalflifeError extends Error {
  /** Stable machine-readable code: one of `errorCodes`, or a provider's own code (`ProviderError`, `RefreshFailedError`). */
  readonly code: string;

  constructor(message: string, code: string, options?: CauseOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Input failed validation; `field` names the offending field (dotted path, or the environment variable). */
@SymbolBasedInstanceOfError('InvalidConfigError')
export class InvalidConfigError extends HalflifeError {
  readonly field: string;
  readonly reason: string;
  /** The egress rule that refused an outbound URL (`metadata_address`, `private_address`...), when that is the reason. */
  readonly rule?: string;

  constructor(field: string, reason: string, options?: { rule?: string }) {
    super(`${field}: ${reason}`, errorCodes.invalidConfig);
    this.field = field;
    this.reason = reason;
    if (options?.rule !== undefined) this.rule = options.rule;
  }
}

/** No credential with that id exists (or it has ended). */
@SymbolBasedInstanceOfError('CredentialNotFoundError')
export class CredentialNotFoundError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, options?: CauseOptions) {
    super(`credential ${credentialId} not found`, errorCodes.credentialNotFound, options);
    this.credentialId = credentialId;
  }
}

/** A credential with that id is already registered. */
@SymbolBasedInstanceOfError('CredentialExistsError')
export class CredentialExistsError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, options?: CauseOptions) {
    super(`credential ${credentialId} already exists`, errorCodes.credentialExists, options);
    this.credentialId = credentialId;
  }
}

/** The provider rejected the grant: a person must re-authorize the credential. */
@SymbolBasedInstanceOfError('ReauthRequiredError')
export class ReauthRequiredError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, detail?: string, options?: CauseOptions) {
    super(`credential ${credentialId} needs re-authorization${detail ? `: ${detail}` : ''}`, errorCodes.reauthRequired, options);
    this.credentialId = credentialId;
  }
}

/** The freshest token available is expired and no refresh arrived in time. */
@SymbolBasedInstanceOfError('TokenExpiredError')
export class TokenExpiredError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, options?: CauseOptions) {
    super(`credential ${credentialId} has no unexpired token`, errorCodes.tokenExpired, options);
    this.credentialId = credentialId;
  }
}

/** A refresh failed for a reason other than a rejected grant; `code` is the provider's (`http_500`, `45009`), else `refresh_failed`. */
@SymbolBasedInstanceOfError('RefreshFailedError')
export class RefreshFailedError extends HalflifeError {
  readonly credentialId: string;

  constructor(credentialId: string, code: string, message: string, options?: CauseOptions) {
    super(`credential ${credentialId}: refresh failed: ${message}`, code || errorCodes.refreshFailed, options);
    this.credentialId = credentialId;
  }
}

/** Options of the errors that tell the caller when to try again. */
export interface RetryableErrorOptions extends CauseOptions {
  /** Seconds after which trying again makes sense (the API's `Retry-After`). */
  retryAfterS?: number;
}

/** Base of the errors a caller should retry later: the credential exists, but cannot answer now. Answered with 503. */
@SymbolBasedInstanceOfError('CredentialUnavailableError')
export class CredentialUnavailableError extends HalflifeError {
  readonly credentialId: string;
  /** When to try again, if known. */
  readonly retryAfterS?: number;

  constructor(credentialId: string, code: string, message: string, options?: RetryableErrorOptions) {
    super(`credential ${credentialId}: ${message}`, code, options);
    this.credentialId = credentialId;
    this.retryAfterS = options?.retryAfterS;
  }
}

/** The credential's token endpoint keeps failing (transiently); its current token, if any, is the one to use meanwhile. */
@SymbolBasedInstanceOfError('UpstreamFailingError')
export class UpstreamFailingError extends CredentialUnavailableError {
  constructor(credentialId: string, message: string, options?: RetryableErrorOptions) {
    super(credentialId, errorCodes.upstreamFailing, message, options);
  }
}

/** The credential's workflow task keeps failing (a bug or a non-deterministic change: see the worker logs). */
@SymbolBasedInstanceOfError('WorkflowFailingError')
export class WorkflowFailingError extends CredentialUnavailableError {
  constructor(credentialId: string, message: string, options?: RetryableErrorOptions) {
    super(credentialId, errorCodes.workflowFailing, message, options);
  }
}

/** No worker polls the task queue, so the credential's workflow cannot answer. */
@SymbolBasedInstanceOfError('NoWorkerError')
export class NoWorkerError extends CredentialUnavailableError {
  constructor(credentialId: string, message: string, options?: RetryableErrorOptions) {
    super(credentialId, errorCodes.noWorker, message, options);
  }
}

/**
 * A token endpoint failed; `kind` says what to do about it.
 *
 * The message never contains a secret: providers build it from status codes and error codes only.
 */
@SymbolBasedInstanceOfError('ProviderError')
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
  /** A derived credential's endpoint refused the parent's token (40001, 42001, 40014): the parent refreshes first. */
  readonly parentTokenRejected?: boolean;

  constructor(
    kind: FailureKind,
    code: string,
    message: string,
    options?: { retryAfterMs?: number; httpStatus?: number; cause?: unknown; rotatedRefreshToken?: string; parentTokenRejected?: boolean },
  ) {
    super(message, code, options);
    this.kind = kind;
    this.retryAfterMs = options?.retryAfterMs;
    this.httpStatus = options?.httpStatus;
    if (options?.parentTokenRejected) this.parentTokenRejected = true;
    if (options?.rotatedRefreshToken !== undefined) Object.defineProperty(this, 'rotatedRefreshToken', { value: options.rotatedRefreshToken, enumerable: false });
  }
}

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
@SymbolBasedInstanceOfError('DecryptionError')
export class DecryptionError extends HalflifeError {
  /** The key id the payload names, if it names one. */
  readonly keyId?: string;

  constructor(code: typeof errorCodes.unknownEncryptionKey | typeof errorCodes.decryptionFailed, message: string, options?: { keyId?: string; cause?: unknown }) {
    super(message, code, options);
    this.keyId = options?.keyId;
  }
}

/**
 * An HTTP API request is malformed (not JSON, not an object, a bad path id or query parameter);
 * `field` names what is wrong. Answered with 400.
 */
@SymbolBasedInstanceOfError('InvalidRequestError')
export class InvalidRequestError extends HalflifeError {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`, errorCodes.invalidRequest);
    this.field = field;
    this.reason = reason;
  }
}

/** An HTTP API request carried no API key, or one that is not configured. Answered with 401. */
@SymbolBasedInstanceOfError('AuthenticationError')
export class AuthenticationError extends HalflifeError {
  /** `invalid_token` when a key was sent but is unknown (RFC 6750 §3.1); absent when none was sent. */
  readonly bearerError?: 'invalid_token' | 'invalid_request';

  constructor(message: string, bearerError?: 'invalid_token' | 'invalid_request') {
    super(message, errorCodes.unauthorized);
    this.bearerError = bearerError;
  }
}

/** A known API key lacks the scope a route needs or does not cover the credential. Answered with 403. */
@SymbolBasedInstanceOfError('PermissionDeniedError')
export class PermissionDeniedError extends HalflifeError {
  /** The scope the route needs. */
  readonly scope: string;

  constructor(scope: string, message: string) {
    super(message, errorCodes.forbidden);
    this.scope = scope;
  }
}

/** A credential cannot be replaced by one of another provider (revoke it first). Answered with 409. */
@SymbolBasedInstanceOfError('ProviderMismatchError')
export class ProviderMismatchError extends HalflifeError {
  readonly credentialId: string;
  /** The provider the running credential uses. */
  readonly current: string;

  constructor(credentialId: string, current: string, requested: string) {
    super(`credential ${credentialId} uses provider ${current}, not ${requested}; revoke it before registering it again`, errorCodes.providerMismatch);
    this.credentialId = credentialId;
    this.current = current;
  }
}

/** The Temporal server could not be reached at the configured address; `reason` says how it failed, in a few words. */
@SymbolBasedInstanceOfError('TemporalUnreachableError')
export class TemporalUnreachableError extends HalflifeError {
  readonly address: string;

  constructor(address: string, options?: CauseOptions & { reason?: string; hint?: string }) {
    const reason = options?.reason ? ` (${options.reason})` : '';
    const hint = options?.hint ?? 'start the service (npm start) or set TEMPORAL_ADDRESS';
    super(`cannot reach Temporal at ${address}${reason}: ${hint}`, errorCodes.temporalUnreachable, options);
    this.address = address;
  }
}

/** No webhook subscription with that id. Answered with 404. */
@SymbolBasedInstanceOfError('WebhookNotFoundError')
export class WebhookNotFoundError extends HalflifeError {
  readonly webhookId: string;

  constructor(webhookId: string, options?: CauseOptions) {
    super(`webhook ${webhookId} not found`, errorCodes.webhookNotFound, options);
    this.webhookId = webhookId;
  }
}

/** A webhook subscription cannot be changed that way (it is configured, not made through the API; the registry is full). Answered with 409. */
@SymbolBasedInstanceOfError('WebhookConflictError')
export class WebhookConflictError extends HalflifeError {
  readonly webhookId?: string;

  constructor(message: string, webhookId?: string, options?: CauseOptions) {
    super(message, errorCodes.webhookConflict, options);
    if (webhookId !== undefined) this.webhookId = webhookId;
  }
}

/** A received webhook did not verify: missing headers, no signature matching any of the secrets, or a timestamp off by more than five minutes. */
@SymbolBasedInstanceOfError('WebhookVerificationError')
export class WebhookVerificationError extends HalflifeError {
  constructor(message: string, options?: CauseOptions) {
    super(message, errorCodes.webhookVerificationFailed, options);
  }
}

/** Why a platform callback was refused (`PushRejectedError.reason`). */
export type PushRejection = 'bad_signature' | 'receiver_mismatch' | 'undecryptable' | 'malformed' | 'bad_key' | 'not_a_push_credential';

/**
 * A platform callback (a `component_verify_ticket` or `suite_ticket` push) was refused before
 * anything was stored: its signature, encryption, receiver id or shape did not check out, or the
 * credential receives no pushes. Answered with 400; the message never quotes a key or the message.
 */
@SymbolBasedInstanceOfError('PushRejectedError')
export class PushRejectedError extends HalflifeError {
  readonly reason: PushRejection;

  constructor(reason: PushRejection, message: string, options?: CauseOptions) {
    super(`push refused (${reason}): ${message}`, errorCodes.pushRejected, options);
    this.reason = reason;
  }
}

/** No worker ran a test delivery in time (`POST /v1/webhooks/{id}/test`). Answered with 503. */
@SymbolBasedInstanceOfError('WebhookTestTimeoutError')
export class WebhookTestTimeoutError extends HalflifeError {
  readonly webhookId: string;

  constructor(webhookId: string, seconds: number) {
    super(`no worker sent the test delivery to webhook ${webhookId} within ${seconds} s; is a worker running on this task queue?`, errorCodes.noWorker);
    this.webhookId = webhookId;
  }
}

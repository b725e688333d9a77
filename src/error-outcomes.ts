/**
 * The one table from an error to what each interface answers: the HTTP API's status and
 * `error.code`, and the CLI's exit code. The API (`api/errors.ts`) adds the message, field and
 * headers; the CLI (`cli/exit-codes.ts`) the usage errors of its argument parser.
 *
 * Errors are matched by class name (see `errors.ts` on `instanceof`), then two transport cases:
 * Temporal not answering, and a workflow whose task keeps failing (gRPC FAILED_PRECONDITION).
 */
import { isGrpcServiceError } from '@temporalio/client';
import { errorCodes, type ErrorCode } from './errors';

/** Exit codes of the `halflife` command, one per kind of outcome, so scripts can branch on them. */
export const exitCodes = {
  /** Done. */
  ok: 0,
  /** Something unexpected failed (a bug, or an error without a better code). */
  failure: 1,
  /** Bad usage or invalid input: the message names the field and the reason. */
  invalidInput: 2,
  /** No credential with that id. */
  notFound: 3,
  /** The credential needs a new grant (`halflife reauthorize`). */
  reauthRequired: 4,
  /** No valid token could be had in time (expired, refresh failed, token endpoint failing). */
  noToken: 5,
  /** Conflict: the credential exists already, or belongs to another provider. */
  conflict: 6,
  /** Temporal (or a worker) could not be reached. */
  unavailable: 7,
} as const;

/** One of `exitCodes`. */
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** What the interfaces answer for one kind of error. */
export interface ErrorOutcome {
  /** HTTP status of the API's answer (every 503 carries `Retry-After`). */
  readonly status: number;
  /** `error.code` of the API's answer. */
  readonly code: ErrorCode;
  /** Exit code of the CLI. */
  readonly exitCode: ExitCode;
}

const outcome = (status: number, code: ErrorCode, exitCode: ExitCode): ErrorOutcome => Object.freeze({ status, code, exitCode });

/** The outcome of each error class, by class name. Errors not listed answer 500 `internal` / exit 1. */
export const errorOutcomes = {
  InvalidRequestError: outcome(400, errorCodes.invalidRequest, exitCodes.invalidInput),
  AuthenticationError: outcome(401, errorCodes.unauthorized, exitCodes.failure),
  PermissionDeniedError: outcome(403, errorCodes.forbidden, exitCodes.failure),
  CredentialNotFoundError: outcome(404, errorCodes.credentialNotFound, exitCodes.notFound),
  CredentialExistsError: outcome(409, errorCodes.credentialExists, exitCodes.conflict),
  ProviderMismatchError: outcome(409, errorCodes.providerMismatch, exitCodes.conflict),
  ReauthRequiredError: outcome(409, errorCodes.reauthRequired, exitCodes.reauthRequired),
  InvalidConfigError: outcome(422, errorCodes.invalidConfig, exitCodes.invalidInput),
  RefreshFailedError: outcome(502, errorCodes.refreshFailed, exitCodes.noToken),
  TokenExpiredError: outcome(503, errorCodes.tokenExpired, exitCodes.noToken),
  UpstreamFailingError: outcome(503, errorCodes.upstreamFailing, exitCodes.noToken),
  WorkflowFailingError: outcome(503, errorCodes.workflowFailing, exitCodes.failure),
  NoWorkerError: outcome(503, errorCodes.noWorker, exitCodes.unavailable),
  TemporalUnreachableError: outcome(503, errorCodes.temporalUnavailable, exitCodes.unavailable),
  WebhookNotFoundError: outcome(404, errorCodes.webhookNotFound, exitCodes.notFound),
  WebhookConflictError: outcome(409, errorCodes.webhookConflict, exitCodes.conflict),
  WebhookVerificationError: outcome(400, errorCodes.webhookVerificationFailed, exitCodes.invalidInput),
  WebhookTestTimeoutError: outcome(503, errorCodes.noWorker, exitCodes.unavailable),
  PushRejectedError: outcome(400, errorCodes.pushRejected, exitCodes.invalidInput),
} as const satisfies Record<string, ErrorOutcome>;

/** The outcome of Temporal not answering (no connection, deadline exceeded, overloaded). */
export const temporalUnavailableOutcome: ErrorOutcome = outcome(503, errorCodes.temporalUnavailable, exitCodes.unavailable);

/** The outcome of anything else. */
export const internalOutcome: ErrorOutcome = outcome(500, errorCodes.internal, exitCodes.failure);

/** gRPC CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE: the service is not answering. */
const unavailableGrpcCodes = new Set([1, 4, 8, 14]);

/** gRPC FAILED_PRECONDITION: what a query answers while the workflow's task keeps failing. */
const failedPrecondition = 9;

/** The first gRPC error among `err` and its causes (up to 5 deep), and whether a cause-less `ServiceError` came first. */
function transportCause(err: unknown): { grpcCode?: number; bareServiceError?: boolean } {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const name = (current as { name?: unknown }).name;
    if (name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return { grpcCode: 4 };
    if (isGrpcServiceError(current)) return { grpcCode: current.code };
    if (name === 'ServiceError' && !(current as { cause?: unknown }).cause) return { bareServiceError: true };
    current = (current as { cause?: unknown }).cause;
  }
  return {};
}

/** True when `err` (or a cause) says Temporal could not be reached or did not answer in time. */
export function isTemporalUnavailable(err: unknown): boolean {
  const cause = transportCause(err);
  return cause.bareServiceError === true || (cause.grpcCode !== undefined && unavailableGrpcCodes.has(cause.grpcCode));
}

/** True when `err` (or a cause) is gRPC FAILED_PRECONDITION: the workflow's task keeps failing. */
export function isWorkflowTaskFailing(err: unknown): boolean {
  return transportCause(err).grpcCode === failedPrecondition;
}

/** The class name of `err` when it is one the table lists. */
export function tabledErrorName(err: unknown): keyof typeof errorOutcomes | undefined {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return typeof name === 'string' && Object.hasOwn(errorOutcomes, name) ? (name as keyof typeof errorOutcomes) : undefined;
}

/** What the interfaces answer for `err`: by class name, then Temporal unavailable, then a failing workflow task, else internal. */
export function errorOutcomeOf(err: unknown): ErrorOutcome {
  const name = tabledErrorName(err);
  if (name) return errorOutcomes[name];
  if (isTemporalUnavailable(err)) return temporalUnavailableOutcome;
  if (isWorkflowTaskFailing(err)) return errorOutcomes.WorkflowFailingError;
  return internalOutcome;
}
